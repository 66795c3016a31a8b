//===--- TracedFields.h - What a trace method must visit, and how ---------===//
//
// A precise collector marks only what a collected class's trace method
// hands to the visitor. This file says, from the ApiProfile's type roles
// (through CollectedTypes), which fields of a class a trace method must
// visit and in which shape (a member, an array or container of members, an
// embedded struct that holds members), finds a class's trace method, and
// spells the statements a fix-it adds: `t.visit(next);` for the lastword
// runtime, `visitor->Trace(next_);` for cppgc, `v.visit(car);` for a
// collector declared by options.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_TRACEDFIELDS_H
#define LASTWORD_ANALYSIS_TRACEDFIELDS_H

#include "analysis/ApiProfile.h"
#include "analysis/CollectedTypes.h"
#include "clang/AST/DeclCXX.h"
#include <string>

namespace lastword::analysis {

enum class TracedKind {
  None,      ///< nothing the trace method must visit
  Member,    ///< a MemberTypes or WeakMemberTypes field
  Array,     ///< a built-in array of them
  Container, ///< a standard container holding them
  Embedded,  ///< a record held by value that has such fields
};

struct TracedShape {
  TracedKind Kind = TracedKind::None;
  /// The element is a member itself (`member<T>[4]`,
  /// `std::vector<member<T>>`), so a range-for visits it.
  bool ElementIsMember = false;
  /// A weak member (or elements that are): traced so that the collector
  /// clears it, it does not keep its target alive.
  bool Weak = false;
  /// The class a Member points to, when known.
  const clang::CXXRecordDecl *Target = nullptr;
  /// An Embedded record that declares its own trace method.
  bool EmbeddedHasTrace = false;
};

/// The profile declares a precise collector: trace methods, and member types
/// that they visit (so a raw pointer in a collected object is not traced).
/// False under Boehm, which scans conservatively.
bool tracesPrecisely(const ApiProfile &Profile);

/// What a trace method must do with a field of type \p Type. UntracedMember,
/// persistent handles, raw and smart pointers are None.
TracedShape tracedShape(CollectedTypes &Types, clang::QualType Type);

/// The classes the collector reaches from an object through its field of
/// type \p Type, as the edges of a graph of types: the target of a member
/// (MemberTypes only: weak and untraced members keep nothing alive), also in
/// arrays and standard containers; under a conservative profile (no
/// tracesPrecisely) every pointer to a class in the object itself or in a
/// container the collector scans (inline storage such as std::array and
/// std::pair, or a scannedAllocators allocator); and a user struct held by
/// value, whose own fields are the next edges. Types are canonical and
/// unqualified; none for a dependent type.
void reachedTypes(CollectedTypes &Types, clang::QualType Type,
                  llvm::SmallVectorImpl<clang::QualType> &Out);

/// \p Method is one of the profile's TraceMethods.
bool isTraceMethod(const ApiProfile &Profile, const clang::NamedDecl &Method);
/// \p Name (of a call not yet resolved, in a template) may name one.
bool isTraceMethodName(const ApiProfile &Profile, llvm::StringRef Name);

/// The trace method \p Record declares itself (non-static, taking the
/// visitor), or null.
const clang::CXXMethodDecl *ownTraceMethod(const ApiProfile &Profile,
                                           const clang::CXXRecordDecl &Record);
/// The trace method \p Record inherits from its nearest base that declares
/// one, or null.
const clang::CXXMethodDecl *inheritedTraceMethod(const ApiProfile &Profile,
                                                 const clang::CXXRecordDecl &Record);

/// The statement that visits field \p Field of \p Shape with the visitor
/// parameter \p Visitor: `t.visit(next);`, `visitor->Trace(next_);`,
/// `for (const auto &element : kids) t.visit(element);`, `links.trace(t);`;
/// "" when no mechanical statement fits (a map, an embedded struct without
/// a trace method, a profile without visit functions).
std::string visitStatement(const ApiProfile &Profile, llvm::StringRef Visitor,
                           bool VisitorIsPointer, llvm::StringRef Field, const TracedShape &Shape);

/// How a new trace method names and takes its visitor: `t` by reference
/// (`lastword::tracer &t`), `visitor` by pointer under cppgc.
llvm::StringRef newVisitorName(const ApiProfile &Profile);
bool newVisitorIsPointer(const ApiProfile &Profile);

/// `void trace(lastword::tracer &t) const`, `void Trace(cppgc::Visitor *visitor)
/// const`; "" when the first VisitFunctions entry names no visitor class.
std::string traceSignature(const ApiProfile &Profile);

/// `Base::trace(t);`
std::string baseTraceStatement(llvm::StringRef Base, llvm::StringRef Method,
                               llvm::StringRef Visitor);

} // namespace lastword::analysis

#endif
