//===--- FinalizerSelfReferenceCheck.cpp ----------------------------------------------------===//

#include "gc/FinalizerSelfReferenceCheck.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {

FinalizerSelfReferenceCheck::FinalizerSelfReferenceCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)) {}

void FinalizerSelfReferenceCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
}

// Not written yet: matches nothing.
void FinalizerSelfReferenceCheck::registerMatchers(MatchFinder *Finder) {}

void FinalizerSelfReferenceCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::gc
