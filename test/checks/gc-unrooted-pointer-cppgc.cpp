// gc-unrooted-pointer under Api: cppgc, against the real cppgc headers
// (Debian's libnode-dev); UNSUPPORTED when they are not installed.
// REQUIRES: cppgc
// RUN: %check_gc %s gc-unrooted-pointer %t -- --config="{CheckOptions: {Api: cppgc}}" -- -std=c++17 -isystem %cppgc_include

#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/persistent.h>
#include <cppgc/visitor.h>
#include <vector>

class Leaf final : public cppgc::GarbageCollected<Leaf> {
 public:
  void Trace(cppgc::Visitor *) const {}
  int value = 0;
};

struct Plain {
  int value = 0;
};

Leaf *current_leaf;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: global 'current_leaf' holds a raw pointer to collected 'Leaf' outside the collected heap: the collector does not scan globals, so it can free the object while it is still in use; keep it in a 'cppgc::Persistent<Leaf>' [gc-unrooted-pointer]
// CHECK-FIXES: {{^}}cppgc::Persistent<Leaf> current_leaf;{{$}}
std::vector<Leaf *> all_leaves;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: global 'all_leaves' keeps pointers to collected 'Leaf' in a 'std::vector', whose storage the collector does not scan: it can free the objects while they are still in use; keep 'cppgc::Persistent<Leaf>' elements [gc-unrooted-pointer]
cppgc::Member<Leaf> loose_member;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: global 'loose_member' is a member pointer outside any collected object: nothing traces it, so the collector can free its target while it is still in use; keep it in a 'cppgc::Persistent' [gc-unrooted-pointer]

Leaf *cached() {
  static Leaf *last;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: static 'last' holds a raw pointer to collected 'Leaf' outside the collected heap: the collector does not scan globals, so it can free the object while it is still in use; keep it in a 'cppgc::Persistent<Leaf>' [gc-unrooted-pointer]
  // CHECK-FIXES: {{^}}  static cppgc::Persistent<Leaf> last;{{$}}
  return last;
}

// Near misses: roots, weak roots, and pointers to a class that is not
// collected.
cppgc::Persistent<Leaf> root;
cppgc::WeakPersistent<Leaf> weak_root;
std::vector<cppgc::Persistent<Leaf>> roots;
Plain *plain;
std::vector<Plain *> plains;
