//===--- CrossTu.cpp ------------------------------------------------------===//

#include "driver/CrossTu.h"
#include "clang-tidy/GlobList.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <tuple>

using namespace lastword::analysis;

namespace lastword::driver {
namespace {

constexpr llvm::StringLiteral CheckName = "gc-finalizer-cycle";

struct Located {
  FactLocation Where;
  ClangTidyError Error;
};

// Does a NOLINT comment of this kind on \p Line name the check? `NOLINT`
// alone names every check, `NOLINT(a, gc-*)` the checks its globs match.
bool nolintNames(llvm::StringRef Line, llvm::StringRef Kind) {
  for (size_t At = Line.find(Kind); At != llvm::StringRef::npos;
       At = Line.find(Kind, At + Kind.size())) {
    llvm::StringRef Rest = Line.drop_front(At + Kind.size());
    // `NOLINT` is a prefix of the other kinds: `NOLINTNEXTLINE` is not `NOLINT`.
    if (!Rest.empty() && (llvm::isAlnum(Rest.front()) || Rest.front() == '_'))
      continue;
    if (!Rest.starts_with("("))
      return true;
    size_t Close = Rest.find(')');
    if (Close == llvm::StringRef::npos)
      return false;
    if (clang::tidy::GlobList(Rest.slice(1, Close)).contains(CheckName))
      return true;
  }
  return false;
}

// Is a finding at \p Where silenced as clang-tidy silences one: NOLINT on
// its line, NOLINTNEXTLINE on the line before, or inside NOLINTBEGIN/END?
bool silencedByNolint(SourcePositions &Positions, const FactLocation &Where) {
  std::optional<llvm::StringRef> Line = Positions.lineText(Where.File, Where.Line);
  if (!Line)
    return false;
  if (nolintNames(*Line, "NOLINT"))
    return true;
  if (std::optional<llvm::StringRef> Before = Positions.lineText(Where.File, Where.Line - 1);
      Before && nolintNames(*Before, "NOLINTNEXTLINE"))
    return true;
  int Open = 0;
  for (unsigned L = 1; L < Where.Line; ++L) {
    std::optional<llvm::StringRef> Text = Positions.lineText(Where.File, L);
    if (!Text || !Text->contains("NOLINT"))
      continue;
    if (nolintNames(*Text, "NOLINTBEGIN"))
      ++Open;
    if (nolintNames(*Text, "NOLINTEND") && Open > 0)
      --Open;
  }
  return Open > 0;
}

} // namespace

bool readFactsDirectory(llvm::StringRef Directory, std::vector<CycleFacts> &Units,
                        std::string &Error) {
  std::vector<std::string> Paths;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Directory, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::sys::path::extension(It->path()) == ".facts")
      Paths.push_back(It->path());
  if (EC) {
    Error = "cannot read the facts directory '" + Directory.str() + "': " + EC.message();
    return false;
  }
  std::sort(Paths.begin(), Paths.end());
  for (const std::string &Path : Paths) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text = llvm::MemoryBuffer::getFile(Path);
    if (!Text) {
      Error = "cannot read '" + Path + "': " + Text.getError().message();
      return false;
    }
    std::optional<CycleFacts> Facts = parseCycleFacts((*Text)->getBuffer(), Error);
    if (!Facts) {
      Error = "'" + Path + "': " + Error;
      return false;
    }
    Units.push_back(std::move(*Facts));
  }
  return true;
}

std::vector<ClangTidyError> crossTuFindings(const std::vector<CycleFacts> &Units,
                                            llvm::StringRef WarningsAsErrors, std::string &Error) {
  CycleFacts All;
  for (const CycleFacts &Unit : Units) {
    All.Edges.insert(All.Edges.end(), Unit.Edges.begin(), Unit.Edges.end());
    All.Bases.insert(All.Bases.end(), Unit.Bases.begin(), Unit.Bases.end());
    All.Finalizable.insert(All.Finalizable.end(), Unit.Finalizable.begin(), Unit.Finalizable.end());
  }
  // Each unit's edges, by key, to tell which cycles a unit saw whole.
  std::vector<llvm::StringSet<>> UnitEdges(Units.size());
  for (size_t I = 0; I < Units.size(); ++I)
    for (const TypeEdgeFact &Edge : Units[I].Edges)
      UnitEdges[I].insert(Edge.key());

  clang::tidy::GlobList AsErrors(WarningsAsErrors);
  bool IsError = !WarningsAsErrors.empty() && AsErrors.contains(CheckName);
  SourcePositions Positions;
  // A note that cannot be placed keeps its text without a location; the
  // warning must be placed.
  auto message = [&](const FactLocation &Where, std::string Text,
                     clang::tooling::DiagnosticMessage &Out, bool Required = false) {
    std::optional<unsigned> Offset = Positions.offsetOf(Where.File, Where.Line, Where.Column);
    if (!Offset && !Required) {
      Out.Message = std::move(Text);
      return true;
    }
    if (!Offset) {
      Error = "cannot place a cross-file gc-finalizer-cycle finding: '" + Where.File +
              "' (named by the facts) cannot be read or has no line " + std::to_string(Where.Line);
      return false;
    }
    Out.Message = std::move(Text);
    Out.FilePath = Where.File;
    Out.FileOffset = *Offset;
    return true;
  };

  std::vector<Located> Findings;
  for (const TypeCycle &Cycle : findTypeCycles(All, /*SelfCycles=*/false)) {
    // A unit that saw every edge and the finalizer reported the cycle itself.
    bool SeenWhole = false;
    for (size_t I = 0; I < Units.size() && !SeenWhole; ++I)
      SeenWhole = llvm::any_of(Units[I].Finalizable,
                               [&](const FinalizableFact &F) { return F.Type == Cycle.Start; }) &&
                  llvm::all_of(Cycle.Steps, [&](const CycleStep &Step) {
                    return UnitEdges[I].contains(All.Edges[Step.Edge].key());
                  });
    if (SeenWhole)
      continue;
    const TypeEdgeFact &First = All.Edges[Cycle.Steps.front().Edge];
    if (silencedByNolint(Positions, First.Where))
      continue;
    ClangTidyError Finding(CheckName, ClangTidyError::Warning, /*BuildDirectory=*/"", IsError);
    if (!message(First.Where,
                 "'" + Cycle.Start + "' is finalizable and can reach itself (" + Cycle.spelling() +
                     "): once unreachable, none of the cycle is ever finalized and it leaks with "
                     "everything it holds; register the finalizer on one owner outside the cycle, "
                     "or break an edge (the edges are declared in different files)",
                 Finding.Message, /*Required=*/true))
      return {};
    for (const CycleStep &Step : Cycle.Steps) {
      const TypeEdgeFact &Edge = All.Edges[Step.Edge];
      clang::tooling::DiagnosticMessage Note;
      if (!message(Edge.Where,
                   "'" + Edge.Owner + "::" + Edge.Field + "' leads to '" + Step.To + "'", Note))
        return {};
      Finding.Notes.push_back(std::move(Note));
    }
    clang::tooling::DiagnosticMessage Note;
    if (!message(All.Finalizable[Cycle.Finalizable].Where,
                 "'" + Cycle.Start + "' gets a finalizer here", Note))
      return {};
    Finding.Notes.push_back(std::move(Note));
    Findings.push_back({First.Where, std::move(Finding)});
  }
  std::sort(Findings.begin(), Findings.end(), [](const Located &A, const Located &B) {
    return std::tie(A.Where, A.Error.Message.Message) < std::tie(B.Where, B.Error.Message.Message);
  });
  std::vector<ClangTidyError> Out;
  for (Located &F : Findings)
    Out.push_back(std::move(F.Error));
  return Out;
}

} // namespace lastword::driver
