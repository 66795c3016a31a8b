// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// The current document is remembered in a global raw pointer. The runtime
// scans stacks, registers and persistent handles, not globals: once the
// function that opened it returns, nothing the collector sees refers to the
// document, and a collection frees it while the global still points to it.
// verify=1 poisons the freed document and reports the use.
#include <lastword/gc.hpp>

#include <cstdio>

struct Document {
  int pages = 0;
};

Document *current_document = nullptr;

__attribute__((noinline)) void open_document() {
  current_document = lastword::make<Document>();
  current_document->pages = 12;
}

int main() {
  open_document();
  lastword::debug::scrub_stack();
  lastword::collect();
  if (!lastword::debug::check_pointer(current_document)) {
    std::puts("the current document was freed while the global still used it");
    return 1;
  }
  std::printf("pages: %d\n", current_document->pages);
  return 0;
}
