// RUN: %check_gc %s gc-incomplete-trace %t

#include <lastword/gc.hpp>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

using lastword::member;
using lastword::tracer;

struct Leaf {
  int value = 0;
};

// ---- A field the trace forgets. ----

struct Node {
  member<Node> next;
  member<Node> prev;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Node::trace' does not visit 'prev': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  void trace(tracer &t) const { t.visit(next); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: note: 'Node::trace' is defined here
  // CHECK-FIXES: void trace(tracer &t) const { t.visit(next); t.visit(prev); }
};

// Tested but never visited: the copy-paste slip.
struct Pair {
  member<Leaf> left;
  member<Leaf> right;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Pair::trace' does not visit 'right': the collector never marks what it points to
  void trace(tracer &visitor) const {
    if (left)
      visitor.visit(left);
    if (right != nullptr)
      visitor.visit(left);
    visitor.visit_pointer(nullptr);
  }
  // CHECK-MESSAGES: :[[@LINE-7]]:8: note: 'Pair::trace' is defined here
  // CHECK-FIXES: {{^}}    visitor.visit_pointer(nullptr);{{$}}
  // CHECK-FIXES: {{^}}    visitor.visit(right);{{$}}
  // CHECK-FIXES: {{^}}  }{{$}}
};

// Two missing fields, a trace defined out of line.
struct Triple {
  member<Leaf> a;
  member<Leaf> b;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Triple::trace' does not visit 'b'
  // CHECK-MESSAGES: :[[@LINE+6]]:14: note: 'Triple::trace' is defined here
  member<Leaf> c;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Triple::trace' does not visit 'c'
  // CHECK-MESSAGES: :[[@LINE+3]]:14: note: 'Triple::trace' is defined here
  void trace(tracer &t) const;
};
void Triple::trace(tracer &t) const {
  t.visit(a);
}
// CHECK-FIXES: {{^}}  t.visit(a);{{$}}
// CHECK-FIXES: {{^}}  t.visit(b);{{$}}
// CHECK-FIXES: {{^}}  t.visit(c);{{$}}
// CHECK-FIXES: {{^}}}{{$}}

// ---- Arrays and containers of members. ----

struct Tree {
  member<Tree> kids[4];
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Tree::trace' does not visit 'kids': the collector never marks what it holds, which is freed while still in use
  // CHECK-MESSAGES: :[[@LINE+10]]:8: note: 'Tree::trace' is defined here
  std::vector<member<Tree>> more;
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: 'Tree::trace' does not visit 'more': the collector never marks what it holds
  // CHECK-MESSAGES: :[[@LINE+7]]:8: note: 'Tree::trace' is defined here
  std::map<int, member<Leaf>> by_key;
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'Tree::trace' does not visit 'by_key': the collector never marks what it holds
  // CHECK-MESSAGES: :[[@LINE+4]]:8: note: 'Tree::trace' is defined here
  int depth = 0;
  Leaf *raw_cache = nullptr; // not traced: another check's business
  // The entries of a map are pairs: no mechanical fix for 'by_key'.
  void trace(tracer &t) const {}
  // CHECK-FIXES: void trace(tracer &t) const { for (const auto &element : kids) t.visit(element);  for (const auto &element : more) t.visit(element); }
};

// ---- An embedded struct of members, traced by its holder. ----

struct Links {
  member<Leaf> first;
  member<Leaf> second;
  void trace(tracer &t) const {
    t.visit(first);
    t.visit(second);
  }
};

struct Holder {
  Links links;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'Holder::trace' does not visit 'links': the collector never marks what it holds
  member<Leaf> own;
  void trace(tracer &t) const { t.visit(own); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: note: 'Holder::trace' is defined here
  // CHECK-FIXES: void trace(tracer &t) const { t.visit(own); links.trace(t); }
};

// ---- No trace at all. ----

struct Bare {
  member<Leaf> target;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'Bare' has no trace method: the collector never visits 'target' and frees what it points to while still in use
  // CHECK-FIXES: {{^}}  void trace(lastword::tracer &t) const { t.visit(target); }{{$}}
};
Bare *make_bare() { return lastword::make<Bare>(); }

struct BareMany {
  member<Leaf> one;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'BareMany' has no trace method: the collector never visits 'one'
  std::vector<member<Leaf>> many;
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: 'BareMany' has no trace method: the collector never visits 'many' and frees what it holds
  // CHECK-FIXES: {{^}}  void trace(lastword::tracer &t) const { t.visit(one); for (const auto &element : many) t.visit(element); }{{$}}
};
struct PointsToBareMany {
  member<BareMany> many;
  void trace(tracer &t) const { t.visit(many); }
};

// ---- Inheritance. ----

struct Base {
  member<Leaf> shared;
  virtual void trace(tracer &t) const { t.visit(shared); }
  virtual ~Base() = default;
};

struct SkipsBase : Base {
  member<Leaf> extra;
  void trace(tracer &t) const override { t.visit(extra); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'SkipsBase::trace' does not call 'Base::trace': the traced fields of 'Base' are never visited, and what they point to is freed while still in use
  // CHECK-MESSAGES: :[[@LINE-9]]:16: note: 'Base' holds 'shared' here
  // CHECK-FIXES: void trace(tracer &t) const override { Base::trace(t); t.visit(extra); }
};

struct InheritsTrace : Base {
  member<Leaf> forgotten;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'InheritsTrace' has no trace method of its own and the inherited 'Base::trace' does not visit 'forgotten': the collector never marks what it points to, which is freed while still in use
  // CHECK-MESSAGES: :[[@LINE-15]]:16: note: 'Base::trace' is defined here
};

// ---- Templates. ----

template <class T> struct Box {
  member<T> item;
  member<T> spare;
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'Box::trace' does not visit 'spare'
  void trace(tracer &t) const { t.visit(item); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: note: 'Box::trace' is defined here
  // CHECK-FIXES: void trace(tracer &t) const { t.visit(item); t.visit(spare); }
};
Box<Leaf> *make_box() { return lastword::make<Box<Leaf>>(); }

template <class T> struct TemplateDerived : Base {
  member<T> mine;
  void trace(tracer &t) const override { t.visit(mine); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'TemplateDerived::trace' does not call 'Base::trace'
  // CHECK-MESSAGES: :[[@LINE-35]]:16: note: 'Base' holds 'shared' here
  // CHECK-FIXES: void trace(tracer &t) const override { Base::trace(t); t.visit(mine); }
};

// ---- Macros. ----

#define TRACE_ONE(f) void trace(tracer &t) const { t.visit(f); }

struct ByMacro {
  member<Leaf> used;
  member<Leaf> missed;
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'ByMacro::trace' does not visit 'missed'
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: 'ByMacro::trace' is defined here
  TRACE_ONE(used)
};

#define TRACED_FIELD(type, name) member<type> name;
struct FieldsByMacro {
  TRACED_FIELD(Leaf, shown)
  TRACED_FIELD(Leaf, hidden)
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'FieldsByMacro::trace' does not visit 'hidden'
  void trace(tracer &t) const { t.visit(shown); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: note: 'FieldsByMacro::trace' is defined here
  // CHECK-FIXES: void trace(tracer &t) const { t.visit(shown); t.visit(hidden); }
};

// ---- Near misses: they must stay silent. ----

// Every field visited, in every spelling.
struct AllVisited {
  member<Leaf> a;
  member<Leaf> b;
  std::vector<member<Leaf>> list;
  std::array<member<Leaf>, 2> fixed;
  member<Leaf> slots[3];
  std::map<int, member<Leaf>> named;
  std::optional<member<Leaf>> maybe;
  Links links;
  void trace(tracer &t) const {
    if (a)
      t.visit(a);
    t.visit_pointer(b.get());
    for (const auto &m : list)
      t.visit(m);
    for (const member<Leaf> &m : fixed)
      t.visit(m);
    for (const auto &m : slots)
      t.visit(m);
    for (const auto &[key, value] : named)
      t.visit(value);
    if (maybe)
      t.visit(*maybe);
    links.trace(t);
  }
};

// Visited through helpers: a member function, a free function handed the
// field, a free function handed the object, a lambda.
void visit_leaf(tracer &t, const member<Leaf> &m) { t.visit(m); }
struct ThroughHelpers;
void visit_rest(const ThroughHelpers &self, tracer &t);
struct ThroughHelpers {
  member<Leaf> one;
  member<Leaf> two;
  member<Leaf> three;
  member<Leaf> four;
  void trace(tracer &t) const {
    trace_first(t);
    visit_leaf(t, two);
    visit_rest(*this, t);
    auto each = [&t](const member<Leaf> &m) { t.visit(m); };
    each(four);
  }
  void trace_first(tracer &t) const { t.visit(one); }
};
void visit_rest(const ThroughHelpers &self, tracer &t) { t.visit(self.three); }

// A helper defined elsewhere gets the object: it may visit anything.
struct OpaqueHelper;
void trace_elsewhere(const OpaqueHelper *, tracer &);
struct OpaqueHelper {
  member<Leaf> a;
  member<Leaf> b;
  void trace(tracer &t) const { trace_elsewhere(this, t); }
};

// A trace declared here and defined in another file: not judged.
struct DefinedElsewhere {
  member<Leaf> a;
  void trace(tracer &t) const;
};

// Base trace called, qualified or through an alias.
struct CallsBase : Base {
  member<Leaf> extra;
  void trace(tracer &t) const override {
    Base::trace(t);
    t.visit(extra);
  }
};
struct CallsBaseByAlias : Base {
  using Super = Base;
  member<Leaf> extra;
  void trace(tracer &t) const override {
    Super::trace(t);
    t.visit(extra);
  }
};
struct CallsGrandBase : CallsBase {
  member<Leaf> more;
  void trace(tracer &t) const override {
    CallsBase::trace(t);
    t.visit(more);
  }
};
// Inherits the base's trace and adds no field: nothing to visit.
struct NoFieldsOfItsOwn : Base {
  int counter = 0;
};
// The base holds no traced field: skipping its (empty) trace loses nothing.
struct Collected {
  virtual void trace(tracer &) const {}
  virtual ~Collected() = default;
};
struct OverEmptyBase : Collected {
  member<Leaf> x;
  void trace(tracer &t) const override { t.visit(x); }
};
// Template-method pattern: the base's trace calls a virtual hook.
struct HookBase {
  member<Leaf> base_field;
  void trace(tracer &t) const {
    t.visit(base_field);
    trace_more(t);
  }
  virtual void trace_more(tracer &) const {}
  virtual ~HookBase() = default;
};
struct HookDerived : HookBase {
  member<Leaf> derived_field;
  void trace_more(tracer &t) const override { t.visit(derived_field); }
};
// A dependent base's trace, called through this->.
template <class B> struct Mixin : B {
  member<Leaf> mine;
  void trace(tracer &t) const {
    B::trace(t);
    this->B::trace(t);
    t.visit(mine);
  }
};

// A struct of members embedded by value, never allocated on its own: its
// holder visits its fields.
struct Edges {
  member<Leaf> in;
  member<Leaf> out;
};
struct Graph {
  Edges edges;
  void trace(tracer &t) const {
    t.visit(edges.in);
    t.visit(edges.out);
  }
};

// Raw pointers and values are not traced members.
struct Plain {
  Leaf *cache = nullptr;
  int count = 0;
  std::vector<Leaf *> seen;
  std::unique_ptr<Links> side;   // owned outside the collected heap
  std::shared_ptr<Node> shared;
};
Plain *make_plain() { return lastword::make<Plain>(); }

// Suppressed where the field is declared.
struct Deliberate {
  member<Leaf> kept;
  member<Leaf> weak_by_design; // NOLINT(gc-incomplete-trace)
  void trace(tracer &t) const { t.visit(kept); }
};

// An abstract base is never allocated as itself: its fields are the derived
// classes' traces to visit, through a helper of the base or not.
struct SyntaxType {};
class SyntaxNode {
public:
  virtual ~SyntaxNode() = default;
  virtual int kind() const = 0;

protected:
  void trace_common(tracer &t) const {
    t.visit(type_);
    t.visit(parent_);
  }

private:
  member<SyntaxType> type_;
  member<SyntaxNode> parent_;
};
class NameNode : public SyntaxNode {
public:
  int kind() const override { return 1; }
  void trace(tracer &t) const {
    trace_common(t);
    t.visit(target_);
  }

private:
  member<SyntaxNode> target_;
};
class LiteralNode : public SyntaxNode {
public:
  int kind() const override { return 2; }
  void trace(tracer &t) const {}
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'LiteralNode::trace' does not visit the traced fields of its base 'SyntaxNode', which has no trace method: what they point to is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-19]]:22: note: 'SyntaxNode' holds 'type_' here
};
SyntaxNode *parse_name() { return lastword::make<NameNode>(); }
SyntaxNode *parse_literal() { return lastword::make<LiteralNode>(); }

// A trace that visits through a list of member pointers, here kept by a
// CRTP helper: the fields the list names are visited, the one it leaves
// out is not.
template <class Derived> struct VisitsListed {
  void trace_listed(tracer &t) const {
    const auto &self = static_cast<const Derived &>(*this);
    std::apply([&](auto... field) { (t.visit(self.*field), ...); }, Derived::listed());
  }
};
struct Leaf2 {
  int v = 0;
};
struct Listed : VisitsListed<Listed> {
  member<Leaf2> first;
  member<Leaf2> second;
  member<Leaf2> forgotten;
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'Listed::trace' does not visit 'forgotten': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  static constexpr auto listed() { return std::make_tuple(&Listed::first, &Listed::second); }
  void trace(tracer &t) const { trace_listed(t); }
  // CHECK-MESSAGES: :[[@LINE-1]]:8: note: 'Listed::trace' is defined here
  // CHECK-FIXES: void trace(tracer &t) const { trace_listed(t); t.visit(forgotten); }
};
Listed *make_listed() { return lastword::make<Listed>(); }
