//===--- FinalizerSelfReferenceCheck.h ------------------------------------------------------===//

#ifndef LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H
#define LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H

#include "analysis/ApiProfile.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::gc {

class FinalizerSelfReferenceCheck : public ClangTidyCheck {
public:
  FinalizerSelfReferenceCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

private:
  lastword::analysis::ApiProfile Profile;
};

} // namespace clang::tidy::gc

#endif
