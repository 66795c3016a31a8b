//===--- Stats.cpp --------------------------------------------------------===//

#include "driver/Stats.h"
#include "analysis/Budgets.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

namespace lastword {

void printStats(llvm::raw_ostream &OS, size_t Files, double Seconds,
                const std::vector<std::string> &EnabledChecks,
                const std::vector<Finding> &Findings) {
  llvm::StringMap<unsigned> PerCheck;
  for (const Finding &F : Findings)
    ++PerCheck[F.Error->DiagnosticName];
  OS << "lastword: stats: " << Files << " file(s) in " << llvm::format("%.2f", Seconds)
     << " s; findings:";
  const char *Separator = " ";
  for (const std::string &Check : EnabledChecks) {
    OS << Separator << Check << " " << PerCheck.lookup(Check);
    Separator = ", ";
  }
  OS << "; budgets reached:";
  Separator = " ";
  for (const analysis::BudgetInfo &B : analysis::Budgets) {
    OS << Separator << B.Name << " " << analysis::timesReached(B.Id);
    Separator = ", ";
  }
  OS << "\n";
}

} // namespace lastword
