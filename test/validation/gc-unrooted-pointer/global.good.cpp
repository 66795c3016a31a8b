// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// The fix: the global is a persistent<Document>, a root the collector scans,
// so the current document lives as long as the global refers to it.
#include <lastword/gc.hpp>

#include <cstdio>

struct Document {
  int pages = 0;
};

lastword::persistent<Document> current_document;

__attribute__((noinline)) void open_document() {
  current_document = lastword::make<Document>();
  current_document->pages = 12;
}

int main() {
  open_document();
  lastword::debug::scrub_stack();
  lastword::collect();
  if (!lastword::debug::check_pointer(current_document.get())) {
    std::puts("the current document was freed while the global still used it");
    return 1;
  }
  std::printf("pages: %d\n", current_document->pages);
  return 0;
}
