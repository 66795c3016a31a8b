//===--- Stores.h - The writes and uses a function makes ------------------===//
//
// Object-independent facts, collected once per function (FunctionFlow):
// every place a value is written to (a variable initialised or assigned, a
// field assigned, a container filled, a field filled by a called member
// function or constructor) and every place emptied (a container cleared,
// a smart pointer reset). The reach solver later asks which of these
// values carry one particular object.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_STORES_H
#define LASTWORD_ANALYSIS_STORES_H

#include "analysis/AccessPath.h"
#include "analysis/CalleeSummaries.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>

namespace lastword::analysis {

struct Write {
  enum class Kind {
    Initialise,   ///< `T v = e;`, `T v;`, an init-capture
    Assign,       ///< `v = e;`, `v->f = e;`
    Insert,       ///< `v.push_back(e)` and the other standard inserters
    StoredByCall, ///< `v->attach(e)` whose visible body stores e in a field
    Clear,        ///< `v.clear()`, `p.reset()`
    PassedTo,     ///< `attach(e, c)`: a function of the TU called with both;
                  ///< a write only if its body stores the one through the
                  ///< other (ObjectReach asks, memoised per callee)
  };
  Kind WriteKind = Kind::Assign;
  /// The place written.
  AccessPath Target;
  /// The place as written; null for declarations.
  const clang::Expr *TargetExpr = nullptr;
  /// The value stored; null when nothing is (a clear, `T v;`).
  const clang::Expr *Value = nullptr;
  /// StoredByCall: the field the callee stores the argument in, and its
  /// spelling from the caller's side (`pool->conn`).
  const clang::FieldDecl *KnownField = nullptr;
  std::string Through;
  /// PassedTo: the function called, the parameter the value is passed as
  /// (ThisParameter: the object a member function is called on) and the
  /// parameter the target is passed as.
  const clang::FunctionDecl *Callee = nullptr;
  unsigned FromParam = 0;
  unsigned IntoParam = 0;
  static constexpr unsigned ThisParameter = ~0u;
  /// The statement that writes (for flow), and the variable declared.
  const clang::Stmt *Site = nullptr;
  const clang::VarDecl *Declared = nullptr;
  clang::SourceLocation Loc;
  /// How, in words: `initialised`, `assigned`, `stored`, `stored by 'X'`.
  std::string How;

  /// The place loses what it held before (initialised, assigned, cleared).
  bool replaces() const {
    return WriteKind == Kind::Initialise || WriteKind == Kind::Assign || WriteKind == Kind::Clear;
  }
  /// The variable itself becomes the value (`v = e`, `T v = e`).
  bool makesAlias() const {
    return Target.isRoot() && (WriteKind == Kind::Initialise || WriteKind == Kind::Assign);
  }
};

/// The writes statement \p S makes by itself (not those of its children).
void collectWritesAt(const clang::Stmt &S, CalleeSummaries &Summaries,
                     const clang::ASTContext &Context, llvm::function_ref<void(Write)> Add);

/// A store made by an atomic operation: the `__atomic_*`, `__c11_atomic_*`
/// (C11's `atomic_store` and friends) and `__sync_*` builtins, and the
/// members of `std::atomic` / `std::atomic_ref`.
struct AtomicStore {
  /// The storage written when the code names it (`&slot[i]`, the atomic
  /// object of a member call); null when only a pointer to it is passed.
  const clang::Expr *Place = nullptr;
  /// The pointer argument (null for member calls).
  const clang::Expr *Pointer = nullptr;
  /// The value stored.
  const clang::Expr *Value = nullptr;
  /// A store or exchange replaces what the place held; a compare-exchange
  /// may not happen at all.
  bool Replaces = false;
};
std::optional<AtomicStore> atomicStoreOf(const clang::Stmt &S);

/// Every variable (null: `this`) whose value \p E reads: local references
/// and structured bindings count as what they are bound to as well.
void mentionedVariables(const clang::Expr *E,
                        llvm::function_ref<void(const clang::ValueDecl *)> Mention);

/// Evaluated references to \p Var (or, with null \p Var, uses of `this`,
/// implicit ones included) in \p Body: sizeof, alignof, decltype,
/// noexcept, unevaluated typeid and requires-expressions are skipped.
llvm::SmallVector<const clang::Expr *, 4> evaluatedUses(const clang::Stmt *Body,
                                                        const clang::ValueDecl *Var);

} // namespace lastword::analysis

#endif
