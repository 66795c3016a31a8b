//===--- ApiCalls.cpp -----------------------------------------------------===//

#include "analysis/ApiCalls.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/DeclCXX.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace lastword::analysis {

const RecordDecl *registeredRecord(const Expr *Object) {
  auto RecordOf = [](const Expr *E) -> const RecordDecl * {
    QualType Type = E->getType();
    if (Type.isNull() || Type->isDependentType())
      return nullptr;
    Type = Type.getNonReferenceType();
    if (Type->isPointerType())
      Type = Type->getPointeeType();
    if (Type->isDependentType())
      return nullptr;
    const RecordDecl *Record = Type->getAsRecordDecl();
    if (const RecordDecl *Definition = Record ? Record->getDefinition() : nullptr)
      return Definition;
    return Record;
  };
  const RecordDecl *Best = nullptr;
  auto Consider = [&](const Expr *E) {
    const RecordDecl *Record = E ? RecordOf(E) : nullptr;
    if (!Record)
      return;
    const auto *Derived = dyn_cast<CXXRecordDecl>(Record);
    const auto *Known = dyn_cast_or_null<CXXRecordDecl>(Best);
    if (!Best || (Derived && Known && Derived->hasDefinition() && Known->hasDefinition() &&
                  Derived->isDerivedFrom(Known)))
      Best = Record;
  };
  const Expr *E = Object;
  for (unsigned Step = 0; E && Step < 8; ++Step) {
    E = E->IgnoreParenImpCasts();
    Consider(E);
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E)) {
      E = Cast->getSubExpr();
      continue;
    }
    break;
  }
  if (Object)
    Consider(lookThrough(Object));
  return Best;
}
namespace {

// Recognises `new (GC)`-style placement by the placement argument's type.
bool isPlacementTag(QualType Type, const ApiProfile &Profile) {
  return Profile.matchType(TypeRole::PlacementTag, Type) != nullptr;
}

const CXXRecordDecl *derivesFromAt(const CXXRecordDecl &Record, const NameList &Bases,
                                   unsigned Depth) {
  const CXXRecordDecl *Definition = Record.getDefinition();
  if (Depth > 32)
    return nullptr;
  if (Bases.matches(Record))
    return &Record;
  if (!Definition)
    return nullptr;
  for (const CXXBaseSpecifier &Base : Definition->bases()) {
    // A dependent base written as a template (`GarbageCollected<T>`) is
    // named by its template.
    QualType BaseType = Base.getType();
    if (const auto *Specialization = BaseType->getAs<TemplateSpecializationType>())
      if (const TemplateDecl *Template = Specialization->getTemplateName().getAsTemplateDecl())
        if (Bases.matches(*Template))
          return Template->getTemplatedDecl()
                     ? dyn_cast_or_null<CXXRecordDecl>(Template->getTemplatedDecl())
                     : nullptr;
    if (const CXXRecordDecl *BaseRecord = BaseType->getAsCXXRecordDecl())
      if (const CXXRecordDecl *Found = derivesFromAt(*BaseRecord, Bases, Depth + 1))
        return Found;
  }
  return nullptr;
}

std::optional<ApiCall> classifyNamedCall(const CallExpr &Call, const ApiProfile &Profile,
                                         ApiRole Role, const std::string &Name) {
  const ApiFunction *Function = Profile.lookup(Role, Name);
  if (!Function)
    return std::nullopt;
  // Member call arguments exclude the implicit object; operator calls do not.
  ApiCall Result;
  Result.Role = Role;
  Result.Function = Function;
  Result.Call = &Call;
  Result.Object = argumentAt(Call, Function->ObjectArg);
  Result.Callback = argumentAt(Call, Function->CallbackArg);
  Result.Data = argumentAt(Call, Function->DataArg);
  if (Role == ApiRole::Finalizer || Role == ApiRole::Cleanup)
    Result.Unregisters = isNullCallback(Result.Callback);
  return Result;
}

// Whether \p D may carry one of the profile's names for \p Role: its own
// name is the last part of the name. Most calls are no API calls, and this
// spares them building the qualified name.
bool mayBeNamed(const NamedDecl &D, const ApiProfile &Profile, ApiRole Role) {
  const IdentifierInfo *Id = D.getIdentifier();
  if (!Id)
    return true;
  StringRef Name = Id->getName();
  for (const ApiFunction &Function : Profile.functions(Role)) {
    StringRef Pattern = Function.Name;
    size_t Colons = Pattern.rfind("::");
    if ((Colons == StringRef::npos ? Pattern : Pattern.substr(Colons + 2)) == Name)
      return true;
  }
  return false;
}

} // namespace

const Expr *argumentAt(const CallExpr &Call, int Index) {
  if (Index < 0 || static_cast<unsigned>(Index) >= Call.getNumArgs())
    return nullptr;
  const Expr *Arg = Call.getArg(Index);
  return isa<CXXDefaultArgExpr>(Arg) ? nullptr : Arg;
}

bool isNullCallback(const Expr *E) {
  if (!E)
    return true;
  E = E->IgnoreParenImpCasts();
  return isa<CXXNullPtrLiteralExpr, GNUNullExpr>(E) ||
         (isa<IntegerLiteral>(E) && cast<IntegerLiteral>(E)->getValue() == 0);
}

const ValueDecl *calledFunctionPointer(const CallExpr &Call) {
  const Expr *E = Call.getCallee();
  for (unsigned Depth = 0; E && Depth < 4; ++Depth) {
    E = E->IgnoreParenCasts();
    const auto *Deref = dyn_cast<UnaryOperator>(E);
    if (!Deref || Deref->getOpcode() != UO_Deref)
      break;
    E = Deref->getSubExpr();
  }
  const ValueDecl *Pointer = nullptr;
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(E))
    Pointer = dyn_cast<FieldDecl>(Member->getMemberDecl());
  else if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    Pointer = dyn_cast<VarDecl>(Ref->getDecl());
  if (!Pointer || !Pointer->getIdentifier())
    return nullptr;
  QualType Type = Pointer->getType().getNonReferenceType();
  return Type->isFunctionPointerType() || Type->isFunctionReferenceType() ? Pointer : nullptr;
}

std::optional<ApiCall> classifyCall(const CallExpr &Call, const ApiProfile &Profile, ApiRole Role) {
  if (const FunctionDecl *Callee = Call.getDirectCallee()) {
    if (!mayBeNamed(*Callee, Profile, Role))
      return std::nullopt;
    return classifyNamedCall(Call, Profile, Role, Callee->getQualifiedNameAsString());
  }
  // A table of function pointers (`api->add_finalizer(obj, fn, data)`) or a
  // function pointer variable, named in the profile like a function.
  if (const ValueDecl *Pointer = calledFunctionPointer(Call)) {
    if (!mayBeNamed(*Pointer, Profile, Role))
      return std::nullopt;
    return classifyNamedCall(Call, Profile, Role, Pointer->getQualifiedNameAsString());
  }
  return std::nullopt;
}

std::optional<ApiCall> classifyUnresolvedCall(const CallExpr &Call, const ApiProfile &Profile,
                                              ApiRole Role) {
  const auto *Lookup = dyn_cast_or_null<UnresolvedLookupExpr>(
      Call.getCallee() ? Call.getCallee()->IgnoreParenImpCasts() : nullptr);
  if (!Lookup)
    return std::nullopt;
  for (const NamedDecl *Decl : Lookup->decls())
    if (const NamedDecl *Underlying = Decl ? Decl->getUnderlyingDecl() : nullptr)
      if (std::optional<ApiCall> Result =
              classifyNamedCall(Call, Profile, Role, Underlying->getQualifiedNameAsString()))
        return Result;
  return std::nullopt;
}

std::optional<ApiCall> classifyCall(const CallExpr &Call, const ApiProfile &Profile) {
  for (ApiRole Role : AllApiRoles)
    if (std::optional<ApiCall> Result = classifyCall(Call, Profile, Role))
      return Result;
  return std::nullopt;
}

std::optional<ApiCall> classifyBoehmNew(const CXXNewExpr &New, const ApiProfile &Profile) {
  if (!Profile.readsBoehmCpp() || New.getNumPlacementArgs() < 2 ||
      !isPlacementTag(New.getPlacementArg(0)->getType(), Profile))
    return std::nullopt;
  ApiCall Result;
  Result.Role = ApiRole::Finalizer;
  Result.Call = &New;
  Result.Object = &New;
  Result.Callback = New.getPlacementArg(1);
  if (New.getNumPlacementArgs() > 2)
    Result.Data = New.getPlacementArg(2);
  Result.Unregisters = isNullCallback(Result.Callback);
  if (Result.Unregisters)
    return std::nullopt;
  return Result;
}

namespace {

// The identifiers the names end in (NameList::mayMatch); rejects most calls
// before hasAnyName runs.
class CalleeIdentifierIn : public internal::MatcherInterface<CallExpr> {
public:
  explicit CalleeIdentifierIn(llvm::ArrayRef<StringRef> Names)
      : Names(std::vector<std::string>(Names.begin(), Names.end())) {}
  bool matches(const CallExpr &Call, internal::ASTMatchFinder *,
               internal::BoundNodesTreeBuilder *) const override {
    const auto *Callee = dyn_cast_or_null<FunctionDecl>(Call.getCalleeDecl());
    const IdentifierInfo *Identifier = Callee ? Callee->getIdentifier() : nullptr;
    return Identifier && Names.mayMatch(Identifier->getName());
  }

private:
  NameList Names;
};

// A call with no function declaration as its callee: through a pointer, or
// still dependent.
class NoFunctionCallee : public internal::MatcherInterface<CallExpr> {
public:
  bool matches(const CallExpr &Call, internal::ASTMatchFinder *,
               internal::BoundNodesTreeBuilder *) const override {
    return !isa_and_nonnull<FunctionDecl>(Call.getCalleeDecl());
  }
};

internal::Matcher<CallExpr> hasNoFunctionCallee() {
  return internal::Matcher<CallExpr>(new NoFunctionCallee);
}

} // namespace

internal::Matcher<CallExpr> callsFunctionNamed(llvm::ArrayRef<StringRef> Names) {
  if (Names.empty())
    return callExpr(unless(anything()));
  return callExpr(
      internal::Matcher<CallExpr>(new CalleeIdentifierIn(Names)),
      callee(functionDecl(hasAnyName(std::vector<StringRef>(Names.begin(), Names.end())))));
}

internal::Matcher<CallExpr> apiCallTo(const ApiProfile &Profile, ApiRole Role) {
  return apiCallTo(Profile, llvm::ArrayRef<ApiRole>(Role));
}

internal::Matcher<CallExpr> apiCallTo(const ApiProfile &Profile, llvm::ArrayRef<ApiRole> Roles) {
  std::vector<StringRef> Names;
  for (ApiRole Role : Roles)
    for (StringRef Name : Profile.names(Role))
      Names.push_back(Name);
  if (Names.empty())
    return callExpr(unless(anything()));
  auto Named = hasAnyName(Names);
  // Through a function pointer field or variable (classifyCall confirms).
  auto ThroughPointer = expr(anyOf(ignoringParenImpCasts(declRefExpr(to(varDecl(Named)))),
                                   hasDescendant(memberExpr(member(fieldDecl(Named)))),
                                   hasDescendant(declRefExpr(to(varDecl(Named))))));
  return callExpr(
      anyOf(callsFunctionNamed(Names), allOf(hasNoFunctionCallee(), callee(ThroughPointer))));
}

internal::Matcher<CallExpr> unresolvedApiCallTo(const ApiProfile &Profile, ApiRole Role) {
  std::vector<StringRef> Names = Profile.names(Role);
  if (Names.empty())
    return callExpr(unless(anything()));
  return callExpr(hasNoFunctionCallee(), callee(expr(ignoringParenImpCasts(unresolvedLookupExpr(
                                             hasAnyDeclaration(namedDecl(hasAnyName(Names))))))));
}

const CXXRecordDecl *derivesFrom(const CXXRecordDecl &Record, const NameList &Bases) {
  if (Bases.empty())
    return nullptr;
  return derivesFromAt(Record, Bases, 0);
}

bool isPlacementCollectedNew(const CXXNewExpr &New, const ApiProfile &Profile) {
  return New.getNumPlacementArgs() >= 1 &&
         isPlacementTag(New.getPlacementArg(0)->getType(), Profile);
}

bool isCollectedNew(const CXXNewExpr &New, const ApiProfile &Profile) {
  if (isPlacementCollectedNew(New, Profile))
    return true;
  const CXXRecordDecl *Record = New.getAllocatedType()->getAsCXXRecordDecl();
  return Record && New.getNumPlacementArgs() == 0 &&
         derivesFrom(*Record, Profile.types(TypeRole::CollectedBase));
}

bool isBoehmCleanupClass(const CXXRecordDecl &Record, const ApiProfile &Profile) {
  const NameList &Bases = Profile.types(TypeRole::FinalizableBase);
  return !Bases.matches(Record) && derivesFrom(Record, Bases);
}

const Expr *stripObjectWrappers(const Expr *E) {
  while (E) {
    const Expr *Before = E;
    E = skipTemporaries(E->IgnoreParenCasts());
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee && Callee->isInStdNamespace() && Call->getNumArgs() == 1 &&
          (hasName(Callee, "move") || hasName(Callee, "forward") || hasName(Callee, "addressof")))
        E = Call->getArg(0);
    }
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
      // p.get() on a member<T>, persistent<T> or smart pointer designates *p.
      const CXXMethodDecl *Method = Member->getMethodDecl();
      if (Method && Member->getNumArgs() == 0 && hasName(Method, "get") &&
          Member->getType()->isPointerType())
        E = Member->getImplicitObjectArgument();
    }
    if (const auto *Conversion = dyn_cast<CXXMemberCallExpr>(E))
      if (isa_and_nonnull<CXXConversionDecl>(Conversion->getMethodDecl()))
        E = Conversion->getImplicitObjectArgument();
    if (const auto *Unary = dyn_cast<UnaryOperator>(E))
      if (Unary->getOpcode() == UO_AddrOf)
        if (const auto *Deref = dyn_cast<UnaryOperator>(Unary->getSubExpr()->IgnoreParens()))
          if (Deref->getOpcode() == UO_Deref)
            E = Deref->getSubExpr(); // &*p is p
    if (E == Before)
      return E;
  }
  return E;
}

} // namespace lastword::analysis
