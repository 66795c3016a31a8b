// VALIDATION-API: bdwgc
// VALIDATION-LINK: gc
// The fixed registry: its vector allocates its buffer with gc_allocator, so
// Boehm GC scans it and the registered nodes stay alive while listed.
#include <gc.h>
#include <gc/gc_allocator.h>
#include <cstdio>
#include <vector>

struct Node {
  int value;
};

static int finalized_while_registered;

static void on_death(void *, void *) { ++finalized_while_registered; }

std::vector<Node *, gc_allocator<Node *>> g_registry;

// Allocates in a frame of its own: no pointer stays in main's frame.
__attribute__((noinline)) static void fill(int n) {
  for (int i = 0; i < n; ++i) {
    Node *node = static_cast<Node *>(GC_MALLOC(sizeof(Node)));
    node->value = 42;
    GC_register_finalizer(node, on_death, nullptr, nullptr, nullptr);
    g_registry.push_back(node);
  }
}

__attribute__((noinline)) static void scrub_stack() {
  volatile char buffer[16384];
  for (int i = 0; i < static_cast<int>(sizeof buffer); ++i)
    buffer[i] = 0;
}

int main() {
  GC_INIT();
  g_registry.reserve(64);
  fill(64);
  scrub_stack();
  for (int i = 0; i < 5; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  if (finalized_while_registered > 0) {
    std::printf("%d registered nodes were collected while the registry still held them\n",
                finalized_while_registered);
    return 1;
  }
  std::printf("every registered node is alive (%d)\n", g_registry[0]->value);
  return 0;
}
