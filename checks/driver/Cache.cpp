//===--- Cache.cpp --------------------------------------------------------===//

#include "driver/Cache.h"
#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace lastword {
namespace {

// Fields are length-prefixed so that no two different sequences hash alike.
void hashField(llvm::SHA256 &Hash, llvm::StringRef Field) {
  uint64_t Size = Field.size();
  Hash.update(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&Size), sizeof Size));
  Hash.update(Field);
}

class FileContentHasher : public PPCallbacks {
public:
  FileContentHasher(SourceManager &SM, llvm::SHA256 &Hash) : SM(SM), Hash(Hash) {}
  void FileChanged(SourceLocation Loc, FileChangeReason Reason, SrcMgr::CharacteristicKind,
                   FileID) override {
    if (Reason != EnterFile)
      return;
    FileID File = SM.getFileID(SM.getExpansionLoc(Loc));
    hashField(Hash, SM.getFilename(Loc));
    hashField(Hash, SM.getBufferDataOrNone(File).value_or(""));
  }

private:
  SourceManager &SM;
  llvm::SHA256 &Hash;
};

class HashingAction : public PreprocessOnlyAction {
public:
  HashingAction(llvm::SHA256 &Hash, bool &Failed) : Hash(Hash), Failed(Failed) {}
  bool BeginSourceFileAction(CompilerInstance &Compiler) override {
    Compiler.getPreprocessor().addPPCallbacks(
        std::make_unique<FileContentHasher>(Compiler.getSourceManager(), Hash));
    return true;
  }
  void EndSourceFileAction() override {
    Failed |= getCompilerInstance().getDiagnostics().hasErrorOccurred();
  }

private:
  llvm::SHA256 &Hash;
  bool &Failed;
};

class HashingActionFactory : public tooling::FrontendActionFactory {
public:
  HashingActionFactory(llvm::SHA256 &Hash, bool &Failed) : Hash(Hash), Failed(Failed) {}
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<HashingAction>(Hash, Failed);
  }

private:
  llvm::SHA256 &Hash;
  bool &Failed;
};

std::string entryPath(llvm::StringRef CacheDir, llvm::StringRef Key) {
  llvm::SmallString<256> Path(CacheDir);
  llvm::sys::path::append(Path, Key + ".json");
  return std::string(Path);
}

} // namespace

std::string toolVersionForCache() {
  if (std::optional<std::string> Override =
          llvm::sys::Process::GetEnv("LASTWORD_CACHE_TOOL_VERSION"))
    return *Override;
  std::string Version = std::string(LASTWORD_VERSION) + "\n" + getClangFullVersion() + "\n";
  std::string Executable = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  if (llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Binary =
          llvm::MemoryBuffer::getFile(Executable))
    Version += llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef((*Binary)->getBuffer())));
  return Version;
}

std::string computeCacheKey(const tooling::CompilationDatabase &Compilations, llvm::StringRef File,
                            tidy::ClangTidyContext &Context,
                            llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
                            const tooling::ArgumentsAdjuster &Adjuster,
                            llvm::StringRef ToolVersion) {
  llvm::SHA256 Hash;
  hashField(Hash, "lastword-cache-1");
  hashField(Hash, ToolVersion);
  tidy::ClangTidyOptions Options = Context.getOptionsForFile(File);
  // Where the facts go is not what they are (the driver gives each file a
  // directory of its own); whether they are wanted is the entry's business.
  Options.CheckOptions.erase("ExportFactsDirectory");
  Options.CheckOptions.erase("gc-finalizer-cycle.ExportFactsDirectory");
  hashField(Hash, tidy::configurationAsText(Options));
  for (const tooling::CompileCommand &Command : Compilations.getCompileCommands(File)) {
    hashField(Hash, Command.Directory);
    hashField(Hash, Command.Filename);
    for (const std::string &Argument : Adjuster(Command.CommandLine, File))
      hashField(Hash, Argument);
  }

  tooling::ClangTool Tool(Compilations, {File.str()}, std::make_shared<PCHContainerOperations>(),
                          FS);
  Tool.appendArgumentsAdjuster(Adjuster);
  IgnoringDiagConsumer Quiet;
  Tool.setDiagnosticConsumer(&Quiet);
  bool Failed = false;
  HashingActionFactory Factory(Hash, Failed);
  if (Tool.run(&Factory) != 0 || Failed)
    return "";
  return llvm::toHex(Hash.final(), /*LowerCase=*/true);
}

std::optional<FileResult> loadCachedResult(llvm::StringRef CacheDir, llvm::StringRef Key) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text =
      llvm::MemoryBuffer::getFile(entryPath(CacheDir, Key));
  if (!Text)
    return std::nullopt;
  llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse((*Text)->getBuffer());
  if (!Parsed) {
    llvm::consumeError(Parsed.takeError());
    return std::nullopt; // a damaged entry is a miss, and is overwritten
  }
  return resultFromJSON(*Parsed);
}

bool storeCachedResult(llvm::StringRef CacheDir, llvm::StringRef Key, const FileResult &Result) {
  if (llvm::sys::fs::create_directories(CacheDir))
    return false;
  llvm::SmallString<256> Temporary;
  int FD;
  if (llvm::sys::fs::createUniqueFile(entryPath(CacheDir, Key) + ".%%%%%%.tmp", FD, Temporary))
    return false;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << resultToJSON(Result);
    OS.close();
    if (OS.has_error()) {
      OS.clear_error();
      llvm::sys::fs::remove(Temporary);
      return false;
    }
  }
  if (llvm::sys::fs::rename(Temporary, entryPath(CacheDir, Key))) {
    llvm::sys::fs::remove(Temporary);
    return false;
  }
  return true;
}

} // namespace lastword
