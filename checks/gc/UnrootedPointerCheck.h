//===--- UnrootedPointerCheck.h - gc-unrooted-pointer ---------------------===//

#ifndef LASTWORD_GC_UNROOTEDPOINTERCHECK_H
#define LASTWORD_GC_UNROOTEDPOINTERCHECK_H

#include "analysis/CollectedTypes.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>

namespace clang::tidy::gc {

/// What gc-unrooted-pointer learns about one translation unit.
struct UnrootedPointerState {
  const SourceManager *SM = nullptr;
  /// The profile's type roles applied to this translation unit (types()).
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
  llvm::SmallVector<const VarDecl *, 8> Globals;
  /// Non-collected records allocated with new/malloc, with the first allocation.
  llvm::MapVector<const RecordDecl *, const Expr *> HeapRecords;
  /// `new Node *[n]`, `malloc(n * sizeof(Node *))`: the allocation and the element type.
  llvm::SmallVector<std::pair<const Expr *, QualType>, 4> PointerArrays;
  llvm::DenseSet<SourceLocation> Reported;
};

/// Finds collected pointers held outside the collected heap and outside any
/// stack frame, where neither the stack scan nor tracing sees them: a global
/// or static raw `T *` (or `T &`, array, `member<T>`), a standard container
/// of raw pointers that is a global or lives in `new`'ed or `malloc`'ed
/// memory, and raw pointer fields of non-collected types allocated with
/// `new` or `malloc`. The collector frees the object while it is still in
/// use; `persistent<T>` is the root that keeps it. Under the Boehm profile,
/// which scans globals, only memory from the C library's allocator counts.
class UnrootedPointerCheck : public GcCheck<UnrootedPointerState> {
public:
  UnrootedPointerCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  /// Code as written: template instantiations are reached from their
  /// templates (specializations) where it matters, not visited one by one.
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_IgnoreUnlessSpelledInSource;
  }

private:
  bool precise() const;
  /// Memory from `new` and standard containers is outside the collector's
  /// view (not under Boehm GC with libgccpp's `operator new`).
  bool operatorNewHides();
  void checkGlobal(const VarDecl &Var);
  void checkHeapType(const RecordDecl &Record, const Expr &Allocation);
  void checkPointerArray(const Expr &Allocation, QualType Element);
  /// A raw pointer, reference or array of them to a collected type.
  const RecordDecl *rawTarget(QualType Type);
  /// How to root it, in the profile's terms.
  std::string advice(const RecordDecl *Target, bool Elements) const;
  void offerPersistent(DiagnosticBuilder &D, const DeclaratorDecl &Decl);
  std::optional<FixItHint> persistentFix(const DeclaratorDecl &Decl);
  /// The profile's first PersistentTypes name (`lastword::persistent`), or empty.
  std::string persistentTemplate() const;
  lastword::analysis::CollectedTypes &types();
};

} // namespace clang::tidy::gc

#endif
