//===--- GcTidyModule.cpp -------------------------------------------------===//

#include "gc/GcTidyModule.h"
#include "gc/BlockingFinalizerCheck.h"
#include "gc/CollectInLoopCheck.h"
#include "gc/FinalizerAsReleaseCheck.h"
#include "gc/FinalizerCycleCheck.h"
#include "gc/FinalizerOrderCheck.h"
#include "gc/FinalizerResurrectionCheck.h"
#include "gc/FinalizerSelfReferenceCheck.h"
#include "gc/HiddenPointerCheck.h"
#include "gc/IncompleteTraceCheck.h"
#include "gc/MissingKeepAliveCheck.h"
#include "gc/UnrootedPointerCheck.h"

namespace clang::tidy::gc {

void GcModule::addCheckFactories(ClangTidyCheckFactories &CheckFactories) {
  CheckFactories.registerCheck<BlockingFinalizerCheck>("gc-blocking-finalizer");
  CheckFactories.registerCheck<CollectInLoopCheck>("gc-collect-in-loop");
  CheckFactories.registerCheck<FinalizerAsReleaseCheck>("gc-finalizer-as-release");
  CheckFactories.registerCheck<FinalizerCycleCheck>("gc-finalizer-cycle");
  CheckFactories.registerCheck<FinalizerOrderCheck>("gc-finalizer-order");
  CheckFactories.registerCheck<FinalizerResurrectionCheck>("gc-finalizer-resurrection");
  CheckFactories.registerCheck<FinalizerSelfReferenceCheck>("gc-finalizer-self-reference");
  CheckFactories.registerCheck<HiddenPointerCheck>("gc-hidden-pointer");
  CheckFactories.registerCheck<IncompleteTraceCheck>("gc-incomplete-trace");
  CheckFactories.registerCheck<MissingKeepAliveCheck>("gc-missing-keep-alive");
  CheckFactories.registerCheck<UnrootedPointerCheck>("gc-unrooted-pointer");
}

ClangTidyOptions GcModule::getModuleOptions() { return ClangTidyOptions(); }

} // namespace clang::tidy::gc
