//===--- Analysis.h - Running the checks over many files -------------------===//

#ifndef LASTWORD_DRIVER_ANALYSIS_H
#define LASTWORD_DRIVER_ANALYSIS_H

#include "clang-tidy/ClangTidyOptions.h"
#include "driver/Findings.h"
#include "clang/Tooling/CompilationDatabase.h"
#include <functional>

namespace lastword {

/// Options providers cache per directory and are not thread-safe: each
/// worker makes its own. The second argument, when not empty, is where
/// gc-finalizer-cycle writes the file's facts (its ExportFactsDirectory).
using MakeOptionsProvider = std::function<std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>(
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>, llvm::StringRef)>;

struct AnalysisSettings {
  unsigned Jobs = 1;
  bool WantFixes = false;
  bool Progress = false;   // a progress line on stderr
  std::string CacheDir;    // empty: no result cache
  std::string ToolVersion; // part of every cache key
  /// Non-empty: each file's gc-finalizer-cycle facts are written here (by
  /// the check, or from the cache for a replayed file) and kept in its
  /// FileResult.
  std::string FactsDir;
};

struct AnalysisStats {
  unsigned CacheHits = 0;
  unsigned CacheStores = 0;
};

/// Checks each file (jobs in parallel) and returns one result per file, in
/// the order of Files whatever order they finish in.
std::vector<FileResult> analyseFiles(const clang::tooling::CompilationDatabase &Compilations,
                                     const std::vector<std::string> &Files,
                                     const MakeOptionsProvider &MakeProvider,
                                     const AnalysisSettings &Settings, AnalysisStats &Stats);

/// The files of a compile database in its own order, each once, absolute.
std::vector<std::string>
filesInDatabaseOrder(const clang::tooling::CompilationDatabase &Compilations);

} // namespace lastword

#endif
