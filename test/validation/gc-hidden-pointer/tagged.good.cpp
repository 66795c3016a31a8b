// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// The fix: the entry keeps its node in a member<Node> its trace visits, and
// the flag in a field of its own. The collector sees the edge and keeps the
// node alive as long as the entry.
#include <lastword/gc.hpp>

#include <cstdio>

struct Node {
  int value = 0;
};

struct Entry {
  lastword::member<Node> target;
  bool dirty = false;
  Node *node() const { return target.get(); }
  void trace(lastword::tracer &t) const { t.visit(target); }
};

lastword::persistent<Entry> entry;

__attribute__((noinline)) void fill() {
  Node *node = lastword::make<Node>();
  node->value = 42;
  entry = lastword::make<Entry>();
  entry->target = node;
  entry->dirty = true;
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
