//===--- IncompleteTraceCheck.h - gc-incomplete-trace ---------------------===//

#ifndef LASTWORD_GC_INCOMPLETETRACECHECK_H
#define LASTWORD_GC_INCOMPLETETRACECHECK_H

#include "analysis/CollectedTypes.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <vector>

namespace clang::tidy::gc {

/// What gc-incomplete-trace learns about one translation unit.
struct IncompleteTraceState {
  /// Records with traced fields and no trace method anywhere in their
  /// hierarchy: judged at the end, once the TU has shown whether they are
  /// allocated on the collected heap (rather than embedded by value).
  std::vector<const CXXRecordDecl *> Untraced;
  /// Types allocated on the collected heap or pointed to by a traced field.
  llvm::DenseSet<const CXXRecordDecl *> HeapTypes;
  /// The profile's type roles applied to this translation unit.
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
};

/// Finds collected types whose trace method misses some of their traced
/// fields (the profile's MemberTypes and WeakMemberTypes: `member<T>`,
/// `cppgc::Member<T>`; arrays and standard containers of them, embedded
/// structs holding them), that hold such fields and have no trace method of
/// their own, or whose trace method does not call the trace method of a
/// base class that holds such fields. A precise collector marks only what
/// trace visits: the objects behind a missed field are freed while the
/// program still reaches them.
class IncompleteTraceCheck : public GcCheck<IncompleteTraceState> {
public:
  IncompleteTraceCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  /// Code as written: template instantiations and implicit code are not
  /// visited, so a template is judged once.
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_IgnoreUnlessSpelledInSource;
  }

private:
  void judge(const CXXRecordDecl &Record, ASTContext &Context);
  lastword::analysis::CollectedTypes &typesOf(ASTContext &Context);
};

} // namespace clang::tidy::gc

#endif
