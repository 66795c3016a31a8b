//===--- ReleasePaths.h - Paths that leave a function without a release ---===//
//
// The forward question of resource-release checks: from the point where a
// function obtains an object, can control leave the function (a return, a
// throw that is not caught in it, the end of its body) without passing any
// of a set of points (where the object is released or handed on)?
//
// On the function's cached CFG (FunctionFlow). Edges on which a variable
// holding the object is known to be null (`if (!c) return;`, `if (c ==
// nullptr)`) are not followed: nothing needs releasing there. Calls that
// do not return (`abort`, `exit`) end a path without leaving it. A `throw`
// written in the function leaves it, and so do the calls the caller names
// as throwing (ThrowingCalls: those the translation unit shows throwing);
// other calls are taken not to throw.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_RELEASEPATHS_H
#define LASTWORD_ANALYSIS_RELEASEPATHS_H

#include "analysis/FunctionFlow.h"
#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <optional>
#include <vector>

namespace lastword::analysis {

/// What a function body does with its local variables, indexed once so
/// that following one object costs what its own uses cost, not a walk of
/// the whole body (a function that obtains a thousand objects is walked
/// once, not a thousand times). Lambda bodies are not entered: they are
/// functions of their own.
class LocalUses {
public:
  explicit LocalUses(const clang::Stmt *Body);

  /// The statement that contains \p S directly (null: the body, or not in
  /// it).
  const clang::Stmt *parent(const clang::Stmt *S) const;
  /// References to \p Var outside lambdas, in source order.
  llvm::ArrayRef<const clang::DeclRefExpr *> referencesTo(const clang::ValueDecl *Var) const;
  /// Lambdas of the body that capture \p Var.
  llvm::ArrayRef<const clang::LambdaExpr *> lambdasCapturing(const clang::ValueDecl *Var) const;
  /// Adds to \p Aliases \p Var and the local pointers and references
  /// copied from it (`Res *same = c;`, `other = c;`), transitively, as
  /// three passes over the body in source order find them.
  void aliasesOf(const clang::ValueDecl *Var,
                 llvm::SmallPtrSetImpl<const clang::ValueDecl *> &Aliases) const;

private:
  llvm::DenseMap<const clang::Stmt *, const clang::Stmt *> Parents;
  llvm::DenseMap<const clang::ValueDecl *, llvm::SmallVector<const clang::DeclRefExpr *, 4>>
      References;
  llvm::DenseMap<const clang::ValueDecl *, llvm::SmallVector<const clang::LambdaExpr *, 1>>
      Capturing;
  /// Copies of one variable into a local pointer, in source order, and the
  /// copies out of each variable (indices into Copies).
  struct Copy {
    const clang::ValueDecl *From, *To;
  };
  std::vector<Copy> Copies;
  llvm::DenseMap<const clang::ValueDecl *, llvm::SmallVector<unsigned, 2>> CopiesFrom;
};

/// How control leaves the function on a path found.
struct ExitWitness {
  enum class Kind { Return, Throw, EndOfBody };
  Kind ExitKind = Kind::EndOfBody;
  /// The return statement, the throw expression or the throwing call (null:
  /// end of body).
  const clang::Stmt *Exit = nullptr;
};

/// A path from just after \p From to the exit of \p Flow's function that
/// runs none of \p Settled, and does not take a branch on which one of
/// \p NullWhenTaken is null; nullopt when there is none (or no CFG). A
/// path reaching one of \p Throwing (calls that may throw, outside try
/// blocks) before a settled point leaves there.
std::optional<ExitWitness>
findExitAvoiding(const FunctionFlow &Flow, FlowPoint From, llvm::ArrayRef<FlowPoint> Settled,
                 const llvm::SmallPtrSetImpl<const clang::ValueDecl *> &NullWhenTaken,
                 llvm::ArrayRef<FlowPoint> Throwing = {});

} // namespace lastword::analysis

#endif
