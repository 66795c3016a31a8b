//===--- Callables.h - What a finalizer or cleanup callable really is -----===//
//
// A callback reaches set_finalizer in many shapes: a lambda, a function name,
// a function object, std::bind, a std::function, a local variable holding
// one of these. resolveCallable() looks through the shapes to the code that
// will run and to the state the callable object carries.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_CALLABLES_H
#define LASTWORD_ANALYSIS_CALLABLES_H

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace lastword::analysis {

struct CallableTarget {
  /// The expression that builds the callable object (after following local
  /// variables and wrappers): a LambdaExpr, a construction, a bind call, a
  /// reference to a function.
  const clang::Expr *Source = nullptr;
  /// The code that runs: a function, a lambda's or function object's operator().
  const clang::FunctionDecl *Body = nullptr;
  const clang::LambdaExpr *Lambda = nullptr;
  /// A class with operator(): its fields are the callable's state.
  const clang::CXXRecordDecl *FunctionObject = nullptr;
  /// Arguments stored inside the callable: bound arguments of std::bind,
  /// constructor arguments of a function object.
  llvm::SmallVector<const clang::Expr *, 4> StoredArguments;
  bool IsBind = false;
  /// The callable is the lambda a function of the translation unit returns:
  /// its captures are that function's variables, not the caller's.
  const clang::FunctionDecl *ReturnedBy = nullptr;
};

/// Resolves \p Callback; nullopt for null, a call through an unknown
/// function pointer, or a shape it cannot see through.
std::optional<CallableTarget> resolveCallable(const clang::Expr *Callback);

/// The operator() of a class, if it has exactly one non-template one (or a
/// template one, for generic lambdas, which has no body to judge).
const clang::CXXMethodDecl *callOperatorOf(const clang::CXXRecordDecl &Record);

/// The field a call runs the callable of: `self->on_collect(self)` through
/// a `std::function` field's operator(), `ops->close(c)` through a function
/// pointer field; null for any other call.
const clang::FieldDecl *calledCallableField(const clang::CallExpr &Call);

/// The callables the translation unit stores in fields of callable type
/// (`std::function`, function pointers), so that a call through the field
/// runs each of them: assignments (`o->on_collect = [](Object *d) {...};`,
/// in any function) and constructor initialisers (`: on_close(&close_fd)`).
/// Indexed once, on first use, over user code (not template
/// instantiations, not system headers).
class StoredCallables {
public:
  llvm::ArrayRef<CallableTarget> storedIn(const clang::FieldDecl &Field);

private:
  std::optional<llvm::DenseMap<const clang::FieldDecl *, llvm::SmallVector<CallableTarget, 2>>>
      Index;
};

} // namespace lastword::analysis

#endif
