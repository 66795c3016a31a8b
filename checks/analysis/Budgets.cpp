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

} // namespace

void budgetReached(Budget B) {
  Reached[static_cast<size_t>(B)].fetch_add(1, std::memory_order_relaxed);
  LLVM_DEBUG(llvm::dbgs() << "lastword: budget " << budgetInfo(B).Name << " ("
                          << budgetInfo(B).Limit << ") reached: " << budgetInfo(B).WhenReached
                          << "\n");
}

unsigned timesReached(Budget B) {
  return Reached[static_cast<size_t>(B)].load(std::memory_order_relaxed);
}

} // namespace lastword::analysis
