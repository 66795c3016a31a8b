//===--- Stores.cpp -------------------------------------------------------===//

#include "analysis/Stores.h"
#include "analysis/Budgets.h"
#include "analysis/ExprNormalise.h"
#include "analysis/ReachNotes.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ExprConcepts.h"

using namespace clang;

namespace lastword::analysis {
namespace {

void addInitialisation(const VarDecl &Var, const Stmt &Site, llvm::function_ref<void(Write)> Add) {
  if (Var.getType()->isReferenceType() || !Var.hasLocalStorage())
    return;
  Write W;
  W.WriteKind = Write::Kind::Initialise;
  W.Target.Variable = &Var;
  W.Value = Var.getInit();
  W.Site = &Site;
  W.Declared = &Var;
  W.Loc = Var.getLocation();
  W.How = "initialised";
  Add(std::move(W));
}

void addWrite(Write::Kind Kind, const Expr *Target, const Expr *Value, const Stmt &Site,
              std::string How, llvm::function_ref<void(Write)> Add) {
  if (!Target)
    return;
  std::optional<AccessPath> Path = accessPathOf(Target);
  if (!Path)
    return;
  // `ref = e` writes the referent, which has no name here; `ref.push_back(e)`
  // fills it, which is what the reference (a parameter, say) stands for.
  if (Path->isRoot() && Path->Variable && Path->Variable->getType()->isReferenceType() &&
      (Kind == Write::Kind::Assign || Kind == Write::Kind::Initialise))
    return;
  Write W;
  W.WriteKind = Kind;
  W.Target = std::move(*Path);
  W.TargetExpr = Target;
  W.Value = Value;
  W.Site = &Site;
  W.Loc = Site.getBeginLoc();
  W.How = std::move(How);
  Add(std::move(W));
}

bool usesAt(const Stmt *S, const ValueDecl *Var, llvm::SmallVectorImpl<const Expr *> &Uses) {
  if (isa<UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, RequiresExpr, ConceptSpecializationExpr>(S))
    return false;
  if (const auto *Typeid = dyn_cast<CXXTypeidExpr>(S))
    if (!Typeid->isPotentiallyEvaluated())
      return false;
  if (Var) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (Ref->getDecl() == Var)
        Uses.push_back(Ref);
  } else {
    if (const auto *This = dyn_cast<CXXThisExpr>(S))
      Uses.push_back(This);
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(S))
      if (Dependent->isImplicitAccess())
        Uses.push_back(Dependent);
    if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(S))
      if (Unresolved->isImplicitAccess())
        Uses.push_back(Unresolved);
  }
  return true;
}

/// Can a function change what the caller reaches through a parameter of
/// this type (a pointer, a reference, a smart pointer to a mutable object)?
bool writableThrough(QualType Type) {
  if (Type.isNull())
    return false;
  if (Type->isReferenceType())
    return !Type.getNonReferenceType().isConstQualified();
  if (Type->isPointerType())
    return !Type->getPointeeType().isConstQualified();
  return !Type->isDependentType() && isPointerLike(Type);
}

/// The functions of the TU whose body the summaries can read: a body, not
/// the standard library's, not a template pattern.
bool summarisable(const FunctionDecl &Callee, const ASTContext &Context) {
  const FunctionDecl *Definition = nullptr;
  return Callee.hasBody(Definition) && Definition && !Definition->isDependentContext() &&
         !isInSystemCode(Definition->getLocation(), Context.getSourceManager());
}

/// How many arguments of one call are paired: beyond it, none.
constexpr unsigned MaxPairedArguments = limitOf(Budget::PairedArguments);

// `attach(r, c)`, `c->enroll(loop)`, `fill(p->all, r)`: a function of the
// TU called with a value and a place the callee can write through. Each
// pair is a candidate write of the value into the place; the reach solver
// keeps it only when the callee's body stores the one through the other.
void addPassedTo(const CallExpr &Call, const ASTContext &Context,
                 llvm::function_ref<void(Write)> Add) {
  if (isa<CXXOperatorCallExpr>(Call))
    return;
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || !summarisable(*Callee, Context))
    return;
  struct Operand {
    unsigned Param;
    const Expr *Arg;
    QualType Type;
  };
  llvm::SmallVector<Operand, MaxPairedArguments + 1> Operands;
  const auto *Method = dyn_cast<CXXMethodDecl>(Callee);
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&Call);
      Member && Method && Method->isInstance() && Member->getImplicitObjectArgument()) {
    const Expr *Receiver = Member->getImplicitObjectArgument();
    QualType Type = Receiver->getType();
    if (!Type->isPointerType())
      Type = Context.getLValueReferenceType(Type);
    Operands.push_back({Write::ThisParameter, Receiver, Type});
  }
  unsigned Count = std::min(Call.getNumArgs(), Callee->getNumParams());
  if (Count > MaxPairedArguments)
    budgetReached(Budget::PairedArguments);
  for (unsigned I = 0; I < Count && I < MaxPairedArguments; ++I)
    Operands.push_back({I, Call.getArg(I), Callee->getParamDecl(I)->getType()});
  if (Operands.size() < 2)
    return;
  std::string How = "stored by '" + displayName(*Callee) + "'";
  for (const Operand &Into : Operands) {
    if (!writableThrough(Into.Type))
      continue;
    // `attach(r, &ctx)`: the place is the local itself.
    const Expr *Place = Into.Arg->IgnoreParenImpCasts();
    if (const auto *Address = dyn_cast<UnaryOperator>(Place);
        Address && Address->getOpcode() == UO_AddrOf)
      Place = Address->getSubExpr();
    for (const Operand &From : Operands) {
      if (From.Param == Into.Param || !mayHoldObject(From.Type))
        continue;
      addWrite(Write::Kind::PassedTo, Place, From.Arg, Call, How, [&](Write W) {
        W.Callee = Callee;
        W.FromParam = From.Param;
        W.IntoParam = Into.Param;
        Add(std::move(W));
      });
    }
  }
}

} // namespace

namespace {

void collectDirectWrites(const Stmt &S, CalleeSummaries &Summaries, const ASTContext &Context,
                         llvm::function_ref<void(Write)> Add) {
  if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
    for (const Decl *D : Decls->decls())
      if (const auto *Var = dyn_cast<VarDecl>(D))
        addInitialisation(*Var, S, Add);
  } else if (const auto *Lambda = dyn_cast<LambdaExpr>(&S)) {
    for (const LambdaCapture &Capture : Lambda->captures())
      if (Capture.capturesVariable())
        if (const auto *Var = dyn_cast_or_null<VarDecl>(Capture.getCapturedVar()))
          if (Var->isInitCapture())
            addInitialisation(*Var, S, Add);
  } else if (const auto *Binary = dyn_cast<BinaryOperator>(&S)) {
    if (Binary->getOpcode() == BO_Assign)
      addWrite(Write::Kind::Assign, Binary->getLHS(), Binary->getRHS(), S, "assigned", Add);
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(&S)) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      addWrite(Write::Kind::Assign, Op->getArg(0), Op->getArg(1), S, "assigned", Add);
    } else if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
               Method && Op->getNumArgs() >= 1) {
      // `pool += r` with a member operator that stores its parameter in a field.
      const Expr *Receiver = Op->getArg(0);
      const auto *Deref = dyn_cast<UnaryOperator>(Receiver->IgnoreParenImpCasts());
      std::string Base = Deref && Deref->getOpcode() == UO_Deref
                             ? exprText(Deref->getSubExpr(), Context) + "->"
                             : exprText(Receiver, Context) + ".";
      for (unsigned I = 1; I < Op->getNumArgs(); ++I)
        if (const FieldDecl *Field = Summaries.fieldStoringParameter(*Method, I - 1))
          addWrite(Write::Kind::StoredByCall, Receiver, Op->getArg(I), S,
                   "stored by '" + Method->getQualifiedNameAsString() + "'", [&](Write W) {
                     W.KnownField = Field;
                     W.Through = Base + Field->getNameAsString();
                     Add(std::move(W));
                   });
    }
  } else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&S)) {
    const CXXMethodDecl *Method = Member->getMethodDecl();
    const Expr *Receiver = Member->getImplicitObjectArgument();
    if (!Method || !Receiver)
      return;
    if (isStdClearer(*Member)) {
      addWrite(Write::Kind::Clear, Receiver, nullptr, S, "cleared", Add);
    } else if (isStdInserter(*Method)) {
      for (const Expr *Arg : Member->arguments())
        addWrite(Write::Kind::Insert, Receiver, Arg, S, "stored", Add);
    } else {
      for (unsigned I = 0; I < Member->getNumArgs(); ++I)
        if (const FieldDecl *Field = Summaries.fieldStoringParameter(*Method, I)) {
          bool Arrow = false;
          if (const auto *Callee = dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens()))
            Arrow = Callee->isArrow();
          std::string Through =
              Receiver->isImplicitCXXThis()
                  ? Field->getNameAsString()
                  : exprText(Receiver, Context) + (Arrow ? "->" : ".") + Field->getNameAsString();
          addWrite(Write::Kind::StoredByCall, Receiver, Member->getArg(I), S,
                   "stored by '" + Method->getQualifiedNameAsString() + "'", [&](Write W) {
                     W.KnownField = Field;
                     W.Through = Through;
                     Add(std::move(W));
                   });
        }
    }
  }
}

} // namespace

std::optional<AtomicStore> atomicStoreOf(const Stmt &S) {
  // `&x` as an argument: the place x; `p`: what p points to, unnamed.
  auto AddressOf = [](const Expr *E) -> const Expr * {
    const auto *Unary = E ? dyn_cast<UnaryOperator>(E->IgnoreParenImpCasts()) : nullptr;
    return Unary && Unary->getOpcode() == UO_AddrOf ? Unary->getSubExpr() : nullptr;
  };
  AtomicStore Result;
  if (const auto *Atomic = dyn_cast<AtomicExpr>(&S)) {
    switch (Atomic->getOp()) {
    case AtomicExpr::AO__atomic_store_n:
    case AtomicExpr::AO__atomic_exchange_n:
    case AtomicExpr::AO__c11_atomic_store:
    case AtomicExpr::AO__c11_atomic_exchange:
      Result.Value = Atomic->getVal1();
      Result.Replaces = true;
      break;
    case AtomicExpr::AO__atomic_store:
    case AtomicExpr::AO__atomic_exchange:
      Result.Value = AddressOf(Atomic->getVal1());
      Result.Replaces = true;
      break;
    case AtomicExpr::AO__atomic_compare_exchange_n:
    case AtomicExpr::AO__c11_atomic_compare_exchange_strong:
    case AtomicExpr::AO__c11_atomic_compare_exchange_weak:
      Result.Value = Atomic->getVal2();
      break;
    case AtomicExpr::AO__atomic_compare_exchange:
      Result.Value = AddressOf(Atomic->getVal2());
      break;
    default:
      return std::nullopt;
    }
    Result.Pointer = Atomic->getPtr();
    Result.Place = AddressOf(Result.Pointer);
    return Result.Value ? std::optional(Result) : std::nullopt;
  }
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&S)) {
    const CXXMethodDecl *Method = Member->getMethodDecl();
    const CXXRecordDecl *Class = Method ? Method->getParent() : nullptr;
    if (!Class || !Class->isInStdNamespace() || !identifierName(Class).contains("atomic"))
      return std::nullopt;
    StringRef Name = identifierName(Method);
    unsigned ValueArg = 0;
    if (Name == "store" || Name == "exchange")
      Result.Replaces = true;
    else if (Name.starts_with("compare_exchange_"))
      ValueArg = 1;
    else
      return std::nullopt;
    if (Member->getNumArgs() <= ValueArg)
      return std::nullopt;
    Result.Place = Member->getImplicitObjectArgument();
    Result.Value = Member->getArg(ValueArg);
    return Result.Place ? std::optional(Result) : std::nullopt;
  }
  const auto *Call = dyn_cast<CallExpr>(&S);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  StringRef Name = identifierName(Callee);
  if (!Name.starts_with("__sync_"))
    return std::nullopt;
  unsigned ValueArg = 0;
  if (Name.starts_with("__sync_lock_test_and_set") || Name.starts_with("__sync_swap")) {
    ValueArg = 1;
    Result.Replaces = true;
  } else if (Name.starts_with("__sync_val_compare_and_swap") ||
             Name.starts_with("__sync_bool_compare_and_swap")) {
    ValueArg = 2;
  } else {
    return std::nullopt;
  }
  if (Call->getNumArgs() <= ValueArg)
    return std::nullopt;
  Result.Pointer = Call->getArg(0);
  Result.Place = AddressOf(Result.Pointer);
  Result.Value = Call->getArg(ValueArg);
  return Result;
}

void collectWritesAt(const Stmt &S, CalleeSummaries &Summaries, const ASTContext &Context,
                     llvm::function_ref<void(Write)> Add) {
  collectDirectWrites(S, Summaries, Context, Add);
  if (std::optional<AtomicStore> Atomic = atomicStoreOf(S); Atomic && Atomic->Place)
    addWrite(Atomic->Replaces ? Write::Kind::Assign : Write::Kind::Insert, Atomic->Place,
             Atomic->Value, S, "stored atomically", Add);
  if (const auto *Call = dyn_cast<CallExpr>(&S))
    addPassedTo(*Call, Context, Add);
}

void mentionedVariables(const Expr *E, llvm::function_ref<void(const ValueDecl *)> Mention) {
  visitStmts(E, [&](const Stmt &S) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&S)) {
      const ValueDecl *Decl = Ref->getDecl();
      for (unsigned Hop = 0; Decl && Hop < 8; ++Hop) {
        Mention(Decl);
        if (const auto *Binding = dyn_cast<BindingDecl>(Decl)) {
          Decl = Binding->getDecomposedDecl();
          continue;
        }
        const Expr *Aliased = aliasedExpr(Decl);
        if (!Aliased)
          break;
        Decl = nullptr;
        if (const auto *AliasRef = dyn_cast<DeclRefExpr>(Aliased))
          Decl = AliasRef->getDecl();
        else if (std::optional<AccessPath> Path = accessPathOf(Aliased)) {
          if (Path->isThis()) {
            Mention(nullptr);
            break;
          }
          Decl = Path->Variable;
        }
      }
    } else if (isa<CXXThisExpr>(&S)) {
      Mention(nullptr);
    } else if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(&S)) {
      if (Dependent->isImplicitAccess())
        Mention(nullptr);
    } else if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(&S)) {
      if (Unresolved->isImplicitAccess())
        Mention(nullptr);
    }
    return true;
  });
}

llvm::SmallVector<const Expr *, 4> evaluatedUses(const Stmt *Body, const ValueDecl *Var) {
  llvm::SmallVector<const Expr *, 4> Uses;
  // Iterative, in source order: children are pushed in reverse.
  llvm::SmallVector<const Stmt *, 64> Work{Body};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S || !usesAt(S, Var, Uses))
      continue;
    llvm::SmallVector<const Stmt *, 8> Children(S->child_begin(), S->child_end());
    Work.append(Children.rbegin(), Children.rend());
  }
  return Uses;
}

} // namespace lastword::analysis
