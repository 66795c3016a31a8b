// gc-hidden-pointer on a collector of the project's own, declared by the
// type-role options (docs/api-profiles.md, "Worked example: a collector of
// your own"): cells derive from engine::Cell, visit_children hands their
// pointers to engine::Visitor::visit, engine::Traced<T> is a traced member.
// A raw `Cell *` field that visit_children visits is traced; one it does
// not visit is hidden from the collector. Without MemberTypes there is no
// member to suggest: the same findings, no fix-it.
// RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {CollectedBases: 'engine::Cell', MemberTypes: 'engine::Traced', PersistentTypes: 'engine::Handle', TraceMethods: 'visit_children', VisitFunctions: 'engine::Visitor::visit', AllocationFunctions: 'engine::Heap::allocate'}}"
// RUN: %check_gc %s gc-hidden-pointer %t --check-suffix=NOMEMBER -- --config="{CheckOptions: {CollectedBases: 'engine::Cell', MemberTypes: '', PersistentTypes: 'engine::Handle', TraceMethods: 'visit_children', VisitFunctions: 'engine::Visitor::visit', AllocationFunctions: 'engine::Heap::allocate'}}"

#include <cstdint>
#include <vector>

namespace engine {
class Visitor;
class Cell {
public:
  virtual ~Cell() = default;
  virtual void visit_children(Visitor &) {}
};
class Visitor {
public:
  void visit(Cell *cell);
};
template <class T> class Traced {
public:
  T *get() const { return target; }
  T *target = nullptr;
};
template <class T> class Handle {
public:
  T *target = nullptr;
};
class Heap {
public:
  template <class T> T *allocate();
};
} // namespace engine

class Str : public engine::Cell {
  int length = 0;
};

// Not a cell: allocated with plain new.
struct Plain {
  int value = 0;
};

class Pair : public engine::Cell {
public:
  void visit_children(engine::Visitor &v) override {
    Cell::visit_children(v);
    v.visit(car);
    v.visit(cdr);
  }
  void remember(Str *s) { bits = reinterpret_cast<std::uintptr_t>(s); }
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: pointer to collected 'Str' kept as an integer in field 'Pair::bits': the collector does not trace it, so the object can be freed while still in use [gc-hidden-pointer]
  // CHECK-MESSAGES-NOMEMBER: :[[@LINE-2]]:27: warning: pointer to collected 'Str' kept as an integer in field 'Pair::bits'
  Str *remembered() const { return reinterpret_cast<Str *>(bits); }

  engine::Cell *car;
  engine::Cell *cdr;
  Str *name;
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: field 'name' of collected 'Pair' holds a raw pointer to collected 'Str': the collector does not trace it, so its target can be freed while 'Pair' still uses it [gc-hidden-pointer]
  // CHECK-FIXES: {{^}}  engine::Traced<Str> name;{{$}}
  // CHECK-MESSAGES-NOMEMBER: :[[@LINE-3]]:8: warning: field 'name' of collected 'Pair' holds a raw pointer to collected 'Str'
  std::vector<engine::Cell *> items;
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: field 'items' of collected 'Pair' keeps pointers to collected 'Cell' in a 'std::vector', whose storage the collector does not trace: they can be freed while 'Pair' still uses them [gc-hidden-pointer]
  // CHECK-MESSAGES-NOMEMBER: :[[@LINE-2]]:31: warning: field 'items' of collected 'Pair' keeps pointers to collected 'Cell' in a 'std::vector'

  // Near misses: the traced member, the persistent handle, a pointer to a
  // class that is not a cell.
  engine::Traced<Str> label;
  engine::Handle<Str> pinned;
  Plain *plain;
  std::uintptr_t bits = 0;
};

Pair *make_pair(engine::Heap &heap) { return heap.allocate<Pair>(); }
