/* gc-hidden-pointer with the Boehm profile, on C: collected structs are known
   through C's implicit conversion of GC_MALLOC's `void *`, as written.
RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=gnu89
*/
#include <gc.h>
#include <stdint.h>
#include <stdlib.h>

struct node {
  struct node *next; /* scanned conservatively: fine under Boehm GC */
  int value;
};

struct plain {
  int value;
};

struct cache {
  GC_hidden_pointer hidden;
  GC_hidden_pointer weak;
  uintptr_t link;
  uintptr_t plain;
};

struct node *new_node(int value) {
  struct node *n = GC_MALLOC(sizeof *n);
  n->value = value;
  return n;
}

void hides(struct cache *c, struct node *n, struct node *prev, struct node *next) {
  c->hidden = GC_HIDE_POINTER(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'node' hidden by GC_HIDE_POINTER and kept in field 'cache::hidden' without a disappearing link: the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
  c->link = (uintptr_t)prev ^ (uintptr_t)next;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'node' disguised by XOR or complement and kept in field 'cache::link': the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
}

/* An XOR-linked list built in place: after `^=` the word holds prev ^ next,
   the address of neither, directly, through a macro or through a setter. */
struct xnode {
  uintptr_t both;
  int value;
};
struct xnode *new_xnode(void) { return GC_MALLOC(sizeof(struct xnode)); }
#define XOR_LINK(node, other) ((node)->both ^= (uintptr_t)(other))
static void link_both(struct xnode *x, uintptr_t other) { x->both ^= other; }

void push_after(struct xnode *tail, struct xnode *fresh, struct xnode *spare) {
  tail->both ^= (uintptr_t)fresh;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'xnode' disguised by XOR or complement and kept in field 'xnode::both': the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
  XOR_LINK(fresh, tail);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'xnode' disguised by XOR or complement and kept in field 'xnode::both'
  link_both(spare, (uintptr_t)fresh);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'xnode' disguised by XOR or complement and kept in field 'xnode::both'
  // CHECK-MESSAGES: :[[@LINE-9]]:59: note: 'link_both' keeps it in field 'xnode::both' here
}

/* Near misses: a tag bit toggled in place, a plain store of the address,
   a setter that stores the address as it is. */
static void set_plain(struct xnode *x, uintptr_t other) { x->both = other; }
void toggle(struct xnode *x, struct xnode *y) {
  x->both ^= 1;
  y->both = (uintptr_t)x;
  set_plain(y, (uintptr_t)x);
}

/* The readers: the hidden values are turned back into pointers and used. */
struct node *cached(const struct cache *c) { return GC_REVEAL_POINTER(c->hidden); }
struct node *neighbour(const struct cache *c, struct node *prev) {
  return (struct node *)(c->link ^ (uintptr_t)prev);
}

/* A weak reference as Boehm GC means it: hidden, with a disappearing link
   that clears it when the object dies. */
void weak_reference(struct cache *c, struct node *n) {
  c->weak = GC_HIDE_POINTER(n);
  GC_general_register_disappearing_link((void **)&c->weak, n);
}

/* Near misses: Boehm scans integers and interior pointers conservatively;
   a plain struct is not collected. */
void still_seen(struct cache *c, struct node *n, struct plain *p) {
  GC_hidden_pointer local = GC_HIDE_POINTER(n);
  c->plain = (uintptr_t)n;
  c->plain = (uintptr_t)n | 1;
  c->link = (uintptr_t)p ^ 0x5a5a;
  (void)local;
}

struct node **table;
struct slots {
  struct node *items[8];
};

void unscanned(int count) {
  struct slots *slots;
  table = malloc(count * sizeof *table);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointers to collected 'node' kept in memory from 'malloc', which the collector does not scan: the objects can be freed while still in use [gc-hidden-pointer]
  slots = GC_MALLOC_ATOMIC(sizeof *slots);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: pointers to collected 'node' kept in memory from 'GC_MALLOC_ATOMIC', which the collector does not scan: the objects can be freed while still in use [gc-hidden-pointer]
  (void)slots;
}

/* Near misses: a scratch buffer freed before the function returns, memory
   holding no collected pointers, GC_MALLOC'ed memory. */
void scratch(struct node **nodes, int count) {
  struct node **sorted = malloc(count * sizeof *sorted);
  struct plain **plains = malloc(count * sizeof *plains);
  struct node **scanned = GC_MALLOC(count * sizeof *scanned);
  int i;
  for (i = 0; i < count; ++i)
    sorted[i] = nodes[i];
  free(sorted);
  (void)plains;
  (void)scanned;
}

/* Allocation wrappers: what they return is the memory they got. */
static void *xcalloc(size_t count, size_t size) {
  void *p = calloc(count, size);
  if (p == NULL)
    abort();
  return p;
}
static void *xmalloc(size_t size) { return malloc(size); }
static void *xrealloc(void *old, size_t size) {
  void *p;
  p = realloc(old, size);
  return p != NULL ? p : xmalloc(size);
}
static void *gc_alloc(size_t size) {
  void *p = GC_MALLOC(size);
  if (p == NULL)
    abort();
  return p;
}
static void *either(int scanned, size_t size) {
  if (scanned)
    return GC_MALLOC(size);
  return malloc(size);
}

struct answer {
  struct node *record;
  int ttl;
};

void cache_answers(int count) {
  struct answer *entry = xcalloc(1, sizeof *entry);
  // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: pointers to collected 'node' kept in memory from 'xcalloc', which the collector does not scan: the objects can be freed while still in use [gc-hidden-pointer]
  // CHECK-MESSAGES: :[[@LINE-31]]:13: note: 'xcalloc' returns memory from 'calloc'
  struct node **nodes = xrealloc(NULL, count * sizeof *nodes);
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: pointers to collected 'node' kept in memory from 'xrealloc', which the collector does not scan
  // CHECK-MESSAGES: :[[@LINE-26]]:7: note: 'xrealloc' returns memory from 'realloc'
  struct answer *scanned = gc_alloc(sizeof *scanned);
  struct answer *maybe = either(1, sizeof *maybe);
  entry->record = new_node(1);
  nodes[0] = entry->record;
  scanned->record = new_node(2);
  maybe->record = new_node(3);
}

/* A handle table over untyped objects: GC_HIDE_POINTER exists to hide
   collected pointers, whatever the static type says. */
struct handles {
  GC_hidden_pointer *slots;
  GC_hidden_pointer *weak_slots;
};
static void stash(struct handles *h, size_t index, void *object) {
  h->slots[index] = GC_HIDE_POINTER(object);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer hidden by GC_HIDE_POINTER and kept in field 'handles::slots' without a disappearing link: the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
}
static void stash_weak(struct handles *h, size_t index, void *object) {
  h->weak_slots[index] = GC_HIDE_POINTER(object);
  GC_general_register_disappearing_link((void **)&h->weak_slots[index], object);
}
static size_t hash_of(void *object) { return (size_t)GC_HIDE_POINTER(object) % 61; }
