//===--- CollectInLoopCheck.cpp - gc-collect-in-loop ----------------------===//

#include "gc/CollectInLoopCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

const Stmt *loopBody(const Stmt &Loop) {
  if (const auto *For = dyn_cast<ForStmt>(&Loop))
    return For->getBody();
  if (const auto *While = dyn_cast<WhileStmt>(&Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast<DoStmt>(&Loop))
    return Do->getBody();
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(&Loop))
    return Range->getBody();
  return nullptr;
}

// `do { ... } while (0)` in macros and `while (false)` never repeat.
bool neverRepeats(const Stmt &Loop, const ASTContext &Context) {
  const Expr *Cond = nullptr;
  if (const auto *Do = dyn_cast<DoStmt>(&Loop))
    Cond = Do->getCond();
  else if (const auto *While = dyn_cast<WhileStmt>(&Loop))
    Cond = While->getCond();
  else if (const auto *For = dyn_cast<ForStmt>(&Loop))
    Cond = For->getCond();
  if (!Cond || Cond->isValueDependent())
    return false;
  bool Value = true;
  return Cond->EvaluateAsBooleanCondition(Value, Context) && !Value;
}

// `for (int i = 0; i < 3; ++i)`: the trip count, when the loop counts
// between constants.
std::optional<uint64_t> constantTripCount(const Stmt &Loop, const ASTContext &Context) {
  const auto *For = dyn_cast<ForStmt>(&Loop);
  if (!For || !For->getInit() || !For->getCond())
    return std::nullopt;
  const auto *Init = dyn_cast<DeclStmt>(For->getInit());
  const auto *Counter = Init && Init->isSingleDecl() ? dyn_cast<VarDecl>(Init->getSingleDecl())
                                                     : nullptr;
  const auto *Cond = dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  if (!Counter || !Counter->getInit() || !Cond || !Cond->isComparisonOp())
    return std::nullopt;
  auto constant = [&](const Expr *E) -> std::optional<llvm::APSInt> {
    Expr::EvalResult Result;
    if (E->isValueDependent() || !E->EvaluateAsInt(Result, Context))
      return std::nullopt;
    return Result.Val.getInt();
  };
  auto isCounter = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return Ref && Ref->getDecl() == Counter;
  };
  std::optional<llvm::APSInt> Start = constant(Counter->getInit());
  std::optional<llvm::APSInt> Limit;
  if (isCounter(Cond->getLHS()))
    Limit = constant(Cond->getRHS());
  else if (isCounter(Cond->getRHS()))
    Limit = constant(Cond->getLHS());
  if (!Start || !Limit)
    return std::nullopt;
  int64_t From = Start->getExtValue(), To = Limit->getExtValue();
  uint64_t Count = From < To ? To - From : From - To;
  if (Cond->getOpcode() == BO_LE || Cond->getOpcode() == BO_GE)
    ++Count;
  return Count;
}

// A break, return, throw or goto that leaves the loop before \p Before: the
// loop retries (collect, then allocate again) rather than walks a batch.
bool exitsBefore(const Stmt &Body, SourceLocation Before, const SourceManager &SM) {
  bool Found = false;
  visitStmts(&Body, [&](const Stmt &S) {
    if (Found || isa<LambdaExpr>(S))
      return false;
    if (!SM.isBeforeInTranslationUnit(S.getBeginLoc(), Before))
      return false;
    // A break inside a nested loop or switch leaves only that statement.
    if (isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(S)) {
      bool Exits = false;
      visitStmts(&S, [&](const Stmt &Inner) {
        if (Exits || isa<LambdaExpr>(Inner))
          return false;
        Exits = isa<ReturnStmt, CXXThrowExpr, GotoStmt>(Inner) &&
                SM.isBeforeInTranslationUnit(Inner.getBeginLoc(), Before);
        return true;
      });
      Found = Exits;
      return false;
    }
    Found = isa<BreakStmt, ReturnStmt, CXXThrowExpr, GotoStmt>(S);
    return true;
  });
  return Found;
}

// Collector calls that may make up a loop on their own: a collection,
// waiting for or running finalizers.
bool isCollectorCall(const Expr &E, const ApiProfile &Profile) {
  const auto *Call = dyn_cast<CallExpr>(&E);
  return Call && (classifyCall(*Call, Profile, ApiRole::Collect) ||
                  classifyCall(*Call, Profile, ApiRole::WaitForFinalizers));
}

// Scalars, constants and operators on them, and collector calls: what a
// counting loop computes besides its collections.
bool isCountingExpr(const Expr *E, const ApiProfile &Profile, unsigned Depth = 0) {
  if (!E || Depth > 16)
    return false;
  E = E->IgnoreParenCasts();
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
    E = Cleanups->getSubExpr()->IgnoreParenCasts();
  if (isCollectorCall(*E, Profile))
    return true; // its arguments (a timeout) are not work
  if (isa<IntegerLiteral, CXXBoolLiteralExpr, FloatingLiteral, CharacterLiteral,
          CXXNullPtrLiteralExpr, GNUNullExpr>(E))
    return true;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return isa<VarDecl, EnumConstantDecl, BindingDecl>(Ref->getDecl()) &&
           Ref->getType()->isScalarType();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getType()->isScalarType() && isa<FieldDecl>(Member->getMemberDecl()) &&
           isCountingExpr(Member->getBase(), Profile, Depth + 1);
  if (isa<CXXThisExpr>(E))
    return true;
  if (const auto *Unary = dyn_cast<UnaryOperator>(E))
    return Unary->getOpcode() != UO_Deref && isCountingExpr(Unary->getSubExpr(), Profile, Depth + 1);
  if (const auto *Binary = dyn_cast<BinaryOperator>(E))
    return isCountingExpr(Binary->getLHS(), Profile, Depth + 1) &&
           isCountingExpr(Binary->getRHS(), Profile, Depth + 1);
  if (const auto *Conditional = dyn_cast<ConditionalOperator>(E))
    return isCountingExpr(Conditional->getCond(), Profile, Depth + 1) &&
           isCountingExpr(Conditional->getTrueExpr(), Profile, Depth + 1) &&
           isCountingExpr(Conditional->getFalseExpr(), Profile, Depth + 1);
  return false;
}

// `for (i = 0; i < 10; i++) GC_gcollect();`, `while (pending) { collect();
// n += GC_invoke_finalizers(); }`: a body that does nothing but collect,
// wait for or run finalizers and count is deliberate repeated collection
// (before a huge allocation, at shutdown), whatever its trip count.
bool onlyCollects(const Stmt *S, const ApiProfile &Profile, unsigned Depth = 0) {
  if (!S)
    return true;
  if (Depth > 16)
    return false;
  if (isa<NullStmt, BreakStmt, ContinueStmt>(S))
    return true;
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    return llvm::all_of(Block->body(),
                        [&](const Stmt *Child) { return onlyCollects(Child, Profile, Depth + 1); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return !If->getInit() && !If->getConditionVariable() &&
           isCountingExpr(If->getCond(), Profile) && onlyCollects(If->getThen(), Profile, Depth + 1) &&
           onlyCollects(If->getElse(), Profile, Depth + 1);
  if (const auto *Decls = dyn_cast<DeclStmt>(S))
    return llvm::all_of(Decls->decls(), [&](const Decl *D) {
      const auto *Var = dyn_cast<VarDecl>(D);
      return Var && Var->getType()->isScalarType() &&
             (!Var->getInit() || isCountingExpr(Var->getInit(), Profile));
    });
  if (const auto *E = dyn_cast<Expr>(S))
    return isCountingExpr(E, Profile);
  return false;
}

const char DefaultPacingFunctions[] =
    "std::this_thread::sleep_for;std::this_thread::sleep_until;sleep;usleep;nanosleep;"
    "clock_nanosleep;std::condition_variable::wait;std::condition_variable::wait_for;"
    "std::condition_variable::wait_until;std::condition_variable_any::wait;"
    "std::condition_variable_any::wait_for;std::condition_variable_any::wait_until;"
    "poll;ppoll;select;pselect;epoll_wait";

} // namespace

CollectInLoopCheck::CollectInLoopCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)),
      Excluded(ExcludedPaths::fromOptions(*this, Options)),
      PacingFunctions(BlockingCalls::parseList(
          Options.get("PacingFunctions", DefaultPacingFunctions))),
      Pacing(PacingFunctions),
      MaxFixedIterations(Options.get("MaxFixedIterations", 4U)) {
  // Collect, then wait for the finalizers it queued: a drain loop.
  for (const ApiFunction &Function : Profile.functions(ApiRole::WaitForFinalizers))
    Pacing.add(Function.Name);
}

void CollectInLoopCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
  Excluded.storeOptions(Options, Opts);
  Options.store(Opts, "PacingFunctions", BlockingCalls::serialiseList(PacingFunctions));
  Options.store(Opts, "MaxFixedIterations", MaxFixedIterations);
}

bool CollectInLoopCheck::isPacedLoop(const Stmt &Body) {
  if (!PacingPaths)
    PacingPaths = std::make_unique<CallPathFinder>(
        [this](const Expr &Call) { return Pacing.blockingCallee(Call).has_value(); });
  return PacingPaths->findPath(Body).has_value();
}

void CollectInLoopCheck::registerMatchers(MatchFinder *Finder) {
  if (Profile.functions(ApiRole::Collect).empty())
    return;
  // One matcher per loop kind: the match finder then tries each only on
  // nodes of that kind, not on every statement of the translation unit.
  auto NotSystem = unless(isExpansionInSystemHeader());
  Finder->addMatcher(forStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(whileStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(doStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(cxxForRangeStmt(NotSystem).bind("loop"), this);
  // Algorithms that run a callable once per element are loops too.
  Finder->addMatcher(callExpr(NotSystem, callee(functionDecl(hasAnyName(
                                             "::std::for_each", "::std::for_each_n",
                                             "::std::ranges::for_each", "::std::ranges::for_each_n",
                                             "::std::transform", "::std::ranges::transform",
                                             "::std::generate", "::std::generate_n"))))
                         .bind("algorithm"),
                     this);
}

void CollectInLoopCheck::check(const MatchFinder::MatchResult &Result) {
  if (Excluded.excludesMainFile(*Result.SourceManager))
    return;
  if (!Paths)
    Paths = std::make_unique<CallPathFinder>(
        [this](const Expr &Call) {
          const auto *C = dyn_cast<CallExpr>(&Call);
          return C && classifyCall(*C, Profile, ApiRole::Collect).has_value();
        },
        CallPathFinder::Reach::EveryExecution);
  const SourceManager &SM = *Result.SourceManager;

  if (const auto *Algorithm = Result.Nodes.getNodeAs<CallExpr>("algorithm")) {
    for (const Expr *Arg : Algorithm->arguments()) {
      const auto *Lambda = dyn_cast<LambdaExpr>(skipTemporaries(Arg));
      if (!Lambda || !Lambda->getBody() || isPacedLoop(*Lambda->getBody()))
        continue;
      std::optional<CallPath> Path = Paths->findPath(*Lambda->getBody());
      if (!Path || Path->empty() || isInSystemCode(Path->front().location(), SM))
        continue;
      std::string Algo = displayName(*Algorithm->getDirectCallee());
      reportPath(*Path, "full collection for every element: '" + Algo +
                            "' runs this lambda once per element");
      diag(Algorithm->getBeginLoc(), "'%0' is called here", DiagnosticIDs::Note) << Algo;
    }
    return;
  }

  const auto *Loop = Result.Nodes.getNodeAs<Stmt>("loop");
  const Stmt *Body = Loop ? loopBody(*Loop) : nullptr;
  if (!Body || neverRepeats(*Loop, *Result.Context))
    return;
  // "Collect a few times" (to let finalizers and their resurrected objects go).
  if (std::optional<uint64_t> Trips = constantTripCount(*Loop, *Result.Context);
      Trips && *Trips <= MaxFixedIterations)
    return;
  if (onlyCollects(Body, Profile))
    return;
  std::optional<CallPath> Path = Paths->findPath(*Body);
  if (!Path || Path->empty() || isPacedLoop(*Body))
    return;
  SourceLocation Loc = Path->front().location();
  if (Loc.isInvalid() || isInSystemCode(Loc, SM))
    return;
  // A range-for walks a collection; other loops that can leave before
  // collecting are retry loops (collect, then try the allocation again).
  if (!isa<CXXForRangeStmt>(Loop) && exitsBefore(*Body, Loc, SM))
    return;
  reportPath(*Path, "full collection on every iteration of this loop");
  diag(Loop->getBeginLoc(), "the loop starts here", DiagnosticIDs::Note);
}

void CollectInLoopCheck::reportPath(const CallPath &Path, const std::string &What) {
  const CallStep &First = Path.front();
  SourceLocation Loc = First.location();
  std::string Collector = Path.back().Callee ? displayName(*Path.back().Callee) : "collect";
  if (Path.size() == 1) {
    diag(Loc, "%0: '%1' stops the world and traces the whole heap each time") << What << Collector;
    return;
  }
  diag(Loc, "%0: '%1' calls '%2', which stops the world and traces the whole heap each time")
      << What << (First.Callee ? displayName(*First.Callee) : std::string("call")) << Collector;
  if (std::string Detail = describeStep(First); !Detail.empty())
    diag(Loc, "%0", DiagnosticIDs::Note) << Detail;
  emitCallPathNotes(*this, CallPath(Path.begin() + 1, Path.end()),
                    "'%0' collects the whole heap here");
}

} // namespace clang::tidy::gc
