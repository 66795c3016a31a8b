// RUN: %check_gc %s gc-finalizer-resurrection %t
// RUN: %check_gc %s gc-finalizer-resurrection %t --check-suffix=REREG -- --config="{CheckOptions: {gc-finalizer-resurrection.ReportReregistration: true}}"

#include <lastword/gc.hpp>
#include <map>
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
