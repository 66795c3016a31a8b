// RUN: %check_gc %s gc-unrooted-pointer %t -- -- -std=c++20

#include <lastword/gc.hpp>
#include <array>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct Node {
  lastword::member<Node> next;
  int value = 0;
  void trace(lastword::tracer &t) const { t.visit(next); }
};

// Collected because the translation unit allocates it.
struct Leaf {
  int payload = 0;
};
Leaf *new_leaf() { return lastword::make<Leaf>(); }

struct Derived : Node {};

// Not collected.
struct Config {
  int level = 0;
};

// --- globals and statics ----------------------------------------------------

Node *g_root = nullptr;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: global 'g_root' holds a raw pointer to collected 'Node' outside the collected heap: the collector does not scan globals, so it can free the object while it is still in use; keep it in a 'lastword::persistent<Node>' [gc-unrooted-pointer]
// CHECK-FIXES: lastword::persistent<Node> g_root = nullptr;
static const Leaf *s_last;
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: global 's_last' holds a raw pointer to collected 'Leaf'
// CHECK-FIXES: static lastword::persistent<const Leaf> s_last;
thread_local Node *t_current;
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: thread_local 't_current' holds a raw pointer to collected 'Node'
// CHECK-FIXES: thread_local lastword::persistent<Node> t_current;
Node *g_slots[4];
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: global 'g_slots' holds a raw pointer to collected 'Node'
Node *g_left, *g_right;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: global 'g_left' holds a raw pointer to collected 'Node'
// CHECK-MESSAGES: :[[@LINE-2]]:16: warning: global 'g_right' holds a raw pointer to collected 'Node'
Node &g_anchor = *lastword::make<Node>();
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: global 'g_anchor' holds a reference to collected 'Node'
Derived *g_derived;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: global 'g_derived' holds a raw pointer to collected 'Derived'
// CHECK-FIXES: lastword::persistent<Derived> g_derived;
lastword::member<Node> g_member;
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: global 'g_member' is a member pointer outside any collected object: nothing traces it, so the collector can free its target while it is still in use; keep it in a 'lastword::persistent' [gc-unrooted-pointer]

std::vector<Node *> g_all;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: global 'g_all' keeps pointers to collected 'Node' in a 'std::vector', whose storage the collector does not scan: it can free the objects while they are still in use; keep 'lastword::persistent<Node>' elements [gc-unrooted-pointer]
std::map<std::string, Leaf *> g_by_name;
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: global 'g_by_name' keeps pointers to collected 'Leaf' in a 'std::map'
std::array<Node *, 8> g_ring;
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: global 'g_ring' keeps pointers to collected 'Node' in a 'std::array'

struct Registry {
  Node *head = nullptr;
  int count = 0;
};
Registry g_registry;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: global 'g_registry' holds a raw pointer to collected 'Node' in field 'head', outside the collected heap: the collector does not scan it, so it can free the object while it is still in use; keep it in a 'lastword::persistent<Node>'
// CHECK-MESSAGES: :[[@LINE-5]]:9: note: 'head' is declared here

struct Cache {
  static Node *last;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: static member 'Cache::last' holds a raw pointer to collected 'Node'
  // CHECK-FIXES: static lastword::persistent<Node> last;
};

Node *cached_node() {
  static Node *cache = lastword::make<Node>();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: static 'cache' holds a raw pointer to collected 'Node'
  // CHECK-FIXES: static lastword::persistent<Node> cache = lastword::make<Node>();
  return cache;
}

#define GLOBAL_NODE(name) Node *name
GLOBAL_NODE(g_from_macro);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global 'g_from_macro' holds a raw pointer to collected 'Node'

// Near misses: roots, non-collected targets, values.
lastword::persistent<Node> g_pinned;
std::vector<lastword::persistent<Node>> g_pinned_all;
Config *g_config = nullptr;
std::vector<Config *> g_configs;
const char *g_name = "x";
std::unordered_map<std::string, int> g_counts;
Registry *g_registry_ptr; // a pointer to a plain object is no collected pointer
extern Node *g_declared_elsewhere;
void (*g_callback)(Node *) = nullptr;
Node *g_suppressed; // NOLINT(gc-unrooted-pointer)

void locals_are_scanned() {
  Node *n = lastword::make<Node>();
  Registry on_stack;
  on_stack.head = n;
  (void)on_stack;
}

// --- objects allocated outside the collected heap ---------------------------

struct Session {
  Node *current = nullptr;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'current' of 'Session' holds a raw pointer to collected 'Node', but 'Session' is allocated outside the collected heap: the collector neither scans nor traces it, so it can free the object while it is still in use; keep it in a 'lastword::persistent<Node>' [gc-unrooted-pointer]
  // CHECK-FIXES: lastword::persistent<Node> current = nullptr;
  // CHECK-MESSAGES: :127:34: note: 'Session' is allocated with 'new' here
  std::vector<Leaf *> history;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: field 'history' of 'Session' holds pointers to collected 'Leaf', but 'Session' is allocated outside the collected heap
  // CHECK-MESSAGES: :127:34: note: 'Session' is allocated with 'new' here
  Config *config = nullptr;
  std::string name;
};

struct Job {
  Node *input;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'input' of 'Job' holds a raw pointer to collected 'Node', but 'Job' is allocated outside the collected heap
  // CHECK-FIXES: lastword::persistent<Node> input;
  // CHECK-MESSAGES: :130:10: note: 'Job' is allocated with 'std::make_unique' here
};

Session *open_session() { return new Session; }

std::unique_ptr<Job> queue_job() {
  return std::make_unique<Job>();
}

struct Packet {
  Node *target;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'target' of 'Packet' holds a raw pointer to collected 'Node', but 'Packet' is allocated outside the collected heap
  // CHECK-FIXES: lastword::persistent<Node> target;
  // CHECK-MESSAGES: :140:10: note: 'Packet' is allocated with 'malloc' here
};
Packet *new_packet() {
  return static_cast<Packet *>(std::malloc(sizeof(Packet)));
}

std::vector<Node *> *new_index() {
  return new std::vector<Node *>();
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: pointers to collected 'Node' kept in a 'std::vector' allocated with 'new', which the collector does not scan
}

Node **new_table(int n) {
  return new Node *[n];
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: pointers to collected 'Node' kept in memory from 'new', which the collector does not scan: it can free the objects while they are still in use; keep 'lastword::persistent<Node>' elements
}

// Near misses: plain objects without collected pointers, collected objects,
// roots inside plain objects, plain objects only on the stack.
struct Plain {
  Config *config;
  lastword::persistent<Node> pinned;
  std::vector<lastword::persistent<Node>> pinned_all;
};
struct StackOnly {
  Node *current;
};
void near_misses() {
  Plain *p = new Plain;
  delete p;
  Node *collected = lastword::make<Node>();
  (void)collected;
  StackOnly s{nullptr};
  (void)s;
  Config *c = new Config;
  delete c;
}

// Templates: judged on the types they are instantiated with.
template <class T> struct Slot {
  T *item;
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: field 'item' of 'Slot' holds a raw pointer to collected 'Node', but 'Slot' is allocated outside the collected heap
  // CHECK-MESSAGES: :182:34: note: 'Slot' is allocated with 'new' here
};
template <class T> Slot<T> *make_slot() { return new Slot<T>; }
Slot<Config> *config_slot() { return make_slot<Config>(); }
Slot<Node> *node_slot() { return new Slot<Node>; }

// A class template's static members: judged on the types the translation
// unit instantiates them with, reported once at the pattern, with no fix
// (the pattern serves every instantiation).
template <class T> struct StaticRegistry {
  static inline std::vector<T *> all;
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: static member 'StaticRegistry::all' keeps pointers to collected 'Node' in a 'std::vector', whose storage the collector does not scan
  static inline T *latest;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: static member 'StaticRegistry::latest' holds a raw pointer to collected 'Node' outside the collected heap
  static inline lastword::persistent<T> pinned;
};
void register_node(Node *n) {
  StaticRegistry<Node>::all.push_back(n);
  StaticRegistry<Node>::latest = n;
  StaticRegistry<Node>::pinned = n;
}
void register_config(Config *c) {
  StaticRegistry<Config>::all.push_back(c);
  StaticRegistry<Config>::latest = c;
}
// A static local of a class template's member function, the same way.
template <class Key> struct LookupCache {
  static std::map<Key, Node *> &table() {
    static std::map<Key, Node *> entries;
    // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: static 'entries' keeps pointers to collected 'Node' in a 'std::map'
    return entries;
  }
  static std::map<Key, Config *> &configs() {
    static std::map<Key, Config *> entries;
    return entries;
  }
};
void cache_node(Node *n, Config *c) {
  LookupCache<int>::table()[1] = n;
  LookupCache<int>::configs()[1] = c;
}

// A map entry rooted by its value: the raw pointer in the key is the lookup
// identity of what the value keeps alive (a transition cache keyed by the
// parent shape). A raw pointer in the value is reported.
std::map<std::pair<Node *, int>, lastword::persistent<Node>> g_transitions;
std::map<int, std::pair<Node *, lastword::persistent<Node>>> g_mixed;
// CHECK-MESSAGES: :[[@LINE-1]]:62: warning: global 'g_mixed' keeps pointers to collected 'Node' in a 'std::map'

// Declared in its class and defined outside: one finding, at the definition,
// and the fix changes both declarations (one alone would not compile).
struct Tracker {
  static Node *current;
};
Node *Tracker::current = nullptr;
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: static member 'Tracker::current' holds a raw pointer to collected 'Node'
// CHECK-FIXES: static lastword::persistent<Node> current;
// CHECK-FIXES: lastword::persistent<Node> Tracker::current = nullptr;
