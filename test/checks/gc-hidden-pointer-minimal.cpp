// RUN: %check_gc %s gc-hidden-pointer %t -- -- -std=c++20
// A translation unit that only declares collected types and hides a pointer:
// no allocation, no registration. The driver and the plugin must judge it
// alike (the driver once narrowed its matcher walk past what the collected
// types are learnt from, and fell silent here).

#include <lastword/gc.hpp>
#include <cstdint>

struct Node {
  lastword::member<Node> next;
  void trace(lastword::tracer &t) const { t.visit(next); }
};
struct Holder {
  lastword::member<Node> head;
  std::uintptr_t bits = 0;
  void trace(lastword::tracer &t) const { t.visit(head); }
};
void hides(Holder *h, Node *n) { h->bits = reinterpret_cast<std::uintptr_t>(n); }
// CHECK-MESSAGES: :[[@LINE-1]]:34: warning: pointer to collected 'Node' kept as an integer in field 'Holder::bits': the collector does not trace it, so the object can be freed while still in use [gc-hidden-pointer]
