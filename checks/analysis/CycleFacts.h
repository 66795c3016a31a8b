//===--- CycleFacts.h - Which collected types can reach themselves --------===//
//
// The type graph behind gc-finalizer-cycle, kept as plain facts so that one
// translation unit can write them out and a later pass can join the facts
// of many (a type's fields declared in one file, its finalizer registered
// in another):
//   edge         a traced field of Owner leads to Target (`member<Target>`,
//                an array or standard container of them; a raw pointer under
//                Boehm's conservative collector)
//   base         Derived inherits Base: Derived has Base's fields, and a field
//                leading to Base may hold a Derived
//   finalizable  objects of Type get an ordered finalizer somewhere
// Types are named by their fully qualified spelling, the only identity two
// translation units share.
//
// The text form (one fact a line, fields separated by tabs):
//   lastword-cycle-facts 1
//   unit <main file>
//   edge <owner> <field> <target> <file> <line> <column>
//   base <derived> <base>
//   finalizable <type> <file> <line> <column>
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_CYCLEFACTS_H
#define LASTWORD_ANALYSIS_CYCLEFACTS_H

#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace lastword::analysis {

struct FactLocation {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
  bool operator<(const FactLocation &Other) const;
  bool operator==(const FactLocation &Other) const {
    return File == Other.File && Line == Other.Line && Column == Other.Column;
  }
};

struct TypeEdgeFact {
  std::string Owner;
  std::string Field; ///< the field's own name
  std::string Target;
  FactLocation Where;
  /// The same edge, wherever it was seen.
  std::string key() const { return Owner + '\t' + Field + '\t' + Target; }
};

struct BaseFact {
  std::string Derived;
  std::string Base;
};

struct FinalizableFact {
  std::string Type;
  FactLocation Where;
};

struct CycleFacts {
  std::string Unit;
  std::vector<TypeEdgeFact> Edges;
  std::vector<BaseFact> Bases;
  std::vector<FinalizableFact> Finalizable;
};

/// One step of a cycle: edge \p Edge taken into an object of type \p To
/// (the edge's target or a class derived from it).
struct CycleStep {
  unsigned Edge = 0;
  std::string To;
};

/// A cycle through a finalizable type, starting and ending at Start.
struct TypeCycle {
  std::string Start;
  unsigned Finalizable = 0; ///< index into the finalizable facts
  std::vector<CycleStep> Steps;
  /// `A -> B -> A`.
  std::string spelling() const;
};

/// Shortest cycles through each finalizable type, one per group of types
/// that reach each other, in the order of the finalizable types' names.
/// A cycle must leave its class hierarchy at least once (`Node::next` or a
/// `Widget::parent` that a derived `Button` inherits is a self-reference,
/// usually acyclic at run time) unless \p SelfCycles.
std::vector<TypeCycle> findTypeCycles(const CycleFacts &Facts, bool SelfCycles);

/// Text form (above); deterministic for equal facts.
std::string serialiseCycleFacts(const CycleFacts &Facts);
/// Parses the text form; nullopt, with \p Error set, when it is not one.
std::optional<CycleFacts> parseCycleFacts(llvm::StringRef Text, std::string &Error);

} // namespace lastword::analysis

#endif
