//===--- TraceRoles.h - Traced fields, trace methods, visit calls ---------===//
//
// A precise collector marks only what a type's trace method visits. Which
// types are traced members, which methods trace, how a visit is spelled:
// the lastword runtime by default; none under Boehm (conservative).
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_TRACEROLES_H
#define LASTWORD_ANALYSIS_TRACEROLES_H

#include "analysis/ApiProfile.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Type.h"
#include <string>
#include <vector>

namespace lastword::analysis {

enum class TracedKind {
  None,      ///< nothing the trace method must visit
  Member,    ///< a traced member (`member<T>`)
  Array,     ///< a built-in array of traced members
  Container, ///< a standard container holding traced members
  Embedded,  ///< a record held by value that has traced fields
};

struct TracedShape {
  TracedKind Kind = TracedKind::None;
  /// The element is a traced member itself (`member<T>[4]`,
  /// `std::vector<member<T>>`), so a range-for visits it.
  bool ElementIsMember = false;
  /// The collected type a Member points to.
  const clang::CXXRecordDecl *Target = nullptr;
  /// An Embedded record that declares its own trace method.
  bool EmbeddedHasTrace = false;
};

class TraceRoles {
public:
  static TraceRoles of(const ApiProfile &Profile);
  /// False for a conservative collector: nothing to trace.
  bool precise() const { return !MemberTypes.empty(); }
  bool isTraceMethodName(llvm::StringRef Name) const;
  bool isMemberType(clang::QualType Type) const;
  TracedShape shapeOf(clang::QualType Type) const;
  bool hasCollectedBase(const clang::CXXRecordDecl &Record) const;
  /// `t.visit(next);`, or "" when no mechanical statement fits.
  std::string visitStatement(llvm::StringRef Visitor, bool VisitorIsPointer,
                             llvm::StringRef Field, const TracedShape &Shape) const;
  /// `void trace(lastword::tracer &t) const`, or "" when the profile names
  /// no tracer type.
  std::string traceSignature(llvm::StringRef Visitor) const;
  /// The tracer is handed by pointer (`cppgc::Visitor *`).
  bool visitorIsPointer() const { return VisitorByPointer; }
  /// `Base::trace(t);`
  std::string baseTraceStatement(llvm::StringRef Base, llvm::StringRef Method,
                                 llvm::StringRef Visitor) const;

  std::vector<std::string> MemberTypes;
  std::vector<std::string> TraceMethods;
  std::vector<std::string> VisitFunctions;
  std::vector<std::string> CollectedBases;
  /// The tracer's class (`lastword::tracer`), and how trace receives it.
  std::string VisitorType;
  bool VisitorByPointer = false;

private:
  TracedShape shapeOf(clang::QualType Type, unsigned Depth) const;
};

/// The record as written: a class template's pattern for its specializations.
const clang::CXXRecordDecl *asWritten(const clang::CXXRecordDecl &Record);

} // namespace lastword::analysis

#endif
