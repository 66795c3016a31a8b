// RUN: %check_gc %s gc-unrooted-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}"

// With <gc/gc_cpp.h>, libgccpp's global operator new returns uncollectable
// memory that Boehm GC scans, and static data is scanned too: nothing here
// is unrooted.
#include <gc.h>
#include <gc/gc_cpp.h>
#include <map>
#include <vector>

struct Node : gc {
  Node *next = nullptr;
};

std::vector<Node *> g_all;
std::map<int, Node *> g_by_id;
Node *g_root;

struct Session {
  Node *current = nullptr;
  std::vector<Node *> history;
};
Session *open_session() { return new Session; }
