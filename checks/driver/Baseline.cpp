//===--- Baseline.cpp -----------------------------------------------------===//

#include "driver/Baseline.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace json = llvm::json;

namespace lastword {

std::string FindingKey::str() const {
  std::string Key = Check + "\x1f" + File + "\x1f" + Function;
  for (const std::string &Name : Names)
    Key += "\x1f" + Name;
  return Key;
}

std::vector<std::string> quotedNames(llvm::StringRef Message) {
  std::vector<std::string> Names;
  for (size_t I = 0; I < Message.size(); ++I) {
    char Quote = Message[I];
    if (Quote != '\'' && Quote != '"')
      continue;
    size_t End = Message.find(Quote, I + 1);
    if (End == llvm::StringRef::npos)
      break;
    Names.push_back(Message.slice(I + 1, End).str());
    I = End;
  }
  return Names;
}

std::string keyPath(llvm::StringRef AbsolutePath, llvm::StringRef Root) {
  llvm::SmallString<256> Path(AbsolutePath);
  if (!Root.empty() && llvm::sys::path::replace_path_prefix(Path, Root, ""))
    return llvm::sys::path::convert_to_slash(llvm::StringRef(Path).ltrim("/\\"));
  return llvm::sys::path::convert_to_slash(AbsolutePath);
}

FindingKey findingKey(const Finding &F, llvm::StringRef Root) {
  const ClangTidyError &E = *F.Error;
  return {E.DiagnosticName,
          keyPath(absoluteDiagnosticPath(E.Message.FilePath, E.BuildDirectory), Root), F.Function,
          quotedNames(E.Message.Message)};
}

std::string baselineRoot(llvm::StringRef BaselinePath) {
  llvm::SmallString<256> Path(BaselinePath);
  llvm::sys::fs::make_absolute(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return llvm::sys::path::parent_path(Path).str();
}

bool writeBaseline(llvm::StringRef Path, llvm::ArrayRef<Finding> Findings, std::string &Error) {
  std::string Root = baselineRoot(Path);
  json::Array Entries;
  for (const Finding &F : Findings) {
    FindingKey Key = findingKey(F, Root);
    json::Array Names;
    for (const std::string &Name : Key.Names)
      Names.push_back(Name);
    // The message is for people reading the file; only the key is matched.
    Entries.push_back(json::Object{{"check", Key.Check},
                                   {"file", Key.File},
                                   {"function", Key.Function},
                                   {"names", std::move(Names)},
                                   {"message", F.Error->Message.Message}});
  }
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC, llvm::sys::fs::OF_Text);
  if (EC) {
    Error = "cannot write baseline '" + Path.str() + "': " + EC.message();
    return false;
  }
  OS << llvm::formatv("{0:2}", json::Value(json::Object{{"lastwordBaseline", 1},
                                                        {"findings", std::move(Entries)}}))
     << "\n";
  return true;
}

bool Baseline::load(llvm::StringRef Path, std::string &Error) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text = llvm::MemoryBuffer::getFile(Path);
  if (!Text) {
    Error = "cannot read baseline '" + Path.str() + "': " + Text.getError().message();
    return false;
  }
  llvm::Expected<json::Value> Parsed = json::parse((*Text)->getBuffer());
  if (!Parsed) {
    Error =
        "baseline '" + Path.str() + "' is not valid JSON: " + llvm::toString(Parsed.takeError());
    return false;
  }
  const json::Object *Top = Parsed->getAsObject();
  const json::Array *Findings = Top ? Top->getArray("findings") : nullptr;
  if (!Top || Top->getInteger("lastwordBaseline") != 1 || !Findings) {
    Error = "'" + Path.str() + "' is not a lastword baseline (write one with --write-baseline)";
    return false;
  }
  Root = baselineRoot(Path);
  for (const json::Value &V : *Findings) {
    const json::Object *O = V.getAsObject();
    const json::Array *Names = O ? O->getArray("names") : nullptr;
    if (!O || !O->getString("check") || !O->getString("file") || !O->getString("function") ||
        !Names) {
      Error = "baseline '" + Path.str() + "' has an entry without check, file, function and names";
      return false;
    }
    FindingKey Key{O->getString("check")->str(),
                   O->getString("file")->str(),
                   O->getString("function")->str(),
                   {}};
    for (const json::Value &Name : *Names)
      Key.Names.push_back(Name.getAsString().value_or("").str());
    ++Counts[Key.str()];
    ++Entries;
  }
  return true;
}

std::vector<Finding> Baseline::newFindings(llvm::ArrayRef<Finding> Findings) const {
  llvm::StringMap<unsigned> Left = Counts;
  std::vector<Finding> New;
  for (const Finding &F : Findings) {
    auto It = Left.find(findingKey(F, Root).str());
    if (It != Left.end() && It->second > 0)
      --It->second;
    else
      New.push_back(F);
  }
  return New;
}

BaselineShare Baseline::share(llvm::StringRef Check, llvm::ArrayRef<Finding> Findings) const {
  llvm::StringMap<unsigned> Left = Counts;
  for (const Finding &F : Findings) {
    auto It = Left.find(findingKey(F, Root).str());
    if (It != Left.end() && It->second > 0)
      --It->second;
  }
  BaselineShare Share;
  Share.Root = Root;
  std::string Prefix = Check.str() + "\x1f";
  for (const auto &Entry : Counts)
    if (Entry.getKey().starts_with(Prefix))
      Share.Entries.push_back({Entry.getKey().str(), Entry.second, Left.lookup(Entry.getKey())});
  llvm::sort(Share.Entries, [](const BaselineShare::Entry &A, const BaselineShare::Entry &B) {
    return A.Key < B.Key;
  });
  return Share;
}

} // namespace lastword
