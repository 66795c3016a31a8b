//===--- TraceRoles.cpp ---------------------------------------------------===//

#include "analysis/TraceRoles.h"
#include "clang/AST/DeclTemplate.h"
#include "llvm/ADT/STLExtras.h"

using namespace clang;

namespace lastword::analysis {
namespace {

// The template \p Type is a specialization of, looking through aliases.
const TemplateDecl *templateOf(QualType Type, unsigned Depth = 0) {
  if (Type.isNull() || Depth > 8)
    return nullptr;
  if (const auto *Spec = Type->getAs<TemplateSpecializationType>()) {
    if (Spec->isTypeAlias())
      return templateOf(Spec->getAliasedType(), Depth + 1);
    return Spec->getTemplateName().getAsTemplateDecl();
  }
  if (const auto *Record = Type->getAsCXXRecordDecl())
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
      return Spec->getSpecializedTemplate();
  return nullptr;
}

llvm::ArrayRef<TemplateArgument> templateArgs(QualType Type) {
  if (const auto *Spec = Type->getAs<TemplateSpecializationType>())
    if (!Spec->isTypeAlias())
      return Spec->template_arguments();
  if (const auto *Record = Type->getAsCXXRecordDecl())
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
      return Spec->getTemplateArgs().asArray();
  return {};
}

bool named(const NamedDecl *D, const std::vector<std::string> &Names) {
  if (!D)
    return false;
  std::string Qualified = D->getQualifiedNameAsString();
  return llvm::is_contained(Names, Qualified);
}

} // namespace

TraceRoles TraceRoles::of(const ApiProfile &Profile) {
  TraceRoles Roles;
  if (Profile.flavor() == ApiFlavor::Lastword) {
    Roles.MemberTypes = {"lastword::member"};
    Roles.TraceMethods = {"trace"};
    Roles.VisitFunctions = {"visit"};
    Roles.VisitorType = "lastword::tracer";
  }
  return Roles;
}

bool TraceRoles::isTraceMethodName(llvm::StringRef Name) const {
  return !Name.empty() && llvm::is_contained(TraceMethods, Name);
}

bool TraceRoles::isMemberType(QualType Type) const {
  if (Type.isNull())
    return false;
  if (const TemplateDecl *Template = templateOf(Type))
    return named(Template, MemberTypes);
  if (const auto *Record = Type->getAsCXXRecordDecl())
    return named(Record, MemberTypes);
  return false;
}

const CXXRecordDecl *asWritten(const CXXRecordDecl &Record) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(&Record))
    if (Spec->getSpecializationKind() != TSK_ExplicitSpecialization)
      if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
        return Template->getTemplatedDecl()->getCanonicalDecl();
  return Record.getCanonicalDecl();
}

TracedShape TraceRoles::shapeOf(QualType Type) const { return shapeOf(Type, 0); }

TracedShape TraceRoles::shapeOf(QualType Type, unsigned Depth) const {
  TracedShape Shape;
  if (Type.isNull() || Depth > 6 || Type->isReferenceType() || Type->isPointerType())
    return Shape;
  Type = Type.getCanonicalType().isNull() ? Type : Type;
  if (const auto *Array = dyn_cast<ArrayType>(Type->getUnqualifiedDesugaredType())) {
    TracedShape Element = shapeOf(Array->getElementType(), Depth + 1);
    if (Element.Kind != TracedKind::None) {
      Shape.Kind = TracedKind::Array;
      Shape.ElementIsMember = Element.Kind == TracedKind::Member;
    }
    return Shape;
  }
  if (isMemberType(Type)) {
    Shape.Kind = TracedKind::Member;
    llvm::ArrayRef<TemplateArgument> Args = templateArgs(Type);
    if (!Args.empty() && Args[0].getKind() == TemplateArgument::Type)
      if (const CXXRecordDecl *Target = Args[0].getAsType()->getAsCXXRecordDecl())
        Shape.Target = Target;
    return Shape;
  }
  const TemplateDecl *Template = templateOf(Type);
  if (Template && Template->isInStdNamespace()) {
    // Smart pointers own objects outside the collected heap, held by pointer.
    llvm::StringRef Name = Template->getName();
    if (Name == "unique_ptr" || Name == "shared_ptr" || Name == "weak_ptr" ||
        Name == "reference_wrapper" || Name == "function")
      return Shape;
    for (const TemplateArgument &Arg : templateArgs(Type)) {
      if (Arg.getKind() != TemplateArgument::Type)
        continue;
      TracedShape Element = shapeOf(Arg.getAsType(), Depth + 1);
      if (Element.Kind != TracedKind::None) {
        Shape.Kind = TracedKind::Container;
        // vector<member<T>>, array<member<T>, N>, list, deque, set: a range-for
        // visits the elements; a map's elements are pairs.
        Shape.ElementIsMember = Element.Kind == TracedKind::Member &&
                                &Arg == &templateArgs(Type).front() &&
                                !Template->getName().contains("map");
        return Shape;
      }
    }
    return Shape;
  }
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  if (!Record || !Record->hasDefinition() || Record->isLambda() || Record->isInStdNamespace())
    return Shape;
  Record = Record->getDefinition();
  for (const FieldDecl *Field : Record->fields()) {
    if (shapeOf(Field->getType(), Depth + 1).Kind != TracedKind::None) {
      Shape.Kind = TracedKind::Embedded;
      break;
    }
  }
  if (Shape.Kind == TracedKind::Embedded)
    for (const CXXMethodDecl *Method : Record->methods())
      if (Method->getIdentifier() && isTraceMethodName(Method->getName()))
        Shape.EmbeddedHasTrace = true;
  return Shape;
}

bool TraceRoles::hasCollectedBase(const CXXRecordDecl &Record) const {
  if (CollectedBases.empty() || !Record.hasDefinition())
    return false;
  for (const CXXBaseSpecifier &Base : Record.getDefinition()->bases()) {
    if (const TemplateDecl *Template = templateOf(Base.getType()))
      if (named(Template, CollectedBases))
        return true;
    if (const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl())
      if (named(BaseRecord, CollectedBases) || hasCollectedBase(*BaseRecord))
        return true;
  }
  return false;
}

std::string TraceRoles::visitStatement(llvm::StringRef Visitor, bool VisitorIsPointer,
                                       llvm::StringRef Field, const TracedShape &Shape) const {
  if (VisitFunctions.empty())
    return "";
  std::string Call = (Visitor + (VisitorIsPointer ? "->" : ".") + VisitFunctions.front()).str();
  switch (Shape.Kind) {
  case TracedKind::Member:
    return Call + "(" + Field.str() + ");";
  case TracedKind::Array:
  case TracedKind::Container:
    if (!Shape.ElementIsMember)
      return "";
    return "for (const auto &element : " + Field.str() + ") " + Call + "(element);";
  case TracedKind::Embedded:
    if (!Shape.EmbeddedHasTrace || TraceMethods.empty())
      return "";
    return Field.str() + "." + TraceMethods.front() + "(" + Visitor.str() + ");";
  case TracedKind::None:
    return "";
  }
  return "";
}

std::string TraceRoles::traceSignature(llvm::StringRef Visitor) const {
  if (VisitorType.empty() || TraceMethods.empty())
    return "";
  return "void " + TraceMethods.front() + "(" + VisitorType + (VisitorByPointer ? " *" : " &") +
         Visitor.str() + ") const";
}

std::string TraceRoles::baseTraceStatement(llvm::StringRef Base, llvm::StringRef Method,
                                           llvm::StringRef Visitor) const {
  return (Base + "::" + Method + "(" + Visitor + ");").str();
}

} // namespace lastword::analysis
