//===--- ThrowingCalls.h - Calls the translation unit shows throwing -------===//
//
// Which calls may leave their caller by an exception, as far as the
// translation unit shows it: a function whose visible body throws (or calls
// such a function) outside its try blocks, or, declared here without a
// body, whose comment says it throws (`// Throws ValidationError when ...`,
// `@throws`). Functions declared non-throwing never do. Any other call is
// taken not to throw: every call could, and treating each as an exit would
// bury the findings that matter under ones nobody acts on.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_THROWINGCALLS_H
#define LASTWORD_ANALYSIS_THROWINGCALLS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace lastword::analysis {

/// The function a call or construction runs, when it is known.
const clang::FunctionDecl *calledFunction(const clang::Stmt &S);

class ThrowingCalls {
public:
  explicit ThrowingCalls(const clang::ASTContext &Context) : Context(Context) {}

  /// May a call to \p Callee throw, as the translation unit shows it?
  bool mayThrow(const clang::FunctionDecl &Callee);
  /// The calls and constructions in \p Body, outside its try blocks and
  /// lambdas, that may throw, in source order.
  llvm::SmallVector<const clang::Expr *, 4> uncaughtThrowingCalls(const clang::Stmt *Body);

private:
  bool mayThrowAt(const clang::FunctionDecl &Callee, unsigned Depth);
  bool documentedToThrow(const clang::FunctionDecl &Function) const;
  /// Walks \p Body outside try blocks and lambdas: throw expressions and the
  /// callees of calls, until \p Visit returns true.
  template <typename Visitor> static bool anyUncaught(const clang::Stmt *Body, Visitor Visit);

  const clang::ASTContext &Context;
  /// 0: does not throw, 1: may throw, 2: being computed (a recursion).
  llvm::DenseMap<const clang::FunctionDecl *, unsigned char> Known;
};

} // namespace lastword::analysis

#endif
