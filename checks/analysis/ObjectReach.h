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
// The answers are intra-procedural and flow-insensitive: ObjectReach looks at
// the whole body of the function that contains the question (through the
// lambdas nested in it) and at the visible bodies of member functions and
// constructors called there, never at other callers. Every answer comes with
// the chain of facts that establishes it and the source location of each
// fact, so that a check can show it as notes. Nothing here emits diagnostics
// or knows about any particular check.
//
// What carries the object (a value that keeps it reachable when stored):
//   the object's own variable or `this`; variables that hold it (below);
//   `&obj->field` and `obj + n` (interior pointers); constructions, init
//   lists, `new`, and the value-building functions std::make_pair,
//   make_tuple, make_shared, make_unique, make_optional, ref, cref, tie,
//   forward_as_tuple and lastword::make (plus ReachOptions::CarryingFunctions)
//   whose arguments carry it; `?:`; a lambda whose captures carry it.
// What does not: reads of fields of the object (`obj->fd`, `obj->next`, a
//   different object), `*obj` copied by value, results of other calls.
//
// What makes a local variable (or `this`) a holder, to a fixpoint:
//   `T *v = e;`, `v = e;`, `v->f = e;`, `v.f.g = e;`, `v[i] = e;`,
//   `v->list.push_back(e)` (and the other standard container inserters),
//   `v->attach(e)` when the visible body of `attach` stores its parameter in
//   a field, and `v` initialised by a constructor that does, where `e`
//   carries the object.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_OBJECTREACH_H
#define LASTWORD_ANALYSIS_OBJECTREACH_H

#include "analysis/Callables.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lastword::analysis {

/// An object named by the program: a variable (local, parameter, global),
/// `this`, or a field of one of those (`this->conn`, `p->conn`).
struct ObjectIdentity {
  /// The variable; null for `this`.
  const clang::ValueDecl *Variable = nullptr;
  /// The object is this pointer field of the variable's (or this') object.
  const clang::FieldDecl *Field = nullptr;

  bool isThis() const { return Variable == nullptr; }
  /// How the program spells it: `r`, `this`, `p->conn`, `this->conn`.
  std::string spelling() const;
  bool operator==(const ObjectIdentity &Other) const {
    return Variable == Other.Variable && Field == Other.Field;
  }
};

/// The object \p E designates, looking through parentheses, casts and
/// no-op wrappers (see stripObjectWrappers) and `GC_base(p)`; nullopt for
/// anything else (a call, a new-expression, a dependent expression).
std::optional<ObjectIdentity> identifyObject(const clang::Expr *E);

/// One fact in a chain that leads from a value to the object.
struct ReachStep {
  enum class Kind {
    Alias,    ///< Holder points to the object itself (`Res *alias = r;`)
    Holds,    ///< Holder holds the object in its state (a field, a container)
    Interior, ///< the value points into the object (`&p->fd`)
  };
  Kind StepKind = Kind::Holds;
  /// The holding variable; null for `this` and for interior pointers.
  const clang::ValueDecl *Holder = nullptr;
  /// How to show the holder: `pool`, `this`, `&p->fd`.
  std::string HolderName;
  /// The place inside the holder, as spelled: `pool->conn`; may be empty.
  std::string Through;
  /// The field through which Holder holds the object, when known.
  const clang::FieldDecl *Field = nullptr;
  /// Where the fact is established (the store, the initialisation).
  clang::SourceLocation Loc;
  /// How, in words: `assigned`, `initialised`, `stored`,
  /// `stored by 'Pool::attach'`.
  std::string How;
};

/// Facts from a value to the object; the first step is the outermost
/// holder, each step holds the next one, the last holds the object. An
/// empty chain means the value is the object itself.
using ReachChain = llvm::SmallVector<ReachStep, 4>;

/// The text of a note for step \p Index of \p Chain, for example
/// "'pool' holds the object through 'pool->conn', assigned here".
std::string describeStep(const ReachChain &Chain, size_t Index);

struct ReachOptions {
  /// Functions (qualified names) whose result holds what their arguments
  /// carry, in addition to the standard ones: allocation functions of an
  /// API profile, say.
  std::vector<std::string> CarryingFunctions;
  /// The point at which the questions are asked (the end of a call, say).
  /// When valid, the answers follow source order around it: a store after
  /// the point counts only when it is made through a pointer (the pointee
  /// is shared, `pool->conn = c;`), not when it writes a variable or a value
  /// already copied (`prev = c;`, `pair.first = c;`); and a store is void
  /// when its target, or a variable its value was read from, is assigned
  /// anew between the store and the point (`r = make<Res>();` again).
  /// Invalid: flow-insensitive, every store counts.
  clang::SourceLocation At;
};

/// Where, in a callable, the object is reached.
struct CallableReach {
  enum class Kind {
    Capture,        ///< a lambda capture of a variable (explicit or default)
    ThisCapture,    ///< a lambda capture of `this`
    BoundArgument,  ///< an argument bound by std::bind
    StoredArgument, ///< state given to a function object when it is built
    CallableHolder, ///< the callable is a local variable that holds the object
  };
  Kind ReachKind = Kind::Capture;
  /// How to show what holds the object: `r`, `this`, `pool`.
  std::string Name;
  /// Where it enters the callable: the capture, the bound argument.
  clang::SourceLocation Loc;
  /// For captures: the capture and the variable it captures.
  const clang::LambdaCapture *Capture = nullptr;
  const clang::ValueDecl *CapturedVariable = nullptr;
  /// Evaluated uses of the capture in the lambda body.
  llvm::SmallVector<const clang::Expr *, 4> Uses;
  /// How the captured value reaches the object (empty: it is the object).
  ReachChain Chain;
};

/// Evaluated references to \p Var (or, with null \p Var, uses of `this`,
/// implicit ones included) in \p Body: sizeof, alignof, decltype,
/// noexcept, unevaluated typeid and requires-expressions are skipped.
llvm::SmallVector<const clang::Expr *, 4> evaluatedUses(const clang::Stmt *Body,
                                                        const clang::ValueDecl *Var);

/// Which values and variables of one function reach one object.
class ObjectReach {
public:
  /// Analyses \p Scope (a function body, typically that of
  /// EnclosingFunctions) for holders of \p Object. \p Scope may be null.
  ObjectReach(ObjectIdentity Object, const clang::Stmt *Scope, clang::ASTContext &Context,
              ReachOptions Options = {});

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
  struct Store {
    const clang::ValueDecl *Target = nullptr; ///< null: this
    const clang::Expr *Value = nullptr;
    std::string Through;
    const clang::FieldDecl *Field = nullptr; ///< known field stored into
    bool Direct = false;                     ///< `v = e` / `T v = e`: v becomes e
    bool ThroughPointer = false;             ///< the target is reached through a pointer
    clang::SourceLocation Loc;
    std::string How;
  };
  bool storeHoldsAt(const Store &S) const;
  void collectStores(const clang::Stmt *Root);
  void collectStoresAt(const clang::Stmt *S);
  void addInitialisation(const clang::VarDecl &Var);
  void addStoreTo(const clang::Expr *Target, const clang::Expr *Value,
                  const clang::FieldDecl *KnownField, clang::SourceLocation Loc,
                  std::string How, std::string Through = {});
  void noteReassignment(const clang::Expr *Target, clang::SourceLocation Loc);
  void solve();
  std::optional<ReachChain> carriesImpl(const clang::Expr *E, unsigned Depth) const;
  std::optional<ReachChain> heldBy(const clang::ValueDecl *Var, bool IsThis) const;
  std::optional<ReachChain> holdsVariable(const clang::ValueDecl *Var, unsigned Depth) const;
  const clang::FieldDecl *fieldForConstruction(const clang::CXXConstructorDecl *Ctor,
                                               unsigned ArgIndex) const;
  bool isCarryingFunction(const clang::FunctionDecl &Function) const;
  std::string text(const clang::Expr *E) const;

  ObjectIdentity Object;
  clang::ASTContext &Context;
  ReachOptions Options;
  std::vector<Store> Stores;
  /// Plain assignments `v = e` of local variables (the object's included).
  std::map<const clang::ValueDecl *, llvm::SmallVector<clang::SourceLocation, 2>> Reassigned;
  /// Holders found so far: variable (null: this) -> chain.
  std::map<const clang::ValueDecl *, ReachChain> Holders;
};

/// For member function or constructor \p Method with a visible body: the
/// field of `*this` that parameter \p Param is stored in, if any
/// (`this->f = p;`, `f = p;`, `f.push_back(p);`, `: f(p)`).
const clang::FieldDecl *fieldStoringParameter(const clang::FunctionDecl &Method, unsigned Param);

} // namespace lastword::analysis

#endif
