//===--- Finalizers.h - Which code runs as a finalizer --------------------===//
//
// Finalizers run one at a time on the collector's finalizer thread, after
// their object became unreachable. Several checks ask what that code is:
//   - the callable handed to a finalizer registration (`set_finalizer`,
//     `GC_register_finalizer*`, also through GC_REGISTER_FINALIZER and the
//     GC_debug_ variants): a lambda, a function, a function object's
//     operator(), a std::bind target, a local variable holding one;
//   - Boehm C++: the destructor of a class deriving from `gc_cleanup`, and
//     the cleanup function of `new (GC, fn, data) T`.
// Cleanups (`add_cleanup`) are not finalizers: they run concurrently on
// workers and are never returned here.
//
// Usage: register finalizerRegistrationMatcher() and
// cleanupClassMatcher() (bound to the ids below), then hand each match to
// findFinalizerBodies(). Bodies instantiated from one template share an
// identity (finalizerIdentity) so that a check can judge them once.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_FINALIZERS_H
#define LASTWORD_ANALYSIS_FINALIZERS_H

#include "analysis/ApiCalls.h"
#include "analysis/ApiProfile.h"
#include "analysis/Callables.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include <optional>
#include <vector>

namespace lastword::analysis {

/// How a finalizer came to be registered.
enum class FinalizerSource {
  Registration, ///< a call of a Finalizer-role function of the profile
  BoehmNew,     ///< `new (GC, fn, data) T`
  CleanupClass, ///< the destructor of a class deriving from `gc_cleanup`
};

/// One piece of code that runs as a finalizer, and where it was registered.
struct FinalizerBody {
  FinalizerSource Source = FinalizerSource::Registration;
  /// The code that runs on the finalizer thread (a definition when visible).
  const clang::FunctionDecl *Body = nullptr;
  /// The registration call or new-expression (null for a cleanup class).
  const clang::Expr *Registration = nullptr;
  /// The callable argument of the registration (null for a cleanup class).
  const clang::Expr *Callback = nullptr;
  /// The gc_cleanup subclass whose destructor is the finalizer.
  const clang::CXXRecordDecl *CleanupClass = nullptr;
  /// The finalizable base (of the profile) it derives from: `gc_cleanup`.
  const clang::CXXRecordDecl *FinalizableBase = nullptr;
  /// The callable as resolved (absent for a cleanup class).
  std::optional<CallableTarget> Target;
  /// Where to show the registration: the callback argument, or the class's
  /// gc_cleanup base specifier.
  clang::SourceLocation RegisteredAt;
};

/// Binding ids used by the matchers below.
inline constexpr const char *FinalizerCallId = "lastword-finalizer-call";
inline constexpr const char *FinalizerNewId = "lastword-finalizer-new";
inline constexpr const char *CleanupClassId = "lastword-cleanup-class";

/// Registration calls of \p Profile (bound to FinalizerCallId) and, for
/// Boehm, `new (GC, fn, data)` (bound to FinalizerNewId). Outside system
/// headers; template instantiations included (see finalizerIdentity).
clang::ast_matchers::StatementMatcher finalizerRegistrationMatcher(const ApiProfile &Profile);
/// Classes with a user-written destructor, bound to CleanupClassId;
/// findFinalizerBodies keeps those deriving from one of the profile's
/// FinalizableBases (Boehm's gc_cleanup).
clang::ast_matchers::DeclarationMatcher cleanupClassMatcher();

/// The finalizer bodies registered by the node of \p Result bound to one of
/// the ids above; empty for unregistrations, cleanups, unresolvable callables.
std::vector<FinalizerBody>
findFinalizerBodies(const clang::ast_matchers::MatchFinder::MatchResult &Result,
                    const ApiProfile &Profile);
std::vector<FinalizerBody> findFinalizerBodies(const clang::CallExpr &Call,
                                               const ApiProfile &Profile);
std::vector<FinalizerBody> findFinalizerBodies(const clang::CXXNewExpr &New,
                                               const ApiProfile &Profile);
std::vector<FinalizerBody> findFinalizerBodies(const clang::CXXRecordDecl &CleanupClass,
                                               const ApiProfile &Profile);

/// The finalizer body a registration (possibly one made through a wrapper,
/// see below) registers; empty for unregistrations and unresolvable callables.
std::vector<FinalizerBody> findFinalizerBodies(const ApiCall &Api, FinalizerSource Source);

/// A function of the translation unit that registers a finalizer or cleanup
/// on one of its own parameters (`void register_unordered(void *obj,
/// GC_finalization_proc fn) { GC_register_finalizer_no_order(obj, fn, ...); }`):
/// each call of it is a registration of its argument.
struct RegistrationWrapper {
  const clang::FunctionDecl *Function = nullptr;
  /// The registration in its body (for a wrapper of a wrapper, the
  /// innermost one's API function, with this function's parameters).
  ApiCall Inner;
  /// Which parameter is the object, the callback, the data (-1: fixed in
  /// the body).
  int ObjectParam = -1;
  int CallbackParam = -1;
  int DataParam = -1;
};

/// \p Inner, a registration, as a wrapper of the function whose parameter
/// its object is; nullopt when the object is no parameter.
std::optional<RegistrationWrapper> registrationWrapperOf(const ApiCall &Inner);

/// Every call, in user code of the translation unit, of one of \p Wrappers'
/// functions, as the registration it makes (Call: the wrapper's call;
/// Function: the inner API function; Object, Callback, Data: the call's
/// arguments where the wrapper forwards its parameters). Wrappers of wrappers
/// are followed up to the wrapper-depth budget (analysis/Budgets.h).
std::vector<ApiCall> registrationsThroughWrappers(clang::ASTContext &Context,
                                                  std::vector<RegistrationWrapper> Wrappers);

/// One value for a finalizer body and every instantiation of it from the same
/// template: the location of the code as written (invalid when it has none).
clang::SourceLocation finalizerIdentity(const clang::FunctionDecl &Body);

} // namespace lastword::analysis

#endif
