//===--- TracedFields.cpp -------------------------------------------------===//

#include "analysis/TracedFields.h"
#include "analysis/Budgets.h"
#include "clang/AST/DeclTemplate.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace lastword::analysis {
namespace {

// Nesting of arrays, containers and embedded records followed.
constexpr unsigned MaxShapeDepth = limitOf(Budget::ShapeDepth);
// Base classes followed looking for an inherited trace method.
constexpr unsigned MaxBaseDepth = limitOf(Budget::TraceBaseDepth);

// The class template \p Type is a specialization of, looking through aliases.
const TemplateDecl *templateOf(QualType Type, unsigned Depth = 0) {
  if (Type.isNull() || Depth > MaxShapeDepth)
    return nullptr;
  if (const auto *Specialization = Type->getAs<TemplateSpecializationType>()) {
    if (Specialization->isTypeAlias())
      return templateOf(Specialization->getAliasedType(), Depth + 1);
    return Specialization->getTemplateName().getAsTemplateDecl();
  }
  if (const auto *Specialization =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl()))
    return Specialization->getSpecializedTemplate();
  return nullptr;
}

llvm::ArrayRef<TemplateArgument> templateArgs(QualType Type) {
  if (const auto *Specialization = Type->getAs<TemplateSpecializationType>())
    if (!Specialization->isTypeAlias())
      return Specialization->template_arguments();
  if (const auto *Specialization =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl()))
    return Specialization->getTemplateArgs().asArray();
  return {};
}

// Standard class templates that own objects outside the collected heap, or
// refer to them: what they hold is not the object's to trace.
bool holdsElsewhere(const TemplateDecl &Template) {
  static const llvm::StringSet<> Names = {"unique_ptr", "shared_ptr", "weak_ptr",
                                          "reference_wrapper", "function"};
  return Template.getIdentifier() && Names.contains(Template.getIdentifier()->getName());
}

// Standard containers a range-for walks element by element (a map's
// elements are pairs; optional, pair, tuple, the adaptors are no ranges).
bool isRangeOfElements(const TemplateDecl &Template) {
  static const llvm::StringSet<> Names = {"vector",       "deque",         "list",
                                          "forward_list", "array",         "set",
                                          "multiset",     "unordered_set", "unordered_multiset"};
  return Template.getIdentifier() && Names.contains(Template.getIdentifier()->getName());
}

TracedShape shapeAt(CollectedTypes &Types, QualType Type, unsigned Depth) {
  TracedShape Shape;
  if (Type.isNull() || Type->isReferenceType() || Type->isPointerType())
    return Shape;
  if (Depth > MaxShapeDepth) {
    budgetReached(Budget::ShapeDepth);
    return Shape;
  }
  if (const ArrayType *Array = Type->getAsArrayTypeUnsafe()) {
    TracedShape Element = shapeAt(Types, Array->getElementType(), Depth + 1);
    if (Element.Kind != TracedKind::None) {
      Shape = Element;
      Shape.Kind = TracedKind::Array;
      Shape.ElementIsMember = Element.Kind == TracedKind::Member;
      Shape.EmbeddedHasTrace = false;
    }
    return Shape;
  }
  FieldHandle Handle = Types.classifyTypeByDeclaration(Type);
  if (Handle && !Handle.InArray && !Handle.Container) {
    // An untraced member, a persistent handle or a root is no field to visit.
    if (Handle.Kind == HandleKind::Member || Handle.Kind == HandleKind::WeakMember) {
      Shape.Kind = TracedKind::Member;
      Shape.Weak = Handle.Kind == HandleKind::WeakMember;
      Shape.Target = Handle.Pointee;
    }
    return Shape;
  }
  const TemplateDecl *Template = templateOf(Type);
  if (Template && Template->isInStdNamespace()) {
    if (holdsElsewhere(*Template))
      return Shape;
    llvm::ArrayRef<TemplateArgument> Args = templateArgs(Type);
    for (const TemplateArgument &Arg : Args) {
      if (Arg.getKind() != TemplateArgument::Type)
        continue;
      TracedShape Element = shapeAt(Types, Arg.getAsType(), Depth + 1);
      if (Element.Kind == TracedKind::None)
        continue;
      Shape = Element;
      Shape.Kind = TracedKind::Container;
      Shape.ElementIsMember = Element.Kind == TracedKind::Member && &Arg == &Args.front() &&
                              isRangeOfElements(*Template);
      Shape.EmbeddedHasTrace = false;
      return Shape;
    }
    return Shape;
  }
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  if (!Record || !Record->hasDefinition() || Record->isLambda() || Record->isInStdNamespace())
    return Shape;
  Record = Record->getDefinition();
  for (const FieldDecl *Field : Record->fields())
    if (shapeAt(Types, Field->getType(), Depth + 1).Kind != TracedKind::None) {
      Shape.Kind = TracedKind::Embedded;
      break;
    }
  if (Shape.Kind == TracedKind::Embedded)
    Shape.EmbeddedHasTrace = ownTraceMethod(Types.profile(), *Record) != nullptr;
  return Shape;
}

// Standard storage that holds its elements in the object itself.
bool isInlineStorage(const TemplateDecl &Template) {
  static const llvm::StringSet<> Names = {"array", "pair", "tuple", "optional", "variant"};
  return Template.getIdentifier() && Names.contains(Template.getIdentifier()->getName());
}

bool isHeapContainer(const TemplateDecl &Template) {
  static const llvm::StringSet<> Names = {"vector",        "deque",
                                          "list",          "forward_list",
                                          "map",           "multimap",
                                          "set",           "multiset",
                                          "unordered_map", "unordered_multimap",
                                          "unordered_set", "unordered_multiset"};
  return Template.getIdentifier() && Names.contains(Template.getIdentifier()->getName());
}

QualType plain(QualType Type) { return Type.getCanonicalType().getUnqualifiedType(); }

// \p Embedded: an object of \p Type lies inside the collected object (a
// field, an array element, a std::pair or std::array part), not in memory of
// its own that a conservative collector does not scan.
void reachedAt(CollectedTypes &Types, QualType Type, bool Conservative, bool Embedded,
               unsigned Depth, llvm::SmallVectorImpl<QualType> &Out) {
  if (Type.isNull() || Type->isDependentType() || Type->isReferenceType())
    return;
  if (Depth > MaxShapeDepth) {
    budgetReached(Budget::ShapeDepth);
    return;
  }
  if (const ArrayType *Array = Type->getAsArrayTypeUnsafe()) {
    reachedAt(Types, Array->getElementType(), Conservative, Embedded, Depth + 1, Out);
    return;
  }
  if (Type->isPointerType()) {
    // A conservative collector follows every pointer in a collected object.
    QualType Pointee = plain(Type->getPointeeType());
    if (Conservative && Embedded && Pointee->isRecordType())
      Out.push_back(Pointee);
    return;
  }
  // Classified as written: cppgc's members are known by their alias.
  FieldHandle Handle = Types.classifyTypeByDeclaration(Type);
  if (Handle && !Handle.InArray && !Handle.Container) {
    if (Handle.Kind == HandleKind::Member && Handle.Pointee && Handle.Pointee->getTypeForDecl())
      Out.push_back(plain(QualType(Handle.Pointee->getTypeForDecl(), 0)));
    return;
  }
  const RecordDecl *Record = Type->getAsRecordDecl();
  if (!Record)
    return;
  const TemplateDecl *Template = templateOf(Type);
  if (Template && Template->isInStdNamespace()) {
    llvm::ArrayRef<TemplateArgument> Args = templateArgs(Type);
    bool Inline = isInlineStorage(*Template);
    bool Scanned = llvm::any_of(Args, [](const TemplateArgument &Arg) {
      return Arg.getKind() == TemplateArgument::Type && isScannedAllocator(Arg.getAsType());
    });
    // Under a conservative collector a container's heap storage is scanned
    // only when it comes from a scanning allocator; a precise collector
    // follows the members a trace method visits in any container.
    if (Conservative && !Inline && !Scanned)
      return;
    bool Holds = Embedded && (Inline || Scanned || (!Conservative && isHeapContainer(*Template)));
    for (const TemplateArgument &Arg : Args)
      if (Arg.getKind() == TemplateArgument::Type && !isScannedAllocator(Arg.getAsType()))
        reachedAt(Types, Arg.getAsType(), Conservative, Holds, Depth + 1, Out);
    return;
  }
  // An object embedded by value: its own fields are the edges, so it is an
  // intermediate node of the graph (user types only).
  if (Embedded && !Record->isInStdNamespace() && !ApiProfile::isInLibraryNamespace(*Record) &&
      !Record->field_empty())
    Out.push_back(plain(Type));
}

// The last component of a qualified name, and what qualifies it.
std::pair<llvm::StringRef, llvm::StringRef> splitLast(llvm::StringRef Qualified) {
  Qualified.consume_front("::");
  size_t Colon = Qualified.rfind("::");
  if (Colon == llvm::StringRef::npos)
    return {Qualified, ""};
  return {Qualified.drop_front(Colon + 2), Qualified.take_front(Colon)};
}

llvm::StringRef firstVisitFunction(const ApiProfile &Profile) {
  const NameList &Visits = Profile.types(TypeRole::VisitFunction);
  return Visits.empty() ? llvm::StringRef() : llvm::StringRef(Visits.patterns().front());
}

llvm::StringRef firstTraceMethod(const ApiProfile &Profile) {
  const NameList &Methods = Profile.types(TypeRole::TraceMethod);
  return Methods.empty() ? llvm::StringRef() : splitLast(Methods.patterns().front()).first;
}

} // namespace

bool tracesPrecisely(const ApiProfile &Profile) {
  return !Profile.types(TypeRole::TraceMethod).empty() &&
         (!Profile.types(TypeRole::Member).empty() || !Profile.types(TypeRole::WeakMember).empty());
}

TracedShape tracedShape(CollectedTypes &Types, QualType Type) { return shapeAt(Types, Type, 0); }

void reachedTypes(CollectedTypes &Types, QualType Type, llvm::SmallVectorImpl<QualType> &Out) {
  reachedAt(Types, Type, !tracesPrecisely(Types.profile()), /*Embedded=*/true, 0, Out);
}

bool isTraceMethod(const ApiProfile &Profile, const NamedDecl &Method) {
  return Profile.types(TypeRole::TraceMethod).matches(Method);
}

bool isTraceMethodName(const ApiProfile &Profile, llvm::StringRef Name) {
  return !Name.empty() && Profile.types(TypeRole::TraceMethod).mayMatch(Name);
}

const CXXMethodDecl *ownTraceMethod(const ApiProfile &Profile, const CXXRecordDecl &Record) {
  const NameList &Methods = Profile.types(TypeRole::TraceMethod);
  if (Methods.empty())
    return nullptr;
  for (const Decl *D : Record.decls()) {
    const auto *Method = dyn_cast<CXXMethodDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (Method && !Method->isStatic() && Method->getNumParams() >= 1 && Methods.matches(*Method))
      return Method;
  }
  return nullptr;
}

static const CXXMethodDecl *inheritedTraceAt(const ApiProfile &Profile, const CXXRecordDecl &Record,
                                             unsigned Depth) {
  if (Depth > MaxBaseDepth) {
    budgetReached(Budget::TraceBaseDepth);
    return nullptr;
  }
  for (const CXXBaseSpecifier &Base : Record.bases()) {
    const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl();
    if (!BaseRecord || !BaseRecord->hasDefinition())
      continue;
    BaseRecord = BaseRecord->getDefinition();
    if (const CXXMethodDecl *Trace = ownTraceMethod(Profile, *BaseRecord))
      return Trace;
    if (const CXXMethodDecl *Trace = inheritedTraceAt(Profile, *BaseRecord, Depth + 1))
      return Trace;
  }
  return nullptr;
}

const CXXMethodDecl *inheritedTraceMethod(const ApiProfile &Profile, const CXXRecordDecl &Record) {
  return inheritedTraceAt(Profile, Record, 0);
}

std::string visitStatement(const ApiProfile &Profile, llvm::StringRef Visitor,
                           bool VisitorIsPointer, llvm::StringRef Field, const TracedShape &Shape) {
  llvm::StringRef Visit = splitLast(firstVisitFunction(Profile)).first;
  if (Visit.empty() || Visitor.empty())
    return "";
  std::string Call = (Visitor + (VisitorIsPointer ? "->" : ".") + Visit).str();
  switch (Shape.Kind) {
  case TracedKind::Member:
    return Call + "(" + Field.str() + ");";
  case TracedKind::Array:
  case TracedKind::Container:
    if (!Shape.ElementIsMember)
      return "";
    return "for (const auto &element : " + Field.str() + ") " + Call + "(element);";
  case TracedKind::Embedded: {
    llvm::StringRef Trace = firstTraceMethod(Profile);
    if (!Shape.EmbeddedHasTrace || Trace.empty())
      return "";
    return (Field + "." + Trace + "(" + Visitor + ");").str();
  }
  case TracedKind::None:
    return "";
  }
  return "";
}

bool newVisitorIsPointer(const ApiProfile &Profile) {
  // cppgc hands the visitor by pointer: `void Trace(cppgc::Visitor *) const`.
  return Profile.flavor() == ApiFlavor::Cppgc;
}

llvm::StringRef newVisitorName(const ApiProfile &Profile) {
  return newVisitorIsPointer(Profile) ? "visitor" : "t";
}

std::string traceSignature(const ApiProfile &Profile) {
  llvm::StringRef VisitorClass = splitLast(firstVisitFunction(Profile)).second;
  llvm::StringRef Trace = firstTraceMethod(Profile);
  if (VisitorClass.empty() || Trace.empty())
    return "";
  return ("void " + Trace + "(" + VisitorClass + (newVisitorIsPointer(Profile) ? " *" : " &") +
          newVisitorName(Profile) + ") const")
      .str();
}

std::string baseTraceStatement(llvm::StringRef Base, llvm::StringRef Method,
                               llvm::StringRef Visitor) {
  return (Base + "::" + Method + "(" + Visitor + ");").str();
}

} // namespace lastword::analysis
