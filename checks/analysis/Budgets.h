//===--- Budgets.h - Where the analysis stops looking ---------------------===//
//
// Generated and pathological code can make any search of the analysis run
// for ever: call chains hundreds of functions deep, expressions nested
// thousands deep, summaries computed inside summaries. Each search is
// bounded by a budget named here, in one place (docs/design.md lists them).
// When a budget runs out the search gives up on that question and answers
// "not found": a finding may be missed, none is invented.
//
// Every give-up is counted (the driver's `--stats` line prints the counts)
// and, in an assertions-enabled build, printed under
// `-debug-only=lastword-budgets`.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_BUDGETS_H
#define LASTWORD_ANALYSIS_BUDGETS_H

#include "llvm/ADT/StringRef.h"
#include <array>
#include <cstddef>

namespace lastword::analysis {

enum class Budget {
  CallDepth,        ///< CallPaths: calls followed from one start point
  ReachDepth,       ///< ObjectReach: values into values, holders into holders
  ReachReadSteps,   ///< ObjectReach: nodes of a written value scanned for the locals it reads
  SummaryDepth,     ///< ObjectReach: callee summaries computed inside one another
  ConstructorSteps, ///< CalleeSummaries: statements of a constructor read for escapes
  ReleaseDepth,     ///< ReleasedFields: helpers a finalizer is followed into
  TypeDepth,        ///< CollectedTypes: types nested in types (arrays, templates, fields)
  TraceHelperDepth, ///< CollectedTypes: helpers a trace method is followed into
  ShapeDepth,       ///< TracedFields: arrays, containers and embedded records in a field's type
  TraceBaseDepth,   ///< TracedFields: base classes searched for an inherited trace method
  WrapperDepth,     ///< Finalizers: wrappers of registration wrappers followed
  ThrowDepth,       ///< ThrowingCalls: callees followed to find a throw
  AliasPasses,      ///< LocalUses: passes over a body finding local copies of a pointer
  PairedArguments,  ///< Stores: arguments of one call paired as value and place
};

struct BudgetInfo {
  Budget Id;
  llvm::StringLiteral Name; ///< as `--stats` prints it
  unsigned Limit;
  llvm::StringLiteral WhenReached; ///< what the analysis answers then
};

inline constexpr std::array<BudgetInfo, 14> Budgets = {{
    {Budget::CallDepth, "call-depth", 24,
     "the call is not followed: no path through it (a shallower caller may still find one)"},
    {Budget::ReachDepth, "reach-depth", 24, "the value or holder is taken not to reach the object"},
    {Budget::ReachReadSteps, "reach-read-steps", 256,
     "locals read past that point are not taken into account when judging the write"},
    {Budget::SummaryDepth, "summary-depth", 6,
     "the callee is taken not to carry its parameter, nor to hand 'this' on"},
    {Budget::ConstructorSteps, "constructor-steps", 4096,
     "the parameter is taken to escape (the constructor may keep it)"},
    {Budget::ReleaseDepth, "release-depth", 4, "what a deeper helper releases is not seen"},
    {Budget::TypeDepth, "type-depth", 8,
     "the nested type is taken to be neither collected nor to hold a collected pointer"},
    {Budget::TraceHelperDepth, "trace-helper-depth", 4,
     "the members a deeper helper visits are taken as not traced"},
    {Budget::ShapeDepth, "shape-depth", 6,
     "the nested part is taken to hold no traced field and to lead to no collected type"},
    {Budget::TraceBaseDepth, "trace-base-depth", 16,
     "a trace method of a deeper base class is not seen"},
    {Budget::WrapperDepth, "wrapper-depth", 3,
     "calls of a wrapper further out are not taken as registrations"},
    {Budget::ThrowDepth, "throw-depth", 4, "a call deeper in is taken not to throw"},
    {Budget::AliasPasses, "alias-passes", 3,
     "a copy found only on a later pass is not taken as an alias of the object"},
    {Budget::PairedArguments, "paired-arguments", 6,
     "arguments further right are taken not to be stored through one another"},
}};

constexpr const BudgetInfo &budgetInfo(Budget B) { return Budgets[static_cast<size_t>(B)]; }
constexpr unsigned limitOf(Budget B) { return budgetInfo(B).Limit; }

/// Records that a search gave up on \p B. Thread-safe.
void budgetReached(Budget B);
/// How many times \p B was reached in this process.
unsigned timesReached(Budget B);
/// How many times each budget was reached, by Budget.
using BudgetCounts = std::array<unsigned, Budgets.size()>;
/// This thread's counts now: a result shared between checks is built
/// between two snapshots, and the difference is what building it reached.
BudgetCounts budgetsReachedOnThisThread();
/// The budgets reached since \p Before on this thread.
BudgetCounts budgetsReachedSince(const BudgetCounts &Before);
/// Records \p Counts again: a check taking a shared result reports what
/// building it reached, as when every check built its own.
void replayBudgets(const BudgetCounts &Counts);

} // namespace lastword::analysis

#endif
