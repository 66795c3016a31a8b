//===--- LastwordMain.cpp - The standalone lastword driver ----------------===//
//
// A thin LibTooling shell around the gc module: the same checks the
// clang-tidy plugin runs, with clang-tidy's configuration (.clang-tidy files,
// --config-file, --checks), the CI gate's parts in their own files (parallel
// runs and the cache: Analysis, Cache; reports: Output; baselines: Baseline)
// and a CI-friendly exit status:
//   0  no finding treated as an error
//   1  findings treated as errors (--warnings-as-errors)
//   2  usage or input errors: bad options, unknown checks, missing files,
//      a missing or broken compile database, code that does not parse
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "driver/Analysis.h"
#include "driver/Baseline.h"
#include "driver/Cache.h"
#include "driver/CrossTu.h"
#include "driver/Output.h"
#include "driver/Stats.h"
#include "gc/GcTidyModule.h"
#include "clang/Basic/Version.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"
#include <chrono>

using namespace clang;
using namespace clang::tidy;
namespace cl = llvm::cl;

static ClangTidyModuleRegistry::Add<gc::GcModule> GcModuleRegistration(gc::GcModuleName,
                                                                       gc::GcModuleDescription);

namespace {

enum ExitStatus { ExitClean = 0, ExitFindings = 1, ExitInputError = 2 };

cl::OptionCategory LastwordCategory("lastword options");

const char Overview[] =
    "lastword: finds finalizer and object-lifetime bugs in C++ code that runs on a\n"
    "garbage collector (the bundled lastword runtime, Boehm GC, cppgc).\n\n"
    "  lastword [options] <file>... [-- <compiler arguments>]\n"
    "  lastword [options] -p <build dir> [<file>...]\n\n"
    "With -p, files come from <build dir>/compile_commands.json (all of them when\n"
    "none is named, in the database's order). Configuration is read as clang-tidy\n"
    "reads it: .clang-tidy files above each source file, or --config-file / --config.\n"
    "Exit status: 0 clean, 1 findings treated as errors, 2 usage or input errors.\n\n"
    "  lastword merge [-o <file>] <shard report>...\n\n"
    "joins the SARIF reports of the --shard=K/N runs of one gate into the report\n"
    "of the whole run, with the cross-file cycles of the facts the shards carry;\n"
    "exit status 1 when those are treated as errors.\n\n"
    "gc-finalizer-cycle across files: with -p over several files the driver joins\n"
    "every file's facts after the last one and reports the cycles no single file\n"
    "shows, as findings in every format, baseline and exit status;\n"
    "--export-facts=<dir> keeps the facts, --cross-tu <dir> joins them. A\n"
    "--shard=K/N run leaves the joining to 'lastword merge': its SARIF report\n"
    "carries its files' facts.\n";

cl::list<std::string> SourcePaths(cl::Positional, cl::desc("<file>..."), cl::cat(LastwordCategory));
cl::opt<std::string> BuildPath("p", cl::desc("Build directory holding compile_commands.json"),
                               cl::value_desc("build dir"), cl::cat(LastwordCategory));
cl::opt<std::string> Checks("checks",
                            cl::desc("Comma-separated globs of checks to enable or, with a\n"
                                     "leading '-', disable (default: all gc-* checks)"),
                            cl::cat(LastwordCategory));
cl::opt<std::string> WarningsAsErrors("warnings-as-errors",
                                      cl::desc("Globs of checks whose findings are errors\n"
                                               "(exit status 1)"),
                                      cl::cat(LastwordCategory));
cl::opt<std::string> ConfigFile("config-file",
                                cl::desc("Read the configuration from this YAML file\n"
                                         "(.clang-tidy format) instead of .clang-tidy files"),
                                cl::cat(LastwordCategory));
cl::opt<std::string> ConfigText("config",
                                cl::desc("Configuration as a YAML string, e.g.\n"
                                         "\"{CheckOptions: {Api: bdwgc}}\""),
                                cl::cat(LastwordCategory));
cl::opt<std::string> HeaderFilter("header-filter",
                                  cl::desc("Regex of headers whose findings are shown\n"
                                           "(default: only the main files)"),
                                  cl::cat(LastwordCategory));
cl::opt<std::string> ExcludePaths("exclude-paths",
                                  cl::desc("Regex searched in each main file's path; matching\n"
                                           "files are not checked (tests, benchmarks, demos).\n"
                                           "Sets the global ExcludePaths option"),
                                  cl::value_desc("regex"), cl::cat(LastwordCategory));
cl::opt<bool> Fix("fix", cl::desc("Apply the suggested fix-its"), cl::cat(LastwordCategory));
cl::opt<std::string> ExportFixes("export-fixes",
                                 cl::desc("Write the suggested fixes to this YAML file\n"
                                          "(clang-apply-replacements format)"),
                                 cl::value_desc("file"), cl::cat(LastwordCategory));
cl::opt<bool> ListChecks("list-checks", cl::desc("List the enabled checks and exit"),
                         cl::cat(LastwordCategory));
cl::opt<bool> DumpConfig("dump-config",
                         cl::desc("Print the configuration in force (the enabled checks by\n"
                                  "name, every option of theirs) and exit"),
                         cl::cat(LastwordCategory));
cl::list<std::string> ExtraArgs("extra-arg", cl::desc("Extra compiler argument to append"),
                                cl::cat(LastwordCategory));
cl::list<std::string> ExtraArgsBefore("extra-arg-before",
                                      cl::desc("Extra compiler argument to prepend"),
                                      cl::cat(LastwordCategory));
cl::opt<std::string> ExportFacts("export-facts",
                                 cl::desc("Write each file's gc-finalizer-cycle facts (its type\n"
                                          "graph) into this directory, for --cross-tu"),
                                 cl::value_desc("dir"), cl::cat(LastwordCategory));
cl::opt<std::string> CrossTu("cross-tu",
                             cl::desc("Join the facts in this directory and report the\n"
                                      "finalizer cycles no single file shows (alone, or after\n"
                                      "checking the named files into it). With -p over\n"
                                      "several files this runs by itself, on the run's files"),
                             cl::value_desc("dir"), cl::cat(LastwordCategory));
cl::opt<bool> Quiet("quiet", cl::desc("Do not print the summary line"), cl::cat(LastwordCategory));
cl::opt<unsigned> Jobs("j",
                       cl::desc("Files checked in parallel (default: the number of cores);\n"
                                "the report's order is the files' order all the same"),
                       cl::value_desc("N"), cl::init(0), cl::Prefix, cl::cat(LastwordCategory));
cl::opt<lastword::ReportFormat>
    Format("format", cl::desc("Report format"), cl::init(lastword::ReportFormat::Text),
           cl::values(clEnumValN(lastword::ReportFormat::Text, "text",
                                 "clang-style diagnostics (default)"),
                      clEnumValN(lastword::ReportFormat::Sarif, "sarif", "SARIF 2.1.0"),
                      clEnumValN(lastword::ReportFormat::Json, "json", "lastword's JSON findings"),
                      clEnumValN(lastword::ReportFormat::Github, "github",
                                 "GitHub Actions annotations (::warning file=...)")),
           cl::cat(LastwordCategory));
cl::opt<std::string> Output("output",
                            cl::desc("Write the --format report to this file; the text\n"
                                     "report then still goes to standard output"),
                            cl::value_desc("file"), cl::cat(LastwordCategory));
cl::opt<std::string> BaselineFile("baseline",
                                  cl::desc("Report, and fail on, only the findings not in this\n"
                                           "baseline file"),
                                  cl::value_desc("file"), cl::cat(LastwordCategory));
cl::opt<std::string> WriteBaseline("write-baseline",
                                   cl::desc("Record every finding of this run in a baseline file"),
                                   cl::value_desc("file"), cl::cat(LastwordCategory));
cl::opt<std::string> CacheDir("cache-dir",
                              cl::desc("Replay the findings of unchanged translation units\n"
                                       "from this directory, and store new ones there\n"
                                       "(default: $LASTWORD_CACHE_DIR; none when unset)"),
                              cl::value_desc("dir"), cl::cat(LastwordCategory));
cl::opt<std::string> Shard("shard",
                           cl::desc("Check only slice K of N of the files (1 <= K <= N), for\n"
                                    "CI jobs in parallel; join their SARIF with 'lastword merge'\n"
                                    "(which also joins the files' gc-finalizer-cycle facts)"),
                           cl::value_desc("K/N"), cl::cat(LastwordCategory));

int inputError(const llvm::Twine &Message) {
  std::string Text = Message.str();
  std::replace(Text.begin(), Text.end(), '\n', ' ');
  llvm::errs() << "lastword: error: " << llvm::StringRef(Text).trim() << "\n";
  return ExitInputError;
}

void printVersion(llvm::raw_ostream &OS) {
  OS << "lastword " << LASTWORD_VERSION << " (clang-tidy module 'gc', built with "
     << clang::getClangFullVersion() << ")\n";
}

// Positive globs in --checks that name no known check: almost always a typo.
std::vector<std::string> unknownCheckGlobs(llvm::StringRef Globs) {
  NamesAndOptions Known = getAllChecksAndOptions(/*AllowEnablingAnalyzerAlphaCheckers=*/false);
  std::vector<std::string> Unknown;
  llvm::SmallVector<llvm::StringRef, 8> Terms;
  Globs.split(Terms, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Term : Terms) {
    Term = Term.trim();
    if (Term.empty() || Term.starts_with("-") || Term.starts_with("clang-diagnostic-"))
      continue;
    llvm::Expected<llvm::GlobPattern> Pattern = llvm::GlobPattern::create(Term);
    if (!Pattern) {
      llvm::consumeError(Pattern.takeError());
      Unknown.push_back(Term.str());
      continue;
    }
    bool Matches = llvm::any_of(Known.Names, [&](const llvm::StringMapEntry<std::nullopt_t> &Name) {
      return Pattern->match(Name.getKey());
    });
    if (!Matches)
      Unknown.push_back(Term.str());
  }
  return Unknown;
}

// The Checks of --dump-config: '-*,gc-*' when every check is on, else
// '-*,' and the enabled checks by name, so that the printed configuration,
// read back by lastword or by clang-tidy with the plugin, enables exactly
// the checks this run enables.
std::string effectiveChecksGlob(const std::vector<std::string> &Enabled) {
  NamesAndOptions Known = getAllChecksAndOptions(/*AllowEnablingAnalyzerAlphaCheckers=*/false);
  bool All = llvm::all_of(Known.Names, [&](const llvm::StringMapEntry<std::nullopt_t> &Name) {
    return !Name.getKey().starts_with("gc-") || llvm::is_contained(Enabled, Name.getKey());
  });
  if (All && !Enabled.empty())
    return "-*,gc-*";
  std::string Globs = "-*";
  for (const std::string &Check : Enabled)
    Globs += "," + Check;
  return Globs;
}

// FactsDir: where gc-finalizer-cycle writes the file's facts ("" for none).
std::unique_ptr<ClangTidyOptionsProvider>
makeOptionsProvider(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS, llvm::StringRef FactsDir,
                    std::string &Error) {
  ClangTidyGlobalOptions GlobalOptions;
  ClangTidyOptions Defaults = ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,gc-*";
  ClangTidyOptions Overrides;
  if (Checks.getNumOccurrences())
    Overrides.Checks = Checks;
  if (WarningsAsErrors.getNumOccurrences())
    Overrides.WarningsAsErrors = WarningsAsErrors;
  if (HeaderFilter.getNumOccurrences())
    Overrides.HeaderFilterRegex = HeaderFilter;
  if (ExcludePaths.getNumOccurrences())
    Overrides.CheckOptions["ExcludePaths"] = ClangTidyOptions::ClangTidyValue(ExcludePaths);
  if (!FactsDir.empty()) {
    // Local too, so that a configuration's own ExportFactsDirectory does not
    // send this run's facts elsewhere.
    Overrides.CheckOptions["ExportFactsDirectory"] = ClangTidyOptions::ClangTidyValue(FactsDir);
    Overrides.CheckOptions["gc-finalizer-cycle.ExportFactsDirectory"] =
        ClangTidyOptions::ClangTidyValue(FactsDir);
  }

  std::string ConfigSource;
  std::optional<std::string> Config;
  if (!ConfigFile.empty() && !ConfigText.empty()) {
    Error = "--config-file and --config cannot be used together";
    return nullptr;
  }
  if (!ConfigFile.empty()) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text =
        llvm::MemoryBuffer::getFile(ConfigFile);
    if (!Text) {
      Error = "cannot read config file '" + ConfigFile + "': " + Text.getError().message();
      return nullptr;
    }
    Config = (*Text)->getBuffer().str();
    ConfigSource = ConfigFile;
  } else if (!ConfigText.empty()) {
    Config = ConfigText;
    ConfigSource = "--config";
  }
  if (!Config)
    return std::make_unique<FileOptionsProvider>(GlobalOptions, Defaults, Overrides, FS);

  std::string ParseMessages;
  llvm::ErrorOr<ClangTidyOptions> Parsed = parseConfigurationWithDiags(
      llvm::MemoryBufferRef(*Config, ConfigSource), [&](const llvm::SMDiagnostic &D) {
        if (D.getKind() == llvm::SourceMgr::DK_Error)
          ParseMessages += (ParseMessages.empty() ? "" : "; ") + D.getMessage().str();
      });
  if (!Parsed) {
    Error = "invalid configuration in '" + ConfigSource +
            "': " + (ParseMessages.empty() ? Parsed.getError().message() : ParseMessages);
    return nullptr;
  }
  return std::make_unique<ConfigOptionsProvider>(GlobalOptions, Defaults, *Parsed, Overrides, FS);
}

std::unique_ptr<tooling::CompilationDatabase>
loadCompilations(std::unique_ptr<tooling::CompilationDatabase> FromCommandLine,
                 std::string &Error) {
  std::unique_ptr<tooling::CompilationDatabase> Database;
  if (!BuildPath.empty()) {
    if (!llvm::sys::fs::is_directory(BuildPath) &&
        llvm::sys::path::filename(BuildPath) != "compile_commands.json") {
      Error = "build directory '" + BuildPath + "' does not exist";
      return nullptr;
    }
    std::string Dir = llvm::sys::fs::is_directory(BuildPath)
                          ? BuildPath.getValue()
                          : llvm::sys::path::parent_path(BuildPath).str();
    std::string LoadError;
    Database = tooling::CompilationDatabase::loadFromDirectory(Dir, LoadError);
    if (!Database) {
      Error = "cannot load the compilation database in '" + Dir + "': " + LoadError;
      return nullptr;
    }
  } else if (FromCommandLine) {
    Database = std::move(FromCommandLine);
  } else {
    std::string LoadError;
    if (!SourcePaths.empty())
      Database = tooling::CompilationDatabase::autoDetectFromSource(SourcePaths.front(), LoadError);
    if (!Database) {
      llvm::errs() << "lastword: warning: no compile_commands.json found above '"
                   << (SourcePaths.empty() ? std::string(".") : SourcePaths.front())
                   << "' and no '--' given; parsing with default flags\n";
      Database =
          std::make_unique<tooling::FixedCompilationDatabase>(".", std::vector<std::string>{});
    }
  }
  auto Adjusted = std::make_unique<tooling::ArgumentsAdjustingCompilations>(std::move(Database));
  if (!ExtraArgsBefore.empty())
    Adjusted->appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
        ExtraArgsBefore, tooling::ArgumentInsertPosition::BEGIN));
  if (!ExtraArgs.empty())
    Adjusted->appendArgumentsAdjuster(
        tooling::getInsertArgumentAdjuster(ExtraArgs, tooling::ArgumentInsertPosition::END));
  return Adjusted;
}

bool parseShard(llvm::StringRef Spec, unsigned &K, unsigned &N) {
  auto [KText, NText] = Spec.split('/');
  return !KText.getAsInteger(10, K) && !NText.getAsInteger(10, N) && K >= 1 && K <= N;
}

int runMerge(llvm::ArrayRef<const char *> Args) {
  std::string OutputPath;
  std::vector<std::string> Inputs;
  for (size_t I = 0; I < Args.size(); ++I) {
    llvm::StringRef Arg = Args[I];
    if (Arg == "-o" && I + 1 < Args.size())
      OutputPath = Args[++I];
    else if (Arg.consume_front("--output="))
      OutputPath = Arg.str();
    else if (Arg.starts_with("-"))
      return inputError("merge: unknown option '" + Arg +
                        "' (usage: lastword merge [-o <file>] "
                        "<shard report>...)");
    else
      Inputs.push_back(Arg.str());
  }
  if (Inputs.empty())
    return inputError(
        "merge: no reports given (usage: lastword merge [-o <file>] <shard report>...)");
  std::vector<llvm::json::Value> Reports;
  for (const std::string &Input : Inputs) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text = llvm::MemoryBuffer::getFile(Input);
    if (!Text)
      return inputError("merge: cannot read '" + Input + "': " + Text.getError().message());
    llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse((*Text)->getBuffer());
    if (!Parsed)
      return inputError("merge: '" + Input +
                        "' is not JSON: " + llvm::toString(Parsed.takeError()));
    Reports.push_back(std::move(*Parsed));
  }
  llvm::json::Value Merged = nullptr;
  std::vector<ClangTidyError> Joined;
  std::string Error;
  if (!lastword::mergeSarif(Reports, Merged, Joined, Error))
    return inputError("merge: " + Error);
  std::error_code EC;
  llvm::raw_fd_ostream OS(OutputPath.empty() ? "-" : OutputPath, EC, llvm::sys::fs::OF_Text);
  if (EC)
    return inputError("merge: cannot write '" + OutputPath + "': " + EC.message());
  OS << llvm::formatv("{0:2}", Merged) << "\n";
  // The shards' own findings failed their jobs; the joined ones fail this one.
  lastword::SourcePositions Positions;
  auto Print = [&](const clang::tooling::DiagnosticMessage &M, llvm::StringRef Level) {
    if (!M.FilePath.empty()) {
      lastword::SourcePositions::Position P = Positions.at(M.FilePath, M.FileOffset);
      llvm::errs() << M.FilePath << ":" << P.Line << ":" << P.Column << ": ";
    }
    llvm::errs() << Level << ": " << M.Message;
  };
  unsigned AsErrors = 0;
  for (const ClangTidyError &E : Joined) {
    Print(E.Message, E.IsWarningAsError ? "error" : "warning");
    llvm::errs() << " [" << E.DiagnosticName << (E.IsWarningAsError ? ",-warnings-as-errors" : "")
                 << "]\n";
    for (const clang::tooling::DiagnosticMessage &Note : E.Notes) {
      Print(Note, "note");
      llvm::errs() << "\n";
    }
    AsErrors += E.IsWarningAsError;
  }
  if (!Joined.empty())
    llvm::errs() << "lastword: merge: " << Joined.size()
                 << " finding(s) across the shards' files, in the merged report\n";
  if (AsErrors) {
    llvm::errs() << "lastword: merge: " << AsErrors << " finding(s) treated as errors\n";
    return ExitFindings;
  }
  return ExitClean;
}

struct CrossTuPlan {
  std::string Directory;      ///< where this run's files write their facts ("": nowhere)
  bool Temporary = false;     ///< Directory is removed at the end
  bool JoinDirectory = false; ///< --cross-tu: join every facts file in Directory
  bool JoinRun = false;       ///< -p over the database: join this run's files' facts
  bool JoinOnly = false;      ///< --cross-tu without files: only join
  bool Embed = false;         ///< a shard's SARIF carries its files' facts for merge
  std::string Error;
};

// --export-facts, --cross-tu, -p over a whole database and --shard decide
// where the facts go and who joins them.
CrossTuPlan planCrossTu(bool CycleCheckEnabled) {
  CrossTuPlan Plan;
  bool NoFiles = SourcePaths.empty() && BuildPath.empty();
  if (!CrossTu.empty()) {
    Plan.Directory = CrossTu;
    Plan.JoinDirectory = true;
    Plan.JoinOnly = NoFiles;
    if (Plan.JoinOnly && !llvm::sys::fs::is_directory(CrossTu))
      Plan.Error = "facts directory '" + CrossTu + "' does not exist";
  } else if (CycleCheckEnabled && !Shard.empty()) {
    // A shard sees its slice only: `lastword merge` joins the shards' facts.
    Plan.Embed = Format == lastword::ReportFormat::Sarif;
  } else if (CycleCheckEnabled) {
    Plan.JoinRun = !BuildPath.empty() && SourcePaths.size() != 1;
  }
  if (!ExportFacts.empty()) {
    Plan.Directory = ExportFacts;
  } else if (Plan.Directory.empty() && (Plan.JoinRun || Plan.Embed)) {
    llvm::SmallString<128> Temporary;
    if (std::error_code EC = llvm::sys::fs::createUniqueDirectory("lastword-facts", Temporary)) {
      Plan.Error = "cannot create a directory for the cross-file pass: " + EC.message();
      return Plan;
    }
    Plan.Directory = std::string(Temporary);
    Plan.Temporary = true;
  }
  if (!Plan.JoinOnly && !Plan.Directory.empty()) {
    llvm::SmallString<256> Absolute(Plan.Directory);
    llvm::sys::fs::make_absolute(Absolute);
    if (std::error_code EC = llvm::sys::fs::create_directories(Absolute))
      Plan.Error = "cannot create '" + Plan.Directory + "': " + EC.message();
    Plan.Directory = std::string(Absolute);
  }
  return Plan;
}

} // namespace

int main(int argc, const char **argv) {
  llvm::InitLLVM Init(argc, argv);
  if (argc >= 2 && llvm::StringRef(argv[1]) == "merge")
    return runMerge(llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  // --stats: LLVM registers the option for its own statistics, which a
  // release build does not collect; the driver answers it with its line.
  cl::Option *StatsOption = cl::getRegisteredOptions().lookup("stats");
  if (StatsOption) {
    StatsOption->setDescription("Print a statistics line: time, findings per check, and how many "
                                "times each analysis budget was reached (a search that gave up; "
                                "see docs/design.md)");
    StatsOption->addCategory(LastwordCategory);
    StatsOption->setHiddenFlag(cl::NotHidden);
  }
  cl::HideUnrelatedOptions(LastwordCategory);
  cl::SetVersionPrinter(printVersion);

  std::string CommandLineError;
  std::unique_ptr<tooling::CompilationDatabase> FromCommandLine =
      tooling::FixedCompilationDatabase::loadFromCommandLine(argc, argv, CommandLineError);
  if (!CommandLineError.empty())
    return inputError(CommandLineError);
  std::string OptionErrors;
  llvm::raw_string_ostream OptionErrorStream(OptionErrors);
  if (!cl::ParseCommandLineOptions(argc, argv, Overview, &OptionErrorStream)) {
    OptionErrorStream.flush();
    return inputError(llvm::StringRef(OptionErrors).trim() + " (see 'lastword --help')");
  }
  bool PrintStats = StatsOption && StatsOption->getNumOccurrences();
  if (StatsOption)
    StatsOption->reset(); // or LLVM prints "Statistics are disabled" at exit

  if (Checks.getNumOccurrences()) {
    std::vector<std::string> Unknown = unknownCheckGlobs(Checks);
    if (!Unknown.empty())
      return inputError("unknown check '" + Unknown.front() +
                        "' in --checks (run --list-checks "
                        "with --checks='*' to see every check)");
  }

  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> BaseFS(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::getRealFileSystem()));
  std::string ProviderError;
  std::unique_ptr<ClangTidyOptionsProvider> Provider =
      makeOptionsProvider(BaseFS, "", ProviderError);
  if (!Provider)
    return inputError(ProviderError);

  std::string FirstFile = SourcePaths.empty() ? "dummy.cpp" : SourcePaths.front();
  llvm::SmallString<256> FirstFileAbsolute(FirstFile);
  llvm::sys::fs::make_absolute(FirstFileAbsolute);
  ClangTidyOptions Effective = Provider->getOptions(FirstFileAbsolute);
  std::vector<std::string> EnabledChecks =
      getCheckNames(Effective, /*AllowEnablingAnalyzerAlphaCheckers=*/false);

  if (ListChecks) {
    llvm::outs() << "Enabled checks:\n";
    for (const std::string &Name : EnabledChecks)
      llvm::outs() << "    " << Name << "\n";
    return EnabledChecks.empty() ? inputError("no checks enabled") : ExitClean;
  }
  if (DumpConfig) {
    // The configuration in force, not the layers it was merged from: the
    // driver's default '-*,gc-*' and each file's Checks are one list of globs
    // (a later glob wins), so the checks they enable are spelled out, and
    // every option of those checks with the value the check reads.
    ClangTidyOptions Dumped = ClangTidyOptions::getDefaults().merge(Effective, 0);
    Dumped.Checks = effectiveChecksGlob(EnabledChecks);
    Dumped.CheckOptions = getCheckOptions(Effective, false);
    llvm::outs() << configurationAsText(Dumped) << "\n";
    return ExitClean;
  }
  if (EnabledChecks.empty())
    return inputError("no checks enabled (check --checks and the configuration)");

  bool CycleCheck = llvm::is_contained(EnabledChecks, "gc-finalizer-cycle");
  CrossTuPlan CrossPlan = planCrossTu(CycleCheck);
  if (!CrossPlan.Error.empty())
    return inputError(CrossPlan.Error);
  auto RemoveTemporary = llvm::make_scope_exit([&] {
    if (CrossPlan.Temporary)
      llvm::sys::fs::remove_directories(CrossPlan.Directory);
  });

  if (!Output.empty() && Format == lastword::ReportFormat::Text)
    return inputError("--output needs --format=sarif, json or github (the text report goes to "
                      "standard output)");
  if (Fix && Format != lastword::ReportFormat::Text && Output.empty())
    return inputError(
        "--fix prints the text report: with --format, write the report with --output");

  lastword::Baseline Known;
  std::string BaselineError;
  if (!BaselineFile.empty() && !Known.load(BaselineFile, BaselineError))
    return inputError(BaselineError);

  std::vector<std::string> Files;
  std::vector<lastword::FileResult> Results;
  lastword::AnalysisStats Stats;
  auto Started = std::chrono::steady_clock::now();
  if (!CrossPlan.JoinOnly) {
    std::string DatabaseError;
    std::unique_ptr<tooling::CompilationDatabase> Compilations =
        loadCompilations(std::move(FromCommandLine), DatabaseError);
    if (!Compilations)
      return inputError(DatabaseError);

    Files.assign(SourcePaths.begin(), SourcePaths.end());
    if (Files.empty() && !BuildPath.empty())
      Files = lastword::filesInDatabaseOrder(*Compilations);
    if (Files.empty())
      return inputError("no input files (name files, or -p a build directory)");
    for (const std::string &File : Files)
      if (!llvm::sys::fs::exists(File))
        return inputError("no such file: '" + File + "'");
    if (!Shard.empty()) {
      unsigned K, N;
      if (!parseShard(Shard, K, N))
        return inputError("--shard wants K/N with 1 <= K <= N, not '" + Shard + "'");
      // Contiguous slices: the shards' reports, in shard order, are the whole run's.
      size_t Begin = (K - 1) * Files.size() / N, End = K * Files.size() / N;
      Files = std::vector<std::string>(Files.begin() + Begin, Files.begin() + End);
    }

    lastword::AnalysisSettings Settings;
    Settings.Jobs = Jobs ? Jobs.getValue() : llvm::thread::hardware_concurrency();
    Settings.WantFixes = Fix || !ExportFixes.empty();
    Settings.Progress = llvm::sys::Process::StandardOutIsDisplayed() &&
                        llvm::sys::Process::StandardErrIsDisplayed();
    Settings.CacheDir = CacheDir.getNumOccurrences()
                            ? CacheDir.getValue()
                            : llvm::sys::Process::GetEnv("LASTWORD_CACHE_DIR").value_or("");
    Settings.FactsDir = CrossPlan.Directory;
    if (!Settings.CacheDir.empty()) {
      if (std::error_code EC = llvm::sys::fs::create_directories(Settings.CacheDir))
        return inputError("cannot create cache directory '" + Settings.CacheDir +
                          "': " + EC.message());
      Settings.ToolVersion = lastword::toolVersionForCache();
    }
    lastword::MakeOptionsProvider MakeProvider =
        [](llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS, llvm::StringRef FactsDir) {
          std::string Ignored; // the same configuration was read without error above
          return makeOptionsProvider(FS, FactsDir, Ignored);
        };
    Results = lastword::analyseFiles(*Compilations, Files, MakeProvider, Settings, Stats);
  }

  // gc-finalizer-cycle across files: the joined facts' findings come after
  // every file's, as one more result, and go wherever the others go.
  size_t FactUnits = 0;
  if (CrossPlan.JoinDirectory || CrossPlan.JoinRun) {
    std::vector<lastword::analysis::CycleFacts> Units;
    std::string Error;
    if (CrossPlan.JoinDirectory) {
      if (!lastword::driver::readFactsDirectory(CrossPlan.Directory, Units, Error))
        return inputError(Error);
    } else {
      for (const lastword::FileResult &Result : Results) {
        if (Result.Facts.empty())
          continue;
        std::optional<lastword::analysis::CycleFacts> Facts =
            lastword::analysis::parseCycleFacts(Result.Facts, Error);
        if (!Facts)
          return inputError("the facts of '" + Result.File + "': " + Error);
        Units.push_back(std::move(*Facts));
      }
    }
    FactUnits = Units.size();
    lastword::FileResult Joined;
    Joined.Errors =
        lastword::driver::crossTuFindings(Units, Effective.WarningsAsErrors.value_or(""), Error);
    if (!Error.empty())
      return inputError(Error);
    Joined.Functions.assign(Joined.Errors.size(), "");
    if (!Joined.Errors.empty())
      Results.push_back(std::move(Joined));
  }
  std::chrono::duration<double> Elapsed = std::chrono::steady_clock::now() - Started;

  // Every diagnostic in file order; the check findings among them, with the
  // function each lies in, for baselines and reports.
  std::vector<lastword::Finding> AllFindings;
  unsigned CompileErrors = 0, ConfigErrors = 0;
  for (const lastword::FileResult &Result : Results)
    for (size_t I = 0; I < Result.Errors.size(); ++I) {
      const ClangTidyError &Error = Result.Errors[I];
      if (lastword::isConfigError(Error))
        ++ConfigErrors;
      else if (lastword::isCompileError(Error))
        ++CompileErrors;
      else if (lastword::isCheckFinding(Error))
        AllFindings.push_back({&Error, Result.Functions[I]});
    }

  // A baseline of code that did not parse would miss its findings: none is written.
  if (!WriteBaseline.empty() && !CompileErrors && !ConfigErrors) {
    std::string Error;
    if (!lastword::writeBaseline(WriteBaseline, AllFindings, Error))
      return inputError(Error);
  }
  std::vector<lastword::Finding> Reported =
      BaselineFile.empty() ? AllFindings : Known.newFindings(AllFindings);
  llvm::DenseSet<const ClangTidyError *> ReportedErrors;
  for (const lastword::Finding &F : Reported)
    ReportedErrors.insert(F.Error);
  std::vector<ClangTidyError> Shown;
  for (const lastword::FileResult &Result : Results)
    for (const ClangTidyError &Error : Result.Errors)
      if (!lastword::isCheckFinding(Error) || ReportedErrors.contains(&Error))
        Shown.push_back(Error);

  // The text report is clang-tidy's own, fixes and all.
  bool TextOnStdout = Format == lastword::ReportFormat::Text || !Output.empty();
  ClangTidyContext Context(makeOptionsProvider(BaseFS, "", ProviderError));
  if (TextOnStdout) {
    unsigned Ignored = 0;
    handleErrors(Shown, Context, Fix ? FB_Fix : FB_NoFix, Ignored, BaseFS);
  } else {
    // Standard output holds the report; compiler errors go to standard error.
    lastword::SourcePositions Positions;
    for (const ClangTidyError &Error : Shown)
      if (!lastword::isCheckFinding(Error) && Error.DiagLevel == ClangTidyError::Error) {
        std::string Path =
            lastword::absoluteDiagnosticPath(Error.Message.FilePath, Error.BuildDirectory);
        lastword::SourcePositions::Position P = Positions.at(Path, Error.Message.FileOffset);
        llvm::errs() << Path << ":" << P.Line << ":" << P.Column
                     << ": error: " << Error.Message.Message << " [" << Error.DiagnosticName
                     << "]\n";
      }
  }
  if (Format != lastword::ReportFormat::Text) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Output.empty() ? "-" : Output.getValue(), EC, llvm::sys::fs::OF_Text);
    if (EC)
      return inputError("cannot write '" + Output + "': " + EC.message());
    lastword::ReportRun Run;
    Run.Checks = EnabledChecks;
    Run.Shard = Shard;
    Run.Successful = !CompileErrors && !ConfigErrors;
    if (CrossPlan.Embed) {
      // What `lastword merge` needs to join this shard's facts with the others'.
      lastword::ShardFacts Carried;
      for (const lastword::FileResult &Result : Results)
        if (!Result.Facts.empty())
          Carried.Facts.push_back(Result.Facts);
      Carried.WarningsAsErrors = Effective.WarningsAsErrors.value_or("");
      if (!BaselineFile.empty())
        Carried.Baseline = Known.share("gc-finalizer-cycle", AllFindings);
      Run.Facts = std::move(Carried);
    }
    if (Format == lastword::ReportFormat::Sarif)
      lastword::writeSarif(OS, Reported, Run);
    else if (Format == lastword::ReportFormat::Json)
      lastword::writeJson(OS, Reported);
    else
      lastword::writeGithub(OS, Reported);
  }

  if (!ExportFixes.empty()) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(ExportFixes, EC, llvm::sys::fs::OF_None);
    if (EC)
      return inputError("cannot write '" + ExportFixes + "': " + EC.message());
    exportReplacements(Files.empty() ? "" : Files.front(), Shown, OS);
  }

  if (ConfigErrors)
    return inputError("invalid check configuration (see the messages above)");
  if (CompileErrors)
    return inputError(llvm::Twine(CompileErrors) + " compiler error(s): the code could not be "
                                                   "parsed, so it was not fully checked");
  unsigned AsErrors = llvm::count_if(
      Reported, [](const lastword::Finding &F) { return F.Error->IsWarningAsError; });
  if (!Quiet && (!Reported.empty() || Stats.CacheHits || !BaselineFile.empty())) {
    llvm::errs() << "lastword: " << Reported.size() << (BaselineFile.empty() ? "" : " new")
                 << " finding(s) in ";
    if (CrossPlan.JoinOnly)
      llvm::errs() << "the facts of " << FactUnits << " file(s)";
    else
      llvm::errs() << Files.size() << " file(s)";
    if (!BaselineFile.empty())
      llvm::errs() << ", " << AllFindings.size() - Reported.size() << " in the baseline";
    if (Stats.CacheHits)
      llvm::errs() << "; " << Stats.CacheHits << " file(s) replayed from the cache";
    llvm::errs() << "\n";
  }
  if (PrintStats)
    lastword::printStats(llvm::errs(), Files.size(), Elapsed.count(), EnabledChecks, AllFindings);
  if (AsErrors) {
    llvm::errs() << "lastword: " << AsErrors << " finding(s) treated as errors\n";
    return ExitFindings;
  }
  return ExitClean;
}
