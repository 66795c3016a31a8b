//===--- Output.cpp -------------------------------------------------------===//

#include "driver/Output.h"
#include "driver/CrossTu.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include <map>

namespace json = llvm::json;

namespace lastword {
namespace {

struct RuleDoc {
  const char *Name, *Short, *Full;
};
// Generated at build time from docs/checks/*.md, so a new check's page is
// picked up without touching the driver.
constexpr RuleDoc RuleDocs[] = {
#include "driver/RuleDocs.inc"
};

const RuleDoc *ruleDoc(llvm::StringRef Check) {
  for (const RuleDoc &Doc : RuleDocs)
    if (Check == Doc.Name)
      return &Doc;
  return nullptr;
}

std::string currentDirectory() {
  llvm::SmallString<256> Dir;
  llvm::sys::fs::current_path(Dir);
  return std::string(Dir);
}

std::string fileUri(llvm::StringRef AbsolutePath) {
  std::string Uri = "file://";
  for (char C : llvm::sys::path::convert_to_slash(AbsolutePath)) {
    if (llvm::isAlnum(C) || llvm::StringRef("/-._~").contains(C))
      Uri += C;
    else
      Uri += llvm::formatv("%{0:X2}", static_cast<unsigned char>(C)).str();
  }
  return Uri;
}

std::string relativeUri(llvm::StringRef RelativePath) {
  std::string Uri;
  for (char C : RelativePath) {
    if (llvm::isAlnum(C) || llvm::StringRef("/-._~").contains(C))
      Uri += C;
    else
      Uri += llvm::formatv("%{0:X2}", static_cast<unsigned char>(C)).str();
  }
  return Uri;
}

// Paths below the working directory (the checkout, in CI) are relative to
// the SRCROOT base, so code scanning maps them onto the repository.
class Locations {
public:
  Locations() : Root(currentDirectory()) {}
  explicit Locations(std::string Root) : Root(std::move(Root)) {}
  json::Object artifact(llvm::StringRef AbsolutePath) const {
    std::string Key = keyPath(AbsolutePath, Root);
    if (!llvm::sys::path::is_absolute(Key))
      return json::Object{{"uri", relativeUri(Key)}, {"uriBaseId", "SRCROOT"}};
    return json::Object{{"uri", fileUri(AbsolutePath)}};
  }
  // SARIF regions count columns in UTF-16 code units (the run's columnKind);
  // clang's are bytes.
  json::Object physical(const std::string &AbsolutePath, unsigned Offset) {
    SourcePositions::Position P = Positions.atUtf16(AbsolutePath, Offset);
    return json::Object{{"artifactLocation", artifact(AbsolutePath)},
                        {"region", json::Object{{"startLine", P.Line}, {"startColumn", P.Column}}}};
  }
  json::Object region(const std::string &AbsolutePath, unsigned Offset, unsigned Length) {
    SourcePositions::Position B = Positions.atUtf16(AbsolutePath, Offset);
    SourcePositions::Position E = Positions.atUtf16(AbsolutePath, Offset + Length);
    return json::Object{{"startLine", B.Line},
                        {"startColumn", B.Column},
                        {"endLine", E.Line},
                        {"endColumn", E.Column}};
  }
  const std::string &root() const { return Root; }
  SourcePositions Positions;

private:
  std::string Root;
};

std::string pathOf(const clang::tooling::DiagnosticMessage &M, const ClangTidyError &E) {
  return absoluteDiagnosticPath(M.FilePath, E.BuildDirectory);
}

std::vector<const clang::tooling::Replacement *>
sortedReplacements(const llvm::StringMap<clang::tooling::Replacements> &Fix) {
  std::vector<const clang::tooling::Replacement *> Out;
  for (const auto &Entry : Fix)
    for (const clang::tooling::Replacement &R : Entry.second)
      Out.push_back(&R);
  llvm::sort(Out, [](const auto *A, const auto *B) {
    return std::make_pair(A->getFilePath(), A->getOffset()) <
           std::make_pair(B->getFilePath(), B->getOffset());
  });
  return Out;
}

json::Value sarifFix(llvm::StringRef Description,
                     const llvm::StringMap<clang::tooling::Replacements> &Fix,
                     const ClangTidyError &E, Locations &L) {
  std::map<std::string, json::Array> ByFile;
  for (const clang::tooling::Replacement *R : sortedReplacements(Fix)) {
    std::string Path = absoluteDiagnosticPath(R->getFilePath(), E.BuildDirectory);
    ByFile[Path].push_back(
        json::Object{{"deletedRegion", L.region(Path, R->getOffset(), R->getLength())},
                     {"insertedContent", json::Object{{"text", R->getReplacementText()}}}});
  }
  json::Array Changes;
  for (auto &[Path, Replacements] : ByFile)
    Changes.push_back(json::Object{{"artifactLocation", L.artifact(Path)},
                                   {"replacements", std::move(Replacements)}});
  return json::Object{{"description", json::Object{{"text", Description}}},
                      {"artifactChanges", std::move(Changes)}};
}

std::string level(const ClangTidyError &E) {
  return E.IsWarningAsError || E.DiagLevel == ClangTidyError::Error ? "error" : "warning";
}

// One SARIF result; Checks sorted (the rules' order, for ruleIndex).
json::Object sarifResult(const Finding &F, Locations &L, const std::vector<std::string> &Checks) {
  const ClangTidyError &E = *F.Error;
  json::Object Location = L.physical(pathOf(E.Message, E), E.Message.FileOffset);
  json::Array LogicalLocations;
  if (!F.Function.empty())
    LogicalLocations.push_back(
        json::Object{{"fullyQualifiedName", F.Function}, {"kind", "function"}});
  json::Array Related, Fixes;
  unsigned Id = 0;
  for (const clang::tooling::DiagnosticMessage &Note : E.Notes) {
    json::Object R =
        Note.FilePath.empty() ? json::Object{} : L.physical(pathOf(Note, E), Note.FileOffset);
    json::Object RL{{"id", Id++}, {"message", json::Object{{"text", Note.Message}}}};
    if (!Note.FilePath.empty())
      RL["physicalLocation"] = std::move(R);
    Related.push_back(std::move(RL));
    if (!Note.Fix.empty())
      Fixes.push_back(sarifFix(Note.Message, Note.Fix, E, L));
  }
  if (!E.Message.Fix.empty())
    Fixes.insert(Fixes.begin(), sarifFix(E.Message.Message, E.Message.Fix, E, L));
  json::Object LocationEntry{{"physicalLocation", std::move(Location)}};
  if (!LogicalLocations.empty())
    LocationEntry["logicalLocations"] = std::move(LogicalLocations);
  size_t RuleIndex = llvm::find(Checks, E.DiagnosticName) - Checks.begin();
  json::Object Result{{"ruleId", E.DiagnosticName},
                      {"level", level(E)},
                      {"message", json::Object{{"text", E.Message.Message}}},
                      {"locations", json::Array{std::move(LocationEntry)}}};
  if (RuleIndex < Checks.size())
    Result["ruleIndex"] = static_cast<int64_t>(RuleIndex);
  // The baseline key, line-free: code scanning follows a finding across edits by it.
  std::string Key = findingKey(F, L.root()).str();
  Result["partialFingerprints"] = json::Object{
      {"lastwordKey/v1", llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(Key)), true)}};
  if (!Related.empty())
    Result["relatedLocations"] = std::move(Related);
  if (!Fixes.empty())
    Result["fixes"] = std::move(Fixes);
  return Result;
}

} // namespace

void writeSarif(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings, const ReportRun &Run) {
  Locations L;
  json::Array Rules;
  std::vector<std::string> Checks = Run.Checks;
  llvm::sort(Checks);
  for (const std::string &Check : Checks) {
    const RuleDoc *Doc = ruleDoc(Check);
    json::Object Rule{
        {"id", Check},
        {"name", Check},
        {"shortDescription", json::Object{{"text", Doc ? Doc->Short : Check.c_str()}}},
        {"fullDescription", json::Object{{"text", Doc ? Doc->Full : Check.c_str()}}},
        {"defaultConfiguration", json::Object{{"level", "warning"}}}};
    if (Doc)
      Rule["helpUri"] = std::string(LASTWORD_DOCS_URL) + "/" + Check + ".md";
    Rules.push_back(std::move(Rule));
  }

  json::Array Results;
  for (const Finding &F : Findings)
    Results.push_back(sarifResult(F, L, Checks));

  json::Object RunObject{
      {"tool", json::Object{{"driver", json::Object{{"name", "lastword"},
                                                    {"version", LASTWORD_VERSION},
                                                    {"rules", std::move(Rules)}}}}},
      // SARIF 2.1.0 (3.14.27): a run with results on text files must say
      // what its columns count; there is no default.
      {"columnKind", "utf16CodeUnits"},
      {"originalUriBaseIds",
       json::Object{{"SRCROOT", json::Object{{"uri", fileUri(L.root()) + "/"}}}}},
      {"invocations", json::Array{json::Object{{"executionSuccessful", Run.Successful}}}},
      {"results", std::move(Results)}};
  if (!Run.Shard.empty()) {
    json::Object Properties{{"shard", Run.Shard}};
    if (Run.Facts) {
      json::Array Facts;
      for (const std::string &Text : Run.Facts->Facts)
        Facts.push_back(Text);
      json::Object Carried{{"root", L.root()},
                           {"warningsAsErrors", Run.Facts->WarningsAsErrors},
                           {"facts", std::move(Facts)}};
      if (Run.Facts->Baseline) {
        json::Array Entries;
        for (const BaselineShare::Entry &E : Run.Facts->Baseline->Entries)
          Entries.push_back(json::Object{{"key", E.Key}, {"count", E.Count}, {"left", E.Left}});
        Carried["baseline"] =
            json::Object{{"root", Run.Facts->Baseline->Root}, {"entries", std::move(Entries)}};
      }
      Properties["lastwordCrossTu"] = std::move(Carried);
    }
    RunObject["properties"] = std::move(Properties);
  }
  json::Value Log = json::Object{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                                 {"version", "2.1.0"},
                                 {"runs", json::Array{std::move(RunObject)}}};
  OS << llvm::formatv("{0:2}", Log) << "\n";
}

void writeJson(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings) {
  Locations L;
  auto Message = [&](const clang::tooling::DiagnosticMessage &M, const ClangTidyError &E) {
    json::Object Out{{"message", M.Message}};
    if (!M.FilePath.empty()) {
      std::string Path = pathOf(M, E);
      SourcePositions::Position P = L.Positions.at(Path, M.FileOffset);
      Out["file"] = Path;
      Out["line"] = P.Line;
      Out["column"] = P.Column;
    }
    json::Array Fixes;
    for (const clang::tooling::Replacement *R : sortedReplacements(M.Fix))
      Fixes.push_back(
          json::Object{{"file", absoluteDiagnosticPath(R->getFilePath(), E.BuildDirectory)},
                       {"offset", R->getOffset()},
                       {"length", R->getLength()},
                       {"replacement", R->getReplacementText()}});
    if (!Fixes.empty())
      Out["fixes"] = std::move(Fixes);
    return Out;
  };
  json::Array Out;
  for (const Finding &F : Findings) {
    const ClangTidyError &E = *F.Error;
    json::Object Entry = Message(E.Message, E);
    Entry["check"] = E.DiagnosticName;
    Entry["level"] = level(E);
    Entry["function"] = F.Function;
    json::Array Notes;
    for (const clang::tooling::DiagnosticMessage &Note : E.Notes)
      Notes.push_back(Message(Note, E));
    Entry["notes"] = std::move(Notes);
    Out.push_back(std::move(Entry));
  }
  OS << llvm::formatv("{0:2}", json::Value(json::Object{{"lastwordFindings", 1},
                                                        {"findings", std::move(Out)}}))
     << "\n";
}

// Workflow command escaping: data escapes %, CR, LF; properties also ':' and ','.
static std::string githubEscape(llvm::StringRef Text, bool Property) {
  std::string Out;
  for (char C : Text) {
    if (C == '%')
      Out += "%25";
    else if (C == '\r')
      Out += "%0D";
    else if (C == '\n')
      Out += "%0A";
    else if (Property && C == ':')
      Out += "%3A";
    else if (Property && C == ',')
      Out += "%2C";
    else
      Out += C;
  }
  return Out;
}

void writeGithub(llvm::raw_ostream &OS, llvm::ArrayRef<Finding> Findings) {
  Locations L;
  for (const Finding &F : Findings) {
    const ClangTidyError &E = *F.Error;
    std::string Path = pathOf(E.Message, E);
    SourcePositions::Position P = L.Positions.at(Path, E.Message.FileOffset);
    std::string Text = E.Message.Message;
    for (const clang::tooling::DiagnosticMessage &Note : E.Notes) {
      Text += "\nnote: " + Note.Message;
      if (!Note.FilePath.empty()) {
        SourcePositions::Position NP = L.Positions.at(pathOf(Note, E), Note.FileOffset);
        Text +=
            llvm::formatv(" ({0}:{1}:{2})", keyPath(pathOf(Note, E), L.root()), NP.Line, NP.Column)
                .str();
      }
    }
    OS << "::" << level(E) << " file=" << githubEscape(keyPath(Path, L.root()), true)
       << ",line=" << P.Line << ",col=" << P.Column
       << ",title=" << githubEscape(E.DiagnosticName, true) << "::" << githubEscape(Text, false)
       << "\n";
  }
}

bool mergeSarif(llvm::ArrayRef<json::Value> Reports, json::Value &Merged,
                std::vector<ClangTidyError> &Joined, std::string &Error) {
  struct Shard {
    unsigned Index = 0;
    const json::Object *Run = nullptr;
  };
  std::vector<Shard> Shards;
  unsigned Count = 0;
  for (size_t I = 0; I < Reports.size(); ++I) {
    const json::Object *Log = Reports[I].getAsObject();
    const json::Array *Runs = Log ? Log->getArray("runs") : nullptr;
    const json::Object *Run = Runs && Runs->size() == 1 ? (*Runs)[0].getAsObject() : nullptr;
    const json::Object *Driver =
        Run && Run->getObject("tool") ? Run->getObject("tool")->getObject("driver") : nullptr;
    if (!Driver || Driver->getString("name") != "lastword") {
      Error = llvm::formatv("report {0} is not a lastword SARIF report with one run", I + 1).str();
      return false;
    }
    const json::Object *Properties = Run->getObject("properties");
    std::optional<llvm::StringRef> Spec =
        Properties ? Properties->getString("shard") : std::nullopt;
    unsigned K = 0, N = 0;
    if (!Spec) {
      K = 1, N = 1;
    } else {
      auto [KText, NText] = Spec->split('/');
      if (KText.getAsInteger(10, K) || NText.getAsInteger(10, N) || K < 1 || K > N) {
        Error = llvm::formatv("report {0} has a bad shard '{1}'", I + 1, *Spec).str();
        return false;
      }
    }
    if (Count && N != Count) {
      Error = "the reports come from runs with different numbers of shards";
      return false;
    }
    Count = N;
    Shards.push_back({K, Run});
  }
  if (Shards.empty()) {
    Error = "no reports to merge";
    return false;
  }
  llvm::sort(Shards, [](const Shard &A, const Shard &B) { return A.Index < B.Index; });
  for (unsigned K = 1; K <= Count; ++K) {
    unsigned Seen = llvm::count_if(Shards, [&](const Shard &S) { return S.Index == K; });
    if (Seen != 1) {
      Error =
          llvm::formatv("shard {0}/{1} is {2}", K, Count, Seen ? "given twice" : "missing").str();
      return false;
    }
  }

  // Rules: the union, by id; results: the shards' in shard order, which is
  // the order of the compile database, as a single run prints them.
  std::map<std::string, json::Value> Rules;
  for (const Shard &S : Shards)
    if (const json::Array *ShardRules =
            S.Run->getObject("tool")->getObject("driver")->getArray("rules"))
      for (const json::Value &Rule : *ShardRules)
        if (const json::Object *R = Rule.getAsObject(); R && R->getString("id"))
          Rules.emplace(R->getString("id")->str(), Rule);
  std::vector<std::string> RuleIds;
  json::Array RuleArray;
  for (auto &[Id, Rule] : Rules) {
    RuleIds.push_back(Id);
    RuleArray.push_back(Rule);
  }
  json::Array Results;
  bool Successful = true;
  for (const Shard &S : Shards) {
    if (const json::Array *Invocations = S.Run->getArray("invocations"))
      for (const json::Value &Invocation : *Invocations)
        if (const json::Object *I = Invocation.getAsObject())
          Successful &= I->getBoolean("executionSuccessful").value_or(false);
    if (const json::Array *ShardResults = S.Run->getArray("results"))
      for (const json::Value &Result : *ShardResults) {
        json::Value Copy = Result;
        if (json::Object *R = Copy.getAsObject(); R && R->getString("ruleId")) {
          size_t Index = llvm::find(RuleIds, R->getString("ruleId")->str()) - RuleIds.begin();
          R->erase("ruleIndex");
          if (Index < RuleIds.size())
            (*R)["ruleIndex"] = static_cast<int64_t>(Index);
        }
        Results.push_back(std::move(Copy));
      }
  }

  // The facts the shards carry, joined: the cycles whose files fell into
  // different shards (and those within one shard, which it did not join).
  std::vector<analysis::CycleFacts> Units;
  std::string WarningsAsErrors, FactsRoot, BaselineRoot;
  bool Carried = false;
  unsigned BaselineShards = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> BaselineCounts; // key: count, sum of left
  for (const Shard &S : Shards) {
    const json::Object *Properties = S.Run->getObject("properties");
    const json::Object *Carry = Properties ? Properties->getObject("lastwordCrossTu") : nullptr;
    if (!Carry)
      continue;
    const json::Array *Facts = Carry->getArray("facts");
    if (!Facts || !Carry->getString("root") || !Carry->getString("warningsAsErrors")) {
      Error = llvm::formatv("shard {0}/{1} carries malformed facts", S.Index, Count).str();
      return false;
    }
    Carried = true;
    FactsRoot = Carry->getString("root")->str();
    WarningsAsErrors = Carry->getString("warningsAsErrors")->str();
    for (const json::Value &Text : *Facts) {
      std::string FactsError;
      std::optional<analysis::CycleFacts> Unit =
          Text.getAsString() ? analysis::parseCycleFacts(*Text.getAsString(), FactsError)
                             : std::nullopt;
      if (!Unit) {
        Error =
            llvm::formatv("shard {0}/{1} carries malformed facts: {2}", S.Index, Count, FactsError)
                .str();
        return false;
      }
      Units.push_back(std::move(*Unit));
    }
    if (const json::Object *Baseline = Carry->getObject("baseline")) {
      ++BaselineShards;
      BaselineRoot = Baseline->getString("root").value_or("").str();
      if (const json::Array *Entries = Baseline->getArray("entries"))
        for (const json::Value &V : *Entries)
          if (const json::Object *E = V.getAsObject(); E && E->getString("key")) {
            auto &Counts = BaselineCounts[E->getString("key")->str()];
            Counts.first = E->getInteger("count").value_or(0);
            Counts.second += E->getInteger("left").value_or(0);
          }
    }
  }
  Joined.clear();
  if (Carried) {
    std::vector<ClangTidyError> Found = driver::crossTuFindings(Units, WarningsAsErrors, Error);
    if (!Error.empty())
      return false;
    // Each shard used its baseline's entries for its own findings; what is
    // left of an entry overall is its count less every shard's use.
    std::map<std::string, int64_t> Left;
    for (const auto &[Key, Counts] : BaselineCounts)
      Left[Key] = Counts.second - int64_t(BaselineShards - 1) * Counts.first;
    Locations L(FactsRoot);
    for (ClangTidyError &E : Found) {
      Finding F{&E, ""};
      if (BaselineShards) {
        auto It = Left.find(findingKey(F, BaselineRoot).str());
        if (It != Left.end() && It->second > 0) {
          --It->second;
          continue;
        }
      }
      json::Object Result = sarifResult(F, L, RuleIds);
      Results.push_back(std::move(Result));
      Joined.push_back(std::move(E));
    }
  }

  json::Object Run = *Shards.front().Run;
  json::Object Driver = *Run.getObject("tool")->getObject("driver");
  Driver["rules"] = std::move(RuleArray);
  Run["tool"] = json::Object{{"driver", std::move(Driver)}};
  Run["invocations"] = json::Array{json::Object{{"executionSuccessful", Successful}}};
  Run["results"] = std::move(Results);
  Run.erase("properties");
  json::Object Log = *Reports.front().getAsObject();
  Log["runs"] = json::Array{std::move(Run)};
  Merged = std::move(Log);
  return true;
}

} // namespace lastword
