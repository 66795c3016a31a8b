//===--- CrossTu.h - gc-finalizer-cycle across translation units ----------===//
//
// Each translation unit sees only the types its headers declare. With
// --export-facts=<dir> the gc-finalizer-cycle check writes the type graph it
// saw (CycleFacts.h); --cross-tu <dir> joins the facts of every unit and
// reports the cycles through a finalizable type that no single unit saw
// whole. With -p over several files the driver does both by itself.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_CROSSTU_H
#define LASTWORD_DRIVER_CROSSTU_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace lastword::driver {

struct CrossTuResult {
  unsigned Findings = 0;
  unsigned AsErrors = 0;
  std::string Error; ///< unreadable directory or facts: an input error
};

/// Joins the facts files in \p Directory and prints, in clang-tidy's format
/// and in a fixed order, the cycles no single translation unit saw.
/// \p WarningsAsErrors: clang-tidy globs; findings they match are errors.
CrossTuResult runCrossTuPass(llvm::StringRef Directory, llvm::StringRef WarningsAsErrors,
                             llvm::raw_ostream &OS);

} // namespace lastword::driver

#endif
