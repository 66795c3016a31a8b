//===--- Finalizers.cpp ---------------------------------------------------===//

#include "analysis/Finalizers.h"
#include "analysis/ApiCalls.h"
#include "analysis/Budgets.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseMap.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace lastword::analysis {
namespace {

const FunctionDecl *definitionOrSelf(const FunctionDecl *Function) {
  if (!Function)
    return nullptr;
  const FunctionDecl *Definition = nullptr;
  if (Function->hasBody(Definition) && Definition)
    return Definition;
  return Function;
}

SourceLocation locationOf(const Expr *E) { return E ? E->getBeginLoc() : SourceLocation(); }

std::vector<FinalizerBody> fromCallback(const ApiCall &Call, FinalizerSource Source) {
  std::vector<FinalizerBody> Bodies;
  if (Call.Unregisters || !Call.Callback)
    return Bodies;
  std::optional<CallableTarget> Target = resolveCallable(Call.Callback);
  if (!Target || !Target->Body)
    return Bodies;
  FinalizerBody Body;
  Body.Source = Source;
  Body.Body = definitionOrSelf(Target->Body);
  Body.Registration = Call.Call;
  Body.Callback = Call.Callback;
  Body.Target = std::move(Target);
  Body.RegisteredAt = locationOf(Call.Callback);
  if (Body.RegisteredAt.isInvalid())
    Body.RegisteredAt = locationOf(Call.Call);
  Bodies.push_back(std::move(Body));
  return Bodies;
}

} // namespace

StatementMatcher finalizerRegistrationMatcher(const ApiProfile &Profile) {
  auto Call = apiCallTo(Profile, ApiRole::Finalizer);
  if (!Profile.readsBoehmCpp())
    return callExpr(Call, unless(isExpansionInSystemHeader())).bind(FinalizerCallId);
  return stmt(anyOf(callExpr(Call).bind(FinalizerCallId), cxxNewExpr().bind(FinalizerNewId)),
              unless(isExpansionInSystemHeader()));
}

DeclarationMatcher cleanupClassMatcher() {
  return cxxRecordDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                       has(cxxDestructorDecl(unless(isImplicit()))))
      .bind(CleanupClassId);
}

std::vector<FinalizerBody> findFinalizerBodies(const CallExpr &Call, const ApiProfile &Profile) {
  std::optional<ApiCall> Api = classifyCall(Call, Profile, ApiRole::Finalizer);
  if (!Api)
    return {};
  return fromCallback(*Api, FinalizerSource::Registration);
}

std::vector<FinalizerBody> findFinalizerBodies(const CXXNewExpr &New, const ApiProfile &Profile) {
  std::optional<ApiCall> Api = classifyBoehmNew(New, Profile);
  if (!Api)
    return {};
  return fromCallback(*Api, FinalizerSource::BoehmNew);
}

std::vector<FinalizerBody> findFinalizerBodies(const CXXRecordDecl &CleanupClass,
                                               const ApiProfile &Profile) {
  std::vector<FinalizerBody> Bodies;
  const CXXRecordDecl *Definition = CleanupClass.getDefinition();
  if (!Definition || !isBoehmCleanupClass(*Definition, Profile))
    return Bodies;
  const CXXDestructorDecl *Destructor = Definition->getDestructor();
  if (!Destructor || Destructor->isImplicit())
    return Bodies;
  FinalizerBody Body;
  Body.Source = FinalizerSource::CleanupClass;
  Body.Body = definitionOrSelf(Destructor);
  Body.CleanupClass = Definition;
  Body.FinalizableBase = derivesFrom(*Definition, Profile.types(TypeRole::FinalizableBase));
  Body.RegisteredAt = Definition->getLocation();
  // Point at the base that makes it finalizable when it is written here.
  for (const CXXBaseSpecifier &Base : Definition->bases())
    if (const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl())
      if (Profile.is(TypeRole::FinalizableBase, *BaseRecord) ||
          isBoehmCleanupClass(*BaseRecord, Profile)) {
        Body.RegisteredAt = Base.getBeginLoc();
        break;
      }
  Bodies.push_back(std::move(Body));
  return Bodies;
}

std::vector<FinalizerBody> findFinalizerBodies(const MatchFinder::MatchResult &Result,
                                               const ApiProfile &Profile) {
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(FinalizerCallId))
    return findFinalizerBodies(*Call, Profile);
  if (const auto *New = Result.Nodes.getNodeAs<CXXNewExpr>(FinalizerNewId))
    return findFinalizerBodies(*New, Profile);
  if (const auto *Record = Result.Nodes.getNodeAs<CXXRecordDecl>(CleanupClassId))
    if (Profile.readsBoehmCpp())
      return findFinalizerBodies(*Record, Profile);
  return {};
}

std::vector<FinalizerBody> findFinalizerBodies(const ApiCall &Api, FinalizerSource Source) {
  return fromCallback(Api, Source);
}

namespace {

// The index of the parameter \p E names, in the function that declares it;
// -1 when it names no parameter of \p Function.
int parameterIndex(const Expr *E, const FunctionDecl *&Function) {
  E = lookThrough(E);
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E);
  const auto *Param = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
  if (!Param)
    return -1;
  const auto *Owner = dyn_cast_or_null<FunctionDecl>(Param->getDeclContext());
  if (!Owner || (Function && Owner != Function))
    return -1;
  // A lambda's own parameter is no wrapper's: the lambda is not called by name.
  if (const auto *Method = dyn_cast<CXXMethodDecl>(Owner))
    if (Method->getParent() && Method->getParent()->isLambda())
      return -1;
  Function = Owner;
  return static_cast<int>(Param->getFunctionScopeIndex());
}

// \p Call of \p Wrapper as the registration it makes.
ApiCall throughWrapper(const CallExpr &Call, const RegistrationWrapper &Wrapper) {
  ApiCall Api = Wrapper.Inner;
  Api.Call = &Call;
  Api.Object = argumentAt(Call, Wrapper.ObjectParam);
  if (Wrapper.CallbackParam >= 0)
    Api.Callback = argumentAt(Call, Wrapper.CallbackParam);
  if (Wrapper.DataParam >= 0)
    Api.Data = argumentAt(Call, Wrapper.DataParam);
  Api.Unregisters = isNullCallback(Api.Callback);
  return Api;
}

class WrapperCalls : public UserCodeVisitor<WrapperCalls> {
public:
  WrapperCalls(const SourceManager &SM,
               const llvm::DenseMap<const FunctionDecl *, RegistrationWrapper> &Wrappers)
      : UserCodeVisitor(SM), Wrappers(Wrappers) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return true;
    auto Found = Wrappers.find(Callee->getCanonicalDecl());
    if (Found != Wrappers.end() && Found->second.ObjectParam >= 0 &&
        static_cast<unsigned>(Found->second.ObjectParam) < Call->getNumArgs())
      Calls.push_back(throughWrapper(*Call, Found->second));
    return true;
  }
  std::vector<ApiCall> Calls;

private:
  const llvm::DenseMap<const FunctionDecl *, RegistrationWrapper> &Wrappers;
};

} // namespace

std::optional<RegistrationWrapper> registrationWrapperOf(const ApiCall &Inner) {
  const auto *InnerCall = dyn_cast_or_null<CallExpr>(Inner.Call);
  if (!InnerCall || Inner.Unregisters)
    return std::nullopt;
  RegistrationWrapper Wrapper;
  const FunctionDecl *Function = nullptr;
  Wrapper.ObjectParam = parameterIndex(Inner.Object, Function);
  if (Wrapper.ObjectParam < 0 || !Function)
    return std::nullopt;
  Wrapper.Function = Function;
  Wrapper.Inner = Inner;
  Wrapper.CallbackParam = parameterIndex(Inner.Callback, Function);
  Wrapper.DataParam = parameterIndex(Inner.Data, Function);
  return Wrapper;
}

std::vector<ApiCall> registrationsThroughWrappers(ASTContext &Context,
                                                  std::vector<RegistrationWrapper> Wrappers) {
  const unsigned MaxDepth = limitOf(Budget::WrapperDepth);
  std::vector<ApiCall> Result;
  llvm::DenseMap<const FunctionDecl *, RegistrationWrapper> Known;
  for (RegistrationWrapper &Wrapper : Wrappers)
    Known.try_emplace(Wrapper.Function->getCanonicalDecl(), Wrapper);
  llvm::DenseMap<const FunctionDecl *, RegistrationWrapper> Round = Known;
  for (unsigned Depth = 0; Depth < MaxDepth && !Round.empty(); ++Depth) {
    WrapperCalls Finder(Context.getSourceManager(), Round);
    Finder.TraverseDecl(Context.getTranslationUnitDecl());
    llvm::DenseMap<const FunctionDecl *, RegistrationWrapper> Next;
    for (ApiCall &Call : Finder.Calls) {
      // A wrapper of a wrapper: the call forwards its own parameter.
      if (std::optional<RegistrationWrapper> Outer = registrationWrapperOf(Call))
        if (!Known.count(Outer->Function->getCanonicalDecl())) {
          Known.try_emplace(Outer->Function->getCanonicalDecl(), *Outer);
          Next.try_emplace(Outer->Function->getCanonicalDecl(), *Outer);
        }
      Result.push_back(std::move(Call));
    }
    Round = std::move(Next);
  }
  if (!Round.empty())
    budgetReached(Budget::WrapperDepth); // wrappers whose calls were not looked for
  return Result;
}

SourceLocation finalizerIdentity(const FunctionDecl &Body) {
  const FunctionDecl *Function = &Body;
  if (const FunctionDecl *Pattern = Function->getTemplateInstantiationPattern())
    Function = Pattern;
  Function = definitionOrSelf(Function);
  return Function->getLocation();
}

} // namespace lastword::analysis
