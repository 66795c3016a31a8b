//===--- Stats.h - The --stats line ---------------------------------------===//

#ifndef LASTWORD_DRIVER_STATS_H
#define LASTWORD_DRIVER_STATS_H

#include "driver/Baseline.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace lastword {

/// One line: the files analysed and the wall time, the findings of each
/// enabled check (before any baseline), and how many times each analysis
/// budget (analysis/Budgets.h) was reached, so that a search that gave up
/// is visible:
///   lastword: stats: 2 file(s) in 0.84 s; findings: gc-collect-in-loop 2, ...;
///   budgets reached: call-depth 3, reach-depth 0, ...
void printStats(llvm::raw_ostream &OS, size_t Files, double Seconds,
                const std::vector<std::string> &EnabledChecks,
                const std::vector<Finding> &Findings);

} // namespace lastword

#endif
