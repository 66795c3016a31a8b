// RUN: %check_gc %s gc-hidden-pointer %t -- -- -std=c++20

#include <lastword/gc.hpp>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

struct Node {
  lastword::member<Node> next;
  int value = 0;
  void trace(lastword::tracer &t) const { t.visit(next); }
};

// Collected because the translation unit allocates it, although it has no
// trace method.
struct Leaf {
  int payload = 0;
};
Leaf *new_leaf() { return lastword::make<Leaf>(); }

// Not collected: plain heap or stack objects.
struct Config {
  int level = 0;
};

// --- fields of collected types ---------------------------------------------

struct Holder {
  Node *raw = nullptr;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'raw' of collected 'Holder' holds a raw pointer to collected 'Node': the collector does not trace it, so its target can be freed while 'Holder' still uses it [gc-hidden-pointer]
  // CHECK-FIXES: lastword::member<Node> raw = nullptr;
  const Leaf *leaf;
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: field 'leaf' of collected 'Holder' holds a raw pointer to collected 'Leaf'
  // CHECK-FIXES: lastword::member<const Leaf> leaf;
  Node &anchor;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'anchor' of collected 'Holder' holds a reference to collected 'Node'
  std::unique_ptr<Node> owned;
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: field 'owned' of collected 'Holder' holds collected 'Node' in a 'std::unique_ptr': the collector does not trace it
  std::shared_ptr<Leaf> shared;
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: field 'shared' of collected 'Holder' holds collected 'Leaf' in a 'std::shared_ptr'
  std::vector<Node *> children;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: field 'children' of collected 'Holder' keeps pointers to collected 'Node' in a 'std::vector', whose storage the collector does not trace: they can be freed while 'Holder' still uses them [gc-hidden-pointer]
  std::map<int, Leaf *> by_id;
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: field 'by_id' of collected 'Holder' keeps pointers to collected 'Leaf' in a 'std::map'
  std::uintptr_t bits = 0;
  void *context = nullptr;

  // Near misses: traced, untyped or not collected.
  lastword::member<Node> head;
  std::vector<lastword::member<Node>> traced;
  lastword::persistent<Node> pinned;
  Config *config = nullptr;
  const char *name = nullptr;
  std::vector<int> numbers;
  std::vector<Config *> configs;
  int (*callback)(int) = nullptr;

  explicit Holder(Node &n) : anchor(n) {}
  void trace(lastword::tracer &t) const {
    t.visit(head);
    for (const auto &m : traced)
      t.visit(m);
  }
};

// A derived class of a collected base is collected too.
struct Base {
  virtual ~Base() = default;
  virtual void trace(lastword::tracer &) const {}
};
struct Derived : Base {
  Leaf *cached = nullptr;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'cached' of collected 'Derived' holds a raw pointer to collected 'Leaf'
  // CHECK-FIXES: lastword::member<Leaf> cached = nullptr;
  Base *sibling = nullptr;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'sibling' of collected 'Derived' holds a raw pointer to collected 'Base'
  // CHECK-FIXES: lastword::member<Base> sibling = nullptr;
};

// A tagged pointer the type decodes and traces itself.
struct Tagged {
  std::uintptr_t word = 0;
  Node *raw_but_traced = nullptr;
  void set(Node *n, bool flag) { word = reinterpret_cast<std::uintptr_t>(n) | (flag ? 1 : 0); }
  void trace(lastword::tracer &t) const {
    t.visit_pointer(reinterpret_cast<const void *>(word & ~std::uintptr_t(1)));
    t.visit_pointer(raw_but_traced);
  }
};

// Several declarators on one line: reported, no fix-it.
struct Pair {
  Node *left, *right;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'left' of collected 'Pair' holds a raw pointer
  // CHECK-MESSAGES: :[[@LINE-2]]:16: warning: field 'right' of collected 'Pair' holds a raw pointer
  lastword::member<Pair> up;
};

// A non-collected holder: gc-unrooted-pointer's business, not this check's.
struct Cache {
  Node *last = nullptr;
  std::vector<Node *> recent;
};

#define RAW_FIELD(T, name) T *name
struct Macro {
  RAW_FIELD(Node, via_macro);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: field 'via_macro' of collected 'Macro' holds a raw pointer to collected 'Node'
  lastword::member<Macro> self;
};

// Templates: judged on each instantiation, reported once.
template <class T> struct Box {
  T *item = nullptr;
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: field 'item' of collected 'Box' holds a raw pointer to collected 'Node'
  lastword::member<Node> anchor;
};
Box<Node> *box_of_node() { return lastword::make<Box<Node>>(); }
Box<Config> *box_of_config() { return lastword::make<Box<Config>>(); }

// --- pointers kept as integers ---------------------------------------------

std::uintptr_t g_last;
std::vector<std::uintptr_t> g_seen_order;

std::uintptr_t encode(Node *n) { return reinterpret_cast<std::uintptr_t>(n) | 1; }

template <class T> std::uintptr_t address_of(T *p) { return reinterpret_cast<std::uintptr_t>(p); }

struct Slot {
  std::uintptr_t word = 0;
  void put(std::uintptr_t w) { word = w; }
};

void hides(Holder *h, Node *n, Slot *slot) {
  h->bits = reinterpret_cast<std::uintptr_t>(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in field 'Holder::bits': the collector does not trace it, so the object can be freed while still in use [gc-hidden-pointer]
  g_last = (std::uintptr_t)n | 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in global 'g_last'
  g_seen_order.push_back(std::bit_cast<std::uintptr_t>(n));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in global 'g_seen_order'
  std::uintptr_t word = reinterpret_cast<std::uintptr_t>(static_cast<void *>(n));
  h->bits = word;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in field 'Holder::bits'
  // CHECK-MESSAGES: :[[@LINE-3]]:25: note: the pointer is converted to an integer here
  h->bits = encode(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in field 'Holder::bits'
  // CHECK-MESSAGES: :132:41: note: 'encode' converts the pointer to an integer here
  h->bits = address_of(n) ^ 0x5a5a;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in field 'Holder::bits'
  // CHECK-MESSAGES: :134:61: note: 'address_of' converts the pointer to an integer here
  slot->put(reinterpret_cast<std::uintptr_t>(n) & ~std::uintptr_t(7));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in field 'Slot::word'
  // CHECK-MESSAGES: :138:32: note: 'Slot::put' keeps it in field 'Slot::word' here
  h->context = n;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' stored in 'void *' field 'context' of collected 'Holder': the collector does not trace it, so the object can be freed while still in use [gc-hidden-pointer]
  // CHECK-MESSAGES: :52:9: note: 'context' is declared here
  static std::uintptr_t first = reinterpret_cast<std::uintptr_t>(n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: pointer to collected 'Node' kept as an integer in static 'first'
  (void)first;
}

struct Registry {
  std::uintptr_t key;
  explicit Registry(Leaf *l) : key(reinterpret_cast<std::uintptr_t>(l)) {}
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: pointer to collected 'Leaf' kept as an integer in field 'Registry::key'
};

struct Record {
  std::uintptr_t id;
};
Record *remember(Node *n) {
  return lastword::make<Record>(reinterpret_cast<std::uintptr_t>(n));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: pointer to collected 'Node' kept as an integer in a new 'Record'
}

// Templates: judged on the types they are instantiated with.
template <class T> struct TaggedRef {
  std::uintptr_t word = 0;
  void set(T *p) { word = reinterpret_cast<std::uintptr_t>(p) | 1; }
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: pointer to collected 'Node' kept as an integer in field 'TaggedRef::word'
};
void use_tagged(TaggedRef<Node> *r, TaggedRef<Config> *c, Node *n, Config *k) {
  r->set(n);
  c->set(k);
}

template <class T> void remember(Holder *h, T *p) { h->bits = reinterpret_cast<std::uintptr_t>(p); }
// CHECK-MESSAGES: :[[@LINE-1]]:53: warning: pointer to collected 'Leaf' kept as an integer in field 'Holder::bits'
void remember_both(Holder *h, Leaf *l, Config *c) {
  remember(h, l);
  remember(h, c);
}

// --- near misses: used within the expression, or not collected -------------

void uses_in_place(Holder *h, Node *n, std::set<std::uintptr_t> &visited, Config *c) {
  std::size_t hash = std::hash<std::uintptr_t>{}(reinterpret_cast<std::uintptr_t>(n));
  h->bits = hash;
  std::printf("%lx\n", static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(n)));
  h->bits = reinterpret_cast<std::uintptr_t>(n) == h->bits;
  h->bits = (reinterpret_cast<std::uintptr_t>(n) >> 4) % 64;
  h->bits = reinterpret_cast<std::uintptr_t>(n) & 7;
  h->bits = reinterpret_cast<std::uintptr_t>(n) - reinterpret_cast<std::uintptr_t>(h);
  visited.insert(reinterpret_cast<std::uintptr_t>(n));
  std::uintptr_t local = reinterpret_cast<std::uintptr_t>(n);
  std::uintptr_t copy = local;
  (void)copy;
  h->bits = reinterpret_cast<std::uintptr_t>(c);
  int on_stack = 0;
  h->bits = reinterpret_cast<std::uintptr_t>(&on_stack);
  h->context = c;
  h->context = &on_stack;
  struct Local {
    std::uintptr_t word;
  } frame;
  frame.word = reinterpret_cast<std::uintptr_t>(n);
  (void)frame;
  h->bits = 0; // NOLINT(gc-hidden-pointer)
  h->bits = reinterpret_cast<std::uintptr_t>(n); // NOLINT(gc-hidden-pointer)
}

// --- bytes over member<T> fields -------------------------------------------

void copies(Node *a, Node *b, Holder *h, Node (&nodes)[4]) {
  std::memcpy(a, b, sizeof(Node));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'memcpy' writes raw bytes over the lastword::member fields of 'Node': the stores bypass the write barrier, so an object they pointed to can be freed while still reachable [gc-hidden-pointer]
  std::memset(h, 0, sizeof(Holder));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'memset' writes raw bytes over the lastword::member fields of 'Holder'
  std::memmove(nodes, nodes + 1, 3 * sizeof(Node));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'memmove' writes raw bytes over the lastword::member fields of 'Node'
  const char *bytes = reinterpret_cast<const char *>(b);
  std::copy(bytes, bytes + sizeof(Node), reinterpret_cast<char *>(a));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'std::copy' writes raw bytes over the lastword::member fields of 'Node'
}

void copies_near_misses(Leaf *a, Leaf *b, Config *c, Node *n, Node **out, std::vector<Node *> &v) {
  std::memcpy(a, b, sizeof(Leaf));
  std::memset(c, 0, sizeof(Config));
  std::memcpy(&a->payload, &b->payload, sizeof a->payload);
  std::memcpy(out, &n, sizeof n);
  std::copy(v.begin(), v.end(), out);
  lastword::member<Node> ms[2];
  lastword::member<Node> md[2];
  std::copy(ms, ms + 2, md);
}
