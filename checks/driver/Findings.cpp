//===--- Findings.cpp -----------------------------------------------------===//

#include "driver/Findings.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>

namespace json = llvm::json;

namespace lastword {

bool isConfigError(const ClangTidyError &Error) {
  return Error.DiagnosticName == "clang-tidy-config";
}

bool isCompileError(const ClangTidyError &Error) {
  return Error.DiagLevel == ClangTidyError::Error &&
         llvm::StringRef(Error.DiagnosticName).starts_with("clang-diagnostic-");
}

bool isCheckFinding(const ClangTidyError &Error) {
  llvm::StringRef Name = Error.DiagnosticName;
  return !Name.starts_with("clang-diagnostic-") && !isConfigError(Error);
}

static json::Value replacementsToJSON(const llvm::StringMap<clang::tooling::Replacements> &Fix) {
  json::Array Out;
  // StringMap order is unspecified; the cache and the reports must not be.
  std::vector<llvm::StringRef> Files;
  for (const auto &Entry : Fix)
    Files.push_back(Entry.getKey());
  llvm::sort(Files);
  for (llvm::StringRef File : Files)
    for (const clang::tooling::Replacement &R : Fix.find(File)->second)
      Out.push_back(json::Object{{"file", R.getFilePath()},
                                 {"offset", R.getOffset()},
                                 {"length", R.getLength()},
                                 {"text", R.getReplacementText()}});
  return Out;
}

static json::Value messageToJSON(const clang::tooling::DiagnosticMessage &M) {
  json::Array Ranges;
  for (const clang::tooling::FileByteRange &R : M.Ranges)
    Ranges.push_back(
        json::Object{{"file", R.FilePath}, {"offset", R.FileOffset}, {"length", R.Length}});
  return json::Object{{"message", M.Message},
                      {"file", M.FilePath},
                      {"offset", M.FileOffset},
                      {"fixes", replacementsToJSON(M.Fix)},
                      {"ranges", std::move(Ranges)}};
}

static bool messageFromJSON(const json::Value &V, clang::tooling::DiagnosticMessage &M) {
  const json::Object *O = V.getAsObject();
  if (!O)
    return false;
  std::optional<llvm::StringRef> Message = O->getString("message"), File = O->getString("file");
  std::optional<int64_t> Offset = O->getInteger("offset");
  const json::Array *Fixes = O->getArray("fixes"), *Ranges = O->getArray("ranges");
  if (!Message || !File || !Offset || !Fixes || !Ranges)
    return false;
  M.Message = Message->str();
  M.FilePath = File->str();
  M.FileOffset = static_cast<unsigned>(*Offset);
  for (const json::Value &F : *Fixes) {
    const json::Object *FO = F.getAsObject();
    if (!FO || !FO->getString("file") || !FO->getInteger("offset") || !FO->getInteger("length") ||
        !FO->getString("text"))
      return false;
    clang::tooling::Replacement R(*FO->getString("file"), *FO->getInteger("offset"),
                                  *FO->getInteger("length"), *FO->getString("text"));
    if (llvm::Error Err = M.Fix[R.getFilePath()].add(R)) {
      llvm::consumeError(std::move(Err));
      return false;
    }
  }
  for (const json::Value &R : *Ranges) {
    const json::Object *RO = R.getAsObject();
    if (!RO || !RO->getString("file") || !RO->getInteger("offset") || !RO->getInteger("length"))
      return false;
    clang::tooling::FileByteRange Range;
    Range.FilePath = RO->getString("file")->str();
    Range.FileOffset = *RO->getInteger("offset");
    Range.Length = *RO->getInteger("length");
    M.Ranges.push_back(Range);
  }
  return true;
}

json::Value errorToJSON(const ClangTidyError &Error) {
  json::Array Notes, Aliases;
  for (const clang::tooling::DiagnosticMessage &Note : Error.Notes)
    Notes.push_back(messageToJSON(Note));
  for (const std::string &Alias : Error.EnabledDiagnosticAliases)
    Aliases.push_back(Alias);
  return json::Object{{"name", Error.DiagnosticName},
                      {"level", static_cast<int>(Error.DiagLevel)},
                      {"buildDirectory", Error.BuildDirectory},
                      {"warningAsError", Error.IsWarningAsError},
                      {"aliases", std::move(Aliases)},
                      {"main", messageToJSON(Error.Message)},
                      {"notes", std::move(Notes)}};
}

std::optional<ClangTidyError> errorFromJSON(const json::Value &Value) {
  const json::Object *O = Value.getAsObject();
  if (!O)
    return std::nullopt;
  std::optional<llvm::StringRef> Name = O->getString("name"),
                                 Build = O->getString("buildDirectory");
  std::optional<int64_t> Level = O->getInteger("level");
  std::optional<bool> AsError = O->getBoolean("warningAsError");
  const json::Array *Notes = O->getArray("notes"), *Aliases = O->getArray("aliases");
  const json::Value *Main = O->get("main");
  if (!Name || !Build || !Level || !AsError || !Notes || !Aliases || !Main)
    return std::nullopt;
  ClangTidyError Error(*Name, static_cast<ClangTidyError::Level>(*Level), *Build, *AsError);
  if (!messageFromJSON(*Main, Error.Message))
    return std::nullopt;
  for (const json::Value &N : *Notes) {
    clang::tooling::DiagnosticMessage Note;
    if (!messageFromJSON(N, Note))
      return std::nullopt;
    Error.Notes.push_back(std::move(Note));
  }
  for (const json::Value &A : *Aliases) {
    if (!A.getAsString())
      return std::nullopt;
    Error.EnabledDiagnosticAliases.push_back(A.getAsString()->str());
  }
  return Error;
}

json::Value resultToJSON(const FileResult &Result) {
  json::Array Errors;
  for (size_t I = 0; I < Result.Errors.size(); ++I) {
    json::Value E = errorToJSON(Result.Errors[I]);
    E.getAsObject()->insert({"function", Result.Functions[I]});
    Errors.push_back(std::move(E));
  }
  json::Object Out{{"file", Result.File}, {"errors", std::move(Errors)}};
  if (Result.FactsExported)
    Out["facts"] = json::Object{{"text", Result.Facts}, {"name", Result.FactsName}};
  return Out;
}

std::optional<FileResult> resultFromJSON(const json::Value &Value) {
  const json::Object *O = Value.getAsObject();
  if (!O || !O->getString("file") || !O->getArray("errors"))
    return std::nullopt;
  FileResult Result;
  Result.File = O->getString("file")->str();
  for (const json::Value &E : *O->getArray("errors")) {
    std::optional<ClangTidyError> Error = errorFromJSON(E);
    std::optional<llvm::StringRef> Function =
        E.getAsObject() ? E.getAsObject()->getString("function") : std::nullopt;
    if (!Error || !Function)
      return std::nullopt;
    Result.Errors.push_back(std::move(*Error));
    Result.Functions.push_back(Function->str());
  }
  if (const json::Object *Facts = O->getObject("facts")) {
    std::optional<llvm::StringRef> Text = Facts->getString("text"), Name = Facts->getString("name");
    if (!Text || !Name)
      return std::nullopt;
    Result.FactsExported = true;
    Result.Facts = Text->str();
    Result.FactsName = Name->str();
  }
  return Result;
}

std::string absoluteDiagnosticPath(llvm::StringRef Path, llvm::StringRef BuildDirectory) {
  llvm::SmallString<256> Absolute(Path);
  if (!llvm::sys::path::is_absolute(Absolute) && !BuildDirectory.empty()) {
    Absolute = BuildDirectory;
    llvm::sys::path::append(Absolute, Path);
  }
  llvm::sys::fs::make_absolute(Absolute);
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  return std::string(Absolute);
}

SourcePositions::File &SourcePositions::file(const std::string &AbsolutePath) {
  auto [It, Inserted] = Files.try_emplace(AbsolutePath);
  File &F = It->second;
  if (Inserted) {
    F.LineStarts.push_back(0);
    if (llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer =
            llvm::MemoryBuffer::getFile(AbsolutePath)) {
      F.Text = (*Buffer)->getBuffer().str();
      F.Readable = true;
      for (size_t I = 0; I < F.Text.size(); ++I)
        if (F.Text[I] == '\n')
          F.LineStarts.push_back(static_cast<unsigned>(I + 1));
    }
  }
  return F;
}

SourcePositions::Position SourcePositions::at(const std::string &AbsolutePath, unsigned Offset) {
  const std::vector<unsigned> &Starts = file(AbsolutePath).LineStarts;
  auto Next = std::upper_bound(Starts.begin(), Starts.end(), Offset);
  unsigned LineIndex = static_cast<unsigned>(Next - Starts.begin()) - 1;
  return {LineIndex + 1, Offset - Starts[LineIndex] + 1};
}

SourcePositions::Position SourcePositions::atUtf16(const std::string &AbsolutePath,
                                                   unsigned Offset) {
  Position P = at(AbsolutePath, Offset);
  const File &F = file(AbsolutePath);
  size_t I = F.LineStarts[P.Line - 1], End = std::min<size_t>(Offset, F.Text.size());
  unsigned Units = 0;
  auto Continuation = [&](size_t At) {
    return At < End && (static_cast<unsigned char>(F.Text[At]) & 0xC0) == 0x80;
  };
  while (I < End) {
    unsigned char Lead = static_cast<unsigned char>(F.Text[I]);
    unsigned Length = Lead < 0x80             ? 1
                      : (Lead & 0xE0) == 0xC0 ? 2
                      : (Lead & 0xF0) == 0xE0 ? 3
                      : (Lead & 0xF8) == 0xF0 ? 4
                                              : 0;
    bool Valid = Length != 0;
    for (unsigned K = 1; Valid && K < Length; ++K)
      Valid = Continuation(I + K);
    if (!Valid) { // one replacement character per stray byte
      ++Units;
      ++I;
      continue;
    }
    Units += Length == 4 ? 2 : 1;
    I += Length;
  }
  // Past the end of the text (an offset the file no longer has): bytes.
  if (Offset > F.Text.size())
    Units += Offset - static_cast<unsigned>(F.Text.size());
  return {P.Line, Units + 1};
}

std::optional<unsigned> SourcePositions::offsetOf(const std::string &AbsolutePath, unsigned Line,
                                                  unsigned Column) {
  const File &F = file(AbsolutePath);
  if (!F.Readable || Line == 0 || Column == 0 || Line > F.LineStarts.size())
    return std::nullopt;
  size_t LineEnd = Line < F.LineStarts.size() ? F.LineStarts[Line] : F.Text.size();
  size_t Offset = F.LineStarts[Line - 1] + Column - 1;
  if (Offset > LineEnd)
    return std::nullopt;
  return static_cast<unsigned>(Offset);
}

std::optional<llvm::StringRef> SourcePositions::lineText(const std::string &AbsolutePath,
                                                         unsigned Line) {
  const File &F = file(AbsolutePath);
  if (!F.Readable || Line == 0 || Line > F.LineStarts.size())
    return std::nullopt;
  size_t Begin = F.LineStarts[Line - 1];
  size_t End = Line < F.LineStarts.size() ? F.LineStarts[Line] : F.Text.size();
  return llvm::StringRef(F.Text).slice(Begin, End).rtrim("\r\n");
}

} // namespace lastword
