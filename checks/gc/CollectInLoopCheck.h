//===--- CollectInLoopCheck.h - gc-collect-in-loop ------------------------===//

#ifndef LASTWORD_GC_COLLECTINLOOPCHECK_H
#define LASTWORD_GC_COLLECTINLOOPCHECK_H

#include "analysis/BlockingCalls.h"
#include "analysis/CallPaths.h"
#include "gc/GcCheck.h"
#include <memory>

namespace clang::tidy::gc {

/// What gc-collect-in-loop learns about one translation unit.
struct CollectInLoopState {
  std::unique_ptr<lastword::analysis::CallPathFinder> Paths;
  std::unique_ptr<lastword::analysis::CallPathFinder> PacingPaths;
};

/// Finds explicit full collections (`lastword::collect()`, `GC_gcollect()`)
/// that run on every iteration of a loop, directly or through functions of
/// the translation unit: each one stops the world and traces the whole heap.
///
/// Collections guarded by a condition inside the loop (every N items, under
/// memory pressure, in a catch handler) are deliberate and stay silent, unless
/// the condition picks the elements the loop works on (`if (!tile->dirty)
/// continue;`, `if (tile->dirty) { redraw(); collect(); }`), and
/// so are loops that wait between iterations (a sleep, a timed wait, waiting
/// for finalizers: a periodic task or a drain, not a batch), loops that run
/// a few fixed times, and retry loops that can leave before collecting.
class CollectInLoopCheck : public GcCheck<CollectInLoopState> {
public:
  CollectInLoopCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  /// Loops as written: template instantiations and implicit code are not
  /// visited (cheaper than asking each match for its ancestors).
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_IgnoreUnlessSpelledInSource;
  }

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isPacedLoop(const Stmt &Body);
  /// A call handing a lambda to a function of the translation unit that
  /// calls it on every iteration of a loop.
  void checkHelperCall(const CallExpr &Call, const SourceManager &SM);
  void reportPath(const lastword::analysis::CallPath &Path, const std::string &What);
  void noteFilter(const Expr *Filter);

  /// Calls that make a loop wait between iterations.
  std::vector<std::string> PacingFunctions;
  lastword::analysis::BlockingCalls Pacing;
  /// Loops counting between constants up to this many times are left alone.
  unsigned MaxFixedIterations;
};

} // namespace clang::tidy::gc

#endif
