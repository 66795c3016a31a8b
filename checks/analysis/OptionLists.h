//===--- OptionLists.h - List-valued check options ------------------------===//
//
// Every list-valued option of the gc-* checks (names, `name(0,1)` entries)
// is read and written by clang-tidy's own helpers
// (utils::options::parseStringList, serializeStringList), so the lists
// behave as clang-tidy's: entries separated by `;`, blanks around an entry
// trimmed, empty entries dropped, written back `;`-separated.
//
// The plugin links no clang library: these symbols resolve against the
// clang-tidy that loads it; the driver and the tests link clangTidyUtils.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_OPTIONLISTS_H
#define LASTWORD_ANALYSIS_OPTIONLISTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace lastword::analysis {

/// The entries of an option list.
std::vector<std::string> parseOptionList(llvm::StringRef Value);

/// An option list as `--dump-config` prints it.
std::string serializeOptionList(llvm::ArrayRef<std::string> Entries);

} // namespace lastword::analysis

#endif
