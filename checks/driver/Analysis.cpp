//===--- Analysis.cpp - Checking files in parallel ------------------------===//
//
// Each file runs on a worker with its own file system view, options provider
// and clang-tidy context: clang-tidy's state is per translation unit, and the
// real file system's working directory is process-wide, so every worker gets
// a physical file system with a working directory of its own.
//
//===----------------------------------------------------------------------===//

#include "driver/Analysis.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyModule.h"
#include "driver/Cache.h"
#include "driver/MainFileScope.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/MultiplexConsumer.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"
#include <atomic>
#include <mutex>

using namespace clang;
using namespace clang::tidy;

namespace lastword {
namespace {

struct FunctionRange {
  unsigned Begin, End;
  std::string Name;
};
using FunctionRanges = llvm::StringMap<std::vector<FunctionRange>>;

// Records where each function definition outside system headers lies, so a
// finding can be keyed by the function it is in. It walks declarations only,
// never statements: the cost is a small fraction of the parse.
class FunctionRangeVisitor : public RecursiveASTVisitor<FunctionRangeVisitor> {
public:
  FunctionRangeVisitor(SourceManager &SM, FunctionRanges &Out) : SM(SM), Out(Out) {}
  bool shouldVisitTemplateInstantiations() const { return false; }
  bool TraverseStmt(Stmt *, DataRecursionQueue * = nullptr) { return true; }
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && SM.isInSystemHeader(D->getLocation()))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitFunctionDecl(FunctionDecl *F) {
    if (!F->doesThisDeclarationHaveABody())
      return true;
    SourceLocation Begin = SM.getExpansionLoc(F->getBeginLoc());
    SourceLocation End = SM.getExpansionRange(F->getEndLoc()).getEnd();
    auto [BeginFile, BeginOffset] = SM.getDecomposedLoc(Begin);
    auto [EndFile, EndOffset] = SM.getDecomposedLoc(End);
    if (BeginFile.isInvalid() || BeginFile != EndFile)
      return true;
    OptionalFileEntryRef Entry = SM.getFileEntryRefForID(BeginFile);
    if (!Entry)
      return true;
    llvm::SmallString<256> Path(Entry->getName());
    SM.getFileManager().makeAbsolutePath(Path);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Out[Path].push_back({BeginOffset, EndOffset, F->getQualifiedNameAsString()});
    return true;
  }

private:
  SourceManager &SM;
  FunctionRanges &Out;
};

class FunctionRangeRecorder : public ASTConsumer {
public:
  explicit FunctionRangeRecorder(FunctionRanges &Out) : Out(Out) {}
  void HandleTranslationUnit(ASTContext &Context) override {
    FunctionRangeVisitor(Context.getSourceManager(), Out)
        .TraverseDecl(Context.getTranslationUnitDecl());
  }

private:
  FunctionRanges &Out;
};

// clang-tidy's own runClangTidy, with the function recorder beside the checks.
class CheckActionFactory : public tooling::FrontendActionFactory {
public:
  CheckActionFactory(ClangTidyContext &Context,
                     llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
                     FunctionRanges &Ranges)
      : Checks(Context, std::move(FS)), Ranges(Ranges) {}
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<Action>(Checks, Ranges);
  }
  bool runInvocation(std::shared_ptr<CompilerInvocation> Invocation, FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHContainerOps,
                     DiagnosticConsumer *DiagConsumer) override {
    // As clang-tidy does: code may test __clang_analyzer__ to hide itself from linters.
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    // No "N warnings generated." per file: the driver prints one summary line,
    // and with parallel workers such lines would interleave.
    Invocation->getDiagnosticOpts().ShowCarets = false;
    return FrontendActionFactory::runInvocation(std::move(Invocation), Files,
                                                std::move(PCHContainerOps), DiagConsumer);
  }

private:
  class Action : public ASTFrontendAction {
  public:
    Action(ClangTidyASTConsumerFactory &Checks, FunctionRanges &Ranges)
        : Checks(Checks), Ranges(Ranges) {}
    std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &Compiler,
                                                   StringRef File) override {
      std::vector<std::unique_ptr<ASTConsumer>> Consumers;
      Consumers.push_back(std::make_unique<MainFileScope>());
      Consumers.push_back(Checks.createASTConsumer(Compiler, File));
      Consumers.push_back(std::make_unique<FunctionRangeRecorder>(Ranges));
      return std::make_unique<MultiplexConsumer>(std::move(Consumers));
    }

  private:
    ClangTidyASTConsumerFactory &Checks;
    FunctionRanges &Ranges;
  };
  ClangTidyASTConsumerFactory Checks;
  FunctionRanges &Ranges;
};

std::string enclosingFunction(const FunctionRanges &Ranges, const ClangTidyError &Error) {
  if (Error.Message.FilePath.empty())
    return "";
  auto It = Ranges.find(absoluteDiagnosticPath(Error.Message.FilePath, Error.BuildDirectory));
  if (It == Ranges.end())
    return "";
  const FunctionRange *Best = nullptr;
  for (const FunctionRange &R : It->second)
    if (R.Begin <= Error.Message.FileOffset && Error.Message.FileOffset <= R.End &&
        (!Best || R.End - R.Begin < Best->End - Best->Begin))
      Best = &R;
  return Best ? Best->Name : "";
}

// Writes Text as Directory/Name, atomically (parallel jobs share the directory).
bool writeFactsFile(llvm::StringRef Directory, llvm::StringRef Name, llvm::StringRef Text) {
  llvm::SmallString<256> Path(Directory), Temporary;
  llvm::sys::path::append(Path, Name);
  int FD;
  if (llvm::sys::fs::createUniqueFile(Path + ".%%%%%%.tmp", FD, Temporary))
    return false;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Text;
    OS.close();
    if (OS.has_error()) {
      OS.clear_error();
      llvm::sys::fs::remove(Temporary);
      return false;
    }
  }
  if (llvm::sys::fs::rename(Temporary, Path)) {
    llvm::sys::fs::remove(Temporary);
    return false;
  }
  return true;
}

// Moves the facts the check wrote into Staging to the facts directory, and
// keeps their text and name in Result. No facts file (the check is off for
// the file, or it could not write) leaves Result.Facts empty.
bool takeFacts(llvm::StringRef Staging, llvm::StringRef FactsDir, FileResult &Result) {
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Staging, EC), End; It != End && !EC; It.increment(EC)) {
    if (llvm::sys::path::extension(It->path()) != ".facts")
      continue;
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text =
        llvm::MemoryBuffer::getFile(It->path());
    if (!Text)
      return false;
    Result.Facts = (*Text)->getBuffer().str();
    Result.FactsName = llvm::sys::path::filename(It->path()).str();
    llvm::SmallString<256> Target(FactsDir);
    llvm::sys::path::append(Target, Result.FactsName);
    return !llvm::sys::fs::rename(It->path(), Target);
  }
  return !EC;
}

tooling::ArgumentsAdjuster argumentsAdjuster(ClangTidyContext &Context) {
  // The ExtraArgs / ExtraArgsBefore of the configuration, as clang-tidy applies them.
  tooling::ArgumentsAdjuster FromConfig = [&Context](const tooling::CommandLineArguments &Args,
                                                     StringRef File) {
    ClangTidyOptions Options = Context.getOptionsForFile(File);
    tooling::CommandLineArguments Adjusted = Args;
    if (Options.ExtraArgsBefore && !Adjusted.empty())
      Adjusted.insert(Adjusted.begin() + 1, Options.ExtraArgsBefore->begin(),
                      Options.ExtraArgsBefore->end());
    if (Options.ExtraArgs)
      Adjusted.insert(Adjusted.end(), Options.ExtraArgs->begin(), Options.ExtraArgs->end());
    return Adjusted;
  };
  return tooling::combineAdjusters(FromConfig, tooling::getStripPluginsAdjuster());
}

FileResult analyseOne(const tooling::CompilationDatabase &Compilations, const std::string &File,
                      const MakeOptionsProvider &MakeProvider, const AnalysisSettings &Settings,
                      AnalysisStats &Stats, std::mutex &StatsMutex) {
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::createPhysicalFileSystem()));
  // The check writes the file's facts into a directory of its own, so the
  // driver knows which facts are this file's (to cache them), whatever name
  // the check gives them.
  llvm::SmallString<256> Staging;
  if (!Settings.FactsDir.empty()) {
    llvm::SmallString<256> Prefix(Settings.FactsDir);
    llvm::sys::path::append(Prefix, ".staging");
    if (llvm::sys::fs::createUniqueDirectory(Prefix, Staging))
      Staging.clear();
  }
  auto RemoveStaging = llvm::make_scope_exit([&] {
    if (!Staging.empty())
      llvm::sys::fs::remove_directories(Staging);
  });
  ClangTidyContext Context(MakeProvider(FS, Staging));
  tooling::ArgumentsAdjuster Adjuster = argumentsAdjuster(Context);

  std::string Key;
  if (!Settings.CacheDir.empty()) {
    // Findings gathered for --fix keep the fixes of notes too: another key.
    Key = computeCacheKey(Compilations, File, Context, FS, Adjuster,
                          Settings.ToolVersion + (Settings.WantFixes ? "\nfixes" : ""));
    std::optional<FileResult> Cached;
    if (!Key.empty())
      Cached = loadCachedResult(Settings.CacheDir, Key);
    // An entry stored by a run that exported no facts cannot replay them.
    if (Cached && !Settings.FactsDir.empty() && !Cached->FactsExported)
      Cached.reset();
    if (Cached && !Cached->Facts.empty() && !Settings.FactsDir.empty() &&
        !writeFactsFile(Settings.FactsDir, Cached->FactsName, Cached->Facts))
      Cached.reset();
    if (Cached) {
      std::lock_guard<std::mutex> Lock(StatsMutex);
      ++Stats.CacheHits;
      Cached->File = File;
      Cached->FromCache = true;
      return std::move(*Cached);
    }
  }

  tooling::ClangTool Tool(Compilations, {File}, std::make_shared<PCHContainerOperations>(), FS);
  Tool.appendArgumentsAdjuster(Adjuster);
  ClangTidyDiagnosticConsumer DiagConsumer(Context, nullptr, /*RemoveIncompatibleErrors=*/true,
                                           /*GetFixesFromNotes=*/Settings.WantFixes);
  DiagnosticsEngine Diags(new DiagnosticIDs(), new DiagnosticOptions(), &DiagConsumer,
                          /*ShouldOwnClient=*/false);
  Context.setDiagnosticsEngine(&Diags);
  Tool.setDiagnosticConsumer(&DiagConsumer);
  FunctionRanges Ranges;
  CheckActionFactory Factory(Context, FS, Ranges);
  Tool.run(&Factory);

  FileResult Result;
  Result.File = File;
  Result.Errors = DiagConsumer.take();
  for (const ClangTidyError &Error : Result.Errors)
    Result.Functions.push_back(enclosingFunction(Ranges, Error));
  if (!Staging.empty()) {
    Result.FactsExported = true;
    if (!takeFacts(Staging, Settings.FactsDir, Result))
      Key.clear(); // facts written but not moved: analyse again next time
  }

  // Code that does not compile is not cached: the next run must say so again.
  bool Cacheable = !Key.empty() && llvm::none_of(Result.Errors, [](const ClangTidyError &E) {
    return isCompileError(E) || isConfigError(E);
  });
  if (Cacheable && storeCachedResult(Settings.CacheDir, Key, Result)) {
    std::lock_guard<std::mutex> Lock(StatsMutex);
    ++Stats.CacheStores;
  }
  return Result;
}

} // namespace

std::vector<std::string> filesInDatabaseOrder(const tooling::CompilationDatabase &Compilations) {
  std::vector<std::string> Files;
  llvm::StringSet<> Seen;
  for (const tooling::CompileCommand &Command : Compilations.getAllCompileCommands()) {
    llvm::SmallString<256> Path(Command.Filename);
    if (!llvm::sys::path::is_absolute(Path)) {
      Path = Command.Directory;
      llvm::sys::path::append(Path, Command.Filename);
    }
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    if (Seen.insert(Path).second)
      Files.push_back(std::string(Path));
  }
  return Files;
}

std::vector<FileResult> analyseFiles(const tooling::CompilationDatabase &Compilations,
                                     const std::vector<std::string> &Files,
                                     const MakeOptionsProvider &MakeProvider,
                                     const AnalysisSettings &Settings, AnalysisStats &Stats) {
  std::vector<FileResult> Results(Files.size());
  std::atomic<size_t> Next{0};
  std::mutex Mutex;
  size_t Done = 0, Findings = 0;
  auto Work = [&] {
    for (size_t I = Next++; I < Files.size(); I = Next++) {
      FileResult Result = analyseOne(Compilations, Files[I], MakeProvider, Settings, Stats, Mutex);
      std::lock_guard<std::mutex> Lock(Mutex);
      ++Done;
      Findings += llvm::count_if(Result.Errors, isCheckFinding);
      Results[I] = std::move(Result);
      if (Settings.Progress)
        llvm::errs() << "\rlastword: " << Done << "/" << Files.size() << " files, " << Findings
                     << " finding(s)";
    }
  };
  unsigned Jobs = std::max(1u, std::min<unsigned>(Settings.Jobs, Files.size()));
  // Deeply nested code needs the stack a compiler's main thread has.
  constexpr unsigned WorkerStack = 8u << 20;
  std::vector<llvm::thread> Workers;
  for (unsigned J = 1; J < Jobs; ++J)
    Workers.emplace_back(std::optional<unsigned>(WorkerStack), Work);
  Work();
  for (llvm::thread &Worker : Workers)
    Worker.join();
  if (Settings.Progress && !Files.empty())
    llvm::errs() << "\r\033[K";
  return Results;
}

} // namespace lastword
