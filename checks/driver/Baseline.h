//===--- Baseline.h - Adopting the gate on code that already has findings ---===//
//
// A baseline records today's findings so that a gate fails only on new ones.
// A finding's key must survive unrelated edits, so it never holds a line
// number: it is the check, the file (relative to the baseline's directory),
// the qualified name of the enclosing function, and the names quoted in the
// message ('self', 'lastword::collect', ...). Each baseline entry absorbs one
// finding with its key, so a second copy of a known bug in the same function
// is still new.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_BASELINE_H
#define LASTWORD_DRIVER_BASELINE_H

#include "driver/Findings.h"
#include "llvm/ADT/StringMap.h"

namespace lastword {

/// A check's finding and the function it lies in.
struct Finding {
  const ClangTidyError *Error;
  std::string Function;
};

struct FindingKey {
  std::string Check, File, Function;
  std::vector<std::string> Names;
  std::string str() const;
};

/// The names a message quotes, in order ('x' and "x" forms).
std::vector<std::string> quotedNames(llvm::StringRef Message);

/// Key of a finding, with the file relative to Root when it lies below it.
FindingKey findingKey(const Finding &F, llvm::StringRef Root);

/// The path as a key spells it: relative to Root when below it, '/' separated.
std::string keyPath(llvm::StringRef AbsolutePath, llvm::StringRef Root);

bool writeBaseline(llvm::StringRef Path, llvm::ArrayRef<Finding> Findings, std::string &Error);

/// A check's baseline entries as one shard of a run used them, for
/// `lastword merge`, which reports the shards' joined findings of that check
/// against what all the shards left.
struct BaselineShare {
  std::string Root; ///< the directory the keys are relative to
  struct Entry {
    std::string Key; ///< FindingKey::str()
    unsigned Count = 0, Left = 0;
  };
  std::vector<Entry> Entries; ///< by key
};

class Baseline {
public:
  bool load(llvm::StringRef Path, std::string &Error);
  /// The findings that are not in the baseline, in their order.
  std::vector<Finding> newFindings(llvm::ArrayRef<Finding> Findings) const;
  /// The entries of \p Check, and how many of each \p Findings leave.
  BaselineShare share(llvm::StringRef Check, llvm::ArrayRef<Finding> Findings) const;
  size_t size() const { return Entries; }

private:
  std::string Root;
  llvm::StringMap<unsigned> Counts;
  size_t Entries = 0;
};

/// The directory keys are relative to for a baseline file.
std::string baselineRoot(llvm::StringRef BaselinePath);

} // namespace lastword

#endif
