//===--- SourceUtils.h - Where code is and how to show it -----------------===//

#ifndef LASTWORD_ANALYSIS_SOURCEUTILS_H
#define LASTWORD_ANALYSIS_SOURCEUTILS_H

#include "analysis/CallPaths.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <memory>
#include <string>
#include <vector>

namespace lastword::analysis {

/// Code the user cannot change: system headers, and macros defined there.
bool isInSystemCode(clang::SourceLocation Loc, const clang::SourceManager &SM);

/// A RecursiveASTVisitor that does not enter declarations in system code:
/// the standard library is most of a translation unit, and never the code
/// a check judges.
template <typename Derived> class UserCodeVisitor : public clang::RecursiveASTVisitor<Derived> {
public:
  explicit UserCodeVisitor(const clang::SourceManager &SM) : SM(SM) {}
  bool TraverseDecl(clang::Decl *D) {
    if (D && !llvm::isa<clang::TranslationUnitDecl>(D) && isInSystemCode(D->getLocation(), SM))
      return true;
    return clang::RecursiveASTVisitor<Derived>::TraverseDecl(D);
  }

protected:
  const clang::SourceManager &SM;
};

/// True when \p D is, or sits inside, a template instantiation: the checks
/// judge the template as written, once.
bool isInTemplateInstantiation(const clang::Decl &D);

/// The instantiations in this TU of \p Pattern, a function template, a
/// member function of a class template or a member template of one, found
/// through the templates' own lists of specializations (no traversal of
/// instantiated code); only those with a body.
void forEachInstantiation(const clang::FunctionDecl &Pattern,
                          llvm::function_ref<void(const clang::FunctionDecl &)> Visit);

/// The name to show for a function: qualified, without template arguments
/// (`std::mutex::lock`, `Pool::drain`, `lambda` for a lambda's operator()).
std::string displayName(const clang::FunctionDecl &Function);

/// The plain identifier naming \p D, or "" when its name is not one: an
/// operator, a conversion (`operator T *`), a constructor or destructor, a
/// structured binding. NamedDecl::getName() asserts on those, so every name
/// comparison in the checks goes through here (or hasName).
llvm::StringRef identifierName(const clang::NamedDecl *D);

/// True when \p D is named by the plain identifier \p Name.
bool hasName(const clang::NamedDecl *D, llvm::StringRef Name);

/// The name to show for \p D in a message, whatever kind of name it has:
/// `fd`, `operator Res *`, `[held, tag]` for a structured binding.
std::string declName(const clang::NamedDecl &D);

/// What skipTemporaries looks through besides parentheses, implicit casts
/// and temporaries (materialised, bound, with cleanups).
enum class SkipAlso {
  /// Copy and move constructions: to the expression that produces the value.
  Copies,
  /// Explicit casts too, but not copies: to the expression that names the
  /// object (`static_cast<Base *>(c)` is `c`; a copy is another object).
  Casts,
};

/// The lambda an argument passes, looking through temporaries and a
/// wrapper built from it (`std::function<void()> fn = [..]{..}` as a
/// parameter); null when it passes none.
const clang::LambdaExpr *lambdaPassed(const clang::Expr *Arg);

/// Looks through parentheses, implicit casts, temporaries and, as \p Also
/// says, copy/move constructions or explicit casts.
const clang::Expr *skipTemporaries(const clang::Expr *E, SkipAlso Also = SkipAlso::Copies);

/// Visits \p Root and its descendants in pre-order (source order), without
/// recursion: generated code nests expressions tens of thousands deep.
/// \p Visit returns false to skip a node's children.
void visitStmts(const clang::Stmt *Root, llvm::function_ref<bool(const clang::Stmt &)> Visit);

/// Can \p S end its loop's iteration early: a `continue` of the loop (not
/// one of a nested loop or lambda), or with \p LambdaBody (\p S is in the
/// body of a lambda run once per element) a `return`?
bool mayEndIteration(const clang::Stmt &S, bool LambdaBody = false);

/// Visits the return statements of a body, not those of nested lambdas
/// and blocks.
void forEachReturn(const clang::Stmt *Body,
                   llvm::function_ref<void(const clang::ReturnStmt &)> Visit);

/// Finds the function whose body contains a statement without clang's
/// parent map, whose first use walks the whole translation unit, system
/// headers included (most of the cost of a check otherwise). Indexes the
/// function definitions of user code once; lambdas count as part of the
/// function that contains them. A query costs a binary search in the
/// functions of the statement's file, not a comparison with every function.
class EnclosingFunctions {
public:
  explicit EnclosingFunctions(clang::ASTContext &Context);
  /// The index of \p Context, built once and shared by the checks of this
  /// thread until forgetSharedEnclosingFunctions (the checks call it at the
  /// start of each translation unit); outside that, built anew.
  static std::shared_ptr<const EnclosingFunctions> shared(clang::ASTContext &Context);
  /// The innermost non-lambda function whose body contains \p S, or null
  /// (a global initialiser, code in a system header).
  const clang::FunctionDecl *of(const clang::Stmt &S) const;

private:
  /// A function whose definition begins and ends in one file, by offsets.
  struct Entry {
    const clang::FunctionDecl *Function;
    unsigned Begin, End;
    /// The entry whose range holds this one (a local class's method in its
    /// function), or -1: a query climbs these instead of scanning.
    int Outer;
  };
  /// One file's entries, sorted by Begin (outer first on equal Begins).
  llvm::DenseMap<clang::FileID, std::vector<Entry>> ByFile;
  /// A definition that spans files (an #include inside its body), compared
  /// by isBeforeInTranslationUnit; rare.
  struct SpanningEntry {
    const clang::FunctionDecl *Function;
    clang::SourceLocation Begin, End;
  };
  std::vector<SpanningEntry> Spanning;
  const clang::SourceManager &SM;
};

/// How a step runs when no plain call is written: an implicit destructor
/// call ("'guard' is destroyed at the end of its scope"), a virtual call
/// followed into an override; empty otherwise.
std::string describeStep(const CallStep &Step);

/// Forgets the index EnclosingFunctions::shared keeps; from then on it is
/// kept until the next call.
void forgetSharedEnclosingFunctions();

} // namespace lastword::analysis

#endif
