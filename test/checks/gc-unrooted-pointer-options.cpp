// gc-unrooted-pointer on a collector of the project's own, declared by the
// type-role options (docs/api-profiles.md, "Worked example: a collector of
// your own"): cells derive from engine::Cell, engine::Handle<T> is the root
// that keeps a cell alive from anywhere, engine::Traced<T> a traced member.
// Without PersistentTypes the advice names no handle and there is no fix-it.
// RUN: %check_gc %s gc-unrooted-pointer %t -- --config="{CheckOptions: {CollectedBases: 'engine::Cell', MemberTypes: 'engine::Traced', PersistentTypes: 'engine::Handle', RootTypes: 'engine::Rooted', TraceMethods: 'visit_children', VisitFunctions: 'engine::Visitor::visit'}}"
// RUN: %check_gc %s gc-unrooted-pointer %t --check-suffix=NOHANDLE -- --config="{CheckOptions: {CollectedBases: 'engine::Cell', MemberTypes: 'engine::Traced', PersistentTypes: '', RootTypes: 'engine::Rooted', TraceMethods: 'visit_children', VisitFunctions: 'engine::Visitor::visit'}}"

#include <map>
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
  T *target = nullptr;
};
template <class T> class Handle {
public:
  T *target = nullptr;
};
template <class T> class Rooted {
public:
  T *target = nullptr;
};
} // namespace engine

class Str : public engine::Cell {
  int length = 0;
};

struct Plain {
  int value = 0;
};

Str *current;
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: global 'current' holds a raw pointer to collected 'Str' outside the collected heap: the collector does not scan globals, so it can free the object while it is still in use; keep it in a 'engine::Handle<Str>' [gc-unrooted-pointer]
// CHECK-FIXES: {{^}}engine::Handle<Str> current;{{$}}
// CHECK-MESSAGES-NOHANDLE: :[[@LINE-3]]:6: warning: global 'current' holds a raw pointer to collected 'Str' outside the collected heap: the collector does not scan globals, so it can free the object while it is still in use; keep it reachable from a root [gc-unrooted-pointer]
std::map<int, Str *> by_id;
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: global 'by_id' keeps pointers to collected 'Str' in a 'std::map', whose storage the collector does not scan: it can free the objects while they are still in use; keep 'engine::Handle<Str>' elements [gc-unrooted-pointer]
// CHECK-MESSAGES-NOHANDLE: :[[@LINE-2]]:22: warning: global 'by_id' keeps pointers to collected 'Str' in a 'std::map', whose storage the collector does not scan: it can free the objects while they are still in use; keep the objects reachable from a root [gc-unrooted-pointer]
engine::Traced<Str> loose;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: global 'loose' is a member pointer outside any collected object: nothing traces it, so the collector can free its target while it is still in use; keep it in a 'engine::Handle' [gc-unrooted-pointer]
// CHECK-MESSAGES-NOHANDLE: :[[@LINE-2]]:21: warning: global 'loose' is a member pointer outside any collected object: nothing traces it, so the collector can free its target while it is still in use; keep it reachable from a root [gc-unrooted-pointer]

// Near misses: the handle and the stack root, pointers to a class that is
// not a cell.
engine::Handle<Str> pinned;
// Without PersistentTypes, a handle is a plain class holding a raw pointer.
// CHECK-MESSAGES-NOHANDLE: :[[@LINE-2]]:21: warning: global 'pinned' holds a raw pointer to collected 'Str' in field 'target', outside the collected heap: the collector does not scan it, so it can free the object while it is still in use; keep it reachable from a root [gc-unrooted-pointer]
// CHECK-MESSAGES-NOHANDLE: :{{[0-9]+}}:6: note: 'target' is declared here
std::vector<engine::Handle<Str>> pinned_all;
Plain *plain;
std::vector<Plain *> plains;
void use() {
  engine::Rooted<Str> on_stack;
  (void)on_stack;
}
