//===--- FinalizerOrderCheck.h - gc-finalizer-order -----------------------===//

#ifndef LASTWORD_GC_FINALIZERORDERCHECK_H
#define LASTWORD_GC_FINALIZERORDERCHECK_H

#include "analysis/CollectedTypes.h"
#include "analysis/Finalizers.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <vector>

namespace clang::tidy::gc {

/// How the type of an object is released when it dies.
struct FinalizerOrderRelease {
  SourceLocation RegisteredAt;
  const RecordDecl *Type = nullptr; ///< the type registered
  bool Cleanup = false;             ///< add_cleanup rather than a finalizer
  bool Unordered = false;           ///< Boehm's _no_order registration
};
/// One finalizer to judge at the end of the translation unit.
struct FinalizerOrderPending {
  lastword::analysis::FinalizerBody Body;
  const RecordDecl *ObjectType = nullptr;
  bool Unordered = false;
};

/// What gc-finalizer-order learns about one translation unit.
struct FinalizerOrderState {
  std::vector<FinalizerOrderPending> Finalizers;
  /// Helpers that register on their parameter: their calls are registrations.
  std::vector<lastword::analysis::RegistrationWrapper> Wrappers;
  llvm::DenseMap<const RecordDecl *, FinalizerOrderRelease> Finalizable;
  /// Finalizers judged, by finalizerIdentity.
  llvm::DenseSet<SourceLocation> Judged;
  llvm::DenseSet<SourceLocation> Reported;
  /// The profile's type roles applied to this translation unit.
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
};

/// Finds finalizers that follow a pointer of their object (a `member<T>`, a
/// raw pointer or reference field, through other objects) to an object whose
/// type is finalizable too, and use it. That object's own finalizer may
/// already have released it: the collector orders the two only while the
/// edge is traced and no cycle joins them, and not at all under Boehm's
/// `_no_order` registration.
class FinalizerOrderCheck : public GcCheck<FinalizerOrderState> {
public:
  FinalizerOrderCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  using Release = FinalizerOrderRelease;
  using Pending = FinalizerOrderPending;

private:
  void noteRegistration(const Expr *Object, SourceLocation At, bool Cleanup, bool Unordered);
  /// A finalizer or cleanup registration, direct or through a wrapper.
  void registered(const lastword::analysis::ApiCall &Api, const SourceManager &SM);
  void pend(lastword::analysis::FinalizerBody Body, const RecordDecl *ObjectType, bool Unordered,
            const SourceManager &SM);
  void judge(const Pending &Finalizer);
};

} // namespace clang::tidy::gc

#endif
