//===--- MissingKeepAliveCheck.h - gc-missing-keep-alive ------------------===//

#ifndef LASTWORD_GC_MISSINGKEEPALIVECHECK_H
#define LASTWORD_GC_MISSINGKEEPALIVECHECK_H

#include "analysis/FunctionFlow.h"
#include "analysis/ReleasedFields.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::gc {

/// What gc-missing-keep-alive learns about one translation unit.
struct MissingKeepAliveState {
  /// What releases a handle field, for the message.
  struct Releaser {
    std::string Description; ///< `the finalizer of 'File'`
  };
  llvm::DenseMap<const FieldDecl *, Releaser> Handles;
  /// Finalizer and cleanup bodies: their object is already being finalized.
  llvm::DenseSet<const FunctionDecl *> FinalizerCode;
  lastword::analysis::ReleasedFields Released;
  std::unique_ptr<lastword::analysis::FlowCache> Flows;
  llvm::DenseSet<SourceLocation> Reported;
};

/// Finds a native handle read out of a finalizable object (`f->fd`, a
/// getter, `f->buf.data()`) and used in a call after the object's last use
/// in the function, with no keep-alive after the call: once the object is
/// no longer used, a collection may finalize it and its finalizer releases
/// the handle while the call still uses it.
///
/// Finalizable types and their handle fields are inferred from the
/// translation unit's finalizer and cleanup registrations (the fields the
/// finalizer releases, the cleanup argument), plus the FinalizableTypes and
/// HandleFields options. The judgement runs once per translation unit, at
/// its end, on the per-function flow layer.
class MissingKeepAliveCheck : public GcCheck<MissingKeepAliveState> {
public:
  MissingKeepAliveCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
  void addHandle(const FieldDecl *Field, const std::string &Description);
  void addOptionHandles(const ASTContext &Context);
  void judgeFunction(const FunctionDecl &Function);

  /// Options.
  std::vector<std::string> FinalizableTypes;
  std::vector<std::string> HandleFieldNames;
  bool ParametersKeptAlive;
};

} // namespace clang::tidy::gc

#endif
