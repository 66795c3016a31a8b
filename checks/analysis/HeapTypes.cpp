//===--- HeapTypes.cpp ----------------------------------------------------===//

#include "analysis/HeapTypes.h"
#include "analysis/SourceUtils.h"
#include "analysis/ApiCalls.h"
#include "clang/AST/DeclTemplate.h"

using namespace clang;
using namespace clang::ast_matchers;

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

void HeapTypes::registerMatchers(MatchFinder &Finder, MatchFinder::MatchCallback *Callback,
                                 const ApiProfile &Profile) {
  if (!Profile.functions(ApiRole::Allocation).empty()) {
    Finder.addMatcher(callExpr(apiCallTo(Profile, ApiRole::Allocation)).bind("heap-types-call"),
                      Callback);
    // `(Node *)GC_MALLOC(...)`, and C's implicit conversion from `void *`, which
    // a check that walks code as written would not see.
    Finder.addMatcher(traverse(TK_AsIs, castExpr(hasType(pointerType()),
                                                 hasSourceExpression(ignoringParenImpCasts(callExpr(
                                                     apiCallTo(Profile, ApiRole::Allocation)))))
                                            .bind("heap-types-cast")),
                      Callback);
  }
  if (Profile.readsBoehmCpp())
    Finder.addMatcher(cxxNewExpr().bind("heap-types-new"), Callback);
  Finder.addMatcher(fieldDecl().bind("heap-types-field"), Callback);
}

bool HeapTypes::observe(const MatchFinder::MatchResult &Result) {
  const auto &Nodes = Result.Nodes;
  if (const auto *Call = Nodes.getNodeAs<CallExpr>("heap-types-call")) {
    QualType Type = Call->getType();
    if (Type->isPointerType() && !Type->getPointeeType()->isVoidType())
      noteAllocated(Type);
    return true;
  }
  if (const auto *Cast = Nodes.getNodeAs<CastExpr>("heap-types-cast")) {
    noteAllocated(Cast->getType());
    return true;
  }
  if (const auto *New = Nodes.getNodeAs<CXXNewExpr>("heap-types-new")) {
    if (isCollectedNew(*New, Profile))
      noteAllocated(New->getAllocatedType());
    return true;
  }
  if (const auto *Field = Nodes.getNodeAs<FieldDecl>("heap-types-field")) {
    // A member<T> field points to collected objects: T is collected.
    QualType Type = Field->getType();
    if (isMemberType(Type))
      if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
              Type.getCanonicalType()->getAsCXXRecordDecl()))
        if (Spec->getTemplateArgs().size() >= 1 &&
            Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
          noteAllocated(Spec->getTemplateArgs()[0].getAsType());
    return true;
  }
  return false;
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

const RecordDecl *HeapTypes::collectedInStdTemplate(QualType Type, unsigned Depth) {
  if (Type.isNull() || Depth > 4)
    return nullptr;
  Type = Type.getCanonicalType();
  if (Depth > 0 && (Type->isPointerType() || Type->isReferenceType()))
    return collectedRecord(Type);
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl());
  if (!Spec || !Spec->isInStdNamespace())
    return nullptr;
  llvm::StringRef Name = identifierName(Spec);
  if (Name == "allocator" || Name == "less" || Name == "hash" || Name == "equal_to" ||
      Name == "weak_ptr" || Name == "function" || Name == "basic_string")
    return nullptr;
  if (Depth > 0 && (Name == "unique_ptr" || Name == "shared_ptr")) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() >= 1 && Args[0].getKind() == TemplateArgument::Type)
      return collectedRecord(Args[0].getAsType());
    return nullptr;
  }
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
    if (Arg.getKind() == TemplateArgument::Type)
      if (const RecordDecl *Found = collectedInStdTemplate(Arg.getAsType(), Depth + 1))
        return Found;
  return nullptr;
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
