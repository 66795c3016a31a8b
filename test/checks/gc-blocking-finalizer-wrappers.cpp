// A project that registers finalizers through its own helper and through a
// table of function pointers declares both in FinalizerFunctions (the list
// replaces the profile's, so it repeats the collector's own functions).
// Undeclared, only the direct registrations are seen.
// RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc, FinalizerFunctions: 'GC_register_finalizer(0,1,2);GC_debug_register_finalizer(0,1,2);app_add_finalizer(0,1,2);gc_hooks::on_death(0,1,2)'}}"
// RUN: %check_gc --check-suffix=UNDECLARED %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <pthread.h>
#include <unistd.h>

typedef void (*finalizer_fn)(void *obj, void *data);

struct Conn {
  int fd;
  pthread_t reader;
  pthread_mutex_t lock;
};

// The project's helper around GC_register_finalizer.
void app_add_finalizer(void *obj, finalizer_fn fn, void *data) {
  GC_register_finalizer(obj, fn, data, 0, 0);
}

// The project's table of collector hooks (filled in at start-up).
struct gc_hooks {
  void (*on_death)(void *obj, finalizer_fn fn, void *data);
  void (*on_free)(void *obj, finalizer_fn fn, void *data);
};
extern struct gc_hooks *hooks;

static void flush_conn(void *obj, void *) { fsync(static_cast<Conn *>(obj)->fd); }
// CHECK-MESSAGES: :[[@LINE-1]]:45: warning: finalizer may block in 'fsync': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
// CHECK-MESSAGES: :[[@LINE+14]]:24: note: registered as a finalizer here
static void join_reader(void *obj, void *) { pthread_join(static_cast<Conn *>(obj)->reader, 0); }
// CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'pthread_join'
// CHECK-MESSAGES: :[[@LINE+12]]:22: note: registered as a finalizer here
// CHECK-MESSAGES: :[[@LINE+12]]:25: note: registered as a finalizer here
static void lock_conn(void *obj, void *) { pthread_mutex_lock(&static_cast<Conn *>(obj)->lock); }
// CHECK-MESSAGES: :[[@LINE-1]]:44: warning: finalizer may block in 'pthread_mutex_lock'
// CHECK-MESSAGES: :[[@LINE+10]]:28: note: registered as a finalizer here
// CHECK-MESSAGES-UNDECLARED: :[[@LINE-3]]:44: warning: finalizer may block in 'pthread_mutex_lock'
// CHECK-MESSAGES-UNDECLARED: :[[@LINE+8]]:28: note: registered as a finalizer here
static void forget_conn(void *obj, void *) { static_cast<Conn *>(obj)->fd = -1; }
static void close_later(void *obj, void *) { close(static_cast<Conn *>(obj)->fd); sleep(1); }

void track(Conn *c) {
  app_add_finalizer(c, flush_conn, 0);
  hooks->on_death(c, join_reader, 0);
  (*hooks->on_death)(c, join_reader, 0);
  GC_register_finalizer(c, lock_conn, 0, 0, 0);
  // Declared, but the finalizer does not block.
  hooks->on_death(c, forget_conn, 0);
  // Not declared: on_free is not a registration the profile knows.
  hooks->on_free(c, close_later, 0);
}
