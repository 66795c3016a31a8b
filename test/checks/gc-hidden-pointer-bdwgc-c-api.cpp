// RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}"

// C++ on Boehm GC's C interface only: `operator new` is the C library's,
// whose memory Boehm GC does not scan.
#include <gc.h>
#include <map>
#include <vector>

struct Node {
  Node *next;
  int value;
};

struct Owner {
  std::vector<Node *> children;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: field 'children' of collected 'Owner' keeps pointers to collected 'Node' in a 'std::vector', whose storage the collector does not scan: they can be freed while 'Owner' still uses them [gc-hidden-pointer]
  std::map<int, Node *> by_id;
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: field 'by_id' of collected 'Owner' keeps pointers to collected 'Node' in a 'std::map'
  Node *first; // scanned conservatively with the object
  std::vector<int> numbers;
};

Owner *make_owner() {
  Node *n = static_cast<Node *>(GC_MALLOC(sizeof(Node)));
  Owner *o = static_cast<Owner *>(GC_MALLOC(sizeof(Owner)));
  o->first = n;
  return o;
}

// Not collected: a stack object's container is the unrooted-pointer check's.
struct Local {
  std::vector<Node *> scratch;
};
