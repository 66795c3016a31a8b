//===--- FinalizerResurrectionCheck.h - gc-finalizer-resurrection ---------===//

#ifndef LASTWORD_GC_FINALIZERRESURRECTIONCHECK_H
#define LASTWORD_GC_FINALIZERRESURRECTIONCHECK_H

#include "analysis/CallPaths.h"
#include "analysis/Callables.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::gc {

/// What gc-finalizer-resurrection learns about one translation unit.
struct FinalizerResurrectionState {
  llvm::DenseSet<SourceLocation> Reported;
  /// Per function and parameter (~0u: `this`): where it stores the
  /// parameter so that it outlives the call (invalid: nowhere), and where to.
  llvm::DenseMap<std::pair<const FunctionDecl *, unsigned>, std::pair<SourceLocation, std::string>>
      Summaries;
  /// The overrides a virtual call on the object may run.
  lastword::analysis::OverrideIndex Overrides;
  lastword::analysis::StoredCallables Stored;
};

/// Finds finalizers that store their object (or a pointer into it) where
/// it outlives the call: a global, a static, a field of another object, a
/// container reachable from outside, a variable captured by reference. The
/// object comes back to life with its finalizer already run: its next death
/// runs no cleanup, and its users see released resources.
class FinalizerResurrectionCheck : public GcCheck<FinalizerResurrectionState> {
public:
  FinalizerResurrectionCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;

  bool ReportReregistration;
};

} // namespace clang::tidy::gc

#endif
