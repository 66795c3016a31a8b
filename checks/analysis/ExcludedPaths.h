//===--- ExcludedPaths.h - Translation units a check leaves out -----------===//
//
// Test, benchmark and demo programs collect, block and wait on purpose. The
// `ExcludePaths` option (per check, `gc-collect-in-loop.ExcludePaths`, or
// once for every gc-* check, `ExcludePaths`; the driver's --exclude-paths
// sets the global one) is a regular expression searched in the path of the
// main file of each translation unit, as clang-tidy's -header-filter is
// searched in header paths. A check reports nothing in a translation unit
// whose main file matches.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_EXCLUDEDPATHS_H
#define LASTWORD_ANALYSIS_EXCLUDEDPATHS_H

#include "clang-tidy/ClangTidyCheck.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/Regex.h"
#include <memory>
#include <optional>
#include <string>

namespace lastword::analysis {

class ExcludedPaths {
public:
  /// Reads `ExcludePaths`; an invalid regular expression is reported
  /// through the check's configuration diagnostics and excludes nothing.
  static ExcludedPaths fromOptions(const clang::tidy::ClangTidyCheck &Check,
                                   const clang::tidy::ClangTidyCheck::OptionsView &Options);
  void storeOptions(clang::tidy::ClangTidyCheck::OptionsView &Options,
                    clang::tidy::ClangTidyOptions::OptionMap &Opts) const;

  /// True when \p Path matches the pattern.
  bool matches(llvm::StringRef Path) const;
  /// True when the main file of the translation unit \p SM holds matches;
  /// the answer is kept until forget() (call it at the start of each
  /// translation unit).
  bool excludesMainFile(const clang::SourceManager &SM);
  void forget() { MainFileExcluded.reset(); }

private:
  std::string Pattern;
  std::shared_ptr<llvm::Regex> Regex; // null when no valid pattern is set
  std::optional<bool> MainFileExcluded;
};

} // namespace lastword::analysis

#endif
