//===--- ReleasePaths.cpp -------------------------------------------------===//

#include "analysis/ReleasePaths.h"
#include "analysis/Budgets.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"
#include <queue>

using namespace clang;

namespace lastword::analysis {
namespace {

// Which successor of a two-way branch on \p Cond is taken when one of the
// variables is null: 0 (true branch), 1 (false branch), -1 unknown.
int nullSuccessor(const Expr *Cond, const llvm::SmallPtrSetImpl<const ValueDecl *> &Vars,
                  ASTContext &Context) {
  if (!Cond)
    return -1;
  Cond = Cond->IgnoreParenImpCasts();
  auto IsVar = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return Ref && Vars.count(Ref->getDecl());
  };
  if (IsVar(Cond))
    return 1;
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond);
      Not && Not->getOpcode() == UO_LNot && IsVar(Not->getSubExpr()))
    return 0;
  if (const auto *Compare = dyn_cast<BinaryOperator>(Cond);
      Compare && (Compare->getOpcode() == BO_EQ || Compare->getOpcode() == BO_NE)) {
    auto IsNull = [&](const Expr *E) {
      return E->IgnoreParenImpCasts()->isNullPointerConstant(
                 Context, Expr::NPC_ValueDependentIsNotNull) != Expr::NPCK_NotNull;
    };
    const Expr *L = Compare->getLHS(), *R = Compare->getRHS();
    if ((IsVar(L) && IsNull(R)) || (IsVar(R) && IsNull(L)))
      return Compare->getOpcode() == BO_EQ ? 0 : 1;
  }
  return -1;
}

// Could a copy of the object into \p D keep it only for this call? A local
// pointer or reference (not a parameter: the caller's variable).
bool isLocalPointer(const ValueDecl *D) {
  const auto *V = dyn_cast<VarDecl>(D);
  return V && V->hasLocalStorage() && !isa<ParmVarDecl>(V) &&
         (V->getType()->isPointerType() || V->getType()->isReferenceType());
}

// The variable \p E names, looked through casts and temporaries.
const ValueDecl *namedVariable(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(skipTemporaries(E, SkipAlso::Casts));
  return Ref ? Ref->getDecl() : nullptr;
}

// How many passes over the body aliasesOf makes: a copy written before the
// copy it copies from is found on the next pass.
constexpr unsigned AliasPasses = limitOf(Budget::AliasPasses);

} // namespace

LocalUses::LocalUses(const Stmt *Body) {
  if (!Body)
    return;
  llvm::SmallVector<const LambdaExpr *, 8> Lambdas;
  // Parents, first one found wins (a statement shared by two parents, as
  // an opaque value's source, keeps the one met first).
  llvm::SmallVector<const Stmt *, 64> Work{Body};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      Lambdas.push_back(Lambda);
      // Init-captures run here (`[p = persistent<T>(s)]`); the body later.
      for (const Expr *Init : Lambda->capture_inits())
        if (Init) {
          Parents.try_emplace(Init, S);
          Work.push_back(Init);
        }
      continue;
    }
    for (const Stmt *Child : S->children())
      if (Child) {
        Parents.try_emplace(Child, S);
        Work.push_back(Child);
      }
  }
  for (const LambdaExpr *Lambda : Lambdas) {
    llvm::SmallPtrSet<const ValueDecl *, 4> Seen;
    for (const LambdaCapture &Capture : Lambda->captures())
      if (Capture.capturesVariable() && Seen.insert(Capture.getCapturedVar()).second)
        Capturing[Capture.getCapturedVar()].push_back(Lambda);
  }
  // References and copies in source order.
  visitStmts(Body, [&](const Stmt &S) {
    if (const auto *Lambda = dyn_cast<LambdaExpr>(&S)) {
      for (const Expr *Init : Lambda->capture_inits())
        if (Init && !isa<DeclRefExpr>(Init->IgnoreImplicit()))
          visitStmts(Init, [&](const Stmt &Inner) {
            if (const auto *Ref = dyn_cast<DeclRefExpr>(&Inner))
              References[Ref->getDecl()].push_back(Ref);
            return !isa<LambdaExpr>(Inner);
          });
      return false;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&S)) {
      References[Ref->getDecl()].push_back(Ref);
    } else if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *V = dyn_cast<VarDecl>(D))
          if (isLocalPointer(V) && V->getInit())
            if (const ValueDecl *From = namedVariable(V->getInit()))
              Copies.push_back({From, V});
    } else if (const auto *Assign = dyn_cast<BinaryOperator>(&S);
               Assign && Assign->getOpcode() == BO_Assign) {
      if (const ValueDecl *From = namedVariable(Assign->getRHS()))
        if (const ValueDecl *To = namedVariable(Assign->getLHS()); To && isLocalPointer(To))
          Copies.push_back({From, To});
    }
    return true;
  });
  for (unsigned I = 0; I < Copies.size(); ++I)
    CopiesFrom[Copies[I].From].push_back(I);
}

const Stmt *LocalUses::parent(const Stmt *S) const {
  auto It = Parents.find(S);
  return It == Parents.end() ? nullptr : It->second;
}

llvm::ArrayRef<const DeclRefExpr *> LocalUses::referencesTo(const ValueDecl *Var) const {
  auto It = References.find(Var);
  return It == References.end() ? llvm::ArrayRef<const DeclRefExpr *>() : It->second;
}

llvm::ArrayRef<const LambdaExpr *> LocalUses::lambdasCapturing(const ValueDecl *Var) const {
  auto It = Capturing.find(Var);
  return It == Capturing.end() ? llvm::ArrayRef<const LambdaExpr *>() : It->second;
}

void LocalUses::aliasesOf(const ValueDecl *Var,
                          llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases) const {
  // When each alias joins: the pass, and the copy that made it one (the
  // variable itself before the first copy). A copy out of an alias made
  // later in the body joins in the same pass; one made earlier, in the
  // next. Only the aliases' own copies are looked at.
  struct Joined {
    unsigned Pass;
    int Copy;
    bool operator<(const Joined &O) const { return Pass != O.Pass ? Pass < O.Pass : Copy < O.Copy; }
    bool operator>(const Joined &O) const { return O < *this; }
  };
  llvm::DenseMap<const ValueDecl *, Joined> When;
  using Item = std::pair<Joined, const ValueDecl *>;
  auto Later = [](const Item &A, const Item &B) { return A.first > B.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(Later)> Queue(Later);
  When[Var] = {0, -1};
  Queue.push({{0, -1}, Var});
  while (!Queue.empty()) {
    auto [At, From] = Queue.top();
    Queue.pop();
    const Joined &Known = When.find(From)->second;
    if (Known < At || At < Known)
      continue; // joined earlier by another copy
    auto It = CopiesFrom.find(From);
    if (It == CopiesFrom.end())
      continue;
    for (unsigned I : It->second) {
      int Index = static_cast<int>(I);
      Joined Next{Index > At.Copy ? At.Pass : At.Pass + 1, Index};
      if (Next.Pass >= AliasPasses) {
        budgetReached(Budget::AliasPasses);
        continue;
      }
      auto [Entry, New] = When.try_emplace(Copies[I].To, Next);
      if (!New && !(Next < Entry->second))
        continue;
      Entry->second = Next;
      Queue.push({Next, Copies[I].To});
    }
  }
  for (const auto &Entry : When)
    Aliases.insert(Entry.first);
}

std::optional<ExitWitness>
findExitAvoiding(const FunctionFlow &Flow, FlowPoint From, llvm::ArrayRef<FlowPoint> Settled,
                 const llvm::SmallPtrSetImpl<const ValueDecl *> &NullWhenTaken,
                 llvm::ArrayRef<FlowPoint> Throwing) {
  const CFG *Graph = Flow.cfg();
  if (!Graph || !From.isValid() || From.Block >= Graph->getNumBlockIDs())
    return std::nullopt;
  ASTContext &Context = const_cast<ASTContext &>(Flow.function().getASTContext());
  // The last settled element of each block: a path that enters a block at
  // or before it is settled there. Blocks are looked at through these and
  // FunctionFlow's index of exits, not element by element, so that a search
  // costs what the blocks it crosses number.
  llvm::DenseMap<unsigned, unsigned> LastStop;
  for (const FlowPoint &P : Settled)
    if (P.isValid()) {
      auto [It, New] = LastStop.try_emplace(P.Block, P.Index);
      if (!New)
        It->second = std::max(It->second, P.Index);
    }
  const unsigned ExitId = Graph->getExit().getBlockID();

  llvm::BitVector Seen(Graph->getNumBlockIDs());
  struct Item {
    unsigned Block;
    unsigned Start; // first element to run
  };
  llvm::SmallVector<Item, 16> Work{{From.Block, From.Index + 1}};
  while (!Work.empty()) {
    Item Current = Work.pop_back_val();
    const CFGBlock *Block = Flow.block(Current.Block);
    if (!Block)
      continue;
    if (Block->hasNoReturnElement())
      continue;
    unsigned StopAt = Block->size();
    if (auto Stop = LastStop.find(Current.Block);
        Stop != LastStop.end() && Stop->second >= Current.Start && Stop->second < Block->size())
      StopAt = Stop->second;
    // A throwing call before the block's settled point leaves the function.
    for (const FlowPoint &T : Throwing)
      if (T.Block == Current.Block && T.Index >= Current.Start && T.Index < StopAt) {
        ExitWitness Witness;
        Witness.ExitKind = ExitWitness::Kind::Throw;
        if (std::optional<CFGStmt> Element = (*Block)[T.Index].getAs<CFGStmt>())
          Witness.Exit = Element->getStmt();
        if (Witness.Exit)
          return Witness;
      }
    if (StopAt < Block->size())
      continue;
    const Stmt *LastExit = nullptr;
    if (llvm::ArrayRef<unsigned> Exits = Flow.exitsIn(Current.Block);
        !Exits.empty() && Exits.back() >= Current.Start)
      LastExit = (*Block)[Exits.back()].castAs<CFGStmt>().getStmt();
    if (const auto *Throw = dyn_cast_or_null<CXXThrowExpr>(Block->getTerminatorStmt()))
      LastExit = Throw;
    int NullBranch = -1;
    if (Block->succ_size() == 2 && !NullWhenTaken.empty())
      NullBranch = nullSuccessor(dyn_cast_or_null<Expr>(Block->getTerminatorCondition()),
                                 NullWhenTaken, Context);
    unsigned SuccIndex = 0;
    for (const CFGBlock::AdjacentBlock &Next : Block->succs()) {
      int This = static_cast<int>(SuccIndex++);
      const CFGBlock *Reachable = Next.getReachableBlock();
      if (!Reachable || This == NullBranch)
        continue;
      unsigned Id = Reachable->getBlockID();
      if (Id == ExitId) {
        ExitWitness Witness;
        Witness.Exit = LastExit;
        Witness.ExitKind = !LastExit                   ? ExitWitness::Kind::EndOfBody
                           : isa<ReturnStmt>(LastExit) ? ExitWitness::Kind::Return
                                                       : ExitWitness::Kind::Throw;
        return Witness;
      }
      if (Seen.test(Id))
        continue;
      Seen.set(Id);
      Work.push_back({Id, 0});
    }
  }
  return std::nullopt;
}

} // namespace lastword::analysis
