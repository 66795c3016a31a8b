// RUN: %check_gc %s gc-finalizer-self-reference %t
// Conversion operators, overloaded operators and constructors as the callable,
// as what stores the object in a holder, and as how the finalizer reads a holder
// (names that are not identifiers).

#include <lastword/gc.hpp>
#include <functional>
#include <vector>

void release(int fd);

struct Res {
  int fd = -1;
  lastword::member<Res> peer;
  void close() { release(fd); }
  void trace(lastword::tracer &t) const { t.visit(peer); }
};

// A function object whose operator() is the finalizer, built by a constructor.
struct Closer {
  explicit Closer(Res *r) : target(r) {}
  void operator()(Res *) const { target->close(); }
  Res *target;
};

void functor_constructed(Res *r) {
  lastword::set_finalizer(r, Closer(r));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object stores 'r', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:37: note: 'r' is stored in the finalizer object here
}

// A holder filled through an overloaded operator and read through a conversion.
struct Pool {
  Res *last = nullptr;
  Pool &operator+=(Res *r) { last = r; return *this; }
  void adopt(Res *r) { last = r; }
  operator bool() const { return last != nullptr; }
};

void method_stores(Pool *pool, Res *r) {
  pool->adopt(r);
  lastword::set_finalizer(r, [pool](Res *self) { if (*pool) self->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'pool' holds the object through 'pool->last', stored by 'Pool::adopt' here
}
void operator_stores(Pool *pool, Res *r) {
  *pool += r;
  lastword::set_finalizer(r, [pool](Res *self) { if (*pool) self->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'pool' holds the object through 'pool->last', stored by 'Pool::operator+=' here
}

// A member<T> captured: its conversion operator is how the finalizer reads it.
void member_captured(Res *r) {
  lastword::member<Res> held = r;
  lastword::set_finalizer(r, [held](Res *) { Res *p = held; p->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'held', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'held' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:25: note: 'held' points to the object, initialised here
}

// Near misses: the finalizer uses only its parameter, through conversions and operators.
struct Tally {
  int n = 0;
  Tally &operator++() { ++n; return *this; }
};
Tally closed;
struct Sum {
  int total = 0;
  Sum &operator+=(Res *r) { total += r->fd; return *this; }
};

void reads_only(Sum *sum, Res *r) {
  *sum += r;
  lastword::set_finalizer(r, [sum](Res *self) { *sum += self; });
}

void silent(Res *r, Res *other) {
  r->peer = other;
  lastword::set_finalizer(r, [](Res *self) {
    Res *p = self->peer;
    if (p)
      p->close();
    ++closed;
  });
  Closer unrelated(other);
  lastword::set_finalizer(r, [unrelated](Res *self) { unrelated(self); });
}
