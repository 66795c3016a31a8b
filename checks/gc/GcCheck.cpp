//===--- GcCheck.cpp ------------------------------------------------------===//

#include "gc/GcCheck.h"
#include "analysis/CollectedTypes.h"
#include "analysis/FunctionFlow.h"
#include "analysis/SourceUtils.h"

using namespace lastword::analysis;

namespace clang::tidy::gc {

GcCheckBase::GcCheckBase(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)),
      Excluded(ExcludedPaths::fromOptions(*this, Options)) {}

void GcCheckBase::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
  Excluded.storeOptions(Options, Opts);
  storeCheckOptions(Opts);
}

void GcCheckBase::onStartOfTranslationUnit() {
  Excluded.forget();
  Context = nullptr;
  lastword::analysis::forgetSharedTypeFacts();
  lastword::analysis::forgetSharedFunctionFlows();
  lastword::analysis::forgetSharedEnclosingFunctions();
  resetTranslationUnit();
}

void GcCheckBase::noteCallPath(const CallPath &Path, StringRef SinkNote) {
  for (size_t I = 0; I < Path.size(); ++I) {
    const CallStep &Step = Path[I];
    std::string Name = Step.Callee ? displayName(*Step.Callee) : std::string("call");
    std::string Detail = describeStep(Step);
    std::string Text = I + 1 == Path.size() ? SinkNote.str() : std::string("'%0' is called here");
    if (!Detail.empty())
      Text += ": %1";
    diag(Step.location(), Text, DiagnosticIDs::Note) << Name << Detail;
  }
}

} // namespace clang::tidy::gc
