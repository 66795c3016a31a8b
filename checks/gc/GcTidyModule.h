//===--- GcTidyModule.h - The gc-* checks ---------------------------------===//

#ifndef LASTWORD_GC_GCTIDYMODULE_H
#define LASTWORD_GC_GCTIDYMODULE_H

#include "clang-tidy/ClangTidyModule.h"

namespace clang::tidy::gc {

/// Registers every gc-* check. The clang-tidy plugin and the lastword driver
/// both register this one module, so they run exactly the same checks.
class GcModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override;
  ClangTidyOptions getModuleOptions() override;
};

inline constexpr const char *GcModuleName = "gc-module";
inline constexpr const char *GcModuleDescription =
    "lastword: finalizer and object-lifetime checks for garbage-collected C++";

} // namespace clang::tidy::gc

#endif
