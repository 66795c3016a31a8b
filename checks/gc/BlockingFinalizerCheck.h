//===--- BlockingFinalizerCheck.h - gc-blocking-finalizer -----------------===//

#ifndef LASTWORD_GC_BLOCKING_FINALIZERCHECK_H
#define LASTWORD_GC_BLOCKING_FINALIZERCHECK_H

#include "analysis/BlockingCalls.h"
#include "analysis/CallPaths.h"
#include "analysis/Finalizers.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::gc {

/// What gc-blocking-finalizer learns about one translation unit.
struct BlockingFinalizerState {
  /// A call's source range: the same in a template pattern and in its
  /// instantiations.
  using CallKey = std::pair<SourceLocation, SourceLocation>;
  struct Site {
    SourceLocation Note;                ///< where the note goes (the callback argument)
    SourceLocation Where;               ///< the registration's expansion location
    const FunctionDecl *Body = nullptr; ///< the instantiation it registers
  };
  struct Finalizer {
    lastword::analysis::FinalizerBody First;
    /// Other instantiations of the same code (a CRTP base's lambda calls a
    /// different hook in each): searched when the first has no path.
    std::vector<const FunctionDecl *> Instantiations;
    std::vector<Site> Sites;
  };
  /// What the sink predicate needs to know about the function holding a call.
  struct FunctionFacts {
    /// For template instantiations: the calls resolved in the pattern (the
    /// code as written); null when the function is the code as written.
    const llvm::DenseSet<CallKey> *Written = nullptr;
    /// Blocking calls that the code around them shows cannot block.
    llvm::DenseSet<const Expr *> Guarded;
  };

  std::vector<Finalizer> Finalizers;
  /// By finalizerIdentity: a template's instantiations share one entry.
  llvm::DenseMap<SourceLocation, size_t> FinalizerIndex;
  std::unique_ptr<lastword::analysis::CallPathFinder> Paths;
  /// Whether the lock() of a user's mutex type blocks (a separate search:
  /// asked from inside the main one's sink predicate).
  std::unique_ptr<lastword::analysis::CallPathFinder> MutexPaths;
  /// Branches of `if`s that cannot run (expansion locations).
  std::vector<SourceRange> DeadRanges;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<FunctionFacts>> Facts;
  /// Calls resolved in a template pattern, by pattern (see FunctionFacts).
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<llvm::DenseSet<CallKey>>> PatternCalls;
};

/// Finds finalizers that may block: a lock, a wait, a join, a sleep, blocking
/// I/O, a full collection, directly or through functions of the translation
/// unit. Finalizers run one at a time on a single thread, so a blocked one
/// holds back every other finalizer and the resources they release.
///
/// One warning per finalizer, at the call in its body that leads to the
/// first blocking call found, with notes along the call path and at each
/// registration. Cleanups (`add_cleanup`) run concurrently and are not
/// judged; registrations in a branch that cannot run (`if constexpr (false)`)
/// do not count.
class BlockingFinalizerCheck : public GcCheck<BlockingFinalizerState> {
public:
  BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isBlockingSink(const Expr &Call, const FunctionDecl *Within);
  /// The template instantiation whose arguments make \p Path block (a call
  /// on it that the template as written leaves unresolved), or null.
  const FunctionDecl *blockingInstantiation(const lastword::analysis::CallPath &Path,
                                            const FunctionDecl *Body);
  const FunctionFacts &factsFor(const FunctionDecl *Within);
  bool isDeadSite(SourceLocation Where) const;

  std::vector<std::string> BlockingFunctions;
  lastword::analysis::BlockingCalls Blocking;
};

} // namespace clang::tidy::gc

#endif
