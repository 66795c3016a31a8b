//===--- BlockingFinalizerCheck.h ------------------------------------------------------===//

#ifndef LASTWORD_GC_BLOCKING_FINALIZERCHECK_H
#define LASTWORD_GC_BLOCKING_FINALIZERCHECK_H

#include "analysis/ApiProfile.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::gc {

class BlockingFinalizerCheck : public ClangTidyCheck {
public:
  BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

private:
  lastword::analysis::ApiProfile Profile;
};

} // namespace clang::tidy::gc

#endif
