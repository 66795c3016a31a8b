//===--- BlockingFinalizerCheck.cpp ----------------------------------------------------===//

#include "gc/BlockingFinalizerCheck.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {

BlockingFinalizerCheck::BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)) {}

void BlockingFinalizerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
}

// Not written yet: matches nothing.
void BlockingFinalizerCheck::registerMatchers(MatchFinder *Finder) {}

void BlockingFinalizerCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::gc
