//===--- ReachNotes.h - How reach facts read in a note --------------------===//

#ifndef LASTWORD_ANALYSIS_REACHNOTES_H
#define LASTWORD_ANALYSIS_REACHNOTES_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace lastword::analysis {

/// One fact in a chain that leads from a value to the object.
struct ReachStep {
  enum class Kind {
    Alias,    ///< Holder points to the object itself (`Res *alias = r;`)
    Holds,    ///< Holder holds the object in its state (a field, a container)
    Interior, ///< the value points into the object (`&p->fd`)
    Element,  ///< Holder is an element taken from the next holder (`v.front()`)
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
/// "'pool' holds the object through 'pool->conn', assigned here", or
/// "'this' reaches the object through 'this->outline_'".
std::string describeStep(const ReachChain &Chain, size_t Index);

/// \p E as the user wrote it (one line, shortened), for messages; a printed
/// form when the source is not at hand. Never a standard-library internal:
/// a name reserved to the implementation (`_M_str`) is replaced by
/// "expression".
std::string exprText(const clang::Expr *E, const clang::ASTContext &Context);

} // namespace lastword::analysis

#endif
