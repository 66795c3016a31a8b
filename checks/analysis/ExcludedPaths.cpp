//===--- ExcludedPaths.cpp ------------------------------------------------===//

#include "analysis/ExcludedPaths.h"
#include "llvm/Support/Path.h"

using clang::tidy::ClangTidyCheck;
using clang::tidy::ClangTidyOptions;

namespace lastword::analysis {

ExcludedPaths ExcludedPaths::fromOptions(const ClangTidyCheck &Check,
                                         const ClangTidyCheck::OptionsView &Options) {
  ExcludedPaths Result;
  Result.Pattern = Options.getLocalOrGlobal("ExcludePaths", "");
  if (Result.Pattern.empty())
    return Result;
  auto Regex = std::make_shared<llvm::Regex>(Result.Pattern);
  std::string Error;
  if (!Regex->isValid(Error)) {
    Check.configurationDiag("invalid regular expression '%0' in option 'ExcludePaths': %1",
                            clang::DiagnosticIDs::Error)
        << Result.Pattern << Error;
    return Result;
  }
  Result.Regex = std::move(Regex);
  return Result;
}

void ExcludedPaths::storeOptions(ClangTidyCheck::OptionsView &Options,
                                 ClangTidyOptions::OptionMap &Opts) const {
  Options.store(Opts, "ExcludePaths", Pattern);
}

bool ExcludedPaths::matches(llvm::StringRef Path) const {
  if (!Regex || Path.empty())
    return false;
  if (Regex->match(Path))
    return true;
  // Written with '/' on every platform.
  std::string Portable = llvm::sys::path::convert_to_slash(Path);
  return Portable != Path && Regex->match(Portable);
}

bool ExcludedPaths::excludesMainFile(const clang::SourceManager &SM) {
  if (!Regex)
    return false;
  if (MainFileExcluded)
    return *MainFileExcluded;
  bool Excluded = false;
  if (clang::OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID())) {
    Excluded = matches(Main->getName());
    if (!Excluded) {
      llvm::StringRef Real = Main->getFileEntry().tryGetRealPathName();
      Excluded = matches(Real);
    }
  }
  MainFileExcluded = Excluded;
  return Excluded;
}

} // namespace lastword::analysis
