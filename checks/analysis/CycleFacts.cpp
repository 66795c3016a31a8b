//===--- CycleFacts.cpp ---------------------------------------------------===//

#include "analysis/CycleFacts.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

namespace lastword::analysis {

bool FactLocation::operator<(const FactLocation &Other) const {
  return std::tie(File, Line, Column) < std::tie(Other.File, Other.Line, Other.Column);
}

std::string TypeCycle::spelling() const {
  std::string Out = Start;
  for (const CycleStep &Step : Steps)
    Out += " -> " + Step.To;
  return Out;
}

namespace {

class TypeGraph {
public:
  TypeGraph(const CycleFacts &Facts) : Facts(Facts) {
    for (const BaseFact &Base : Facts.Bases) {
      DirectBases[Base.Derived].insert(Base.Base);
      DirectDerived[Base.Base].insert(Base.Derived);
    }
    // Edges in a fixed order, whatever order the facts came in.
    std::vector<unsigned> Order(Facts.Edges.size());
    for (unsigned I = 0; I < Order.size(); ++I)
      Order[I] = I;
    std::sort(Order.begin(), Order.end(), [&](unsigned A, unsigned B) {
      const TypeEdgeFact &X = Facts.Edges[A], &Y = Facts.Edges[B];
      return std::tie(X.Owner, X.Field, X.Target, X.Where, A) <
             std::tie(Y.Owner, Y.Field, Y.Target, Y.Where, B);
    });
    std::set<std::string> Seen;
    for (unsigned I : Order)
      if (Seen.insert(Facts.Edges[I].key()).second)
        EdgesOf[Facts.Edges[I].Owner].push_back(I);
  }

  struct Step {
    unsigned Edge;
    std::string To;
    bool LeavesHierarchy;
  };

  const std::vector<Step> &steps(const std::string &Type) {
    auto It = StepCache.find(Type);
    if (It != StepCache.end())
      return It->second;
    std::vector<Step> Steps;
    std::set<std::string> Owners = closure(Type, DirectBases);
    Owners.insert(Type);
    for (const std::string &Owner : Owners) {
      auto Edges = EdgesOf.find(Owner);
      if (Edges == EdgesOf.end())
        continue;
      for (unsigned E : Edges->second) {
        const TypeEdgeFact &Edge = Facts.Edges[E];
        std::set<std::string> Targets = closure(Edge.Target, DirectDerived);
        Targets.insert(Edge.Target);
        for (const std::string &To : Targets)
          Steps.push_back({E, To, !related(To, Edge.Owner)});
      }
    }
    return StepCache.emplace(Type, std::move(Steps)).first->second;
  }

  /// Shortest cycle from \p Start back to it; with \p NeedsLeave, one that
  /// leaves its class hierarchy at least once.
  std::optional<std::vector<Step>> shortestCycle(const std::string &Start, bool NeedsLeave) {
    using State = std::pair<std::string, bool>;
    struct Visit {
      State From;
      Step By;
    };
    std::map<State, Visit> Parent;
    std::deque<State> Queue{{Start, false}};
    std::set<State> Visited{{Start, false}};
    while (!Queue.empty()) {
      State Current = Queue.front();
      Queue.pop_front();
      for (const Step &S : steps(Current.first)) {
        State Next{S.To, Current.second || S.LeavesHierarchy};
        if (S.To == Start && (Next.second || !NeedsLeave)) {
          std::vector<Step> Path{S};
          for (State At = Current; At != State{Start, false};) {
            const Visit &V = Parent.at(At);
            Path.push_back(V.By);
            At = V.From;
          }
          std::reverse(Path.begin(), Path.end());
          return Path;
        }
        if (S.To == Start || !Visited.insert(Next).second)
          continue;
        Parent.emplace(Next, Visit{Current, S});
        Queue.push_back(Next);
      }
    }
    return std::nullopt;
  }

private:
  std::set<std::string> closure(const std::string &Type,
                                const std::map<std::string, std::set<std::string>> &Links) {
    std::set<std::string> Out;
    llvm::SmallVector<std::string, 4> Work{Type};
    while (!Work.empty()) {
      std::string At = Work.pop_back_val();
      auto It = Links.find(At);
      if (It == Links.end())
        continue;
      for (const std::string &Next : It->second)
        if (Next != Type && Out.insert(Next).second)
          Work.push_back(Next);
    }
    return Out;
  }

  bool related(const std::string &A, const std::string &B) {
    return A == B || closure(A, DirectBases).count(B) || closure(B, DirectBases).count(A);
  }

  const CycleFacts &Facts;
  std::map<std::string, std::set<std::string>> DirectBases, DirectDerived;
  std::map<std::string, std::vector<unsigned>> EdgesOf;
  std::map<std::string, std::vector<Step>> StepCache;
};

} // namespace

std::vector<TypeCycle> findTypeCycles(const CycleFacts &Facts, bool SelfCycles) {
  std::vector<TypeCycle> Cycles;
  if (Facts.Edges.empty() || Facts.Finalizable.empty())
    return Cycles;
  // Each finalizable type once, by name, with its first registration.
  std::map<std::string, unsigned> Finalizable;
  for (unsigned I = 0; I < Facts.Finalizable.size(); ++I) {
    auto [It, New] = Finalizable.emplace(Facts.Finalizable[I].Type, I);
    if (!New && Facts.Finalizable[I].Where < Facts.Finalizable[It->second].Where)
      It->second = I;
  }
  TypeGraph Graph(Facts);
  std::set<std::string> Covered;
  for (const auto &[Type, Index] : Finalizable) {
    if (Covered.count(Type))
      continue;
    std::optional<std::vector<TypeGraph::Step>> Path = Graph.shortestCycle(Type, true);
    if (!Path && SelfCycles)
      Path = Graph.shortestCycle(Type, false);
    if (!Path)
      continue;
    TypeCycle Cycle;
    Cycle.Start = Type;
    Cycle.Finalizable = Index;
    for (const TypeGraph::Step &S : *Path) {
      Cycle.Steps.push_back({S.Edge, S.To});
      Covered.insert(S.To);
    }
    Cycles.push_back(std::move(Cycle));
  }
  return Cycles;
}

namespace {

// Names and paths never hold tabs or newlines; anything else is kept.
std::string clean(llvm::StringRef Text) {
  std::string Out = Text.str();
  std::replace(Out.begin(), Out.end(), '\t', ' ');
  std::replace(Out.begin(), Out.end(), '\n', ' ');
  return Out;
}

std::string location(const FactLocation &Where) {
  return clean(Where.File) + '\t' + std::to_string(Where.Line) + '\t' +
         std::to_string(Where.Column);
}

bool parseLocation(llvm::ArrayRef<llvm::StringRef> Fields, FactLocation &Where) {
  if (Fields.size() != 3)
    return false;
  Where.File = Fields[0].str();
  return !Fields[1].getAsInteger(10, Where.Line) && !Fields[2].getAsInteger(10, Where.Column);
}

} // namespace

std::string serialiseCycleFacts(const CycleFacts &Facts) {
  std::vector<std::string> Lines;
  for (const TypeEdgeFact &Edge : Facts.Edges)
    Lines.push_back("edge\t" + clean(Edge.Owner) + '\t' + clean(Edge.Field) + '\t' +
                    clean(Edge.Target) + '\t' + location(Edge.Where));
  for (const BaseFact &Base : Facts.Bases)
    Lines.push_back("base\t" + clean(Base.Derived) + '\t' + clean(Base.Base));
  for (const FinalizableFact &Type : Facts.Finalizable)
    Lines.push_back("finalizable\t" + clean(Type.Type) + '\t' + location(Type.Where));
  std::sort(Lines.begin(), Lines.end());
  Lines.erase(std::unique(Lines.begin(), Lines.end()), Lines.end());
  std::string Out = "lastword-cycle-facts 1\nunit\t" + clean(Facts.Unit) + "\n";
  for (const std::string &Line : Lines)
    Out += Line + "\n";
  return Out;
}

std::optional<CycleFacts> parseCycleFacts(llvm::StringRef Text, std::string &Error) {
  CycleFacts Facts;
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
  if (Lines.empty() || Lines.front().rtrim() != "lastword-cycle-facts 1") {
    Error = "not a lastword cycle facts file (expected 'lastword-cycle-facts 1')";
    return std::nullopt;
  }
  for (unsigned N = 1; N < Lines.size(); ++N) {
    llvm::SmallVector<llvm::StringRef, 8> Fields;
    Lines[N].rtrim("\r").split(Fields, '\t');
    llvm::StringRef Kind = Fields.front();
    llvm::ArrayRef<llvm::StringRef> Rest = llvm::ArrayRef<llvm::StringRef>(Fields).drop_front();
    bool Valid = false;
    if (Kind == "unit" && Rest.size() == 1) {
      Facts.Unit = Rest[0].str();
      Valid = true;
    } else if (Kind == "edge" && Rest.size() == 6) {
      TypeEdgeFact Edge{Rest[0].str(), Rest[1].str(), Rest[2].str(), {}};
      Valid = parseLocation(Rest.drop_front(3), Edge.Where);
      Facts.Edges.push_back(std::move(Edge));
    } else if (Kind == "base" && Rest.size() == 2) {
      Facts.Bases.push_back({Rest[0].str(), Rest[1].str()});
      Valid = true;
    } else if (Kind == "finalizable" && Rest.size() == 4) {
      FinalizableFact Type{Rest[0].str(), {}};
      Valid = parseLocation(Rest.drop_front(1), Type.Where);
      Facts.Finalizable.push_back(std::move(Type));
    }
    if (!Valid) {
      Error = "line " + std::to_string(N + 1) + ": malformed fact '" + Lines[N].str() + "'";
      return std::nullopt;
    }
  }
  return Facts;
}

} // namespace lastword::analysis
