// gc-hidden-pointer under Api: cppgc, against the real cppgc headers (Debian's
// libnode-dev); UNSUPPORTED when they are not installed.
// REQUIRES: cppgc
// RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: cppgc}}" -- -std=c++17 -isystem %cppgc_include

#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/persistent.h>
#include <cppgc/visitor.h>
#include <cstdint>
#include <cstring>
#include <vector>

class Leaf final : public cppgc::GarbageCollected<Leaf> {
 public:
  void Trace(cppgc::Visitor *) const {}
  int value = 0;
};

struct Plain {
  int value = 0;
};

class Node final : public cppgc::GarbageCollected<Node> {
 public:
  void Trace(cppgc::Visitor *visitor) const {
    visitor->Trace(next_);
    visitor->Trace(weak_);
  }
  void remember(Leaf *leaf) { bits_ = reinterpret_cast<std::uintptr_t>(leaf) | 1; }
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: pointer to collected 'Leaf' kept as an integer in field 'Node::bits_': the collector does not trace it, so the object can be freed while still in use [gc-hidden-pointer]
  Leaf *remembered() const { return reinterpret_cast<Leaf *>(bits_ & ~std::uintptr_t(1)); }

  Leaf *raw_;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: field 'raw_' of collected 'Node' holds a raw pointer to collected 'Leaf': the collector does not trace it, so its target can be freed while 'Node' still uses it [gc-hidden-pointer]
  // CHECK-FIXES: {{^}}  cppgc::Member<Leaf> raw_;{{$}}
  std::vector<Leaf *> leaves_;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: field 'leaves_' of collected 'Node' keeps pointers to collected 'Leaf' in a 'std::vector', whose storage the collector does not trace: they can be freed while 'Node' still uses them [gc-hidden-pointer]

  // Near misses: cppgc's own handles, and pointers to a class that is not
  // collected.
  cppgc::Member<Node> next_;
  cppgc::WeakMember<Node> weak_;
  cppgc::UntracedMember<Leaf> untraced_;
  cppgc::Persistent<Leaf> pinned_;
  std::vector<cppgc::Member<Leaf>> members_;
  Plain *plain_;
  std::vector<Plain *> plains_;
  std::uintptr_t bits_ = 0;
};

void copy_bytes(Node *to, const Node *from) {
  std::memcpy(static_cast<void *>(to), from, sizeof(Node));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'memcpy' writes raw bytes over the cppgc::Member fields of 'Node': the stores bypass the write barrier, so an object they pointed to can be freed while still reachable [gc-hidden-pointer]
}
