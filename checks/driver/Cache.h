//===--- Cache.h - Findings replayed for unchanged translation units -------===//
//
// A cache entry is keyed by a SHA-256 over everything that decides what the
// checks report for one translation unit: the path and contents of every
// file the preprocessor enters (so a header edit invalidates it), the compile
// command, the effective clang-tidy configuration for the file, and the tool
// version (the version string, clang's, and a hash of the executable itself,
// so a rebuilt driver never replays an older one's findings).
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_CACHE_H
#define LASTWORD_DRIVER_CACHE_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "driver/Findings.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"

namespace lastword {

/// The identity of this build of the driver. LASTWORD_CACHE_TOOL_VERSION, when
/// set, replaces it (the tests use it to play a new release).
std::string toolVersionForCache();

/// The cache key for File, or "" when the file does not preprocess (it is
/// then analysed, and its result not stored).
std::string computeCacheKey(const clang::tooling::CompilationDatabase &Compilations,
                            llvm::StringRef File, clang::tidy::ClangTidyContext &Context,
                            llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
                            const clang::tooling::ArgumentsAdjuster &Adjuster,
                            llvm::StringRef ToolVersion);

std::optional<FileResult> loadCachedResult(llvm::StringRef CacheDir, llvm::StringRef Key);
/// Writes atomically (a temporary file renamed into place), so parallel runs
/// sharing a cache directory never read half an entry. False on failure.
bool storeCachedResult(llvm::StringRef CacheDir, llvm::StringRef Key, const FileResult &Result);

} // namespace lastword

#endif
