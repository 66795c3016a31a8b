//===--- ObjectReach.h - Which values and variables reach an object -------===//
//
// Finalizer checks keep asking the same three questions about one object
// (the `obj` of `set_finalizer(obj, fn)`, say):
//
//   * What object does an expression designate?           identifyObject()
//   * Does evaluating an expression produce a value that
//     holds or points to the object?                       ObjectReach::carries()
//   * Which local variables hold the object?               ObjectReach::holds()
//
// This file is the reach solver. It works on the function's cached flow
// layer (FunctionFlow: CFG, the object-independent index of writes) and
// starts from the object: only the writes whose value mentions the object
// or one of its holders are judged, so the cost of a question does not grow
// with the size of the function. The pieces it uses:
//
//   AccessPath.h       one name for a place: r, this, a->b.c, v[i]
//   ExprNormalise.h    what an expression is once wrappers are looked through
//   Stores.h           the writes and uses of a function
//   CalleeSummaries.h  what called functions do with their arguments
//   FunctionFlow.h     the CFG, points and paths, and the per-TU cache
//   ReachNotes.h       reach facts as note text
//
// Every answer comes with the chain of facts that establishes it and the
// source location of each fact, so that a check can show it as notes.
// Nothing here emits diagnostics or knows about any particular check.
//
// What carries the object (a value that keeps it reachable when stored):
//   the object's own variable or `this`; variables that hold it (below);
//   `&obj->field` and `obj + n` (interior pointers); constructions, init
//   lists, `new`, and the value-building functions std::make_pair,
//   make_tuple, make_shared, make_unique, make_optional, ref, cref, tie,
//   forward_as_tuple (plus ReachOptions::CarryingFunctions: the profile's
//   allocation functions such as lastword::make)
//   whose arguments carry it; `?:`; a lambda whose captures carry it; an
//   element of a container that holds it (`v[i]`, `v.front()`, `*v.begin()`).
// What does not: reads of fields of the object (`obj->fd`, `obj->next`, a
//   different object), `*obj` copied by value, results of other calls.
//
// What makes a local variable (or `this`) a holder, to a fixpoint:
//   `T *v = e;`, `v = e;`, `v->f = e;`, `v.f.g = e;`, `v[i] = e;`,
//   `v->list.push_back(e)` (and the other standard container modifiers),
//   `v->attach(e)` when the visible body of `attach` stores its parameter in
//   a field, `attach(e, v)` / `fill(v->list, e)` / `e->join(v)` when the
//   visible body of the function stores the one parameter through the
//   other (a summary memoised in the FlowCache), and `v` initialised by a
//   constructor that does, where `e` carries the object.
//
// As of a point (the registration): a write counts when control can go from
// it to the point without passing a write that replaces its target (`p = q`,
// `p->conn = nullptr`, `p->list.clear()`) or a variable its value was read
// from (`r = make<Res>()` again, the next iteration's `Res *r`). A write
// after the point counts only when it is made through a pointer the point
// already shares (`pool->conn = c;` after capturing `pool`).
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_OBJECTREACH_H
#define LASTWORD_ANALYSIS_OBJECTREACH_H

#include "analysis/AccessPath.h"
#include "analysis/ApiProfile.h"
#include "analysis/Callables.h"
#include "analysis/FunctionFlow.h"
#include "analysis/ReachNotes.h"
#include "analysis/Stores.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastword::analysis {

struct ReachOptions {
  /// Functions (qualified names) whose result holds what their arguments
  /// carry, in addition to the standard ones: allocation functions of an
  /// API profile, say.
  NameList CarryingFunctions;
  /// Report a local captured by reference (CallableReach::LocalByReference)
  /// before asking whether it holds the object: true unless the function
  /// outlives the callable (it waits for finalizers itself, say).
  bool DanglingLocals = false;
  /// Fields that are roots of their own (a persistent handle, a container
  /// of them): what is stored there is kept alive by the field whatever
  /// holds the field, so storing there makes no holder. Unset: none.
  std::function<bool(const clang::FieldDecl &)> IsRootField;
};

/// Where, in a callable, the object is reached.
struct CallableReach {
  enum class Kind {
    Capture,          ///< a lambda capture of a variable (explicit or default)
    ThisCapture,      ///< a lambda capture of `this`
    BoundArgument,    ///< an argument bound by std::bind
    StoredArgument,   ///< state given to a function object when it is built
    CallableHolder,   ///< the callable is a local variable that holds the object
    LocalByReference, ///< a local variable captured by reference: it dangles
                      ///< once its function returns
  };
  Kind ReachKind = Kind::Capture;
  /// How to show what holds the object: `r`, `this`, `pool`.
  std::string Name;
  /// Where it enters the callable: the capture, the bound argument.
  clang::SourceLocation Loc;
  /// For captures: the capture and the variable it captures.
  const clang::LambdaCapture *Capture = nullptr;
  const clang::ValueDecl *CapturedVariable = nullptr;
  /// LocalByReference: the function whose frame holds the variable.
  const clang::FunctionDecl *Frame = nullptr;
  /// Evaluated uses of the capture in the lambda body.
  llvm::SmallVector<const clang::Expr *, 4> Uses;
  /// How the captured value reaches the object (empty: it is the object).
  ReachChain Chain;
};

/// Which values and variables of one function reach one object.
class ObjectReach {
public:
  /// Judges the writes of \p Flow (null: a function-less context, nothing
  /// holds the object) as of statement \p At (the registration; null: every
  /// write counts).
  ObjectReach(ObjectIdentity Object, const FunctionFlow *Flow, const clang::Stmt *At,
              FlowCache &Cache, ReachOptions Options = {});

  const ObjectIdentity &object() const { return Object; }

  /// True when \p E designates the object itself.
  bool designates(const clang::Expr *E) const;
  /// The chain by which the value of \p E holds or points to the object;
  /// an empty chain when \p E is the object; nullopt when it does not.
  std::optional<ReachChain> carries(const clang::Expr *E) const;
  /// The chain by which local variable \p Var holds the object (null
  /// \p Var: `this`); nullopt when it does not.
  std::optional<ReachChain> holds(const clang::ValueDecl *Var) const;

  /// The first way, in source order, in which the callable \p Target
  /// reaches the object. Captures that are never used in an evaluated
  /// context, `[*this]` copies and init-captures of plain fields do not
  /// count. \p CallbackExpr is the callable as written at the call, used
  /// to find a local callable variable that holds the object.
  /// \p Target may be null when resolveCallable() could not see through
  /// the callable.
  std::optional<CallableReach> reachThroughCallable(const CallableTarget *Target,
                                                    const clang::Expr *CallbackExpr) const;

private:
  bool writeHoldsAt(unsigned Index) const;
  bool writeBeforeInSource(const Write &W) const;
  void solve();
  ReachStep stepFor(const Write &W, const ReachChain &Chain) const;
  std::optional<ReachChain> carriesImpl(const clang::Expr *E, unsigned Depth) const;
  std::optional<ReachChain> heldBy(const clang::ValueDecl *Var, bool IsThis) const;
  std::optional<ReachChain> holdsVariable(const clang::ValueDecl *Var, unsigned Depth) const;
  bool isCarryingFunction(const clang::FunctionDecl &Function) const;
  /// Summaries across the functions of the TU, memoised in the FlowCache.
  bool returnCarriesParameter(const clang::FunctionDecl &Callee, unsigned Index) const;
  bool constructorGivesThisTo(const clang::CXXConstructorDecl &Ctor, unsigned Index) const;
  /// A PassedTo write: does its callee store the value through the target?
  /// The field of the target it stores in, when known.
  std::optional<const clang::FieldDecl *> passedWriteStores(const Write &W) const;
  std::optional<const clang::FieldDecl *>
  parameterStoredThrough(const clang::FunctionDecl &Callee, unsigned From, unsigned Into) const;
  void seedConstructedObject();
  /// The class of the object, when its declaration shows it.
  const clang::CXXRecordDecl *objectClass() const;
  std::string text(const clang::Expr *E) const { return exprText(E, Context); }

  ObjectIdentity Object;
  FlowCache &Cache;
  clang::ASTContext &Context;
  ReachOptions Options;
  const FunctionFlow *Flow;
  const clang::Stmt *At;
  FlowPoint AtPoint;
  /// Holders found: variable (null: this) -> chain.
  llvm::DenseMap<const clang::ValueDecl *, ReachChain> Holders;
};

} // namespace lastword::analysis

#endif
