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

unsigned timesReachedOnThisThread(Budget B) { return ReachedOnThread[static_cast<size_t>(B)]; }

} // namespace lastword::analysis
