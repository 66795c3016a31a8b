//===--- CalleeSummaries.h - What a called function does with its arguments ===//
//
// Memoised per translation unit (one instance in the FlowCache): the reach
// analysis asks the same questions of the same callees for every object.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_CALLEESUMMARIES_H
#define LASTWORD_ANALYSIS_CALLEESUMMARIES_H

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"

namespace lastword::analysis {

class CalleeSummaries {
public:
  /// For a member function or constructor with a visible body: the field
  /// of `*this` that parameter \p Param is stored in, if any (`this->f = p;`,
  /// `f = p;`, `f.push_back(p);`, `: f(p)`).
  const clang::FieldDecl *fieldStoringParameter(const clang::FunctionDecl &Method, unsigned Param);

  /// A constructor with a visible body that only reads through pointer
  /// parameter \p Index (`fd(c->fd)`, `if (c)`, `*c` copied) and never keeps
  /// or passes on the pointer itself: the built object does not hold it.
  bool constructorOnlyReads(const clang::CXXConstructorDecl *Ctor, unsigned Index);

private:
  llvm::DenseMap<std::pair<const clang::FunctionDecl *, unsigned>, const clang::FieldDecl *> Stored;
  llvm::DenseMap<std::pair<const clang::CXXConstructorDecl *, unsigned>, bool> ReadsOnly;
};

/// The class a call `make<T>(...)` / `std::make_shared<T>(...)` builds.
const clang::CXXRecordDecl *builtRecord(const clang::CallExpr &Call);

/// The one constructor of \p Record, other than copy and move, that takes
/// \p Arguments arguments; null when there is none or more than one.
const clang::CXXConstructorDecl *onlyConstructorTaking(const clang::CXXRecordDecl *Record,
                                                       unsigned Arguments);

/// Is \p Method a member of a standard container, smart pointer or
/// adaptor that stores its arguments (push_back, insert, emplace, assign,
/// reset(p), ...)?
bool isStdInserter(const clang::CXXMethodDecl &Method);

/// Is \p Method a member of a standard class that empties it (clear,
/// reset())? Its receiver no longer holds what was stored.
bool isStdClearer(const clang::CXXMemberCallExpr &Call);

/// Is \p Method a standard element access or iterator of a container,
/// smart pointer or optional (at, front, back, top, get, value, begin,
/// find, ...)? Its result is part of what the receiver holds.
bool isStdElementAccess(const clang::CXXMethodDecl &Method);

} // namespace lastword::analysis

#endif
