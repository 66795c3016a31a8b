//===--- BlockingFinalizerCheck.h - gc-blocking-finalizer -----------------===//

#ifndef LASTWORD_GC_BLOCKING_FINALIZERCHECK_H
#define LASTWORD_GC_BLOCKING_FINALIZERCHECK_H

#include "analysis/ApiProfile.h"
#include "analysis/BlockingCalls.h"
#include "analysis/CallPaths.h"
#include "analysis/Finalizers.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::gc {

/// Finds finalizers that may block: a lock, a wait, a join, a sleep, blocking
/// I/O, a full collection, directly or through functions of the translation
/// unit. Finalizers run one at a time on a single thread, so a blocked one
/// holds back every other finalizer and the resources they release.
///
/// One warning per finalizer, at the call in its body that leads to the
/// first blocking call found, with notes along the call path and at each
/// registration. Cleanups (`add_cleanup`) run concurrently and are not
/// judged.
class BlockingFinalizerCheck : public ClangTidyCheck {
public:
  BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onStartOfTranslationUnit() override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  struct Finalizer {
    lastword::analysis::FinalizerBody First;
    std::vector<SourceLocation> Sites;
  };

  lastword::analysis::ApiProfile Profile;
  std::vector<std::string> BlockingFunctions;
  lastword::analysis::BlockingCalls Blocking;

  // Per translation unit.
  ASTContext *Context = nullptr;
  std::vector<Finalizer> Finalizers;
  llvm::DenseMap<uintptr_t, size_t> FinalizerIndex;
  std::unique_ptr<lastword::analysis::CallPathFinder> Paths;
  /// Calls resolved in the code as written (templates uninstantiated): a
  /// blocking call found in an instantiation counts only if it is here.
  std::unique_ptr<llvm::DenseSet<uint64_t>> WrittenCalls;
};

} // namespace clang::tidy::gc

#endif
