//===--- OptionLists.cpp --------------------------------------------------===//

#include "analysis/OptionLists.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "llvm/ADT/SmallVector.h"

using clang::tidy::utils::options::parseStringList;
using clang::tidy::utils::options::serializeStringList;

namespace lastword::analysis {

std::vector<std::string> parseOptionList(llvm::StringRef Value) {
  std::vector<std::string> Entries;
  for (llvm::StringRef Entry : parseStringList(Value))
    Entries.push_back(Entry.str());
  return Entries;
}

std::string serializeOptionList(llvm::ArrayRef<std::string> Entries) {
  llvm::SmallVector<llvm::StringRef, 16> Refs(Entries.begin(), Entries.end());
  return serializeStringList(Refs);
}

} // namespace lastword::analysis
