// RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <gc/gc_cpp.h>
#include <mutex>
#include <unistd.h>

std::mutex log_mutex;

struct Handle {
  int fd;
};

// GC_register_finalizer with a function that blocks.
void close_handle(void *obj, void *) {
  std::lock_guard<std::mutex> guard(log_mutex);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: finalizer may block in 'std::lock_guard': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE+6]]:28: note: registered as a finalizer here
  // CHECK-MESSAGES: :[[@LINE+6]]:28: note: registered as a finalizer here
  static_cast<Handle *>(obj)->fd = -1;
}
Handle *open_handle() {
  auto *h = static_cast<Handle *>(GC_MALLOC(sizeof(Handle)));
  GC_register_finalizer(h, close_handle, nullptr, nullptr, nullptr);
  GC_REGISTER_FINALIZER(h, close_handle, nullptr, nullptr, nullptr);
  return h;
}

// Through a helper, registered with the no_order variant.
void slow_flush(int fd) { fsync(fd); }
void flush_handle(void *obj, void *) { slow_flush(static_cast<Handle *>(obj)->fd); }
// CHECK-MESSAGES: :[[@LINE-1]]:40: warning: finalizer may block in 'fsync', reached through 'slow_flush'
// CHECK-MESSAGES: :[[@LINE-3]]:27: note: 'fsync' may block here
// CHECK-MESSAGES: :[[@LINE+3]]:37: note: registered as a finalizer here
Handle *open_flushed() {
  auto *h = static_cast<Handle *>(GC_MALLOC(sizeof(Handle)));
  GC_register_finalizer_no_order(h, flush_handle, nullptr, nullptr, nullptr);
  return h;
}

// A gc_cleanup subclass: Boehm runs its destructor as the finalizer.
class Connection : public gc_cleanup {
public:
  ~Connection() { sleep(1); }
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: finalizer may block in 'sleep'
  // CHECK-MESSAGES: :[[@LINE-4]]:20: note: 'Connection' derives from 'gc_cleanup': the collector runs its destructor as the finalizer
};

// A class template: judged once, not per instantiation.
template <class T> class Pooled : public gc_cleanup {
public:
  ~Pooled() { std::lock_guard<std::mutex> guard(log_mutex); }
  // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: finalizer may block in 'std::lock_guard'
  // CHECK-MESSAGES: :[[@LINE-4]]:35: note: 'Pooled' derives from 'gc_cleanup'
  T value;
};
Pooled<int> *pooled_int() { return new Pooled<int>; }
Pooled<long> *pooled_long() { return new Pooled<long>; }

// new (GC, fn, data) T registers fn as the finalizer.
struct Buffer {
  int fd;
};
void release_buffer(void *obj, void *) { GC_gcollect(); }
// CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'GC_gcollect'
// CHECK-MESSAGES: :[[@LINE+2]]:22: note: registered as a finalizer here
Buffer *make_buffer() {
  return new (UseGC, release_buffer, nullptr) Buffer{-1};
}

// ---- Silent. ----

// Finalizers that do not block.
void quick_close(void *obj, void *) {
  if (log_mutex.try_lock())
    log_mutex.unlock();
  static_cast<Handle *>(obj)->fd = -1;
}
Handle *open_quick() {
  auto *h = static_cast<Handle *>(GC_MALLOC(sizeof(Handle)));
  GC_REGISTER_FINALIZER(h, quick_close, nullptr, nullptr, nullptr);
  return h;
}

// Unregistering.
void forget(Handle *h) { GC_register_finalizer(h, nullptr, nullptr, nullptr, nullptr); }

// A class deriving from gc (not gc_cleanup) has no finalizer.
class Plain : public gc {
public:
  ~Plain() { sleep(1); }
};

// A gc_cleanup subclass whose destructor does not block.
class Quiet : public gc_cleanup {
public:
  ~Quiet() { fd = -1; }
  int fd = 0;
};

// Collected allocation without a cleanup function.
Buffer *plain_buffer() { return new (GC) Buffer{-1}; }

// Blocking in a function never registered.
void not_a_finalizer(void *, void *) { sleep(1); }

// A gc_cleanup destructor that blocks through a helper.
void unregister_handle(int fd) { std::lock_guard<std::mutex> guard(log_mutex); }
class Registered : public gc_cleanup {
public:
  ~Registered() { unregister_handle(fd); }
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: finalizer may block in 'std::lock_guard', reached through 'unregister_handle'
  // CHECK-MESSAGES: :[[@LINE-5]]:62: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-5]]:20: note: 'Registered' derives from 'gc_cleanup': the collector runs its destructor as the finalizer
  int fd = 0;
};

// Registered only in a branch that cannot run.
void sync_handle(void *obj, void *) { fsync(static_cast<Handle *>(obj)->fd); }
Handle *open_unsynced() {
  auto *h = static_cast<Handle *>(GC_MALLOC(sizeof(Handle)));
  if (0)
    GC_REGISTER_FINALIZER(h, sync_handle, nullptr, nullptr, nullptr);
  return h;
}

// A helper of the user's named like a POSIX call.
static void write(Handle *h, int v) { h->fd = v; }
void reset_handle(void *obj, void *) { write(static_cast<Handle *>(obj), -1); }
Handle *open_reset() {
  auto *h = static_cast<Handle *>(GC_MALLOC(sizeof(Handle)));
  GC_REGISTER_FINALIZER(h, reset_handle, nullptr, nullptr, nullptr);
  return h;
}
