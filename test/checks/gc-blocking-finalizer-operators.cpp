// RUN: %check_gc %s gc-blocking-finalizer %t
// Conversion operators, overloaded operators and constructors as finalizer bodies,
// callees on call paths and registration sites (their names are not identifiers).

#include <lastword/gc.hpp>
#include <chrono>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;

std::mutex table_mutex;

// A counter whose conversion and operators take a lock.
struct Counter {
  int value = 0;
  operator int() const {
    std::lock_guard<std::mutex> guard(table_mutex);
    return value;
  }
  Counter &operator+=(int n) {
    table_mutex.lock();
    value += n;
    table_mutex.unlock();
    return *this;
  }
  bool operator==(int n) const { return value == n; }
  int operator()(int n) const { std::this_thread::sleep_for(1ms); return n; }
};

// Constructing one takes the lock.
struct Locked {
  explicit Locked(Counter &c) : c_(c) { table_mutex.lock(); }
  ~Locked() { table_mutex.unlock(); }
  Counter &c_;
};

struct Res {
  Counter count;
  lastword::member<Res> peer;
  std::chrono::milliseconds budget{10};
  int fd = -1;
  void trace(lastword::tracer &t) const { t.visit(peer); }
};

void conversion_blocks(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { self->fd = self->count; });
  // CHECK-MESSAGES: :[[@LINE-1]]:57: warning: finalizer may block in 'std::lock_guard', reached through 'Counter::operator int': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-31]]:33: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

void operator_blocks(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { self->count += 1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::mutex::lock', reached through 'Counter::operator+=': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-34]]:5: note: 'std::mutex::lock' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

void call_operator_blocks(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { self->fd = self->count(3); });
  // CHECK-MESSAGES: :[[@LINE-1]]:57: warning: finalizer may block in 'std::this_thread::sleep_for', reached through 'Counter::operator()': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-35]]:33: note: 'std::this_thread::sleep_for' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

void constructor_blocks(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { Locked hold(self->count); self->fd = -1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: finalizer may block in 'std::mutex::lock', reached through 'Locked': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-37]]:41: note: 'std::mutex::lock' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

// Near misses: operators, conversions and constructors that do not block.
struct Plain {
  int v = 0;
  operator bool() const { return v != 0; }
  Plain &operator=(int n) { v = n; return *this; }
  Plain() = default;
  explicit Plain(int n) : v(n) {}
};

void silent(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    Res *other = self->peer;                  // member<Res>::operator Res *()
    if (other && self->count == 0)            // member's operator bool, Counter::operator==
      other->fd = -1;
    Plain p(3);
    p = 4;
    if (p)
      self->fd = -1;
    auto shorter = -self->budget;             // std::chrono::operator-
    (void)(shorter + 1ms);
  });
}

// The finalizer is a function object: its operator() is the body.
struct Closer {
  void operator()(Res *self) const { self->count += 1; }
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: finalizer may block in 'std::mutex::lock', reached through 'Counter::operator+=': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-79]]:5: note: 'std::mutex::lock' may block here
  // CHECK-MESSAGES: :[[@LINE+2]]:58: note: registered as a finalizer here
};
void functor_blocks(Res *r) { lastword::set_finalizer(r, Closer{}); }

// An operator on the call path between the finalizer and the lock.
struct Journal {
  Journal &operator<<(int n) { flush(n); return *this; }
  void flush(int) { std::lock_guard<std::mutex> guard(table_mutex); }
};
Journal journal;
void helper_operator_blocks(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { journal << self->fd; });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'Journal::operator<<': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-7]]:32: note: 'Journal::flush' is called here
  // CHECK-MESSAGES: :[[@LINE-7]]:49: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
}

// Registered from a constructor and from an operator.
struct Owned {
  Counter count;
  Owned() { lastword::set_finalizer(this, [](Owned *self) { self->count += 1; }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:61: warning: finalizer may block in 'std::mutex::lock', reached through 'Counter::operator+=': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-103]]:5: note: 'std::mutex::lock' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:43: note: registered as a finalizer here
  Owned &operator++() {
    lastword::set_finalizer(this, [](Owned *self) { (void)int(self->count); });
    // CHECK-MESSAGES: :[[@LINE-1]]:63: warning: finalizer may block in 'std::lock_guard', reached through 'Counter::operator int': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
    // CHECK-MESSAGES: :[[@LINE-112]]:33: note: 'std::lock_guard' may block here
    // CHECK-MESSAGES: :[[@LINE-3]]:35: note: registered as a finalizer here
    return *this;
  }
  void trace(lastword::tracer &) const {}
};
