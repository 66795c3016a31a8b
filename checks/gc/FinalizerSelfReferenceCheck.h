//===--- FinalizerSelfReferenceCheck.h - gc-finalizer-self-reference ------===//

#ifndef LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H
#define LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H

#include "analysis/ApiProfile.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::gc {

/// Finds finalizers and cleanups that keep their own object reachable: a
/// lambda capture, a bound argument, function-object state, Boehm client
/// data or a cleanup argument that holds the object, directly or through
/// objects whose fields lead back to it (as far as the function shows).
/// The finalizer is a root, so the object never becomes unreachable and
/// the finalizer never runs.
class FinalizerSelfReferenceCheck : public ClangTidyCheck {
public:
  FinalizerSelfReferenceCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus || LangOpts.C99;
  }

private:
  lastword::analysis::ApiProfile Profile;
};

} // namespace clang::tidy::gc

#endif
