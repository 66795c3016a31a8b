//===--- ExprNormalise.h - One place for the look-through helpers ---------===//
//
// The reach analysis asks of every expression "what is this, really?". The
// answers look through the same wrappers everywhere: parentheses, casts,
// temporaries, no-op wrappers of the API (see stripObjectWrappers), Boehm's
// GC_base(p), smart-pointer and member<T> `->`, and local references bound
// to a variable.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_EXPRNORMALISE_H
#define LASTWORD_ANALYSIS_EXPRNORMALISE_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

namespace lastword::analysis {

/// Parentheses, casts, temporaries, the wrappers stripObjectWrappers knows,
/// and `GC_base(p)` (Boehm: the start of the object p points into).
const clang::Expr *lookThrough(const clang::Expr *E);

/// Like lookThrough, and also through `sp->` of smart pointers and member<T>.
const clang::Expr *lookThroughArrow(const clang::Expr *E);

/// True when \p E, looked through (and through single-argument
/// constructions), names \p Var.
bool refersTo(const clang::Expr *E, const clang::ValueDecl *Var);

/// For a local reference variable bound to a named variable or field
/// (`Res *&same = r;`, `auto &fd = r->fd;`): the expression it is bound to.
const clang::Expr *aliasedExpr(const clang::ValueDecl *Decl);

/// A getter of its own object: a non-static member function whose body is
/// only `return field_;` (or `this->field_`, looked through, also through a
/// member<T> conversion): that field. Null for anything else.
const clang::FieldDecl *fieldReturnedBy(const clang::FunctionDecl *Function);

/// Pointers, dependent types, and classes with `operator->` or a conversion.
bool isPointerLike(clang::QualType Type);

/// May a field or variable of this type hold a collected object?
bool mayHoldObject(clang::QualType Type);

/// May a value of \p Type hold a pointer to an object of class \p Target
/// (or of a class derived from it or it derives from), through pointers,
/// fields, bases and template arguments? True whenever it cannot tell:
/// `void *`, function types (a `std::function` can hold anything),
/// `std::any`, incomplete or dependent types, types nested too deep.
/// Integers are not taken to (a pointer hidden in one is
/// gc-hidden-pointer's finding).
bool mayReachRecord(clang::QualType Type, const clang::CXXRecordDecl &Target);

} // namespace lastword::analysis

#endif
