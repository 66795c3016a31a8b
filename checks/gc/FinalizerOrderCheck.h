//===--- FinalizerOrderCheck.h - gc-finalizer-order -----------------------===//

#ifndef LASTWORD_GC_FINALIZERORDERCHECK_H
#define LASTWORD_GC_FINALIZERORDERCHECK_H

#include "analysis/ApiProfile.h"
#include "analysis/ExcludedPaths.h"
#include "analysis/CollectedTypes.h"
#include "analysis/Finalizers.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <vector>

namespace clang::tidy::gc {

/// Finds finalizers that follow a pointer of their object (a `member<T>`, a
/// raw pointer or reference field, through other objects) to an object whose
/// type is finalizable too, and use it. That object's own finalizer may
/// already have released it: the collector orders the two only while the
/// edge is traced and no cycle joins them, and not at all under Boehm's
/// `_no_order` registration.
class FinalizerOrderCheck : public ClangTidyCheck {
public:
  FinalizerOrderCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onStartOfTranslationUnit() override {
    Excluded.forget();
    Finalizers.clear();
    Wrappers.clear();
    Finalizable.clear();
    Judged.clear();
    Reported.clear();
    Types.reset();
  }
  void onEndOfTranslationUnit() override;

  /// How the type of an object is released when it dies.
  struct Release {
    SourceLocation RegisteredAt;
    const RecordDecl *Type = nullptr; ///< the type registered
    bool Cleanup = false;   ///< add_cleanup rather than a finalizer
    bool Unordered = false; ///< Boehm's _no_order registration
  };
  /// One finalizer to judge at the end of the translation unit.
  struct Pending {
    lastword::analysis::FinalizerBody Body;
    const RecordDecl *ObjectType = nullptr;
    bool Unordered = false;
  };

private:
  void noteRegistration(const Expr *Object, SourceLocation At, bool Cleanup, bool Unordered);
  /// A finalizer or cleanup registration, direct or through a wrapper.
  void registered(const lastword::analysis::ApiCall &Api, const SourceManager &SM);
  void pend(lastword::analysis::FinalizerBody Body, const RecordDecl *ObjectType, bool Unordered,
            const SourceManager &SM);
  void judge(const Pending &Finalizer);

  std::vector<Pending> Finalizers;
  /// Helpers that register on their parameter: their calls are registrations.
  std::vector<lastword::analysis::RegistrationWrapper> Wrappers;
  llvm::DenseMap<const RecordDecl *, Release> Finalizable;
  llvm::DenseSet<uintptr_t> Judged;
  llvm::DenseSet<SourceLocation> Reported;
  lastword::analysis::ApiProfile Profile;
  /// The profile's type roles applied to this translation unit.
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
  lastword::analysis::ExcludedPaths Excluded;
};

} // namespace clang::tidy::gc

#endif
