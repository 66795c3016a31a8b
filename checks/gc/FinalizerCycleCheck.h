//===--- FinalizerCycleCheck.h - gc-finalizer-cycle -----------------------===//

#ifndef LASTWORD_GC_FINALIZERCYCLECHECK_H
#define LASTWORD_GC_FINALIZERCYCLECHECK_H

#include "analysis/CalleeSummaries.h"
#include "analysis/CollectedTypes.h"
#include "analysis/CycleFacts.h"
#include "analysis/Finalizers.h"
#include "analysis/SourceUtils.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include <memory>

namespace clang::tidy::gc {

/// What gc-finalizer-cycle learns about one translation unit.
struct FinalizerCycleState {
  /// The profile's type roles applied to this translation unit.
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
  lastword::analysis::CycleFacts Facts;
  /// Parallel to Facts.Edges / Facts.Finalizable: where to point in this TU.
  std::vector<SourceLocation> EdgeLocations, FinalizableLocations;
  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<QualType, 1>> Targets;
  llvm::DenseSet<const RecordDecl *> Records;
  llvm::DenseSet<const Expr *> Registrations;
  /// Helpers that register a finalizer on their parameter and hand it more
  /// of their parameters (captured, as data): their calls are registrations.
  std::vector<lastword::analysis::RegistrationWrapper> Wrappers;
  llvm::DenseMap<const CallExpr *, lastword::analysis::ApiCall> WrapperCalls;
  /// Functions that store into traced fields or register finalizers.
  llvm::SetVector<const FunctionDecl *> Candidates;
  /// Types on the cycles the type level reported.
  llvm::StringSet<> TypesOnReportedCycles;
  std::shared_ptr<const lastword::analysis::EnclosingFunctions> Functions;
  lastword::analysis::CalleeSummaries Summaries;
  llvm::DenseSet<SourceLocation> Reported;
};

/// Finds finalizable objects that can reach themselves, which an ordered
/// finalizer (lastword, Boehm's GC_register_finalizer) never finalizes:
///   - types: collected types whose traced fields (the profile's MemberTypes,
///     `member<T>`, arrays and containers of them, through bases and
///     non-finalizable types; under Boehm every pointer the collector scans)
///     form a cycle of two or more types, one of them finalizable in the TU;
///   - objects: within one function, objects stored into each other's
///     fields, or captured by each other's finalizers and cleanups, closing
///     a cycle through an object with a finalizer.
/// With ExportFactsDirectory set, the type graph of the TU is written out so
/// that `lastword --cross-tu` can find cycles spread over several files.
class FinalizerCycleCheck : public GcCheck<FinalizerCycleState> {
public:
  FinalizerCycleCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
  /// The collected types field \p Field leads to (memoised).
  const llvm::SmallVector<QualType, 1> &targetsOf(const FieldDecl &Field);
  bool isEdgeField(const FieldDecl *Field) { return Field && !targetsOf(*Field).empty(); }
  std::string typeKey(QualType Type) const;
  lastword::analysis::FactLocation factLocation(SourceLocation Loc) const;

  void addRecord(const RecordDecl &Record);
  void addRegistration(const Expr &Registration);
  void reportTypeCycles();
  void analyseFunction(const FunctionDecl &Function);
  void exportFacts();

  bool SelfCycles;
  std::string ExportFactsDirectory;
};

} // namespace clang::tidy::gc

#endif
