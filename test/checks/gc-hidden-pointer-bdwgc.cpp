// RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <gc/gc_cpp.h>
#include <cstdint>
#include <cstdlib>
#include <vector>

struct Node : gc {
  Node *next = nullptr; // scanned conservatively: fine under Boehm GC
  int value = 0;
};

struct Plain {
  int value = 0;
};

struct Cache {
  GC_hidden_pointer hidden = 0;
  GC_hidden_pointer weak = 0;
  std::uintptr_t link = 0;
  std::uintptr_t plain = 0;
};

struct Owner : gc {
  // With <gc/gc_cpp.h>, libgccpp's operator new returns uncollectable
  // memory that Boehm GC scans: a container's buffer hides nothing.
  std::vector<Node *> children;
  std::vector<Plain *> plain;
  Node *first = nullptr;
  std::uintptr_t bits = 0;
};

void hides(Cache *c, Node *n, Node *prev, Node *next) {
  c->hidden = GC_HIDE_POINTER(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' hidden by GC_HIDE_POINTER and kept in field 'Cache::hidden' without a disappearing link: the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
  c->link = reinterpret_cast<std::uintptr_t>(prev) ^ reinterpret_cast<std::uintptr_t>(next);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' disguised by XOR or complement and kept in field 'Cache::link': the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
}

void only_hidden(Cache *c, Node *n) { c->hidden = GC_HIDE_POINTER(n); }
// CHECK-MESSAGES: :[[@LINE-1]]:39: warning: pointer to collected 'Node' hidden by GC_HIDE_POINTER and kept in field 'Cache::hidden' without a disappearing link

// The readers: hidden values are turned back into pointers and used (a
// translation unit that never reveals them is test/checks/gc-hidden-pointer-weak-index.c).
Node *cached(const Cache *c) { return static_cast<Node *>(GC_REVEAL_POINTER(c->hidden)); }

// A weak reference as Boehm GC means it: hidden, with a disappearing link
// that clears it when the object dies.
void weak_reference(Cache *c, Node *n) {
  c->weak = GC_HIDE_POINTER(n);
  GC_general_register_disappearing_link(reinterpret_cast<void **>(&c->weak), n);
}

// Near misses: Boehm scans integers and interior pointers conservatively.
void still_seen(Cache *c, Owner *o, Node *n, Plain *p) {
  c->plain = reinterpret_cast<std::uintptr_t>(n);
  c->plain = reinterpret_cast<std::uintptr_t>(n) | 1;
  o->bits = reinterpret_cast<std::uintptr_t>(n);
  c->link = reinterpret_cast<std::uintptr_t>(p) ^ 0x5a5a;
  GC_hidden_pointer local = GC_HIDE_POINTER(n);
  (void)local;
}

Node **table;
struct Slots {
  Node *items[8];
};

void unscanned(int count) {
  table = static_cast<Node **>(std::malloc(count * sizeof(Node *)));
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointers to collected 'Node' kept in memory from 'malloc', which the collector does not scan: the objects can be freed while still in use [gc-hidden-pointer]
  Slots *slots = static_cast<Slots *>(GC_MALLOC_ATOMIC(sizeof(Slots)));
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: pointers to collected 'Node' kept in memory from 'GC_MALLOC_ATOMIC', which the collector does not scan
  (void)slots;
}

// Near misses: a scratch buffer freed before the function returns, memory
// holding no collected pointers, GC_MALLOC'ed memory.
void scratch(Node **nodes, int count) {
  Node **sorted = static_cast<Node **>(std::malloc(count * sizeof(Node *)));
  for (int i = 0; i < count; ++i)
    sorted[i] = nodes[i];
  std::free(sorted);
  Plain **plain = static_cast<Plain **>(std::malloc(sizeof(Plain *)));
  (void)plain;
  Node **scanned = static_cast<Node **>(GC_MALLOC(count * sizeof(Node *)));
  (void)scanned;
  char *text = static_cast<char *>(GC_MALLOC_ATOMIC(64));
  (void)text;
}
