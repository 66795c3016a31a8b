// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// A cache entry keeps its node as a tagged integer (the low bit says
// "dirty"). The heap is traced precisely: the integer is not a pointer to
// the collector, so once the caller's own pointer is gone a collection frees
// the node while the entry still refers to it. verify=1 poisons the freed
// node and reports the use.
#include <lastword/gc.hpp>

#include <cstdint>
#include <cstdio>

struct Node {
  int value = 0;
};

struct Entry {
  std::uintptr_t tagged = 0;
  Node *node() const { return reinterpret_cast<Node *>(tagged & ~std::uintptr_t(1)); }
};

lastword::persistent<Entry> entry;

__attribute__((noinline)) void fill() {
  Node *node = lastword::make<Node>();
  node->value = 42;
  entry = lastword::make<Entry>();
  entry->tagged = reinterpret_cast<std::uintptr_t>(node) | 1;
}

int main() {
  fill();
  lastword::debug::scrub_stack();
  lastword::collect();
  if (!lastword::debug::check_pointer(entry->node())) {
    std::puts("the node was freed while the entry still used it");
    return 1;
  }
  std::printf("value: %d\n", entry->node()->value);
  return 0;
}
