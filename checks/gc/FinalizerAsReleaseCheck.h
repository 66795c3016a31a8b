//===--- FinalizerAsReleaseCheck.h - gc-finalizer-as-release --------------===//

#ifndef LASTWORD_GC_FINALIZERASRELEASECHECK_H
#define LASTWORD_GC_FINALIZERASRELEASECHECK_H

#include "analysis/FunctionFlow.h"
#include "analysis/ReleasedFields.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::gc {

/// What gc-finalizer-as-release learns about one translation unit.
struct FinalizerAsReleaseState {
  /// Function definitions of user code seen by the matchers.
  llvm::SetVector<const FunctionDecl *> Functions;
};

/// Finds functions that obtain a fresh finalizable object whose type has an
/// explicit release (a method or function that releases the handle its
/// finalizer releases, or one named in ReleaseMethods) and let it go, on
/// some path, without releasing it or handing it on: the resource then
/// lives until a collection finds the object and its finalizer gets a turn.
class FinalizerAsReleaseCheck : public GcCheck<FinalizerAsReleaseState> {
public:
  FinalizerAsReleaseCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_IgnoreUnlessSpelledInSource;
  }

  /// What is known of one finalizable type in the translation unit.
  struct TypeFacts;
  /// A way to release an object explicitly.
  struct Release {
    const FunctionDecl *Function = nullptr;
    /// Free functions: the parameter that takes the object.
    int Param = -1;
  };
  enum class UseKind { Plain, Release, Keep };

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
  void judgeTranslationUnit();

  std::vector<std::string> ReleaseMethodNames;
};

} // namespace clang::tidy::gc

#endif
