//===--- FunctionFlow.cpp -------------------------------------------------===//

#include "analysis/FunctionFlow.h"
#include "analysis/Budgets.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprCXX.h"
#include <algorithm>
#include <limits>

using namespace clang;

namespace lastword::analysis {

FunctionFlow::FunctionFlow(const FunctionDecl &Function, CalleeSummaries &Summaries,
                           ASTContext &Context)
    : Function(Function) {
  const Stmt *Body = Function.getBody();
  if (!Body)
    return;
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddTemporaryDtors = true;
  Options.setAllAlwaysAdd();
  Graph = CFG::buildCFG(&Function, const_cast<Stmt *>(Body), &Context, Options);
  if (Graph) {
    Successors.resize(Graph->getNumBlockIDs());
    Blocks.resize(Graph->getNumBlockIDs(), nullptr);
    Exits.resize(Graph->getNumBlockIDs());
    // Declarations the CFG splits into one DeclStmt per variable.
    llvm::DenseMap<const VarDecl *, FlowPoint> Declared;
    for (const CFGBlock *Block : *Graph) {
      if (!Block)
        continue;
      unsigned Id = Block->getBlockID();
      Blocks[Id] = Block;
      for (const CFGBlock::AdjacentBlock &Next : Block->succs())
        if (const CFGBlock *Reachable = Next.getReachableBlock())
          Successors[Id].push_back(Reachable->getBlockID());
      unsigned Index = 0;
      for (const CFGElement &Element : *Block) {
        if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>()) {
          FlowPoint Point{Id, Index};
          Points.try_emplace(S->getStmt(), Point);
          if (isa<ReturnStmt, CXXThrowExpr>(S->getStmt()))
            Exits[Id].push_back(Index);
          if (const auto *Decls = dyn_cast<DeclStmt>(S->getStmt()))
            for (const Decl *D : Decls->decls())
              if (const auto *Var = dyn_cast<VarDecl>(D))
                Declared.try_emplace(Var, Point);
        }
        ++Index;
      }
    }
    // Declarations keep their own points below; other statements the CFG
    // does not list run where their nearest listed ancestor runs.
    struct Item {
      const Stmt *S;
      FlowPoint Anchor;
    };
    llvm::SmallVector<Item, 64> Work{{Body, FlowPoint{}}};
    while (!Work.empty()) {
      Item Current = Work.pop_back_val();
      FlowPoint Anchor = Current.Anchor;
      auto Listed = Points.find(Current.S);
      if (Listed != Points.end())
        Anchor = Listed->second;
      else if (Anchor.isValid() && (isa<CallExpr, LambdaExpr, CXXConstructExpr>(Current.S)))
        Points.try_emplace(Current.S, Anchor);
      collectWritesAt(*Current.S, Summaries, Context, [&](Write W) {
        FlowPoint Where = Anchor;
        if (W.Declared)
          if (auto It = Declared.find(W.Declared); It != Declared.end())
            Where = It->second;
        Writes.push_back(std::move(W));
        WritePoints.push_back(Where);
      });
      // Children in reverse, so that writes are listed in source order.
      size_t First = Work.size();
      for (const Stmt *Child : Current.S->children())
        if (Child)
          Work.push_back({Child, Anchor});
      std::reverse(Work.begin() + First, Work.end());
    }
  } else {
    visitStmts(Body, [&](const Stmt &S) {
      collectWritesAt(S, Summaries, Context, [&](Write W) {
        Writes.push_back(std::move(W));
        WritePoints.push_back(FlowPoint{});
      });
      return true;
    });
  }
  for (unsigned I = 0; I < Writes.size(); ++I) {
    const Write &W = Writes[I];
    if (W.replaces())
      Replacing[W.Target.Variable].push_back(I);
    if (W.Value) {
      llvm::SmallVector<const ValueDecl *, 4> Seen;
      mentionedVariables(W.Value, [&](const ValueDecl *Var) {
        if (llvm::is_contained(Seen, Var))
          return;
        Seen.push_back(Var);
        Mentions[Var].push_back(I);
      });
    }
  }
}

llvm::ArrayRef<unsigned> FunctionFlow::writesMentioning(const ValueDecl *Var) const {
  auto It = Mentions.find(Var);
  return It == Mentions.end() ? llvm::ArrayRef<unsigned>() : llvm::ArrayRef(It->second);
}

llvm::ArrayRef<unsigned> FunctionFlow::replacingWritesOf(const ValueDecl *Var) const {
  auto It = Replacing.find(Var);
  return It == Replacing.end() ? llvm::ArrayRef<unsigned>() : llvm::ArrayRef(It->second);
}

FlowPoint FunctionFlow::pointOf(const Stmt *S) const {
  auto It = Points.find(S);
  return It == Points.end() ? FlowPoint{} : It->second;
}

const llvm::BitVector &FunctionFlow::blocksReachableFrom(unsigned Block) const {
  auto It = Reachable.find(Block);
  if (It != Reachable.end())
    return It->second;
  llvm::BitVector Seen(Successors.size());
  llvm::SmallVector<unsigned, 16> Work(Successors[Block].begin(), Successors[Block].end());
  while (!Work.empty()) {
    unsigned Next = Work.pop_back_val();
    if (Seen.test(Next))
      continue;
    Seen.set(Next);
    Work.append(Successors[Next].begin(), Successors[Next].end());
  }
  return Reachable.try_emplace(Block, std::move(Seen)).first->second;
}

bool FunctionFlow::reaches(FlowPoint From, FlowPoint To, llvm::ArrayRef<FlowPoint> Avoid) const {
  if (!From.isValid() || !To.isValid() || From.Block >= Successors.size() ||
      To.Block >= Successors.size())
    return false;
  // Is a point to avoid in \p Block strictly between \p Low and \p High?
  auto BlockedIn = [&](unsigned Block, long Low, long High) {
    for (const FlowPoint &P : Avoid)
      if (P.Block == Block && static_cast<long>(P.Index) > Low &&
          static_cast<long>(P.Index) < High && !(P == From) && !(P == To))
        return true;
    return false;
  };
  constexpr long Top = -1, Bottom = std::numeric_limits<long>::max();
  // Straight down the block.
  if (From.Block == To.Block && To.Index > From.Index)
    return !BlockedIn(From.Block, From.Index, To.Index);
  if (BlockedIn(From.Block, From.Index, Bottom))
    return false;
  if (Avoid.empty())
    return blocksReachableFrom(From.Block).test(To.Block);
  // Other blocks are entered from the top.
  llvm::BitVector Seen(Successors.size());
  llvm::SmallVector<unsigned, 16> Work(Successors[From.Block].begin(),
                                       Successors[From.Block].end());
  while (!Work.empty()) {
    unsigned Block = Work.pop_back_val();
    if (Seen.test(Block))
      continue;
    Seen.set(Block);
    if (Block == To.Block && !BlockedIn(Block, Top, To.Index))
      return true;
    if (BlockedIn(Block, Top, Bottom))
      continue;
    Work.append(Successors[Block].begin(), Successors[Block].end());
  }
  return false;
}

FlowPoint FunctionFlow::exit() const {
  if (!Graph)
    return FlowPoint{};
  return FlowPoint{Graph->getExit().getBlockID(), 0};
}

namespace {

/// A function's flow, shared by the FlowCaches of this thread; see
/// forgetSharedFunctionFlows.
struct SharedFlow {
  const ASTContext *Context;
  std::weak_ptr<const FunctionFlow> Flow;
  /// Kept between forgetSharedFunctionFlows calls (a check may drop its
  /// FlowCache before another asks); outside them, only while a FlowCache
  /// holds the flow.
  std::shared_ptr<const FunctionFlow> Kept;
  /// Budgets the construction reached: each FlowCache that takes the flow
  /// reports them again, as when every one built its own.
  BudgetCounts Reached;
};

thread_local llvm::DenseMap<const FunctionDecl *, SharedFlow> SharedFlowsOfThread;
thread_local bool KeepSharedFlows = false;

} // namespace

void forgetSharedFunctionFlows() {
  SharedFlowsOfThread.clear();
  KeepSharedFlows = true;
}

const FunctionFlow &FlowCache::of(const FunctionDecl &Function) {
  std::shared_ptr<const FunctionFlow> &Slot = Functions[&Function];
  if (Slot)
    return *Slot;
  if (auto It = SharedFlowsOfThread.find(&Function);
      It != SharedFlowsOfThread.end() && It->second.Context == &Context)
    if (std::shared_ptr<const FunctionFlow> Known = It->second.Flow.lock()) {
      replayBudgets(It->second.Reached);
      Slot = std::move(Known);
      return *Slot;
    }
  BudgetCounts Before = budgetsReachedOnThisThread();
  auto Made = std::make_shared<const FunctionFlow>(Function, Summaries, Context);
  SharedFlow Shared{&Context, Made, KeepSharedFlows ? Made : nullptr, budgetsReachedSince(Before)};
  SharedFlowsOfThread[&Function] = std::move(Shared);
  Slot = std::move(Made);
  return *Slot;
}

} // namespace lastword::analysis
