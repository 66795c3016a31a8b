// RUN: %check_gc %s gc-unrooted-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}"

// C++ on Boehm GC's C interface only: `operator new` is the C library's, so
// a standard container's buffer and a `new`'ed object are memory Boehm GC
// does not scan. Globals and statics are scanned.
#include <gc.h>
#include <map>
#include <vector>

struct Node {
  Node *next;
  int value;
};
Node *new_node() { return static_cast<Node *>(GC_MALLOC(sizeof(Node))); }

std::vector<Node *> g_all;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: global 'g_all' keeps pointers to collected 'Node' in a 'std::vector', whose storage the collector does not scan: it can free the objects while they are still in use; give the container 'gc_allocator', or keep the objects reachable from collected memory [gc-unrooted-pointer]
std::map<int, Node *> g_by_id;
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: global 'g_by_id' keeps pointers to collected 'Node' in a 'std::map'

struct Session {
  std::vector<Node *> history;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: field 'history' of 'Session' holds pointers to collected 'Node', but 'Session' is allocated outside the collected heap
  // CHECK-MESSAGES: :29:34: note: 'Session' is allocated with 'new' here
  Node *current;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'current' of 'Session' holds a raw pointer to collected 'Node', but 'Session' is allocated outside the collected heap: the collector neither scans nor traces it, so it can free the object while it is still in use; allocate the holder with 'GC_MALLOC_UNCOLLECTABLE' or derive it from 'gc' [gc-unrooted-pointer]
  // CHECK-MESSAGES: :29:34: note: 'Session' is allocated with 'new' here
};
Session *open_session() { return new Session; }

// Near misses: Boehm GC scans static data and collected objects.
Node *g_root;
Node *g_slots[4];
static Node *s_last;
struct Registry {
  Node *head;
};
Registry g_registry;
std::vector<int> g_numbers;
Node *cached() {
  static Node *cache = new_node();
  (void)s_last;
  return cache;
}

// Near misses: a container that allocates with Boehm GC's scanning allocator
// keeps its elements where the collector sees them.
#include <gc/gc_allocator.h>
std::vector<Node *, gc_allocator<Node *>> g_scanned;
std::map<int, Node *, std::less<int>, gc_allocator<std::pair<const int, Node *>>> g_scanned_by_id;
struct ScannedSession {
  std::vector<Node *, traceable_allocator<Node *>> history;
};
ScannedSession *open_scanned_session() { return new ScannedSession; }
