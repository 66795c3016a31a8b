//===--- AccessPath.h - One name for a place: r, this, a->b.c, v[i] -------===//
//
// The reach analysis names places in one way: a root (a variable, or
// `this`) and the hops from it (fields, container elements, dereferences).
// The object a registration is about, the target of a store, and the place
// a store is void after (a field cleared, a variable reassigned) are all
// access paths, compared with the same rules.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_ACCESSPATH_H
#define LASTWORD_ANALYSIS_ACCESSPATH_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace lastword::analysis {

struct AccessPath {
  struct Hop {
    /// The field; null for an element (`v[i]`, `*p`, a container's element).
    const clang::FieldDecl *Field = nullptr;
    /// Reached with `->` (for spelling).
    bool Arrow = false;
    bool operator==(const Hop &Other) const { return Field == Other.Field; }
  };
  /// The root variable; null for `this`.
  const clang::ValueDecl *Variable = nullptr;
  /// From the root outwards: `a->b.c` is a, then b, then c.
  llvm::SmallVector<Hop, 2> Hops;
  /// The place is reached through a pointer (or reference), so a copy of
  /// the root shares it.
  bool ThroughPointer = false;

  bool isThis() const { return Variable == nullptr; }
  /// The place is the root itself (`v`), not a part of it.
  bool isRoot() const { return Hops.empty(); }
  /// The field next to the root (`a->b.c`: b), if the first hop is a field.
  const clang::FieldDecl *firstField() const { return Hops.empty() ? nullptr : Hops.front().Field; }
  /// True when writing this place replaces \p Other: the same place, or a
  /// place inside it reached through fields only (`p = q` replaces
  /// `p->conn`; `p->list.clear()` replaces what `p->list.push_back(x)`
  /// stored; `v[0] = x` replaces nothing but itself).
  bool replaces(const AccessPath &Other) const;
  /// How the program spells it: `r`, `this`, `p->conn`, `this->conn`.
  std::string spelling() const;
  bool operator==(const AccessPath &Other) const {
    return Variable == Other.Variable && Hops == Other.Hops;
  }
};

/// An object the program names: a variable, `this`, or one field of either.
using ObjectIdentity = AccessPath;

/// The place an lvalue such as `v->a.b[i]` names, rooted at a local
/// variable or `this`; nullopt for anything else (a global, a call result).
std::optional<AccessPath> accessPathOf(const clang::Expr *E);

/// The object \p E designates, looking through parentheses, casts, no-op
/// wrappers, `GC_base(p)` and local references; at most one field deep.
/// Nullopt for anything else (a call, a new-expression, a dependent
/// expression).
std::optional<ObjectIdentity> identifyObject(const clang::Expr *E);

} // namespace lastword::analysis

#endif
