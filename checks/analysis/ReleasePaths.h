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
// do not return (`abort`, `exit`) end a path without leaving it. Exceptions
// thrown by callees are not modelled (every call could throw); a `throw`
// written in the function is.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_RELEASEPATHS_H
#define LASTWORD_ANALYSIS_RELEASEPATHS_H

#include "analysis/FunctionFlow.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <optional>

namespace lastword::analysis {

/// How control leaves the function on a path found.
struct ExitWitness {
  enum class Kind { Return, Throw, EndOfBody };
  Kind ExitKind = Kind::EndOfBody;
  /// The return statement or throw expression (null: end of body).
  const clang::Stmt *Exit = nullptr;
};

/// A path from just after \p From to the exit of \p Flow's function that
/// runs none of \p Settled, and does not take a branch on which one of
/// \p NullWhenTaken is null; nullopt when there is none (or no CFG).
std::optional<ExitWitness>
findExitAvoiding(const FunctionFlow &Flow, FlowPoint From, llvm::ArrayRef<FlowPoint> Settled,
                 const llvm::SmallPtrSetImpl<const clang::ValueDecl *> &NullWhenTaken);

} // namespace lastword::analysis

#endif
