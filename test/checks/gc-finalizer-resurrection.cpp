// RUN: %check_gc %s gc-finalizer-resurrection %t
// RUN: %check_gc %s gc-finalizer-resurrection %t --check-suffix=REREG -- --config="{CheckOptions: {gc-finalizer-resurrection.ReportReregistration: true}}"

#include <lastword/gc.hpp>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <vector>

int sys_close(int fd);
void log_id(int id);

struct Conn {
  int fd = -1;
  int id = 0;
  Conn *peer = nullptr;
};
struct Registry {
  std::vector<Conn *> zombies;
  Conn *last = nullptr;
};

Conn *g_last;
std::vector<Conn *> g_dead;
Registry *g_registry;
int g_last_id;

void to_global() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) {
    sys_close(self->fd);
    g_last = self;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: finalizer stores its object in global 'g_last': the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
    // CHECK-MESSAGES-REREG: :[[@LINE-2]]:12: warning: finalizer stores its object in global 'g_last'
  });
  // CHECK-MESSAGES: :[[@LINE-6]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-7]]:30: note: the finalizer is registered here
}

void to_container_and_field(Registry *reg) {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *dying) {
    g_dead.push_back(dying);
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: finalizer stores its object in container in global 'g_dead'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
    // CHECK-MESSAGES-REREG: :[[@LINE-3]]:12: warning: finalizer stores its object in container in global 'g_dead'
    // CHECK-MESSAGES-REREG: :[[@LINE-5]]:30: note: the finalizer is registered here
    g_registry->last = dying;
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: finalizer stores its object in global 'g_registry'
    // CHECK-MESSAGES: :[[@LINE-8]]:30: note: the finalizer is registered here
    // CHECK-MESSAGES-REREG: :[[@LINE-3]]:22: warning: finalizer stores its object in global 'g_registry'
    // CHECK-MESSAGES-REREG: :[[@LINE-10]]:30: note: the finalizer is registered here
  });
}

// Through a helper, and a static in it.
void remember(Conn *c) {
  static Conn *kept;
  kept = c;
}
void through_helper() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) { remember(self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: finalizer passes its object to 'remember', which stores it in static 'kept'
  // CHECK-MESSAGES: :[[@LINE-6]]:8: note: 'remember' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:47: warning: finalizer passes its object to 'remember'
  // CHECK-MESSAGES-REREG: :[[@LINE-9]]:8: note: 'remember' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}

// A reference captured from the registering function (it dangles too).
void captured_reference() {
  static Conn *saved = nullptr;
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) { saved = self; });
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: finalizer stores its object in static 'saved'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-3]]:53: warning: finalizer stores its object in static 'saved'
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:30: note: the finalizer is registered here
}

// A pointer into the object, through a local alias, into another object.
void interior(Conn *other) {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [other](Conn *self) {
    Conn *same = self;
    other->peer = same;
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: finalizer stores its object in an object 'other' points to
    // CHECK-MESSAGES-REREG: :[[@LINE-2]]:17: warning: finalizer stores its object in an object 'other' points to
  });
  // CHECK-MESSAGES: :[[@LINE-6]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-7]]:30: note: the finalizer is registered here
}

// A macro and a template.
#define STASH(p) (g_last = (p))
template <class T> void stash_template() {
  T *t = lastword::make<T>();
  lastword::set_finalizer(t, [](T *self) { STASH(self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:44: warning: finalizer stores its object in global 'g_last'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-3]]:44: warning: finalizer stores its object in global 'g_last'
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:30: note: the finalizer is registered here
}
void instantiate() { stash_template<Conn>(); }

// Re-registration: only with ReportReregistration.
void reregister() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) {
    if (self->fd >= 0)
      lastword::set_finalizer(self, [](Conn *again) { sys_close(again->fd); });
    // CHECK-MESSAGES-REREG: :[[@LINE-1]]:7: warning: finalizer registers a new finalizer on its own object: the object survives this collection and every later one until the new finalizer gives up
  });
  // CHECK-MESSAGES-REREG: :[[@LINE-5]]:30: note: the finalizer is registered here
}

// ---- Calls on the object: the method, and every override of a virtual one. ----
struct Handle {
  int fd = -1;
  virtual ~Handle() = default;
  virtual void on_finalize() = 0;
};
std::vector<Handle *> g_revived;
struct Tracked : Handle {
  void on_finalize() override { g_revived.push_back(this); }
};
struct Quiet : Handle {
  void on_finalize() override { sys_close(fd); }
};
void pure_virtual_override() {
  Handle *h = lastword::make<Tracked>();
  lastword::set_finalizer(h, [](Handle *self) { self->on_finalize(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: finalizer calls 'Handle::on_finalize' on its object, and its override 'Tracked::on_finalize' stores the object in container in global 'g_revived': the object comes back to life with its finalizer already run, so its next death runs no cleanup
  // CHECK-MESSAGES: :[[@LINE-9]]:43: note: 'Tracked::on_finalize' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:49: warning: finalizer calls 'Handle::on_finalize' on its object, and its override 'Tracked::on_finalize'
  // CHECK-MESSAGES-REREG: :[[@LINE-12]]:43: note: 'Tracked::on_finalize' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}
struct Job {
  int fd = -1;
  virtual ~Job() = default;
  virtual void retire() { sys_close(fd); }
  void park();
};
Job *g_parked;
struct Requeued : Job {
  void retire() override { g_parked = this; }
};
void Job::park() { g_parked = this; }
void virtual_with_base_body() {
  Job *j = lastword::make<Job>();
  lastword::set_finalizer(j, [](Job *self) { self->retire(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer calls 'Job::retire' on its object, and its override 'Requeued::retire' stores the object in global 'g_parked'
  // CHECK-MESSAGES: :[[@LINE-7]]:37: note: 'Requeued::retire' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:46: warning: finalizer calls 'Job::retire' on its object, and its override 'Requeued::retire'
  // CHECK-MESSAGES-REREG: :[[@LINE-10]]:37: note: 'Requeued::retire' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}
void member_function_stores_this() {
  Job *j = lastword::make<Job>();
  lastword::set_finalizer(j, [](Job *self) { self->park(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer passes its object to 'Job::park', which stores it in global 'g_parked'
  // CHECK-MESSAGES: :[[@LINE-15]]:29: note: 'Job::park' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:46: warning: finalizer passes its object to 'Job::park'
  // CHECK-MESSAGES-REREG: :[[@LINE-18]]:29: note: 'Job::park' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}
// Near misses: the base's own method called by name, overrides that store a
// plain value, a call on another object.
struct Meter {
  int fd = -1;
  virtual ~Meter() = default;
  virtual void sample() = 0;
};
struct FdMeter : Meter {
  void sample() override { g_last_id = fd; }
};
void virtual_near_misses(Job *other) {
  Job *j = lastword::make<Job>();
  lastword::set_finalizer(j, [other](Job *self) { self->Job::retire(); other->retire(); });
  Meter *m = lastword::make<FdMeter>();
  lastword::set_finalizer(m, [](Meter *self) { self->sample(); });
}

// ---- Near misses. ----
void plain_values() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) {
    g_last_id = self->id;      // a copy of a plain value
    int fd = self->fd;         // local use
    Conn *local = self;        // a local alias that dies with the call
    local->fd = -1;
    self->peer = self;         // its own field
    log_id(fd);
    sys_close(fd);
  });
}
void field_read_to_global() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) { g_last = self->peer; });
}
void unregister_self() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) { lastword::set_finalizer(self, nullptr); });
}
void helper_reads_only(Conn *c) { log_id(c->id); }
void through_reading_helper() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) { helper_reads_only(self); });
}

// std::atomic: a compare-exchange or a store puts the object in the atomic.
std::atomic<Conn *> g_recycled{nullptr};
void park_in_atomic() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) {
    Conn *expected = nullptr;
    g_recycled.compare_exchange_strong(expected, self);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer stores its object in global 'g_recycled'
    // CHECK-MESSAGES-REREG: :[[@LINE-2]]:5: warning: finalizer stores its object in global 'g_recycled'
  });
  // CHECK-MESSAGES: :[[@LINE-6]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-7]]:30: note: the finalizer is registered here
}
// Near misses: the atomic receives the id, or the atomic is the finalizer's own.
std::atomic<int> g_closed_id;
void count_in_atomic() {
  Conn *c = lastword::make<Conn>();
  lastword::set_finalizer(c, [](Conn *self) {
    g_closed_id.store(self->id);
    std::atomic<Conn *> mine{nullptr};
    mine.store(self);
  });
}

// The finalizer is the lambda a member function returns, through a
// std::function variable: its body parks the object in the pool.
struct ConnPool {
  using Recycler = std::function<void(Conn *)>;
  std::vector<lastword::persistent<Conn>> spare;
  void give_back(Conn *c) { spare.emplace_back(c); }
  Recycler recycler() {
    return [this](Conn *c) { give_back(c); };
  }
  Recycler closer() {
    return [](Conn *c) { log_id(c->id); };
  }
  Conn *acquire() {
    Conn *c = lastword::make<Conn>();
    Recycler recycle = recycler();
    lastword::set_finalizer(c, std::move(recycle));
    // CHECK-MESSAGES: :[[@LINE-9]]:30: warning: finalizer passes its object to 'ConnPool::give_back', which stores it in container in a field of 'ConnPool'
    // CHECK-MESSAGES-REREG: :[[@LINE-10]]:30: warning: finalizer passes its object to 'ConnPool::give_back'
    // CHECK-MESSAGES: :[[@LINE-13]]:35: note: 'ConnPool::give_back' stores it here
    // CHECK-MESSAGES-REREG: :[[@LINE-14]]:35: note: 'ConnPool::give_back' stores it here
    // CHECK-MESSAGES: :[[@LINE-5]]:32: note: the finalizer is registered here
    // CHECK-MESSAGES-REREG: :[[@LINE-6]]:32: note: the finalizer is registered here
    return c;
  }
  // Near miss: the helper's lambda only reads the object.
  Conn *acquire_logged() {
    Conn *c = lastword::make<Conn>();
    lastword::set_finalizer(c, closer());
    return c;
  }
};

// The object wrapped in an aggregate or a pair is stored all the same; a
// pair of its plain data is not the object.
struct Parked;
struct ParkedEntry {
  lastword::persistent<Parked> session;
  int deadline;
};
std::deque<ParkedEntry> parked_entries;
std::deque<std::pair<Parked *, int>> parked_pairs;
std::deque<std::pair<int, int>> parked_ids;
struct Parked {
  int id = 0;
  void park() { parked_entries.push_back(ParkedEntry{this, 30}); }
};
void park_on_death(Parked *p) {
  lastword::set_finalizer(p, [](Parked *dead) { dead->park(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: finalizer passes its object to 'Parked::park', which stores it in container in global 'parked_entries': the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
  // CHECK-MESSAGES: :[[@LINE-5]]:32: note: 'Parked::park' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:49: warning: finalizer passes its object to 'Parked::park'
  // CHECK-MESSAGES-REREG: :[[@LINE-8]]:32: note: 'Parked::park' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}
void pair_on_death(Parked *p) {
  lastword::set_finalizer(p, [](Parked *dead) { parked_pairs.push_back(std::make_pair(dead, 1)); });
  // CHECK-MESSAGES: :[[@LINE-1]]:62: warning: finalizer stores its object in container in global 'parked_pairs': the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-3]]:62: warning: finalizer stores its object in container in global 'parked_pairs'
  // CHECK-MESSAGES-REREG: :[[@LINE-4]]:30: note: the finalizer is registered here
}
void ids_on_death(Parked *p) {
  lastword::set_finalizer(p, [](Parked *dead) { parked_ids.push_back(std::make_pair(dead->id, 1)); });
}

// A container reached through a function that returns it (a singleton
// accessor), and the near miss that picks one of the finalizer's locals.
std::vector<Conn *> &abandoned_conns();
std::vector<Conn *> &pick(std::vector<Conn *> &scratch);
void via_accessor(Conn *c) {
  lastword::set_finalizer(c, [](Conn *dead) {
    abandoned_conns().push_back(dead);
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: finalizer stores its object in the container 'abandoned_conns' returns: the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
    // CHECK-MESSAGES-REREG: :[[@LINE-3]]:23: warning: finalizer stores its object in the container 'abandoned_conns' returns
    // CHECK-MESSAGES-REREG: :[[@LINE-5]]:30: note: the finalizer is registered here
  });
}
void via_local_choice(Conn *c) {
  lastword::set_finalizer(c, [](Conn *dead) {
    std::vector<Conn *> scratch;
    pick(scratch).push_back(dead);
    log_id(static_cast<int>(scratch.size()));
  });
}

// A hook the finalizer calls, which other code fills in: every callable
// the translation unit stores in the field may run.
struct Scripted {
  int id = 0;
  std::function<void(Scripted *)> on_collect;
  std::function<void(Scripted *)> on_trace;
};
std::vector<Scripted *> inspected;
void attach_inspector(Scripted *s) {
  s->on_collect = [](Scripted *dead) { inspected.push_back(dead); };
}
void attach_tracer(Scripted *s) {
  s->on_trace = [](Scripted *dead) { log_id(dead->id); };
}
void scripted_finalizer(Scripted *s) {
  lastword::set_finalizer(s, [](Scripted *self) {
    if (self->on_trace)
      self->on_trace(self);
    if (self->on_collect)
      self->on_collect(self);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: finalizer passes its object to the callable in 'on_collect', which stores it in container in global 'inspected': the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
    // CHECK-MESSAGES: :[[@LINE-12]]:19: note: 'on_collect' is given this callable here
    // CHECK-MESSAGES: :[[@LINE-13]]:50: note: it stores the object here
    // CHECK-MESSAGES: :[[@LINE-8]]:30: note: the finalizer is registered here
    // CHECK-MESSAGES-REREG: :[[@LINE-5]]:7: warning: finalizer passes its object to the callable in 'on_collect'
    // CHECK-MESSAGES-REREG: :[[@LINE-16]]:19: note: 'on_collect' is given this callable here
    // CHECK-MESSAGES-REREG: :[[@LINE-17]]:50: note: it stores the object here
    // CHECK-MESSAGES-REREG: :[[@LINE-12]]:30: note: the finalizer is registered here
  });
}

// A finalizer kept in a constant global lambda, handing the object to a
// pool whose container a function returns through a local reference.
template <class T> struct Pool {
  static std::vector<lastword::persistent<T>> &slots() {
    static std::vector<lastword::persistent<T>> pool;
    return pool;
  }
  static void give_back(T *obj) {
    auto &pool = slots();
    pool.emplace_back(obj);
  }
};
inline constexpr auto recycle_conn = [](Conn *dead) { Pool<Conn>::give_back(dead); };
void pooled(Conn *c) {
  lastword::set_finalizer(c, recycle_conn);
  // CHECK-MESSAGES: :[[@LINE-3]]:55: warning: finalizer passes its object to 'Pool<Conn>::give_back', which stores it in container in what 'slots' returns: the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
  // CHECK-MESSAGES: :[[@LINE-7]]:10: note: 'Pool<Conn>::give_back' stores it here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: the finalizer is registered here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:55: warning: finalizer passes its object to 'Pool<Conn>::give_back'
  // CHECK-MESSAGES-REREG: :[[@LINE-10]]:10: note: 'Pool<Conn>::give_back' stores it here
  // CHECK-MESSAGES-REREG: :[[@LINE-6]]:30: note: the finalizer is registered here
}
