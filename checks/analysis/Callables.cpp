//===--- Callables.cpp ----------------------------------------------------===//

#include "analysis/Callables.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/Decl.h"
#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace lastword::analysis {
namespace {

bool isStdFunctionNamed(const FunctionDecl *Function, StringRef Name) {
  return Function && Function->isInStdNamespace() && hasName(Function, Name);
}

// Strips what does not change the callable: parentheses, casts,
// temporaries, copies and moves, std::function and std::move wrappers.
const Expr *skipCallableWrappers(const Expr *E) {
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    const Expr *Before = E;
    E = skipTemporaries(E->IgnoreParenCasts());
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      const CXXRecordDecl *Record = Construct->getConstructor()->getParent();
      bool IsWrapper = Construct->getConstructor()->isCopyOrMoveConstructor() ||
                       (Record->isInStdNamespace() && hasName(Record, "function"));
      if (IsWrapper && Construct->getNumArgs() >= 1 && !isa<CXXTemporaryObjectExpr>(Construct))
        E = Construct->getArg(0);
    }
    if (const auto *Call = dyn_cast<CallExpr>(E))
      if (isStdFunctionNamed(Call->getDirectCallee(), "move") && Call->getNumArgs() == 1)
        E = Call->getArg(0);
    if (const auto *Unary = dyn_cast<UnaryOperator>(E))
      if (Unary->getOpcode() == UO_AddrOf &&
          isa<DeclRefExpr>(Unary->getSubExpr()->IgnoreParens()) &&
          isa<FunctionDecl>(cast<DeclRefExpr>(Unary->getSubExpr()->IgnoreParens())->getDecl()))
        E = Unary->getSubExpr();
    if (E == Before)
      return E;
  }
  return E;
}

// The one lambda a function of the translation unit returns on every path
// (a factory of callbacks: `Recycler recycler() { return [this](Buf *b)
// {...}; }`); null when it returns anything else or more than one.
const LambdaExpr *lambdaReturnedBy(const FunctionDecl *Callee) {
  const FunctionDecl *Definition = nullptr;
  if (!Callee || Callee->isInStdNamespace() || !Callee->hasBody(Definition) || !Definition ||
      Definition->getReturnType()->isVoidType() ||
      isInSystemCode(Definition->getLocation(), Definition->getASTContext().getSourceManager()))
    return nullptr;
  const LambdaExpr *Found = nullptr;
  bool Other = false;
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    if (Other || isa<LambdaExpr>(S))
      return false;
    if (const auto *Return = dyn_cast<ReturnStmt>(&S)) {
      const auto *Lambda =
          dyn_cast_or_null<LambdaExpr>(skipCallableWrappers(Return->getRetValue()));
      if (!Lambda || (Found && Found != Lambda))
        Other = true;
      Found = Lambda;
      return false;
    }
    return true;
  });
  return Other ? nullptr : Found;
}

} // namespace

const CXXMethodDecl *callOperatorOf(const CXXRecordDecl &Record) {
  const CXXRecordDecl *Definition = Record.getDefinition();
  if (!Definition)
    return nullptr;
  if (Definition->isLambda())
    return Definition->getLambdaCallOperator();
  const CXXMethodDecl *Found = nullptr;
  for (const CXXMethodDecl *Method : Definition->methods()) {
    if (Method->getOverloadedOperator() != OO_Call)
      continue;
    if (Found)
      return nullptr; // overloaded: cannot tell which runs
    Found = Method;
  }
  return Found;
}

std::optional<CallableTarget> resolveCallable(const Expr *Callback) {
  CallableTarget Target;
  const Expr *E = skipCallableWrappers(Callback);
  // A local variable initialised with the callable, or a constant one
  // (`inline constexpr auto on_collect = [](Buffer *b) {...};`): follow it.
  for (unsigned Depth = 0; E && Depth < 8; ++Depth) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    bool Constant =
        Var && Var->hasGlobalStorage() && (Var->isConstexpr() || Var->getType().isConstQualified());
    if (!Var || !(Var->hasLocalStorage() || Constant) || Var->getType()->isReferenceType() ||
        !Var->getInit() || isa<ParmVarDecl>(Var))
      break;
    E = skipCallableWrappers(Var->getInit());
  }
  if (!E)
    return std::nullopt;
  Target.Source = E;

  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    Target.Lambda = Lambda;
    Target.Body = Lambda->getCallOperator();
    Target.FunctionObject = Lambda->getLambdaClass();
    return Target;
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl())) {
      Target.Body = Function;
      return Target;
    }
    return std::nullopt;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if ((isStdFunctionNamed(Callee, "bind") || isStdFunctionNamed(Callee, "bind_front") ||
         isStdFunctionNamed(Callee, "bind_back")) &&
        Call->getNumArgs() >= 1) {
      Target.IsBind = true;
      if (std::optional<CallableTarget> Bound = resolveCallable(Call->getArg(0))) {
        Target.Body = Bound->Body;
        Target.Lambda = Bound->Lambda;
        Target.FunctionObject = Bound->FunctionObject;
      }
      for (unsigned I = 1; I < Call->getNumArgs(); ++I)
        Target.StoredArguments.push_back(Call->getArg(I));
      return Target;
    }
    if (const LambdaExpr *Lambda = lambdaReturnedBy(Callee)) {
      Target.Lambda = Lambda;
      Target.Body = Lambda->getCallOperator();
      Target.FunctionObject = Lambda->getLambdaClass();
      Target.ReturnedBy = Callee;
      return Target;
    }
    return std::nullopt;
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    const CXXRecordDecl *Record = Construct->getConstructor()->getParent();
    Target.FunctionObject = Record;
    if (const CXXMethodDecl *Call = callOperatorOf(*Record))
      Target.Body = Call;
    for (const Expr *Arg : Construct->arguments())
      Target.StoredArguments.push_back(Arg);
    return Target;
  }
  if (const auto *List = dyn_cast<InitListExpr>(E)) {
    if (const CXXRecordDecl *Record = List->getType()->getAsCXXRecordDecl()) {
      Target.FunctionObject = Record;
      Target.Body = callOperatorOf(*Record);
      for (const Expr *Init : List->inits())
        Target.StoredArguments.push_back(Init);
      return Target;
    }
  }
  if (const auto *ParenList = dyn_cast<CXXParenListInitExpr>(E)) {
    if (const CXXRecordDecl *Record = ParenList->getType()->getAsCXXRecordDecl()) {
      Target.FunctionObject = Record;
      Target.Body = callOperatorOf(*Record);
      for (const Expr *Init : ParenList->getInitExprs())
        Target.StoredArguments.push_back(Init);
      return Target;
    }
  }
  // A function object of a known class built elsewhere: its code, no state.
  if (const CXXRecordDecl *Record = E->getType()->getAsCXXRecordDecl()) {
    if (const CXXMethodDecl *Call = callOperatorOf(*Record)) {
      Target.FunctionObject = Record;
      Target.Body = Call;
      return Target;
    }
  }
  return std::nullopt;
}

namespace {

bool holdsCallable(QualType Type) {
  Type = Type.getNonReferenceType();
  if (Type->isFunctionPointerType() || Type->isMemberFunctionPointerType())
    return true;
  const auto *Record = Type->getAsCXXRecordDecl();
  return Record && Record->isInStdNamespace() && Record->getIdentifier() &&
         (Record->getName() == "function" || Record->getName() == "move_only_function");
}

const FieldDecl *fieldOf(const Expr *E) {
  const auto *Member = dyn_cast_or_null<MemberExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
  return Field && holdsCallable(Field->getType()) ? Field : nullptr;
}

class StoreIndexer : public UserCodeVisitor<StoreIndexer> {
public:
  StoreIndexer(const SourceManager &SM,
               llvm::DenseMap<const FieldDecl *, llvm::SmallVector<CallableTarget, 2>> &Index)
      : UserCodeVisitor(SM), Index(Index) {}

  bool VisitBinaryOperator(BinaryOperator *Assign) {
    if (Assign->getOpcode() == BO_Assign)
      note(fieldOf(Assign->getLHS()), Assign->getRHS());
    return true;
  }
  bool VisitCXXOperatorCallExpr(CXXOperatorCallExpr *Call) {
    if (Call->getOperator() == OO_Equal && Call->getNumArgs() == 2)
      note(fieldOf(Call->getArg(0)), Call->getArg(1));
    return true;
  }
  bool VisitCXXConstructorDecl(CXXConstructorDecl *Constructor) {
    if (Constructor->doesThisDeclarationHaveABody())
      for (const CXXCtorInitializer *Init : Constructor->inits())
        if (Init->isMemberInitializer() && Init->isWritten() &&
            holdsCallable(Init->getMember()->getType()))
          note(Init->getMember(), Init->getInit());
    return true;
  }

private:
  void note(const FieldDecl *Field, const Expr *Value) {
    if (!Field || !Value)
      return;
    if (std::optional<CallableTarget> Target = resolveCallable(Value); Target && Target->Body)
      Index[Field->getCanonicalDecl()].push_back(std::move(*Target));
  }

  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<CallableTarget, 2>> &Index;
};

} // namespace

const FieldDecl *calledCallableField(const CallExpr &Call) {
  if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&Call))
    return Operator->getOperator() == OO_Call && Operator->getNumArgs() >= 1
               ? fieldOf(Operator->getArg(0))
               : nullptr;
  if (Call.getDirectCallee())
    return nullptr;
  // `ops->close(c)`, `(*ops->close)(c)`: a function pointer field.
  return dyn_cast_or_null<FieldDecl>(calledFunctionPointer(Call));
}

llvm::ArrayRef<CallableTarget> StoredCallables::storedIn(const FieldDecl &Field) {
  if (!Index) {
    Index.emplace();
    const ASTContext &Context = Field.getASTContext();
    StoreIndexer(Context.getSourceManager(), *Index).TraverseDecl(Context.getTranslationUnitDecl());
  }
  auto It = Index->find(Field.getCanonicalDecl());
  if (It == Index->end())
    return {};
  return It->second;
}

} // namespace lastword::analysis
