//===--- Output.h - Reports in the formats CI systems read -----------------===//

#ifndef LASTWORD_DRIVER_OUTPUT_H
#define LASTWORD_DRIVER_OUTPUT_H

#include "driver/Baseline.h"
#include "llvm/Support/raw_ostream.h"

namespace lastword {

enum class ReportFormat { Text, Sarif, Json, Github };

struct ReportRun {
  std::vector<std::string> Checks; // the enabled checks: one SARIF rule each
  std::string Shard;               // "K/N" when --shard was given
  bool Successful = true;          // false when some file could not be checked
};

/// SARIF 2.1.0: a rule per check (descriptions and help URI from its docs
/// page), a result per finding with its notes as related locations and its
/// fix-its as fixes.
void writeSarif(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings, const ReportRun &Run);
/// lastword's own JSON: the findings with positions, notes, fixes.
void writeJson(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings);
/// GitHub Actions workflow commands (::warning file=...::message).
void writeGithub(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings);

/// Joins the SARIF reports of the shards of one run (any order) into the
/// report of the whole run. False, with Error set, on reports that are not
/// lastword's, or shards that are missing, repeated or of different runs.
bool mergeSarif(llvm::ArrayRef<llvm::json::Value> Reports, llvm::json::Value &Merged, std::string &Error);

} // namespace lastword

#endif
