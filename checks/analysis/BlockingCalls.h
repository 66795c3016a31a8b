//===--- BlockingCalls.h - Calls that may block the calling thread --------===//
//
// "May this call stop the thread that makes it?" A finalizer must not block
// (every other finalizer waits behind it), and a loop that sleeps before it
// collects is a periodic collector rather than a hot loop. BlockingCalls
// answers the question for one call or construction, from a list of
// qualified names, and knows the forms of those functions that return at
// once: a zero timeout (`wait_for(lk, 0ms)`, `poll(fds, n, 0)`, `select`
// with a zero timeval whose value is visible), `std::try_to_lock` /
// `std::defer_lock` / `std::adopt_lock`, WNOHANG, LOCK_NB, MSG_DONTWAIT.
//
// Names are matched exactly against the callee's qualified name without
// template arguments or inline namespaces (`std::unique_lock::lock`), so
// `read` is the global POSIX read only, never `File::read` or `my::read`.
// A member function is also recognised by the class of the object it is
// called on (`std::future::wait` although libstdc++ declares it in a base).
// An entry naming a class (`std::lock_guard`) matches its constructions;
// one naming a destructor (`std::jthread::~jthread`) its implicit calls.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_BLOCKINGCALLS_H
#define LASTWORD_ANALYSIS_BLOCKINGCALLS_H

#include "analysis/CallPaths.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include <optional>
#include <string>
#include <vector>

namespace lastword::analysis {

class BlockingCalls {
public:
  explicit BlockingCalls(const std::vector<std::string> &QualifiedNames);

  /// The name (as listed) of the blocking function that \p CallOrConstruct
  /// (a CallExpr or CXXConstructExpr) calls, or nullopt when the call is not
  /// in the list or is one of its forms that cannot block.
  std::optional<std::string> blockingCallee(const clang::Expr &CallOrConstruct) const;

  /// The name (as listed, `std::jthread::~jthread`) of the destructor that
  /// an implicit destructor call \p Step runs when that destructor waits:
  /// a `std::jthread` joins unless detached or moved away; a
  /// `std::future` from `std::async` waits for its task when it is a
  /// discarded temporary or a local that is not moved away or returned.
  std::optional<std::string> blockingDestruction(const CallStep &Step) const;

  /// A lock owner (`std::lock_guard<M>`, `unique_lock`, `scoped_lock`,
  /// `shared_lock`) constructed on a mutex of the user's: the member that the
  /// construction calls (`M::lock`, `M::lock_shared`). Such a construction
  /// blocks when that member does, so blockingCallee() does not list it.
  static const clang::CXXMethodDecl *userMutexLock(const clang::Expr &CallOrConstruct);

  /// Adds to \p Out the listed calls in \p Body that the code around them
  /// shows cannot block: `get()` / `wait()` of a future just found ready,
  ///   if (f.wait_for(0s) == std::future_status::ready) f.get();
  ///   if (f.wait_for(0s) != std::future_status::ready) return; f.get();
  /// (the object is compared as written: a variable or a chain of fields).
  static void collectGuardedCalls(const clang::Stmt *Body,
                                  llvm::DenseSet<const clang::Expr *> &Out);

  /// Adds names (e.g. the API profile's collect and wait functions).
  void add(llvm::StringRef QualifiedName);

  /// The default list: the standard library's, POSIX's blocking calls.
  static const std::vector<std::string> &defaultNames();

private:
  std::optional<std::string> matchName(const clang::NamedDecl &D) const;
  llvm::StringSet<> Names;
};

/// The qualified name of \p D without template arguments, anonymous or
/// inline namespaces: `std::unique_lock::lock` for
/// `std::unique_lock<std::mutex>::lock`, `std::future::get` for libstdc++'s
/// `std::future<void>::get`.
std::string plainQualifiedName(const clang::NamedDecl &D);

} // namespace lastword::analysis

#endif
