//===--- Budgets.cpp ------------------------------------------------------===//

#include "analysis/Budgets.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>

#define DEBUG_TYPE "lastword-budgets"

namespace lastword::analysis {
namespace {

static_assert(
    [] {
      for (size_t I = 0; I < Budgets.size(); ++I)
        if (static_cast<size_t>(Budgets[I].Id) != I)
          return false;
      return true;
    }(),
    "Budgets is indexed by Budget");

// Constant-initialised: no static constructor.
std::atomic<unsigned> Reached[Budgets.size()];
thread_local std::array<unsigned, Budgets.size()> ReachedOnThread{};

} // namespace

void budgetReached(Budget B) {
  Reached[static_cast<size_t>(B)].fetch_add(1, std::memory_order_relaxed);
  ++ReachedOnThread[static_cast<size_t>(B)];
  LLVM_DEBUG(llvm::dbgs() << "lastword: budget " << budgetInfo(B).Name << " ("
                          << budgetInfo(B).Limit << ") reached: " << budgetInfo(B).WhenReached
                          << "\n");
}

unsigned timesReached(Budget B) {
  return Reached[static_cast<size_t>(B)].load(std::memory_order_relaxed);
}

BudgetCounts budgetsReachedOnThisThread() { return ReachedOnThread; }

BudgetCounts budgetsReachedSince(const BudgetCounts &Before) {
  BudgetCounts Since;
  for (size_t I = 0; I < Since.size(); ++I)
    Since[I] = ReachedOnThread[I] - Before[I];
  return Since;
}

void replayBudgets(const BudgetCounts &Counts) {
  for (const BudgetInfo &Info : Budgets)
    for (unsigned I = 0; I < Counts[static_cast<size_t>(Info.Id)]; ++I)
      budgetReached(Info.Id);
}

} // namespace lastword::analysis
