//===--- Output.h - Reports in the formats CI systems read -----------------===//

#ifndef LASTWORD_DRIVER_OUTPUT_H
#define LASTWORD_DRIVER_OUTPUT_H

#include "driver/Baseline.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

namespace lastword {

enum class ReportFormat { Text, Sarif, Json, Github };

/// What a shard's SARIF report carries (in the run's properties) so that
/// `lastword merge` can join the shards' gc-finalizer-cycle facts.
struct ShardFacts {
  std::vector<std::string> Facts;        // each file's facts, CycleFacts' text form
  std::string WarningsAsErrors;          // the globs the shard used
  std::optional<BaselineShare> Baseline; // with --baseline
};

struct ReportRun {
  std::vector<std::string> Checks; // the enabled checks: one SARIF rule each
  std::string Shard;               // "K/N" when --shard was given
  bool Successful = true;          // false when some file could not be checked
  std::optional<ShardFacts> Facts; // a shard's facts, for merge
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
/// report of the whole run: the shards' results in shard order, then the
/// gc-finalizer-cycle findings of the facts the shards carry, joined (those
/// no shard could see, as a single run reports them after every file's),
/// less those the shards' baseline still holds. \p Joined receives those
/// findings. False, with Error set, on reports that are not lastword's,
/// shards that are missing, repeated or of different runs, or facts that
/// cannot be joined.
bool mergeSarif(llvm::ArrayRef<llvm::json::Value> Reports, llvm::json::Value &Merged,
                std::vector<ClangTidyError> &Joined, std::string &Error);

} // namespace lastword

#endif
