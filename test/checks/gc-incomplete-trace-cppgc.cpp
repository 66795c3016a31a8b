// REQUIRES: cppgc
// RUN: %check_gc %s gc-incomplete-trace %t -- --config="{CheckOptions: {Api: cppgc}}" -- -std=c++17 -isystem %cppgc_include

// Oilpan-style code on the real cppgc headers (Debian's libnode-dev), read
// through the cppgc profile: `Trace(cppgc::Visitor *) const` is the trace
// method, `cppgc::Visitor::Trace` visits, `cppgc::Member` and
// `cppgc::WeakMember` fields must be visited, `cppgc::UntracedMember` must not.

#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/prefinalizer.h>
#include <cppgc/visitor.h>
#include <vector>

class Leaf final : public cppgc::GarbageCollected<Leaf> {
public:
  void Trace(cppgc::Visitor *) const {}
};

// ---- A Member the trace forgets. ----

class Node final : public cppgc::GarbageCollected<Node> {
public:
  void Trace(cppgc::Visitor *visitor) const { visitor->Trace(next_); }
  // CHECK-FIXES: void Trace(cppgc::Visitor *visitor) const { visitor->Trace(next_); visitor->Trace(leaf_); }
  cppgc::Member<Node> next_;
  cppgc::Member<Leaf> leaf_;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'Node::Trace' does not visit 'leaf_': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'Node::Trace' is defined here
};

// A vector of members, and a weak member: the collector clears a weak member
// only when the trace hands it over.
class Cache final : public cppgc::GarbageCollected<Cache> {
public:
  void Trace(cppgc::Visitor *visitor) const {
    visitor->Trace(owner_);
  }
  // CHECK-FIXES: {{^}}    visitor->Trace(owner_);{{$}}
  // CHECK-FIXES: {{^}}    for (const auto &element : items_) visitor->Trace(element);{{$}}
  // CHECK-FIXES: {{^}}    visitor->Trace(last_);{{$}}
  // CHECK-FIXES: {{^}}  }{{$}}
  cppgc::Member<Node> owner_;
  std::vector<cppgc::Member<Leaf>> items_;
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: 'Cache::Trace' does not visit 'items_': the collector never marks what it holds, which is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-10]]:8: note: 'Cache::Trace' is defined here
  cppgc::WeakMember<Leaf> last_;
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'Cache::Trace' does not visit 'last_': the collector never clears this weak member when what it points to is freed, and it is left dangling [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-13]]:8: note: 'Cache::Trace' is defined here
};

// ---- A base whose Trace is not called. ----

class Shape : public cppgc::GarbageCollected<Shape> {
public:
  virtual ~Shape() = default;
  virtual void Trace(cppgc::Visitor *visitor) const { visitor->Trace(style_); }
  cppgc::Member<Leaf> style_;
};

class Circle final : public Shape {
public:
  void Trace(cppgc::Visitor *visitor) const override { visitor->Trace(center_); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'Circle::Trace' does not call 'Shape::Trace': the traced fields of 'Shape' are never visited, and what they point to is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-7]]:23: note: 'Shape' holds 'style_' here
  // CHECK-FIXES: void Trace(cppgc::Visitor *visitor) const override { Shape::Trace(visitor); visitor->Trace(center_); }
  cppgc::Member<Leaf> center_;
};

// No Trace of its own: the inherited one does not know the new field.
class Square final : public Shape {
public:
  cppgc::Member<Leaf> corner_;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'Square' has no trace method of its own and the inherited 'Shape::Trace' does not visit 'corner_': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-18]]:16: note: 'Shape::Trace' is defined here
};

// ---- Near misses: they must stay silent. ----

// An UntracedMember is deliberately not traced; a traced WeakMember is fine.
class Tree final : public cppgc::GarbageCollected<Tree> {
public:
  void Trace(cppgc::Visitor *visitor) const {
    visitor->Trace(left_);
    visitor->Trace(right_);
    visitor->Trace(cache_);
  }
  cppgc::Member<Tree> left_;
  cppgc::Member<Tree> right_;
  cppgc::WeakMember<Leaf> cache_;
  cppgc::UntracedMember<Tree> parent_;
  int depth_ = 0;
};

// Every field visited through a helper the Trace calls.
class Pair final : public cppgc::GarbageCollected<Pair> {
public:
  void Trace(cppgc::Visitor *visitor) const { TraceFields(visitor); }
  cppgc::Member<Leaf> first_;
  cppgc::Member<Leaf> second_;
  std::vector<cppgc::Member<Leaf>> rest_;

private:
  void TraceFields(cppgc::Visitor *visitor) const {
    visitor->Trace(first_);
    visitor->Trace(second_);
    for (const auto &leaf : rest_)
      visitor->Trace(leaf);
  }
};

// The base's Trace is called; a pre-finalizer adds a field of its own that
// is no traced member.
class Ring final : public Shape {
  CPPGC_USING_PRE_FINALIZER(Ring, Dispose);

public:
  void Dispose() { inner_ = nullptr; }
  void Trace(cppgc::Visitor *visitor) const override {
    Shape::Trace(visitor);
    visitor->Trace(inner_);
  }
  cppgc::Member<Shape> inner_;
};

// A mixin's Trace, and a struct of members embedded by value and traced as
// an inline object.
class Observer : public cppgc::GarbageCollectedMixin {
public:
  void Trace(cppgc::Visitor *visitor) const override { visitor->Trace(subject_); }
  cppgc::Member<Leaf> subject_;
};
struct Edges {
  cppgc::Member<Leaf> in;
  cppgc::Member<Leaf> out;
  void Trace(cppgc::Visitor *visitor) const {
    visitor->Trace(in);
    visitor->Trace(out);
  }
};
class Watcher final : public cppgc::GarbageCollected<Watcher>, public Observer {
public:
  void Trace(cppgc::Visitor *visitor) const override {
    Observer::Trace(visitor);
    visitor->Trace(edges_);
  }
  Edges edges_;
};
