//===--- ReleasePaths.cpp -------------------------------------------------===//

#include "analysis/ReleasePaths.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"

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

} // namespace

std::optional<ExitWitness>
findExitAvoiding(const FunctionFlow &Flow, FlowPoint From, llvm::ArrayRef<FlowPoint> Settled,
                 const llvm::SmallPtrSetImpl<const ValueDecl *> &NullWhenTaken) {
  const CFG *Graph = Flow.cfg();
  if (!Graph || !From.isValid() || From.Block >= Graph->getNumBlockIDs())
    return std::nullopt;
  ASTContext &Context = const_cast<ASTContext &>(Flow.function().getASTContext());
  llvm::DenseSet<std::pair<unsigned, unsigned>> Stops;
  for (const FlowPoint &P : Settled)
    if (P.isValid())
      Stops.insert({P.Block, P.Index});
  std::vector<const CFGBlock *> ById(Graph->getNumBlockIDs(), nullptr);
  for (const CFGBlock *Block : *Graph)
    if (Block)
      ById[Block->getBlockID()] = Block;
  const unsigned ExitId = Graph->getExit().getBlockID();

  llvm::BitVector Seen(Graph->getNumBlockIDs());
  struct Item {
    unsigned Block;
    unsigned Start; // first element to run
  };
  llvm::SmallVector<Item, 16> Work{{From.Block, From.Index + 1}};
  while (!Work.empty()) {
    Item Current = Work.pop_back_val();
    const CFGBlock *Block = ById[Current.Block];
    if (!Block)
      continue;
    bool Stopped = false;
    const Stmt *LastExit = nullptr;
    unsigned Index = 0;
    for (const CFGElement &Element : *Block) {
      if (Index >= Current.Start) {
        if (Stops.count({Current.Block, Index})) {
          Stopped = true;
          break;
        }
        if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
          if (isa<ReturnStmt, CXXThrowExpr>(S->getStmt()))
            LastExit = S->getStmt();
      }
      ++Index;
    }
    if (Stopped || Block->hasNoReturnElement())
      continue;
    if (const auto *Throw = dyn_cast_or_null<CXXThrowExpr>(Block->getTerminatorStmt()))
      LastExit = Throw;
    int NullBranch = -1;
    if (Block->succ_size() == 2 && !NullWhenTaken.empty())
      NullBranch = nullSuccessor(dyn_cast_or_null<Expr>(Block->getTerminatorCondition()), NullWhenTaken, Context);
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
        Witness.ExitKind = !LastExit                    ? ExitWitness::Kind::EndOfBody
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
