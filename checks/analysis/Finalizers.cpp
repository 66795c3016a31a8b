//===--- Finalizers.cpp ---------------------------------------------------===//

#include "analysis/Finalizers.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"

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

SourceLocation locationOf(const Expr *E) {
  return E ? E->getBeginLoc() : SourceLocation();
}

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
    return callExpr(unless(isExpansionInSystemHeader()), Call).bind(FinalizerCallId);
  return stmt(unless(isExpansionInSystemHeader()),
              anyOf(callExpr(Call).bind(FinalizerCallId),
                    cxxNewExpr().bind(FinalizerNewId)));
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

uintptr_t finalizerIdentity(const FunctionDecl &Body) {
  const FunctionDecl *Function = &Body;
  if (const FunctionDecl *Pattern = Function->getTemplateInstantiationPattern())
    Function = Pattern;
  Function = definitionOrSelf(Function);
  SourceLocation Loc = Function->getLocation();
  if (Loc.isInvalid())
    return 0;
  return static_cast<uintptr_t>(Loc.getRawEncoding()) + 1;
}

} // namespace lastword::analysis
