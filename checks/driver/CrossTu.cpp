//===--- CrossTu.cpp ------------------------------------------------------===//

#include "driver/CrossTu.h"
#include "analysis/CycleFacts.h"
#include "clang-tidy/GlobList.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <set>

using namespace lastword::analysis;

namespace lastword::driver {
namespace {

constexpr llvm::StringLiteral CheckName = "gc-finalizer-cycle";

std::string at(const FactLocation &Where) {
  return Where.File + ":" + std::to_string(Where.Line) + ":" + std::to_string(Where.Column);
}

struct Finding {
  FactLocation Where;
  std::string Text;
};

} // namespace

CrossTuResult runCrossTuPass(llvm::StringRef Directory, llvm::StringRef WarningsAsErrors,
                             llvm::raw_ostream &OS) {
  CrossTuResult Result;
  std::vector<std::string> Paths;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Directory, EC), End; It != End && !EC;
       It.increment(EC))
    if (llvm::sys::path::extension(It->path()) == ".facts")
      Paths.push_back(It->path());
  if (EC) {
    Result.Error = "cannot read the facts directory '" + Directory.str() + "': " + EC.message();
    return Result;
  }
  std::sort(Paths.begin(), Paths.end());

  // Every unit's facts, and their union.
  std::vector<CycleFacts> Units;
  CycleFacts All;
  for (const std::string &Path : Paths) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Text = llvm::MemoryBuffer::getFile(Path);
    if (!Text) {
      Result.Error = "cannot read '" + Path + "': " + Text.getError().message();
      return Result;
    }
    std::string Error;
    std::optional<CycleFacts> Facts = parseCycleFacts((*Text)->getBuffer(), Error);
    if (!Facts) {
      Result.Error = "'" + Path + "': " + Error;
      return Result;
    }
    All.Edges.insert(All.Edges.end(), Facts->Edges.begin(), Facts->Edges.end());
    All.Bases.insert(All.Bases.end(), Facts->Bases.begin(), Facts->Bases.end());
    All.Finalizable.insert(All.Finalizable.end(), Facts->Finalizable.begin(),
                           Facts->Finalizable.end());
    Units.push_back(std::move(*Facts));
  }

  std::vector<Finding> Findings;
  for (const TypeCycle &Cycle : findTypeCycles(All, /*SelfCycles=*/false)) {
    // A unit that saw every edge and the finalizer reported the cycle itself.
    bool SeenWhole = llvm::any_of(Units, [&](const CycleFacts &Unit) {
      llvm::StringSet<> Keys;
      for (const TypeEdgeFact &Edge : Unit.Edges)
        Keys.insert(Edge.key());
      bool Finalizable = llvm::any_of(Unit.Finalizable, [&](const FinalizableFact &F) {
        return F.Type == Cycle.Start;
      });
      return Finalizable && llvm::all_of(Cycle.Steps, [&](const CycleStep &Step) {
               return Keys.contains(All.Edges[Step.Edge].key());
             });
    });
    if (SeenWhole)
      continue;
    const TypeEdgeFact &First = All.Edges[Cycle.Steps.front().Edge];
    std::string Text;
    llvm::raw_string_ostream Out(Text);
    Out << at(First.Where) << ": warning: '" << Cycle.Start
        << "' is finalizable and can reach itself (" << Cycle.spelling()
        << "): once unreachable, none of the cycle is ever finalized and it leaks with "
           "everything it holds; register the finalizer on one owner outside the cycle, or "
           "break an edge (the edges are declared in different files) ["
        << CheckName << "]\n";
    for (const CycleStep &Step : Cycle.Steps) {
      const TypeEdgeFact &Edge = All.Edges[Step.Edge];
      Out << at(Edge.Where) << ": note: '" << Edge.Owner << "::" << Edge.Field << "' leads to '"
          << Step.To << "'\n";
    }
    Out << at(All.Finalizable[Cycle.Finalizable].Where) << ": note: '" << Cycle.Start
        << "' gets a finalizer here\n";
    Findings.push_back({First.Where, std::move(Text)});
  }
  std::sort(Findings.begin(), Findings.end(), [](const Finding &A, const Finding &B) {
    return A.Where < B.Where || (A.Where == B.Where && A.Text < B.Text);
  });
  clang::tidy::GlobList AsErrors(WarningsAsErrors);
  for (const Finding &F : Findings) {
    OS << F.Text;
    ++Result.Findings;
    if (!WarningsAsErrors.empty() && AsErrors.contains(CheckName))
      ++Result.AsErrors;
  }
  return Result;
}

} // namespace lastword::driver
