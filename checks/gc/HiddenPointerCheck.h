//===--- HiddenPointerCheck.h - gc-hidden-pointer -------------------------===//

#ifndef LASTWORD_GC_HIDDENPOINTERCHECK_H
#define LASTWORD_GC_HIDDENPOINTERCHECK_H

#include "analysis/CollectedTypes.h"
#include "analysis/SourceUtils.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace clang::tidy::gc {

/// What gc-hidden-pointer learns about one translation unit.
struct HiddenPointerState {
  /// Where an integer value came from.
  struct Origin {
    const Expr *Conversion = nullptr;    ///< the pointer-to-integer conversion
    const RecordDecl *Pointee = nullptr; ///< the collected type pointed to
    const ParmVarDecl *Param = nullptr;  ///< summaries: the integer parameter
    bool Disguised = false;              ///< `^` or `~`: not even an interior pointer
    bool HideMacro = false;              ///< spelled GC_HIDE_POINTER
    /// A `void *` hidden by GC_HIDE_POINTER: no type to judge, but the macro
    /// exists to hide collected pointers.
    bool Untyped = false;
    const FunctionDecl *Helper = nullptr; ///< the function whose result carries it
  };
  struct ParamStore {
    const Stmt *Site;
    std::string Where;
    const Decl *Place;
  };
  struct UnscannedAllocation {
    const CastExpr *Cast;
    const FunctionDecl *Function;
  };

  const SourceManager *SM = nullptr;
  /// The profile's type roles applied to this translation unit (types()).
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
  std::shared_ptr<const lastword::analysis::EnclosingFunctions> Enclosing;
  llvm::SetVector<const FunctionDecl *> FunctionsToScan;
  llvm::SmallVector<const CallExpr *, 8> IntegerCalls;
  llvm::SmallVector<const VarDecl *, 4> Globals;
  llvm::SmallVector<const FieldDecl *, 16> Fields;
  llvm::SmallVector<std::tuple<const Expr *, const FieldDecl *, const Expr *>, 4> VoidStores;
  llvm::SmallVector<const CallExpr *, 4> ByteCopies;
  llvm::SmallVector<UnscannedAllocation, 4> UnscannedAllocations;
  /// Fields a trace method hands to visit_pointer: traced by the type itself.
  llvm::DenseSet<const Decl *> TracedRaw;
  llvm::DenseSet<const Decl *> DisappearingLinks;
  /// The translation unit turns an integer back into a pointer somewhere
  /// (`GC_REVEAL_POINTER`, a cast, `std::bit_cast`): without that, a stored
  /// integer is only an identity, and no freed object is used through it.
  bool Reveals = false;
  llvm::DenseMap<const FunctionDecl *, std::optional<Origin>> Returns;
  /// Where a function stores its integer parameter (null: nowhere); boxed,
  /// so that a pointer to one stays valid while the map grows.
  llvm::DenseMap<std::pair<const FunctionDecl *, unsigned>, std::unique_ptr<ParamStore>>
      ParamStores;
  llvm::DenseSet<const FunctionDecl *> InProgress;
  llvm::DenseSet<SourceLocation> Reported;
};

/// Finds collected pointers kept where a precise heap cannot see them: as
/// integers (casts, `std::bit_cast`, tagging with `|`, `^`, `&`) stored in a
/// field, a global or a container; as raw pointers, references, `void *`,
/// smart pointers or standard containers of raw pointers in the fields of a
/// collected type; behind `memcpy`/`memset` over `member<T>` fields. Under
/// the Boehm profile, disguises the conservative collector cannot see
/// through (`GC_HIDE_POINTER` without a disappearing link, XOR) and memory
/// it does not scan (`malloc`, `GC_MALLOC_ATOMIC`). The target is freed
/// while the hidden pointer is still in use.
class HiddenPointerCheck : public GcCheck<HiddenPointerState> {
public:
  HiddenPointerCheck(StringRef Name, ClangTidyContext *Context);
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
  /// The profile's first MemberTypes name (`lastword::member`), or empty.
  std::string memberTemplate() const;
  lastword::analysis::CollectedTypes &types();
  void scanFunction(const FunctionDecl &Function);
  void reportStore(const Stmt &Site, const Origin &O, const std::string &Where, const Stmt *Inner,
                   const FunctionDecl *Setter = nullptr);
  std::optional<Origin> originOf(const Expr *E, const ParmVarDecl *Seed, unsigned Depth);
  std::optional<Origin> storedOrigin(const Expr *E, const ParmVarDecl *Seed);
  std::optional<Origin> returnedOrigin(const FunctionDecl &Callee);
  bool counts(const Origin &O) const;
  /// The stores \p Function makes beyond its own frame: the statement, the
  /// value stored, where (in words) and the field or variable written.
  void forEachStore(
      const FunctionDecl &Function,
      llvm::function_ref<void(const Stmt &, const Expr *, const std::string &, const Decl *)>
          Found);
  /// Where \p Callee stores its integer parameter \p Index, if it does.
  const ParamStore *storedParam(const FunctionDecl &Callee, unsigned Index);
  void checkField(const FieldDecl &Field);
  void checkVoidStore(const Expr &Site, const FieldDecl &Field, const Expr *Value);
  void checkByteCopy(const CallExpr &Call);
  void checkUnscannedAllocation(const UnscannedAllocation &Allocation);
  /// For a function of the translation unit that returns memory the
  /// collector does not scan on every path (`xcalloc`): the allocation it
  /// returns, or null.
  const CallExpr *unscannedSource(const FunctionDecl *Function, unsigned Depth = 0);
  llvm::DenseMap<const FunctionDecl *, const CallExpr *> UnscannedSources;
  bool inUserCode(SourceLocation Loc) const;
  bool firstReport(SourceLocation Loc) { return Reported.insert(Loc).second; }
};

} // namespace clang::tidy::gc

#endif
