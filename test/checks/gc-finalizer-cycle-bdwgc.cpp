// RUN: %check_gc %s gc-finalizer-cycle %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <gc/gc_allocator.h>
#include <gc/gc_cpp.h>
#include <vector>

void close_fd(int fd);

// ---- Boehm is conservative: every pointer in a collected object is an edge. ----

struct Conn;
struct Pool {
  Conn *idle[4];
  int fd;
};
struct Conn {
  Pool *pool;
};
static void close_pool(void *obj, void *) { close_fd(static_cast<Pool *>(obj)->fd); }
Pool *make_pool() {
  Pool *p = static_cast<Pool *>(GC_MALLOC(sizeof(Pool)));
  GC_register_finalizer(p, close_pool, nullptr, nullptr, nullptr);
  return p;
}
// CHECK-MESSAGES: :[[@LINE-12]]:9: warning: 'Pool' is finalizable and can reach itself (Pool -> Conn -> Pool): once unreachable, none of the cycle is ever finalized and it leaks with everything it holds; register the finalizer on one owner outside the cycle, or break an edge [gc-finalizer-cycle]
// CHECK-MESSAGES: :[[@LINE-13]]:9: note: 'Pool::idle' leads to 'Conn'
// CHECK-MESSAGES: :[[@LINE-10]]:9: note: 'Conn::pool' leads to 'Pool'
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'Pool' gets a finalizer here

// gc_cleanup classes are finalizable (their destructor runs as an ordered finalizer).
class Tab;
class Browser : public gc_cleanup {
public:
  ~Browser() { close_fd(fd); }
  std::vector<Tab *, gc_allocator<Tab *>> tabs;
  int fd = 0;
};
class Tab : public gc {
public:
  Browser *browser = nullptr;
};
// CHECK-MESSAGES: :[[@LINE-7]]:43: warning: 'Browser' is finalizable and can reach itself (Browser -> Tab -> Browser)
// CHECK-MESSAGES: :[[@LINE-8]]:43: note: 'Browser::tabs' leads to 'Tab'
// CHECK-MESSAGES: :[[@LINE-4]]:12: note: 'Tab::browser' leads to 'Browser'
// CHECK-MESSAGES: :[[@LINE-13]]:17: note: 'Browser' gets a finalizer here

// Objects closing a cycle in one function.
struct Peer {
  Peer *other;
  int fd;
};
static void close_peer(void *obj, void *) { close_fd(static_cast<Peer *>(obj)->fd); }
void pair_up() {
  Peer *a = static_cast<Peer *>(GC_MALLOC(sizeof(Peer)));
  Peer *b = static_cast<Peer *>(GC_MALLOC(sizeof(Peer)));
  GC_REGISTER_FINALIZER(a, close_peer, nullptr, nullptr, nullptr);
  a->other = b;
  b->other = a;
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: these objects reach each other in a cycle ('a' -> 'b' -> 'a') through finalizable 'a'
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'b' is stored in 'a->other' here
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'a' is stored in 'b->other' here
// CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'a' gets a finalizer here
// CHECK-MESSAGES: gc.h:{{[0-9]+}}:{{[0-9]+}}: note: expanded from macro 'GC_REGISTER_FINALIZER'

// ---- Near misses: silent. ----

// The unordered registrations finalize cycles.
struct Node;
struct Edge {
  Node *from;
};
struct Node {
  Edge *edges[2];
  int fd;
};
static void close_node(void *obj, void *) { close_fd(static_cast<Node *>(obj)->fd); }
void add_node(Node *n) {
  GC_register_finalizer_no_order(n, close_node, nullptr, nullptr, nullptr);
}

// A std::vector with the default allocator lives in malloc'ed memory the
// collector does not scan: no edge.
struct Window;
struct Screen {
  std::vector<Window *> windows;
  int fd;
};
struct Window {
  Screen *screen;
};
static void close_screen(void *obj, void *) { close_fd(static_cast<Screen *>(obj)->fd); }
void add_screen(Screen *s) {
  GC_register_finalizer(s, close_screen, nullptr, nullptr, nullptr);
}

// A singly linked list of finalizable nodes.
struct Item {
  Item *next;
  int fd;
};
static void close_item(void *obj, void *) { close_fd(static_cast<Item *>(obj)->fd); }
void push(Item *head) {
  Item *i = static_cast<Item *>(GC_MALLOC(sizeof(Item)));
  i->next = head;
  GC_register_finalizer(i, close_item, nullptr, nullptr, nullptr);
}

// A gc_cleanup class registers at `new`: two endpoints paired through a
// setter close a cycle in the function that builds them.
class Endpoint : public gc_cleanup {
public:
  ~Endpoint() { close_fd(fd_); }
  void pair_with(Endpoint *other) { peer_ = other; }

private:
  int fd_ = -1;
  Endpoint *peer_ = nullptr;
};
Endpoint *open_link() {
  Endpoint *a = new Endpoint;
  Endpoint *b = new Endpoint;
  a->pair_with(b);
  b->pair_with(a);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: these objects reach each other in a cycle ('a' -> 'b' -> 'a') through finalizable 'a'
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'b' is stored in 'a' by 'Endpoint::pair_with' here
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'a' is stored in 'b' by 'Endpoint::pair_with' here
  return a;
}

// Near miss: the second endpoint points back, the first never learns of it.
Endpoint *open_half_link() {
  Endpoint *a = new Endpoint;
  Endpoint *b = new Endpoint;
  b->pair_with(a);
  return a;
}

// Client data that leads back to its own object is a self-reference (that
// check's finding), not a cycle between finalizable objects.
struct Blob {
  int fd;
};
struct BlobContext {
  Blob *blob;
  Pool *store;
};
static void close_blob(void *, void *data) { close_fd(static_cast<BlobContext *>(data)->blob->fd); }
Blob *open_blob(Pool *store) {
  Blob *b = static_cast<Blob *>(GC_MALLOC(sizeof(Blob)));
  BlobContext *ctx = static_cast<BlobContext *>(GC_MALLOC(sizeof(BlobContext)));
  ctx->blob = b;
  ctx->store = store;
  GC_register_finalizer(b, close_blob, ctx, nullptr, nullptr);
  return b;
}
