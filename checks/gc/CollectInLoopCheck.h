//===--- CollectInLoopCheck.h - gc-collect-in-loop ------------------------===//

#ifndef LASTWORD_GC_COLLECTINLOOPCHECK_H
#define LASTWORD_GC_COLLECTINLOOPCHECK_H

#include "analysis/ApiProfile.h"
#include "analysis/CallPaths.h"
#include "clang-tidy/ClangTidyCheck.h"
#include <memory>

namespace clang::tidy::gc {

/// Finds explicit full collections (`lastword::collect()`, `GC_gcollect()`)
/// that run on every iteration of a loop, directly or through functions of
/// the translation unit: each one stops the world and traces the whole heap.
///
/// Collections guarded by a condition inside the loop (every N items, under
/// memory pressure, in a catch handler) are deliberate and stay silent.
class CollectInLoopCheck : public ClangTidyCheck {
public:
  CollectInLoopCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onStartOfTranslationUnit() override { Paths.reset(); }
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  lastword::analysis::ApiProfile Profile;
  std::unique_ptr<lastword::analysis::CallPathFinder> Paths;
};

} // namespace clang::tidy::gc

#endif
