// RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <gc/gc_cpp.h>

struct Node : gc {
  Node *next = nullptr;
};

void rebuild(int n) {
  Node *head = nullptr;
  for (int i = 0; i < n; ++i) {
    Node *node = new Node;
    node->next = head;
    head = node;
    GC_gcollect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'GC_gcollect' stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: the loop starts here
  }
}

void unmap_each(int n) {
  while (n-- > 0) {
    (void)GC_MALLOC(4096);
    GC_gcollect_and_unmap();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'GC_gcollect_and_unmap'
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
}

// Collecting N times before a huge allocation, running the finalizers
// between collections, is deliberate: silent whatever the count.
void before_huge_allocation() {
  int i;
  for (i = 0; i < 10; i++)
    GC_gcollect();
  for (i = 0; i < 16; i++) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  while (GC_collect_a_little()) {
  }
  int finalized = 0;
  do {
    GC_gcollect();
    finalized = GC_invoke_finalizers();
  } while (finalized > 0);
  (void)GC_MALLOC(1u << 28);
}

// Near misses.
void once(int n) {
  for (int i = 0; i < n; ++i)
    (void)GC_MALLOC(16);
  GC_gcollect();
}

void throttled(int n) {
  for (int i = 0; i < n; ++i) {
    (void)GC_MALLOC(16);
    if (GC_get_heap_size() > (1u << 30))
      GC_gcollect();
  }
}

// Under the Boehm profile, lastword::collect is not the collector.
namespace lastword { void collect(); }
void not_this_collector(int n) {
  for (int i = 0; i < n; ++i)
    lastword::collect();
}
