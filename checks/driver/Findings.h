//===--- Findings.h - What one run of the checks found ---------------------===//
//
// The driver keeps clang-tidy's own ClangTidyError records from analysis to
// output, so the text report is clang-tidy's, whether the findings were just
// computed or replayed from the cache. This file turns them into JSON and
// back (cache entries, the --format=json report) and maps their byte offsets
// to lines and columns.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_FINDINGS_H
#define LASTWORD_DRIVER_FINDINGS_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include <optional>
#include <string>
#include <vector>

namespace lastword {

using clang::tidy::ClangTidyError;

/// One checked file: the diagnostics in the order clang-tidy produced them,
/// and for each the qualified name of the function it lies in ("" outside
/// any function).
struct FileResult {
  std::string File;
  std::vector<ClangTidyError> Errors;
  std::vector<std::string> Functions;
  bool FromCache = false;
  /// The gc-finalizer-cycle facts of the file (CycleFacts' text form) when
  /// the run exported them (empty when the check is off for the file), and
  /// the name of their file in the facts directory.
  bool FactsExported = false;
  std::string Facts, FactsName;
};

/// A finding of a check, as opposed to a compiler diagnostic or a
/// configuration error that clang-tidy reports the same way.
bool isCheckFinding(const ClangTidyError &Error);
bool isCompileError(const ClangTidyError &Error);
bool isConfigError(const ClangTidyError &Error);

llvm::json::Value errorToJSON(const ClangTidyError &Error);
std::optional<ClangTidyError> errorFromJSON(const llvm::json::Value &Value);

llvm::json::Value resultToJSON(const FileResult &Result);
std::optional<FileResult> resultFromJSON(const llvm::json::Value &Value);

/// A diagnostic's file as an absolute path with no '.' or '..' parts
/// (relative paths are relative to the compile command's directory).
std::string absoluteDiagnosticPath(llvm::StringRef Path, llvm::StringRef BuildDirectory);

/// 1-based lines and columns of offsets in files; each file is read once.
class SourcePositions {
public:
  struct Position {
    unsigned Line = 0, Column = 0;
  };
  /// The column in bytes, as clang prints it.
  Position at(const std::string &AbsolutePath, unsigned Offset);
  /// The column in UTF-16 code units (SARIF's "utf16CodeUnits"): a character
  /// of two to three UTF-8 bytes is one unit, one of four bytes (outside the
  /// Basic Multilingual Plane) two; a byte that is not valid UTF-8 is one.
  Position atUtf16(const std::string &AbsolutePath, unsigned Offset);
  /// The byte offset of a 1-based line and byte column, or nullopt when the
  /// file cannot be read or has no such line.
  std::optional<unsigned> offsetOf(const std::string &AbsolutePath, unsigned Line, unsigned Column);
  /// The text of a 1-based line, without its line break; nullopt when the
  /// file cannot be read or has no such line.
  std::optional<llvm::StringRef> lineText(const std::string &AbsolutePath, unsigned Line);

private:
  struct File {
    std::string Text;
    std::vector<unsigned> LineStarts;
    bool Readable = false;
  };
  File &file(const std::string &AbsolutePath);
  llvm::StringMap<File> Files;
};

} // namespace lastword

#endif
