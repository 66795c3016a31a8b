//===--- ApiCalls.h - Recognising calls into the collector's API ----------===//

#ifndef LASTWORD_ANALYSIS_APICALLS_H
#define LASTWORD_ANALYSIS_APICALLS_H

#include "analysis/ApiProfile.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include <optional>

namespace lastword::analysis {

/// A call into the collector's API with its arguments sorted by meaning.
struct ApiCall {
  ApiRole Role;
  const ApiFunction *Function = nullptr;
  const clang::Expr *Call = nullptr;     ///< CallExpr, or CXXNewExpr for new (GC, fn, cd)
  const clang::Expr *Object = nullptr;   ///< the object the call is about
  const clang::Expr *Callback = nullptr; ///< finalizer or cleanup callable
  const clang::Expr *Data = nullptr;     ///< client data or cleanup argument
  /// `set_finalizer(obj, nullptr)` and `GC_register_finalizer(obj, 0, ...)`
  /// unregister rather than register.
  bool Unregisters = false;
};

/// The function pointer field or variable \p Call calls through
/// (`api->add_finalizer(...)`, `(*on_death)(...)`), or null.
const clang::ValueDecl *calledFunctionPointer(const clang::CallExpr &Call);

/// Argument \p Index of \p Call as written: null when the index is negative
/// (the role has no argument), out of range, or filled by a default argument.
const clang::Expr *argumentAt(const clang::CallExpr &Call, int Index);
/// \p E passes no callable (absent, nullptr, NULL or 0): the registration
/// clears the finalizer.
bool isNullCallback(const clang::Expr *E);

/// The class a registration's object argument points to or names (`p`,
/// `this`, `(void *)p`, `*p`, and what lookThrough sees through): the most
/// derived of the classes it is spelled as on the way, so
/// `static_cast<Derived *>(this)` in a CRTP base registers Derived. Null
/// when none is a class, or the class is dependent (a template's pattern).
const clang::RecordDecl *registeredRecord(const clang::Expr *Object);

/// Classifies \p Call under \p Profile; nullopt when it is no API call. A
/// call through a function pointer field or variable is named by the field
/// (`gc_api::add_finalizer`) or the variable.
std::optional<ApiCall> classifyCall(const clang::CallExpr &Call, const ApiProfile &Profile);
/// Same, for a call known to have \p Role.
std::optional<ApiCall> classifyCall(const clang::CallExpr &Call, const ApiProfile &Profile,
                                    ApiRole Role);
/// In a template as written, a call whose callee is still an unresolved name
/// (`lastword::set_finalizer(this, ...)` with dependent arguments), classified
/// by the names its lookup found; nullopt for any other call.
std::optional<ApiCall> classifyUnresolvedCall(const clang::CallExpr &Call,
                                              const ApiProfile &Profile, ApiRole Role);
/// Boehm's `new (GC, cleanup_fn, data) T`: a finalizer registration.
std::optional<ApiCall> classifyBoehmNew(const clang::CXXNewExpr &New, const ApiProfile &Profile);

/// Calls to a function named one of \p Names (qualified names anchored as in
/// hasAnyName). Same answers as `callee(functionDecl(hasAnyName(Names)))`, but
/// a call whose callee's identifier ends none of the names is rejected by one
/// hash lookup: the match finder tries every call matcher on every call, and
/// the nested matchers cost more than the parse of the call.
clang::ast_matchers::internal::Matcher<clang::CallExpr>
callsFunctionNamed(llvm::ArrayRef<llvm::StringRef> Names);

/// Matches calls whose callee has one of the profile's names for \p Role.
clang::ast_matchers::internal::Matcher<clang::CallExpr> apiCallTo(const ApiProfile &Profile,
                                                                  ApiRole Role);
/// Calls to a function of any of \p Roles: one matcher instead of one per
/// role, so that every call of the translation unit is tested once.
clang::ast_matchers::internal::Matcher<clang::CallExpr> apiCallTo(const ApiProfile &Profile,
                                                                  llvm::ArrayRef<ApiRole> Roles);

/// Matches calls, in templates as written, whose unresolved callee names one
/// of the profile's functions for \p Role.
clang::ast_matchers::internal::Matcher<clang::CallExpr>
unresolvedApiCallTo(const ApiProfile &Profile, ApiRole Role);

/// The class among \p Record and its bases (transitively) named in
/// \p Bases, or null. A dependent base is named by its template
/// (`cppgc::GarbageCollected<T>`); the result is then the template's class.
const clang::CXXRecordDecl *derivesFrom(const clang::CXXRecordDecl &Record, const NameList &Bases);
/// Placement new whose first placement argument is one of the profile's
/// PlacementTags (Boehm's `new (GC) T`, `new (UseGC, fn, cd) T`).
bool isPlacementCollectedNew(const clang::CXXNewExpr &New, const ApiProfile &Profile);
/// A new-expression that allocates on the collected heap: placement with a
/// tag, or a plain `new T` of a class deriving from one of the profile's
/// CollectedBases (Boehm's `gc`, whose operator new allocates collected).
bool isCollectedNew(const clang::CXXNewExpr &New, const ApiProfile &Profile);
/// A class deriving from one of the profile's FinalizableBases (Boehm's
/// `gc_cleanup`), not the base itself: its destructor is its finalizer.
bool isBoehmCleanupClass(const clang::CXXRecordDecl &Record, const ApiProfile &Profile);

/// Removes parentheses, implicit and explicit casts and no-op wrappers
/// (`std::move`, `std::forward`, `.get()` of member/persistent/smart pointers)
/// that do not change which object an expression designates.
const clang::Expr *stripObjectWrappers(const clang::Expr *E);

} // namespace lastword::analysis

#endif
