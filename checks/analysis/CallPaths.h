//===--- CallPaths.h - Call paths within a translation unit ---------------===//
//
// "Does this finalizer block?" and "does this loop body collect?" are the
// same question: is there a path of calls, through code visible in the
// translation unit, from here to a call of interest? CallPathFinder answers
// it once per function (memoised) and returns the path so that a check can
// show it as notes.
//
// What counts as running "here": the statements of a function body (less the
// branch of an `if` whose condition is a constant that rules it out), lambdas
// invoked in place or through a local variable, lambdas handed to a
// standard algorithm, every override of a virtual function visible in the
// translation unit, and implicit destructor calls: locals at the end of
// their scope, `delete`, temporaries at the end of their full expression,
// and the members and bases a destructor destroys. Not: lambdas handed to std::thread,
// std::jthread, std::async, pthread_create or any configured offloading function (that code runs on
// another thread), unevaluated operands, and the bodies of functions in system headers (the sink
// predicate judges those by name).
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_CALLPATHS_H
#define LASTWORD_ANALYSIS_CALLPATHS_H

#include "analysis/Callables.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lastword::analysis {

/// Every override of a virtual method visible in the translation unit,
/// however far down, indexed on first use from the declarations of the TU
/// (user code; function bodies, and so local classes, are not entered).
class OverrideIndex {
public:
  llvm::ArrayRef<const clang::CXXMethodDecl *> overridesOf(const clang::CXXMethodDecl &Method);

private:
  std::optional<llvm::DenseMap<const clang::CXXMethodDecl *,
                               llvm::SmallVector<const clang::CXXMethodDecl *, 2>>>
      Overrides;
};

/// A virtual call whose target the static types do not fix (not
/// `Base::f()`, not a call on an object of a final or known dynamic type).
bool dispatchesVirtually(const clang::Expr &Call, const clang::CXXMethodDecl &Method);

/// How a step runs its function when no call is written.
enum class ImplicitCall {
  None,      ///< a call or construction as written
  ScopeEnd,  ///< a local variable's destructor, at the end of its scope
  Delete,    ///< the destructor that `delete` runs
  Temporary, ///< a temporary's destructor, at the end of its full expression
  Member,    ///< a member's destructor, run by its object's destructor
  Base,      ///< a base class's destructor, run by the derived destructor
};

/// One step: a call (CallExpr or CXXConstructExpr) or an implicit
/// destructor call, and the function it runs.
struct CallStep {
  /// The call or construction; for implicit destructor calls the `delete`,
  /// the expression that made the temporary, or the variable's initialiser
  /// (null for members and bases).
  const clang::Expr *Call = nullptr;
  const clang::FunctionDecl *Callee = nullptr;
  ImplicitCall Implicit = ImplicitCall::None;
  /// The variable or field destroyed (ScopeEnd, Member).
  const clang::ValueDecl *Destroyed = nullptr;
  /// A temporary whose value the statement discards (`std::async(...);`).
  bool Discarded = false;
  /// For a virtual call followed into an override: the function written.
  const clang::FunctionDecl *Overridden = nullptr;
  /// For a call through a callable field followed into what the TU stores
  /// there: the field.
  const clang::FieldDecl *Hook = nullptr;
  /// Where to point at the step: the call, or the variable, member or base.
  clang::SourceLocation Loc;

  clang::SourceLocation location() const {
    return Loc.isValid() || !Call ? Loc : Call->getBeginLoc();
  }
};

/// How an implicit step runs, for a note ("'worker' is destroyed at the end
/// of its scope"); empty for calls as written.
std::string describeImplicitStep(const CallStep &Step);
/// Calls leading from the start point to a sink; the last step is the sink.
using CallPath = std::vector<CallStep>;

class CallPathFinder {
public:
  /// Decides whether a call (CallExpr or CXXConstructExpr) is a sink.
  using SinkPredicate = std::function<bool(const clang::Expr &Call)>;
  /// Same, also told the function whose body holds the call (null for the
  /// statement handed to findPath(const Stmt &)): a check can then judge a
  /// call by its surroundings, or a template instantiation by its pattern.
  using SinkPredicateIn =
      std::function<bool(const clang::Expr &Call, const clang::FunctionDecl *Within)>;

  enum class Reach {
    AnyPath,        ///< any code that may run: both branches of an if, loop bodies
    EveryExecution, ///< only code that runs whenever the start point runs
  };

  /// Decides whether an implicit destructor call (a step whose Implicit is
  /// not None) is a sink: the destructors of system types are not searched.
  using DestructionSinkPredicate =
      std::function<bool(const CallStep &Step, const clang::FunctionDecl *Within)>;

  CallPathFinder(SinkPredicate IsSink, Reach Mode = Reach::AnyPath,
                 std::vector<std::string> OffloadFunctions = {});
  CallPathFinder(SinkPredicateIn IsSink, Reach Mode = Reach::AnyPath,
                 std::vector<std::string> OffloadFunctions = {});

  /// The first path, in source order, from the code of \p Function.
  std::optional<CallPath> findPath(const clang::FunctionDecl &Function);
  /// The first path from the statement \p S (a loop body, say).
  std::optional<CallPath> findPath(const clang::Stmt &S);

  /// True for calls whose callable arguments run on another thread.
  bool isOffloadingCall(const clang::Expr &Call) const;

  void setDestructionSink(DestructionSinkPredicate Predicate) {
    IsDestructionSink = std::move(Predicate);
  }

private:
  std::optional<CallPath> findPathAt(const clang::FunctionDecl &Function, unsigned Depth);
  std::optional<CallPath> searchStmt(const clang::Stmt *S, unsigned Depth,
                                     const clang::FunctionDecl *Within);
  std::optional<CallPath> searchCall(const clang::Expr &Call, const clang::FunctionDecl *Callee,
                                     unsigned Depth, const clang::FunctionDecl *Within);
  /// A step whose function is known (an implicit destructor call, an
  /// override): a sink, or a path through the function's definition.
  std::optional<CallPath> searchStep(const CallStep &Step, unsigned Depth,
                                     const clang::FunctionDecl *Within);
  /// \p Step's function as any override of \p Method the TU shows.
  std::optional<CallPath> searchOverrides(const CallStep &Step, const clang::CXXMethodDecl &Method,
                                          unsigned Depth, const clang::FunctionDecl *Within);
  /// \p Step followed by a path through its function's definition.
  std::optional<CallPath> searchDefinition(const CallStep &Step, unsigned Depth);
  /// The destructors that a destructor's definition runs after its body.
  std::optional<CallPath> searchMemberDestructors(const clang::CXXDestructorDecl &Destructor,
                                                  unsigned Depth);

  /// Children of \p S that run whenever \p S runs (EveryExecution mode).
  bool runsEveryTime(const clang::Stmt &Parent, const clang::Stmt &Child) const;
  /// mayEndIteration, memoised: every search through a block asks it of each
  /// statement of the block.
  bool mayContinue(const clang::Stmt &S);
  llvm::DenseMap<const clang::Stmt *, bool> Continues;

  SinkPredicateIn IsSink;
  DestructionSinkPredicate IsDestructionSink;
  Reach Mode;
  /// Overrides by overridden method, built on the first virtual call.
  OverrideIndex Overrides;
  /// Callables stored in fields, built on the first call through one.
  StoredCallables Stored;
  std::vector<std::string> OffloadFunctions;
  enum class State { InProgress, Done };
  struct Summary {
    State Progress = State::InProgress;
    std::optional<CallPath> Path;
  };
  llvm::DenseMap<const clang::FunctionDecl *, Summary> Summaries;
  /// Recursion: a function whose search met a caller still in progress and
  /// found no path may have one through that caller. Its "no path" holds for
  /// the current query only and is forgotten when the query ends.
  unsigned InProgressHits = 0;
  llvm::SmallVector<const clang::FunctionDecl *, 8> Provisional;
  void forgetProvisional();
};

/// The branch of \p If that cannot run because its condition is a constant
/// (`if constexpr (kFlag)`, `if (false)`, `if (kDebug)` with a constexpr
/// kDebug); null when either may run.
const clang::Stmt *constantlyDeadBranch(const clang::IfStmt &If, const clang::ASTContext &Context);

/// The default list of functions that run their callable arguments on
/// another thread.
const std::vector<std::string> &defaultOffloadFunctions();

} // namespace lastword::analysis

#endif
