// RUN: %check_gc %s gc-incomplete-trace %t -- --config="{CheckOptions: {CollectedBases: 'engine::Cell', MemberTypes: 'engine::GcPtr', TraceMethods: 'visit_children', VisitFunctions: 'engine::Visitor::visit', AllocationFunctions: 'engine::Heap::allocate'}}"

// A collector of the project's own, declared through the type-role options
// (docs/api-profiles.md): cells derive from engine::Cell, hand their
// engine::GcPtr fields to engine::Visitor::visit in visit_children.

namespace engine {
class Visitor;
class Cell {
public:
  virtual ~Cell() = default;
  virtual void visit_children(Visitor &) {}
};
template <class T> class GcPtr {
public:
  GcPtr() = default;
  GcPtr(T *pointer) : pointer_(pointer) {}
  T *get() const { return pointer_; }
  explicit operator bool() const { return pointer_ != nullptr; }

private:
  T *pointer_ = nullptr;
};
class Visitor {
public:
  void visit(Cell *cell);
  template <class T> void visit(const GcPtr<T> &pointer) { visit(pointer.get()); }
};
class Heap {
public:
  template <class T, class... A> T *allocate(A &&...args);
};
} // namespace engine

// ---- A field visit_children forgets. ----

class Pair : public engine::Cell {
public:
  void visit_children(engine::Visitor &v) override {
    Cell::visit_children(v);
    v.visit(car);
  }
  // CHECK-FIXES: {{^}}    v.visit(car);{{$}}
  // CHECK-FIXES: {{^}}    v.visit(cdr);{{$}}
  // CHECK-FIXES: {{^}}  }{{$}}
  engine::GcPtr<engine::Cell> car;
  engine::GcPtr<engine::Cell> cdr;
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'Pair::visit_children' does not visit 'cdr': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-10]]:8: note: 'Pair::visit_children' is defined here
};

// The inherited visit_children knows nothing of the new field.
class Box : public engine::Cell {
public:
  engine::GcPtr<engine::Cell> value;
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'Box' has no trace method of its own and the inherited 'engine::Cell::visit_children' does not visit 'value': the collector never marks what it points to, which is freed while still in use [gc-incomplete-trace]
  // CHECK-MESSAGES: :[[@LINE-45]]:16: note: 'engine::Cell::visit_children' is defined here
};

// Allocated on the heap with no visit_children anywhere.
struct Loose {
  engine::GcPtr<Pair> pair;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'Loose' has no trace method: the collector never visits 'pair' and frees what it points to while still in use [gc-incomplete-trace]
  // CHECK-FIXES: {{^}}  void visit_children(engine::Visitor &t) const { t.visit(pair); }{{$}}
};
Loose *make_loose(engine::Heap &heap) { return heap.allocate<Loose>(); }

// ---- Near misses: they must stay silent. ----

// Every field visited: directly, through the array, through a helper.
class Triple : public engine::Cell {
public:
  void visit_children(engine::Visitor &v) override {
    Cell::visit_children(v);
    v.visit(first);
    for (const auto &child : rest)
      v.visit(child);
    visit_last(v);
  }
  engine::GcPtr<engine::Cell> first;
  engine::GcPtr<engine::Cell> rest[2];
  engine::GcPtr<Pair> last;
  engine::Cell *cache = nullptr; // no member type here: not this check's business
  int size = 0;

private:
  void visit_last(engine::Visitor &v) { v.visit(last); }
};

// The names of the default profile mean nothing here.
template <class T> struct member {
  T *pointer = nullptr;
};
struct tracer {};
struct Unrelated {
  member<Pair> a;
  member<Pair> b;
  void trace(tracer &) const {}
};
