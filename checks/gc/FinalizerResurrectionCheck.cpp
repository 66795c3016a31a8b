//===--- FinalizerResurrectionCheck.cpp - gc-finalizer-resurrection -------===//

#include "gc/FinalizerResurrectionCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/CalleeSummaries.h"
#include "analysis/Finalizers.h"
#include "analysis/SourceUtils.h"
#include "analysis/Stores.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

// The names of the finalized object inside one body: its parameter (or
// `this`) and locals initialised from it.
struct ObjectNames {
  const ValueDecl *Param = nullptr; // null: `this`
  llvm::SmallPtrSet<const ValueDecl *, 4> Vars;

  bool designates(const Expr *E) const {
    E = skipTemporaries(E, SkipAlso::Casts);
    if (!E)
      return false;
    if (isa<CXXThisExpr>(E))
      return !Param;
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    return Ref && Vars.count(Ref->getDecl());
  }
  // The object itself, a pointer into it (`&self->buf`, `self + 1`), or a
  // single-argument construction of one (`persistent<T>(self)`).
  bool carries(const Expr *E) const {
    for (unsigned Step = 0; E && Step < 8; ++Step) {
      E = skipTemporaries(E, SkipAlso::Casts);
      if (designates(E))
        return true;
      if (const auto *Unary = dyn_cast<UnaryOperator>(E);
          Unary && Unary->getOpcode() == UO_AddrOf) {
        const Expr *Sub = skipTemporaries(Unary->getSubExpr(), SkipAlso::Casts);
        while (const auto *Member = dyn_cast<MemberExpr>(Sub))
          Sub = skipTemporaries(Member->getBase(), SkipAlso::Casts);
        return designates(Sub);
      }
      if (const auto *Binary = dyn_cast<BinaryOperator>(E);
          Binary && Binary->isAdditiveOp() && Binary->getType()->isPointerType()) {
        E = Binary->getLHS()->getType()->isPointerType() ? Binary->getLHS() : Binary->getRHS();
        continue;
      }
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
          Construct && Construct->getNumArgs() == 1) {
        E = Construct->getArg(0);
        continue;
      }
      // An aggregate or a pair built around it: `Parked{this, deadline}`,
      // `std::make_pair(self, n)`.
      if (const auto *List = dyn_cast<InitListExpr>(E))
        return llvm::any_of(List->inits(), [&](const Expr *Init) { return carries(Init); });
      if (const auto *ParenList = dyn_cast<CXXParenListInitExpr>(E))
        return llvm::any_of(ParenList->getInitExprs(),
                            [&](const Expr *Init) { return carries(Init); });
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
          Construct && !Construct->getConstructor()->isCopyOrMoveConstructor() &&
          Construct->getConstructor()->getParent()->isInStdNamespace())
        return llvm::any_of(Construct->arguments(), [&](const Expr *Arg) { return carries(Arg); });
      if (const auto *Call = dyn_cast<CallExpr>(E);
          Call && Call->getDirectCallee() && Call->getDirectCallee()->isInStdNamespace() &&
          Call->getDirectCallee()->getIdentifier() &&
          llvm::is_contained({"make_pair", "make_tuple", "tie", "forward_as_tuple"},
                             Call->getDirectCallee()->getName()))
        return llvm::any_of(Call->arguments(), [&](const Expr *Arg) { return carries(Arg); });
      return false;
    }
    return false;
  }
};

// The root variable of a place (`g.list[i].x` -> g), or null (`this`, a call).
const Expr *placeRoot(const Expr *E) {
  for (unsigned Step = 0; E && Step < 16; ++Step) {
    E = skipTemporaries(E, SkipAlso::Casts);
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      E = Member->getBase();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      E = Subscript->getBase();
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E); Unary && Unary->getOpcode() == UO_Deref) {
      E = Unary->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op &&
        (Op->getOperator() == OO_Subscript || Op->getOperator() == OO_Arrow ||
         Op->getOperator() == OO_Star) &&
        Op->getNumArgs() >= 1) {
      E = Op->getArg(0);
      continue;
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
        Call && Call->getMethodDecl() && isStdElementAccess(*Call->getMethodDecl())) {
      E = Call->getImplicitObjectArgument();
      continue;
    }
    return E;
  }
  return E;
}

// How a place outlives the finalizer call, in words; empty when it does
// not (a local of the finalizer, a field of the object itself). \p Dereferenced:
// \p Place is a pointer and the store goes to what it points to.
std::string outliving(const Expr *Place, const ObjectNames &Names, const FunctionDecl &Body,
                      bool Dereferenced = false) {
  const Expr *Root = placeRoot(Place);
  if (!Root)
    return "";
  bool Direct = !Dereferenced && skipTemporaries(Place, SkipAlso::Casts) == Root;
  if (Names.designates(Root))
    return "";
  if (isa<CXXThisExpr>(Root)) {
    if (Direct)
      return "";
    // A helper method's `this` is the object it is called on (a registry),
    // a lambda's or function object's is the finalizer's own state.
    const auto *Method = dyn_cast<CXXMethodDecl>(&Body);
    if (Method && !Method->getParent()->isLambda() && !Method->isOverloadedOperator() &&
        Method->getParent()->getIdentifier())
      return "a field of '" + declName(*Method->getParent()) + "'";
    return "a field of the finalizer's own state";
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Root)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (!Var)
      return "";
    std::string Name = declName(*Var);
    // `auto &pool = slots();`: a local reference names what it was bound to.
    if (Var->hasLocalStorage() && !isa<ParmVarDecl>(Var) && Var->getType()->isReferenceType() &&
        Var->getInit() && !Names.designates(Var->getInit()) &&
        skipTemporaries(Var->getInit(), SkipAlso::Casts) != Place)
      return outliving(Var->getInit(), Names, Body, Dereferenced);
    if (Var->isStaticLocal())
      return "static '" + Name + "'";
    if (Var->hasGlobalStorage())
      return (Var->isStaticDataMember() ? "static member '" : "global '") + Name + "'";
    const DeclContext *Owner = Var->getDeclContext();
    bool OwnLocal = Owner && (Owner == &Body || Body.Encloses(Owner));
    // Storing through a pointer reaches another object (`holder->item =
    // self`); storing into a local of the finalizer does not.
    if (!Direct && Var->getType()->isPointerType())
      return "an object '" + Name + "' points to";
    if (!OwnLocal && Var->hasLocalStorage())
      return "'" + Name + "', captured by reference";
    if (!Direct && Var->getType()->isReferenceType())
      return "'" + Name + "', a reference to storage outside the finalizer";
    return "";
  }
  // `registry().push_back(self)`: a free function's reference result is
  // storage outside the finalizer (a static, a global, the heap), unless
  // it is handed one of the finalizer's own variables to choose from.
  if (const auto *Call = dyn_cast<CallExpr>(Root);
      Call && !isa<CXXMemberCallExpr, CXXOperatorCallExpr>(Call) && Call->getDirectCallee() &&
      Call->getDirectCallee()->getReturnType()->isLValueReferenceType() &&
      !Call->getDirectCallee()->getReturnType().getNonReferenceType().isConstQualified()) {
    for (const Expr *Arg : Call->arguments())
      if (const auto *Ref = dyn_cast<DeclRefExpr>(skipTemporaries(Arg, SkipAlso::Casts)))
        if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && Var->hasLocalStorage())
          return "";
    return "what '" + declName(*Call->getDirectCallee()) + "' returns";
  }
  return "";
}

} // namespace

FinalizerResurrectionCheck::FinalizerResurrectionCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context), ReportReregistration(Options.get("ReportReregistration", false)) {}

void FinalizerResurrectionCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ReportReregistration", ReportReregistration);
}

void FinalizerResurrectionCheck::registerMatchers(MatchFinder *Finder) {
  if (!Profile.functions(ApiRole::Finalizer).empty())
    Finder->addMatcher(finalizerRegistrationMatcher(Profile), this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cleanupClassMatcher(), this);
}

namespace {

struct Finding {
  SourceLocation Loc;
  std::string Where;
  /// Through a call: the callee, and where it stores.
  const FunctionDecl *Callee = nullptr;
  SourceLocation StoredAt = SourceLocation();
  /// Through a virtual call: the method called, which the callee overrides.
  const FunctionDecl *Overridden = nullptr;
  /// Through a callable field: the field, and where the callee was stored.
  const FieldDecl *Hook = nullptr;
  SourceLocation HookSetAt = SourceLocation();
  bool Reregisters = false;
};

using StoreSummaries = llvm::DenseMap<std::pair<const FunctionDecl *, unsigned>,
                                      std::pair<SourceLocation, std::string>>;

/// The summary key of `this` in a member function.
constexpr unsigned ThisKey = ~0u;

class BodyScan {
public:
  BodyScan(const ApiProfile &Profile, StoreSummaries &Summaries, OverrideIndex &Overrides,
           StoredCallables &Stored, const SourceManager &SM)
      : Profile(Profile), Summaries(Summaries), Overrides(Overrides), Stored(Stored), SM(SM) {}

  // Where \p Definition stores its parameter \p Index (ThisKey: `this`) so
  // that it outlives the call; memoised.
  std::pair<SourceLocation, std::string> storesParameter(const FunctionDecl &Definition,
                                                         unsigned Index, unsigned Depth) {
    auto Key = std::make_pair(&Definition, Index);
    auto It = Summaries.find(Key);
    if (It != Summaries.end())
      return It->second;
    Summaries[Key] = {};
    std::pair<SourceLocation, std::string> Result;
    const ValueDecl *Param = Index == ThisKey ? nullptr : Definition.getParamDecl(Index);
    scan(Definition, Param, Depth + 1, [&](const Finding &F) {
      if (Result.first.isInvalid() && !F.Reregisters)
        Result = {F.Loc, F.Where};
    });
    return Summaries[Key] = Result;
  }

  // Every store of the object in \p Body that outlives the call.
  void scan(const FunctionDecl &Body, const ValueDecl *Param, unsigned Depth,
            llvm::function_ref<void(const Finding &)> Found) {
    const Stmt *Code = Body.getBody();
    if (!Code)
      return;
    ObjectNames Names;
    Names.Param = Param;
    if (Param)
      Names.Vars.insert(Param);
    visitStmts(Code, [&](const Stmt &S) {
      if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
        for (const Decl *D : Decls->decls()) {
          const auto *Var = dyn_cast<VarDecl>(D);
          if (!Var || !Var->getInit() || !Names.carries(Var->getInit()))
            continue;
          if (Var->isStaticLocal())
            Found({Var->getLocation(), "static '" + declName(*Var) + "'"});
          else if (Var->hasLocalStorage() && !Var->getType()->isReferenceType())
            Names.Vars.insert(Var);
        }
        return true;
      }
      if (const auto *Assign = dyn_cast<BinaryOperator>(&S);
          Assign && Assign->getOpcode() == BO_Assign && Names.carries(Assign->getRHS())) {
        std::string Where = outliving(Assign->getLHS(), Names, Body);
        if (!Where.empty())
          Found({Assign->getOperatorLoc(), Where});
        else if (const auto *Ref =
                     dyn_cast<DeclRefExpr>(skipTemporaries(Assign->getLHS(), SkipAlso::Casts)))
          Names.Vars.insert(Ref->getDecl());
        return true;
      }
      if (std::optional<AtomicStore> Atomic = atomicStoreOf(S)) {
        if (Names.carries(Atomic->Value)) {
          std::string Where = Atomic->Place
                                  ? outliving(Atomic->Place, Names, Body)
                                  : outliving(Atomic->Pointer, Names, Body, /*Dereferenced=*/true);
          if (!Where.empty())
            Found({S.getBeginLoc(), Where});
        }
        return true;
      }
      const auto *Call = dyn_cast<CallExpr>(&S);
      if (!Call)
        return true;
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
          Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
        if (Names.carries(Op->getArg(1))) {
          std::string Where = outliving(Op->getArg(0), Names, Body);
          if (!Where.empty())
            Found({Op->getOperatorLoc(), Where});
        }
        return true;
      }
      if (std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Finalizer)) {
        if (Api->Object && Names.carries(Api->Object) && !Api->Unregisters && Depth == 0) {
          Finding F{Call->getBeginLoc(), ""};
          F.Reregisters = true;
          Found(F);
        }
        return true;
      }
      for (ApiRole Role : AllApiRoles)
        if (classifyCall(*Call, Profile, Role))
          return true;
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
        const CXXMethodDecl *Method = Member->getMethodDecl();
        if (Method && isStdInserter(*Method)) {
          for (const Expr *Arg : Member->arguments())
            if (Names.carries(Arg)) {
              std::string Where = outliving(Member->getImplicitObjectArgument(), Names, Body);
              // An inserter on a container that outlives the call keeps it.
              if (Where.empty())
                if (const Expr *Root = placeRoot(Member->getImplicitObjectArgument()))
                  if (const auto *Ref = dyn_cast<DeclRefExpr>(Root))
                    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
                      if (Var->hasGlobalStorage())
                        Where = "global '" + declName(*Var) + "'";
              if (!Where.empty()) {
                // `registry().push_back(self)`: the container is what the call returns.
                const auto *Returned =
                    dyn_cast_or_null<CallExpr>(placeRoot(Member->getImplicitObjectArgument()));
                Found(
                    {Member->getExprLoc(),
                     Returned && Returned->getDirectCallee()
                         ? "the container '" + declName(*Returned->getDirectCallee()) + "' returns"
                         : "container in " + Where});
              }
              break;
            }
          return true;
        }
      }
      // A member function called on the object (`self->on_finalize()`), and
      // for a virtual call every override the translation unit shows, the
      // base method pure or not: `this` is the object there.
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
          Member && Depth < 3 && Member->getImplicitObjectArgument() &&
          Names.carries(Member->getImplicitObjectArgument())) {
        if (const CXXMethodDecl *Method = Member->getMethodDecl(); Method && Method->isInstance()) {
          llvm::SmallVector<const CXXMethodDecl *, 4> Targets{Method};
          bool Virtual = dispatchesVirtually(*Member, *Method);
          if (Virtual)
            llvm::append_range(Targets, Overrides.overridesOf(*Method));
          for (const CXXMethodDecl *Target : Targets) {
            const FunctionDecl *Definition = nullptr;
            if (!Target->hasBody(Definition) || !Definition ||
                isInSystemCode(Definition->getLocation(), SM))
              continue;
            const auto Stored = storesParameter(*Definition, ThisKey, Depth);
            if (Stored.first.isInvalid())
              continue;
            Finding F{Call->getBeginLoc(), Stored.second};
            F.Callee = Definition;
            F.StoredAt = Stored.first;
            if (Target != Method)
              F.Overridden = Method;
            Found(F);
            break;
          }
        }
      }
      if (Depth >= 3)
        return true;
      // A helper of the translation unit the object is passed to.
      auto PassedTo = [&](const FunctionDecl *Callee, unsigned First, const FieldDecl *Hook,
                          const Expr *StoredHere) {
        const FunctionDecl *Definition = nullptr;
        if (!Callee || !Callee->hasBody(Definition) || !Definition ||
            isInSystemCode(Definition->getLocation(), SM))
          return;
        for (unsigned I = First; I < Call->getNumArgs(); ++I) {
          unsigned Index = I - First;
          if (Index >= Definition->getNumParams() || !Names.carries(Call->getArg(I)))
            continue;
          const auto Stored = storesParameter(*Definition, Index, Depth);
          if (Stored.first.isValid()) {
            Finding F{Call->getBeginLoc(), Stored.second};
            F.Callee = Definition;
            F.StoredAt = Stored.first;
            F.Hook = Hook;
            F.HookSetAt = StoredHere ? StoredHere->getBeginLoc() : SourceLocation();
            Found(F);
          }
        }
      };
      // A callable kept in a field (`self->on_collect(self)`): whatever the
      // translation unit stores there runs.
      if (const FieldDecl *Hook = calledCallableField(*Call)) {
        unsigned First = isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
        for (const CallableTarget &Target : Stored.storedIn(*Hook))
          PassedTo(Target.Body, First, Hook, Target.Source);
        return true;
      }
      const FunctionDecl *Callee = Call->getDirectCallee();
      PassedTo(Callee,
               Callee && isa<CXXOperatorCallExpr>(Call) && isa<CXXMethodDecl>(Callee) ? 1 : 0,
               nullptr, nullptr);
      return true;
    });
  }

private:
  const ApiProfile &Profile;
  StoreSummaries &Summaries;
  OverrideIndex &Overrides;
  StoredCallables &Stored;
  const SourceManager &SM;
};

} // namespace

void FinalizerResurrectionCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Result.SourceManager || Excluded.excludesMainFile(*Result.SourceManager))
    return;
  const SourceManager &SM = *Result.SourceManager;
  for (const FinalizerBody &Body : findFinalizerBodies(Result, Profile)) {
    if (!Body.Body || !Body.Body->getBody() || isInSystemCode(Body.Body->getLocation(), SM))
      continue;
    const ValueDecl *Param = nullptr;
    if (!isa<CXXDestructorDecl>(Body.Body)) {
      if (Body.Body->getNumParams() == 0)
        continue;
      Param = Body.Body->getParamDecl(0);
    }
    BodyScan Scan(Profile, Summaries, Overrides, Stored, SM);
    Scan.scan(*Body.Body, Param, 0, [&](const Finding &F) {
      SourceLocation Loc = SM.getFileLoc(F.Loc);
      if (isInSystemCode(F.Loc, SM) || !Reported.insert(Loc).second)
        return;
      if (F.Reregisters) {
        if (!ReportReregistration)
          return;
        diag(Loc, "finalizer registers a new finalizer on its own object: the object survives "
                  "this collection and every later one until the new finalizer gives up");
      } else if (F.Callee && F.Overridden) {
        diag(Loc, "finalizer calls '%0' on its object, and its override '%1' stores the object "
                  "in %2: the object comes back to life with its finalizer already run, so its "
                  "next death runs no cleanup")
            << displayName(*F.Overridden) << displayName(*F.Callee) << F.Where;
        diag(SM.getFileLoc(F.StoredAt), "'%0' stores it here", DiagnosticIDs::Note)
            << displayName(*F.Callee);
      } else if (F.Callee && F.Hook) {
        diag(Loc, "finalizer passes its object to the callable in '%0', which stores it in %1: "
                  "the object comes back to life with its finalizer already run, so its next "
                  "death runs no cleanup")
            << declName(*F.Hook) << F.Where;
        if (F.HookSetAt.isValid())
          diag(SM.getFileLoc(F.HookSetAt), "'%0' is given this callable here", DiagnosticIDs::Note)
              << declName(*F.Hook);
        diag(SM.getFileLoc(F.StoredAt), "it stores the object here", DiagnosticIDs::Note);
      } else if (F.Callee) {
        diag(Loc, "finalizer passes its object to '%0', which stores it in %1: the object comes "
                  "back to life with its finalizer already run, so its next death runs no "
                  "cleanup")
            << displayName(*F.Callee) << F.Where;
        diag(SM.getFileLoc(F.StoredAt), "'%0' stores it here", DiagnosticIDs::Note)
            << displayName(*F.Callee);
      } else {
        diag(Loc, "finalizer stores its object in %0: the object comes back to life with its "
                  "finalizer already run, so its next death runs no cleanup")
            << F.Where;
      }
      if (Body.RegisteredAt.isValid())
        diag(SM.getFileLoc(Body.RegisteredAt), "the finalizer is registered here",
             DiagnosticIDs::Note);
    });
  }
}

} // namespace clang::tidy::gc
