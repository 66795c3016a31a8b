//===--- PluginHost.cpp - Loads the plugin the way clang-tidy does --------===//
//
// A stand-in for clang-tidy that can pretend to be another clang version
// (LASTWORD_FAKE_CLANG_VERSION), to test that the plugin refuses to register
// when the running clang is not the one it was built for. Prints the
// registered module names.
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/Basic/Version.h"
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>

// Interposes libclang-cpp's definition for everything loaded afterwards.
std::string clang::getClangFullVersion() {
  if (const char *Fake = std::getenv("LASTWORD_FAKE_CLANG_VERSION"))
    return Fake;
  return "Debian clang version " CLANG_VERSION_STRING;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <plugin>\n", argv[0]);
    return 2;
  }
  if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
    std::fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  for (const auto &Entry : clang::tidy::ClangTidyModuleRegistry::entries())
    std::printf("module: %s\n", Entry.getName().str().c_str());
  return 0;
}
