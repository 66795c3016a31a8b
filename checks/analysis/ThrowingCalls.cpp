//===--- ThrowingCalls.cpp - Calls the translation unit shows throwing -----===//

#include "analysis/ThrowingCalls.h"
#include "analysis/ApiProfile.h"
#include "analysis/Budgets.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang;

namespace lastword::analysis {
namespace {

bool declaredNonThrowing(const FunctionDecl &F) {
  if (F.hasAttr<NoThrowAttr>())
    return true;
  const auto *Proto = F.getType()->getAs<FunctionProtoType>();
  return Proto && Proto->canThrow() == CT_Cannot;
}

} // namespace

template <typename Visitor> bool ThrowingCalls::anyUncaught(const Stmt *Body, Visitor Visit) {
  llvm::SmallVector<const Stmt *, 32> Work{Body};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S || isa<LambdaExpr>(S))
      continue;
    if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      // What the try block throws, its handlers catch (or rethrow, which
      // they show themselves).
      for (unsigned I = Try->getNumHandlers(); I-- > 0;)
        Work.push_back(Try->getHandler(I)->getHandlerBlock());
      continue;
    }
    if (Visit(*S))
      return true;
    llvm::SmallVector<const Stmt *, 8> Children(S->child_begin(), S->child_end());
    Work.append(Children.rbegin(), Children.rend());
  }
  return false;
}

const FunctionDecl *calledFunction(const Stmt &S) {
  if (const auto *Call = dyn_cast<CallExpr>(&S))
    return Call->getDirectCallee();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(&S))
    return Construct->getConstructor();
  return nullptr;
}

bool ThrowingCalls::mayThrow(const FunctionDecl &Callee) { return mayThrowAt(Callee, 0); }

bool ThrowingCalls::mayThrowAt(const FunctionDecl &Callee, unsigned Depth) {
  const FunctionDecl *Canonical = Callee.getCanonicalDecl();
  if (auto It = Known.find(Canonical); It != Known.end())
    return It->second == 1;
  // The collector's own API throws on misuse only (a registration on a
  // pointer it did not allocate), which is not a path to judge.
  if (declaredNonThrowing(Callee) || isa<CXXDestructorDecl>(Callee) ||
      isInSystemCode(Callee.getLocation(), Context.getSourceManager()) ||
      ApiProfile::isInLibraryNamespace(Callee))
    return false;
  const FunctionDecl *Definition = nullptr;
  if (!Callee.hasBody(Definition) || !Definition) {
    bool Documented = documentedToThrow(Callee);
    Known[Canonical] = Documented ? 1 : 0;
    return Documented;
  }
  if (Depth > limitOf(Budget::ThrowDepth)) {
    budgetReached(Budget::ThrowDepth);
    return false; // not memoised: a shallower query may see further
  }
  Known[Canonical] = 2;
  bool Throws = anyUncaught(Definition->getBody(), [&](const Stmt &S) {
    if (isa<CXXThrowExpr>(S))
      return true;
    const FunctionDecl *Inner = calledFunction(S);
    return Inner && Inner->getCanonicalDecl() != Canonical && mayThrowAt(*Inner, Depth + 1);
  });
  Known[Canonical] = Throws ? 1 : 0;
  return Throws;
}

llvm::SmallVector<const Expr *, 4> ThrowingCalls::uncaughtThrowingCalls(const Stmt *Body) {
  llvm::SmallVector<const Expr *, 4> Calls;
  anyUncaught(Body, [&](const Stmt &S) {
    if (const FunctionDecl *Callee = calledFunction(S); Callee && mayThrow(*Callee))
      Calls.push_back(cast<Expr>(&S));
    return false;
  });
  return Calls;
}

// The comment lines right above a declaration (no blank line between)
// mention throwing, and do not deny it.
bool ThrowingCalls::documentedToThrow(const FunctionDecl &Function) const {
  const SourceManager &SM = Context.getSourceManager();
  for (const FunctionDecl *Redecl : Function.redecls()) {
    SourceLocation Begin = SM.getExpansionLoc(Redecl->getBeginLoc());
    if (Begin.isInvalid() || SM.isInSystemHeader(Begin))
      continue;
    auto [File, Offset] = SM.getDecomposedLoc(Begin);
    bool Invalid = false;
    StringRef Buffer = SM.getBufferData(File, &Invalid);
    if (Invalid || Offset > Buffer.size())
      continue;
    StringRef Before = Buffer.take_front(Offset);
    // Back to the start of the declaration's line, then line by line up.
    size_t LineStart = Before.rfind('\n');
    Before = Before.take_front(LineStart == StringRef::npos ? 0 : LineStart);
    std::string Comment;
    bool InBlock = false;
    for (unsigned Lines = 0; Lines < 16 && !Before.empty(); ++Lines) {
      size_t Start = Before.rfind('\n');
      StringRef Line = Start == StringRef::npos ? Before : Before.drop_front(Start + 1);
      Before = Start == StringRef::npos ? StringRef() : Before.take_front(Start);
      StringRef Text = Line.trim();
      if (InBlock || Text.ends_with("*/")) {
        InBlock = !Text.contains("/*");
      } else if (!Text.starts_with("//")) {
        break;
      }
      Comment += Text.lower();
      Comment += ' ';
    }
    StringRef Said(Comment);
    if (!Said.contains("throw") && !Said.contains("@exception"))
      continue;
    if (Said.contains("not throw") || Said.contains("never throw") || Said.contains("n't throw") ||
        Said.contains("no throw") || Said.contains("nothrow"))
      return false;
    return true;
  }
  return false;
}

} // namespace lastword::analysis
