//===--- PluginMain.cpp - The gc module as a clang-tidy plugin ------------===//
//
// Loaded with `clang-tidy-19 --load=LastwordTidyModule.so`. The check code
// resolves its clang symbols against the clang-tidy that loads it, so that
// clang-tidy must be the version the plugin was built for: a mismatch would
// crash on the first AST it touches. We compare at load time and refuse to
// register with a clear message instead.
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "gc/GcTidyModule.h"
#include "clang/Basic/Version.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

namespace {

bool runningClangMatchesBuild() {
  // e.g. "Debian clang version 19.1.7 (3~deb12u1)" against "19.1.7"
  std::string Running = clang::getClangFullVersion();
  std::string Expected = std::string("clang version ") + CLANG_VERSION_STRING;
  size_t At = Running.find(Expected);
  if (At == std::string::npos)
    return false;
  char After = At + Expected.size() < Running.size() ? Running[At + Expected.size()] : ' ';
  return After == ' ' || After == '-' || After == '(';
}

struct GuardedRegistration {
  std::optional<clang::tidy::ClangTidyModuleRegistry::Add<clang::tidy::gc::GcModule>> Entry;
  GuardedRegistration() {
    if (runningClangMatchesBuild()) {
      Entry.emplace(clang::tidy::gc::GcModuleName, clang::tidy::gc::GcModuleDescription);
      return;
    }
    llvm::errs() << "error: LastwordTidyModule was built for clang " CLANG_VERSION_STRING
                 << " but was loaded into '" << clang::getClangFullVersion()
                 << "'; the gc-* checks are not registered (rebuild lastword against this "
                    "clang-tidy)\n";
  }
};

GuardedRegistration Registration;

} // namespace

// Referenced so that the static registration is not dropped by the linker.
extern "C" int LastwordTidyModuleAnchor() { return Registration.Entry.has_value(); }
