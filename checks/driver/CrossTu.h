//===--- CrossTu.h - gc-finalizer-cycle across translation units ----------===//
//
// Each translation unit sees only the types its headers declare. With
// --export-facts=<dir> the gc-finalizer-cycle check writes the type graph it
// saw (CycleFacts.h); --cross-tu <dir> joins the facts of every unit and
// reports the cycles through a finalizable type that no single unit saw
// whole. With -p over several files the driver does both by itself, and
// `lastword merge` does it for the facts the shards' SARIF reports carry.
//
// The findings are clang-tidy diagnostics like every other check's, so they
// go through the same reports, baselines and exit status.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_CROSSTU_H
#define LASTWORD_DRIVER_CROSSTU_H

#include "analysis/CycleFacts.h"
#include "driver/Findings.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace lastword::driver {

/// Parses every `.facts` file of \p Directory, in the order of their names.
/// False, with \p Error set, on an unreadable directory or a malformed file.
bool readFactsDirectory(llvm::StringRef Directory, std::vector<analysis::CycleFacts> &Units,
                        std::string &Error);

/// The cycles that the units' facts show together and no unit saw whole,
/// as gc-finalizer-cycle findings (a warning at the first edge, a note at
/// each edge and at the finalizer), sorted by file, line and column.
/// \p WarningsAsErrors: clang-tidy globs; findings they match are errors.
/// The facts give lines and columns; the findings need byte offsets, so the
/// files they name are read: one that cannot be read (or no longer has that
/// line) is an error.
std::vector<ClangTidyError> crossTuFindings(const std::vector<analysis::CycleFacts> &Units,
                                            llvm::StringRef WarningsAsErrors, std::string &Error);

} // namespace lastword::driver

#endif
