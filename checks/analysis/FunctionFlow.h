//===--- FunctionFlow.h - A function's control flow and writes, cached ----===//
//
// The per-function layer the flow-aware checks share, built once per
// FunctionDecl on demand and kept for the translation unit (FlowCache):
//
//   * the CFG, with implicit and temporary destructors, every evaluated
//     expression an element (so elements give the order of evaluation);
//   * where each statement runs: its CFG element, or for code the CFG does
//     not contain (a lambda's body) the element of the enclosing lambda;
//   * the object-independent index of writes (Stores.h): all of them, the
//     writes whose value mentions each variable, the writes that replace
//     each variable or a place inside it;
//   * path questions: can control go from one point to another without
//     passing through a set of points?
//
// Sequencing comes from the CFG's element order and the enclosing-element
// map built here, not from clang-tidy's utils::ExprSequence, which asks
// the ASTContext for parents: its first use builds the parent map of the
// whole translation unit, system headers included, the cost the checks
// avoid everywhere else.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_FUNCTIONFLOW_H
#define LASTWORD_ANALYSIS_FUNCTIONFLOW_H

#include "analysis/CalleeSummaries.h"
#include "analysis/Stores.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>
#include <vector>

namespace lastword::analysis {

/// A point of the CFG: element \p Index of block \p Block.
struct FlowPoint {
  unsigned Block = ~0u;
  unsigned Index = 0;
  bool isValid() const { return Block != ~0u; }
  bool operator==(const FlowPoint &Other) const {
    return Block == Other.Block && Index == Other.Index;
  }
};

class FunctionFlow {
public:
  FunctionFlow(const clang::FunctionDecl &Function, CalleeSummaries &Summaries,
               clang::ASTContext &Context);

  const clang::FunctionDecl &function() const { return Function; }
  /// False when clang could not build the CFG (the answers then fall back
  /// to source order).
  bool hasCFG() const { return static_cast<bool>(Graph); }
  /// The CFG itself (null without one), for path searches of their own
  /// (ReleasePaths).
  const clang::CFG *cfg() const { return Graph.get(); }
  /// The block with id \p Id (null: none, or no CFG).
  const clang::CFGBlock *block(unsigned Id) const {
    return Id < Blocks.size() ? Blocks[Id] : nullptr;
  }
  /// The indices of block \p Id's elements that leave the function (a
  /// `return`, a `throw`), ascending.
  llvm::ArrayRef<unsigned> exitsIn(unsigned Id) const {
    return Id < Exits.size() ? llvm::ArrayRef<unsigned>(Exits[Id]) : llvm::ArrayRef<unsigned>();
  }

  const std::vector<Write> &writes() const { return Writes; }
  /// Where write \p Index runs.
  FlowPoint pointOfWrite(unsigned Index) const { return WritePoints[Index]; }
  /// Writes whose value reads \p Var (null: `this`).
  llvm::ArrayRef<unsigned> writesMentioning(const clang::ValueDecl *Var) const;
  /// Writes that replace \p Var (null: `this`) or a place inside it.
  llvm::ArrayRef<unsigned> replacingWritesOf(const clang::ValueDecl *Var) const;

  /// Where \p S runs; invalid when the function does not contain it.
  FlowPoint pointOf(const clang::Stmt *S) const;

  /// Can control go from \p From to \p To (after \p From, up to \p To)
  /// without running any point of \p Avoid? Loops count: \p To may come
  /// before \p From in the same block.
  bool reaches(FlowPoint From, FlowPoint To, llvm::ArrayRef<FlowPoint> Avoid) const;
  /// The function's exit (returns and the end of the body lead there);
  /// invalid without a CFG. A path to it is a path out of the function.
  FlowPoint exit() const;

private:
  const llvm::BitVector &blocksReachableFrom(unsigned Block) const;

  const clang::FunctionDecl &Function;
  std::unique_ptr<clang::CFG> Graph;
  /// Successor block ids per block id.
  std::vector<llvm::SmallVector<unsigned, 2>> Successors;
  /// Blocks by id.
  std::vector<const clang::CFGBlock *> Blocks;
  /// Return and throw elements per block id.
  std::vector<llvm::SmallVector<unsigned, 1>> Exits;
  llvm::DenseMap<const clang::Stmt *, FlowPoint> Points;
  std::vector<Write> Writes;
  std::vector<FlowPoint> WritePoints;
  llvm::DenseMap<const clang::ValueDecl *, llvm::SmallVector<unsigned, 4>> Mentions;
  llvm::DenseMap<const clang::ValueDecl *, llvm::SmallVector<unsigned, 4>> Replacing;
  mutable llvm::DenseMap<unsigned, llvm::BitVector> Reachable;
};

/// One FunctionFlow per function, built on first use, and the callee
/// summaries, for one translation unit. Kept in a check's per-TU state,
/// replaced at the start of each translation unit.
class FlowCache {
public:
  explicit FlowCache(clang::ASTContext &Context) : Context(Context) {}
  const FunctionFlow &of(const clang::FunctionDecl &Function);
  CalleeSummaries &summaries() { return Summaries; }
  clang::ASTContext &context() { return Context; }

  /// Summaries the reach solver computes with itself (ObjectReach.cpp), per
  /// function and parameter: 0 no, 1 yes, 2 being computed (a recursion).
  using ParameterFacts =
      llvm::DenseMap<std::pair<const clang::FunctionDecl *, unsigned>, signed char>;
  /// Does the function's returned value carry the parameter?
  ParameterFacts ReturnCarries;
  /// Does the constructor store `this` somewhere the parameter reaches?
  ParameterFacts ParameterHoldsThis;
  /// Does the function store one parameter (or the object it is called on)
  /// through another, so that the caller's argument holds it? Keyed by the
  /// function and ParameterPair(From, Into); the field of the target's
  /// pointee written, when one is.
  struct ParameterStore {
    signed char State = 2;
    const clang::FieldDecl *Field = nullptr;
  };
  static uint64_t parameterPair(unsigned From, unsigned Into) {
    return (static_cast<uint64_t>(From) << 32) | Into;
  }
  llvm::DenseMap<std::pair<const clang::FunctionDecl *, uint64_t>, ParameterStore> ParameterStores;
  /// How many summaries are being computed inside one another.
  unsigned SummaryDepth = 0;

private:
  clang::ASTContext &Context;
  CalleeSummaries Summaries;
  llvm::DenseMap<const clang::FunctionDecl *, std::shared_ptr<const FunctionFlow>> Functions;
};

/// Forgets the FunctionFlows that the FlowCaches of one thread share (a
/// function's flow depends only on the function: the checks that each keep
/// a FlowCache build it once). Called at the start of each translation unit
/// by the checks; from then on the flows are kept until the next call.
void forgetSharedFunctionFlows();

} // namespace lastword::analysis

#endif
