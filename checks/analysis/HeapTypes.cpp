//===--- HeapTypes.cpp ----------------------------------------------------===//

#include "analysis/HeapTypes.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/DeclTemplate.h"

using namespace clang;

namespace lastword::analysis {
namespace {

const NamedDecl *templateOf(QualType Type) {
  Type = Type.getNonReferenceType().getCanonicalType();
  if (const auto *Record = Type->getAsCXXRecordDecl()) {
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
      return Spec->getSpecializedTemplate();
    return Record;
  }
  if (const auto *Spec = Type->getAs<TemplateSpecializationType>())
    return Spec->getTemplateName().getAsTemplateDecl();
  return nullptr;
}

bool inNamespace(const NamedDecl *D, llvm::StringRef Namespace) {
  for (const DeclContext *Context = D->getDeclContext(); Context; Context = Context->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(Context))
      if (NS->getName() == Namespace && NS->getParent()->getRedeclContext()->isTranslationUnit())
        return true;
  return false;
}

bool isNamed(const NamedDecl *D, std::initializer_list<llvm::StringRef> Names,
             llvm::StringRef Namespace) {
  if (!D)
    return false;
  llvm::StringRef Name = identifierName(D);
  for (llvm::StringRef Candidate : Names)
    if (Name == Candidate)
      return inNamespace(D, Namespace);
  return false;
}

} // namespace

bool boehmScansOperatorNew(const ASTContext &Context) {
  auto Found = Context.Idents.find("gc");
  if (Found == Context.Idents.end())
    return false;
  for (const NamedDecl *D : Context.getTranslationUnitDecl()->lookup(Found->getValue()))
    if (isa<CXXRecordDecl>(D))
      return true;
  return false;
}

const RecordDecl *recordOf(QualType Type) {
  if (Type.isNull())
    return nullptr;
  Type = Type.getNonReferenceType();
  if (Type->isPointerType())
    Type = Type->getPointeeType();
  while (const auto *Array = Type->getAsArrayTypeUnsafe())
    Type = Array->getElementType();
  const RecordDecl *Record = Type->getAsRecordDecl();
  if (!Record)
    return nullptr;
  const RecordDecl *Definition = Record->getDefinition();
  return Definition ? Definition : Record;
}

bool HeapTypes::isMemberType(QualType Type) const {
  const NamedDecl *T = templateOf(Type);
  return isNamed(T, {"member"}, "lastword") ||
         isNamed(T, {"Member", "WeakMember", "UntracedMember", "BasicMember"}, "cppgc");
}

bool HeapTypes::isPersistentType(QualType Type) const {
  const NamedDecl *T = templateOf(Type);
  return isNamed(T, {"persistent"}, "lastword") ||
         isNamed(T, {"Persistent", "WeakPersistent", "BasicPersistent", "CrossThreadPersistent",
                     "BasicCrossThreadPersistent"},
                 "cppgc");
}

void HeapTypes::noteAllocated(QualType Type) {
  const RecordDecl *Record = recordOf(Type);
  if (!Record)
    return;
  if (!Allocated.insert(Record).second)
    return;
  Known.clear();
  // The bases of an allocated class are parts of collected objects too.
  if (const auto *Class = dyn_cast<CXXRecordDecl>(Record))
    if (Class->hasDefinition())
      for (const CXXBaseSpecifier &Base : Class->bases())
        noteAllocated(Base.getType());
}

bool HeapTypes::declaresCollected(const CXXRecordDecl &Record) {
  llvm::StringRef Name = identifierName(&Record);
  if (Profile.flavor() == ApiFlavor::Bdwgc && (Name == "gc" || Name == "gc_cleanup") &&
      Record.getDeclContext()->isTranslationUnit())
    return true;
  if (isNamed(&Record, {"GarbageCollected", "GarbageCollectedMixin"}, "cppgc"))
    return true;
  for (const CXXMethodDecl *Method : Record.methods()) {
    llvm::StringRef MethodName = identifierName(Method);
    if ((MethodName == "trace" || MethodName == "Trace") && Method->getNumParams() == 1) {
      const RecordDecl *Visitor = recordOf(Method->getParamDecl(0)->getType());
      if (Visitor && (isNamed(Visitor, {"tracer"}, "lastword") ||
                      isNamed(Visitor, {"Visitor"}, "cppgc")))
        return true;
    }
  }
  for (const FieldDecl *Field : Record.fields())
    if (isMemberType(Field->getType()))
      return true;
  return false;
}

bool HeapTypes::isCollected(const RecordDecl *Record) {
  if (!Record)
    return false;
  if (const RecordDecl *Definition = Record->getDefinition())
    Record = Definition;
  auto [It, Inserted] = Known.try_emplace(Record, false);
  if (!Inserted)
    return It->second;
  bool Result = Allocated.contains(Record);
  if (!Result)
    if (const auto *Class = dyn_cast<CXXRecordDecl>(Record)) {
      Result = declaresCollected(*Class);
      if (!Result && Class->hasDefinition())
        for (const CXXBaseSpecifier &Base : Class->bases())
          if (isCollected(recordOf(Base.getType()))) {
            Result = true;
            break;
          }
    }
  Known[Record] = Result;
  return Result;
}

const RecordDecl *HeapTypes::collectedRecord(QualType Type) {
  const RecordDecl *Record = recordOf(Type);
  return isCollected(Record) ? Record : nullptr;
}

bool HeapTypes::typeHoldsMembers(QualType Type, unsigned Depth) {
  if (Depth > 8 || Type.isNull())
    return false;
  Type = Type.getCanonicalType();
  while (const auto *Array = Type->getAsArrayTypeUnsafe())
    Type = Array->getElementType().getCanonicalType();
  if (isMemberType(Type))
    return true;
  const auto *Record = Type->getAsCXXRecordDecl();
  if (!Record)
    return false;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record)) {
    if (Spec->isInStdNamespace()) {
      for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
        if (Arg.getKind() == TemplateArgument::Type && typeHoldsMembers(Arg.getAsType(), Depth + 1))
          return true;
      return false;
    }
  }
  return holdsMembers(Record, Depth + 1);
}

bool HeapTypes::holdsMembers(const RecordDecl *Record, unsigned Depth) {
  if (!Record || Depth > 8)
    return false;
  if (const RecordDecl *Definition = Record->getDefinition())
    Record = Definition;
  else
    return false;
  auto [It, Inserted] = Holds.try_emplace(Record, false);
  if (!Inserted)
    return It->second;
  bool Result = false;
  for (const FieldDecl *Field : Record->fields())
    if (typeHoldsMembers(Field->getType(), Depth)) {
      Result = true;
      break;
    }
  if (!Result)
    if (const auto *Class = dyn_cast<CXXRecordDecl>(Record))
      for (const CXXBaseSpecifier &Base : Class->bases())
        if (holdsMembers(recordOf(Base.getType()), Depth + 1)) {
          Result = true;
          break;
        }
  Holds[Record] = Result;
  return Result;
}

} // namespace lastword::analysis
