//===--- CollectInLoopCheck.cpp - gc-collect-in-loop ----------------------===//

#include "gc/CollectInLoopCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

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

const char DefaultPacingFunctions[] =
    "std::this_thread::sleep_for;std::this_thread::sleep_until;sleep;usleep;nanosleep;"
    "clock_nanosleep;std::condition_variable::wait;std::condition_variable::wait_for;"
    "std::condition_variable::wait_until;std::condition_variable_any::wait;"
    "std::condition_variable_any::wait_for;std::condition_variable_any::wait_until;"
    "poll;ppoll;select;pselect;epoll_wait";

} // namespace

CollectInLoopCheck::CollectInLoopCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)),
      PacingFunctions(BlockingCalls::parseList(
          Options.get("PacingFunctions", DefaultPacingFunctions))),
      Pacing(PacingFunctions) {}

void CollectInLoopCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
  Options.store(Opts, "PacingFunctions", BlockingCalls::serialiseList(PacingFunctions));
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
  Finder->addMatcher(
      stmt(anyOf(forStmt(), whileStmt(), doStmt(), cxxForRangeStmt()),
           unless(isExpansionInSystemHeader()), unless(isInTemplateInstantiation()))
          .bind("loop"),
      this);
}

void CollectInLoopCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Loop = Result.Nodes.getNodeAs<Stmt>("loop");
  const Stmt *Body = loopBody(*Loop);
  if (!Body || neverRepeats(*Loop, *Result.Context))
    return;
  if (!Paths)
    Paths = std::make_unique<CallPathFinder>(
        [this](const Expr &Call) {
          const auto *C = dyn_cast<CallExpr>(&Call);
          return C && classifyCall(*C, Profile, ApiRole::Collect).has_value();
        },
        CallPathFinder::Reach::EveryExecution);
  std::optional<CallPath> Path = Paths->findPath(*Body);
  if (!Path || Path->empty() || isPacedLoop(*Body))
    return;
  const CallStep &First = Path->front();
  SourceLocation Loc = First.Call->getBeginLoc();
  if (isInSystemCode(Loc, *Result.SourceManager))
    return;
  std::string Collector = Path->back().Callee ? displayName(*Path->back().Callee) : "collect";
  if (Path->size() == 1) {
    diag(Loc, "full collection on every iteration of this loop: '%0' stops the world and "
              "traces the whole heap each time")
        << Collector;
  } else {
    diag(Loc, "full collection on every iteration of this loop: '%0' calls '%1', which stops "
              "the world and traces the whole heap each time")
        << displayName(*First.Callee) << Collector;
    emitCallPathNotes(*this, CallPath(Path->begin() + 1, Path->end()),
                      "'%0' collects the whole heap here");
  }
  diag(Loop->getBeginLoc(), "the loop starts here", DiagnosticIDs::Note);
}

} // namespace clang::tidy::gc
