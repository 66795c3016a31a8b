// RUN: %check_gc %s gc-blocking-finalizer %t

#include <lastword/gc.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <latch>
#include <barrier>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <thread>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/file.h>
#include <unistd.h>

using namespace std::chrono_literals;

struct Res {
  std::mutex m;
  std::timed_mutex tm;
  std::shared_mutex sm;
  std::condition_variable cv;
  std::future<int> result;
  std::thread worker;
  int fd = -1;
  bool ready = false;
};

std::mutex registry_mutex;

// ---- Every family of blocking call, in a lambda. ----

void mutexes(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { self->m.lock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::mutex::lock': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { self->sm.lock_shared(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::shared_mutex::lock_shared'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { self->tm.try_lock_for(100ms); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::timed_mutex::try_lock_for'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

void lock_owners(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::lock_guard<std::mutex> guard(self->m);
    // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: finalizer may block in 'std::lock_guard'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    std::unique_lock lock(self->m);
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: finalizer may block in 'std::unique_lock'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    std::scoped_lock both(self->m, registry_mutex);
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: finalizer may block in 'std::scoped_lock'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    std::shared_lock reader(self->sm);
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: finalizer may block in 'std::shared_lock'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    std::lock(self->m, registry_mutex);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::lock'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
    self->m.unlock();
    registry_mutex.unlock();
  });
  // Deferred, then locked after all.
  lastword::set_finalizer(r, [](Res *self) {
    std::unique_lock lock(self->m, std::defer_lock);
    lock.lock();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::unique_lock::lock'
    // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
  });
}

void waiting(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::unique_lock lock(self->m, std::try_to_lock);
    self->cv.wait(lock, [self] { return self->ready; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::condition_variable::wait'
    // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    std::unique_lock lock(self->m, std::adopt_lock);
    self->cv.wait_for(lock, 5s);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::condition_variable::wait_for'
    // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) { (void)self->result.get(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: finalizer may block in 'std::future::get'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { self->result.wait(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::future::wait'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { self->worker.join(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::thread::join'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { std::this_thread::sleep_for(10ms); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'std::this_thread::sleep_for'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

std::counting_semaphore<4> slots(4);
std::binary_semaphore signal_sem(0);
std::latch started(1);
std::barrier<> phase(2);

void sync_primitives(Res *r) {
  lastword::set_finalizer(r, [](Res *) { slots.acquire(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'std::counting_semaphore::acquire'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { signal_sem.acquire(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'std::counting_semaphore::acquire'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { started.wait(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'std::latch::wait'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { phase.arrive_and_wait(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'std::barrier::arrive_and_wait'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

void posix(Res *r) {
  lastword::set_finalizer(r, [](Res *) { sleep(1); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'sleep'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { char b[16]; (void)::read(self->fd, b, sizeof b); });
  // CHECK-MESSAGES: :[[@LINE-1]]:64: warning: finalizer may block in 'read'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { (void)send(self->fd, "bye", 3, 0); });
  // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: finalizer may block in 'send'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { fsync(self->fd); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'fsync'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { pollfd p{self->fd, POLLIN, 0}; poll(&p, 1, -1); });
  // CHECK-MESSAGES: :[[@LINE-1]]:77: warning: finalizer may block in 'poll'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { select(self->fd + 1, nullptr, nullptr, nullptr, nullptr); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'select'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER; pthread_mutex_lock(&pm); });
  // CHECK-MESSAGES: :[[@LINE-1]]:97: warning: finalizer may block in 'pthread_mutex_lock'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { waitpid(self->fd, nullptr, 0); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'waitpid'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

void collector(Res *r) {
  lastword::set_finalizer(r, [](Res *) { lastword::collect(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'lastword::collect'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *) { lastword::wait_for_finalizers(1000ms); });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer may block in 'lastword::wait_for_finalizers'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

// ---- Shapes of the callable. ----

void close_locked(Res *self) {
  std::lock_guard<std::mutex> guard(self->m);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: finalizer may block in 'std::lock_guard'
  // CHECK-MESSAGES: :[[@LINE+6]]:30: note: registered as a finalizer here
  // CHECK-MESSAGES: :[[@LINE+6]]:30: note: registered as a finalizer here
  self->fd = -1;
}
void named_function(Res *a, Res *b) {
  // One finalizer function, two registrations: one warning, two notes.
  lastword::set_finalizer(a, close_locked);
  lastword::set_finalizer(b, &close_locked);
}

struct Closer {
  std::mutex *m;
  void operator()(Res *) const { m->lock(); }
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: finalizer may block in 'std::mutex::lock'
  // CHECK-MESSAGES: :[[@LINE+3]]:30: note: registered as a finalizer here
};
void function_object(Res *r) {
  lastword::set_finalizer(r, Closer{&registry_mutex});
}

void unregister_under(std::mutex &m, Res *self) { std::unique_lock<std::mutex> lock(m); }
// CHECK-MESSAGES: :[[@LINE-1]]:80: warning: finalizer may block in 'std::unique_lock'
// CHECK-MESSAGES: :[[@LINE+3]]:30: note: registered as a finalizer here
void bound(Res *r) {
  using namespace std::placeholders;
  lastword::set_finalizer(r, std::bind(unregister_under, std::ref(registry_mutex), _1));
}

void local_variable(Res *r) {
  auto finalize = [](Res *self) { self->m.lock(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:35: warning: finalizer may block in 'std::mutex::lock'
  lastword::set_finalizer(r, finalize);
  // CHECK-MESSAGES: :[[@LINE-1]]:30: note: registered as a finalizer here
}

// ---- Interprocedural: two and three levels, with the path. ----

void flush_to_disk(Res *self) { fsync(self->fd); }
void flush_all(Res *self) { flush_to_disk(self); }
void shutdown_connection(Res *self) { flush_all(self); }

void three_levels(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { shutdown_connection(self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'fsync', reached through 'shutdown_connection': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-5]]:39: note: 'flush_all' is called here
  // CHECK-MESSAGES: :[[@LINE-7]]:29: note: 'flush_to_disk' is called here
  // CHECK-MESSAGES: :[[@LINE-9]]:33: note: 'fsync' may block here
  // CHECK-MESSAGES: :[[@LINE-5]]:30: note: registered as a finalizer here
}

struct Pool {
  std::mutex lock_;
  void release(Res *) { std::lock_guard<std::mutex> g(lock_); }
  void drain(Res *r) { release(r); }
};
Pool pool;
void two_levels(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { pool.drain(self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'Pool::drain'
  // CHECK-MESSAGES: :[[@LINE-6]]:24: note: 'Pool::release' is called here
  // CHECK-MESSAGES: :[[@LINE-8]]:53: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
}

// ---- Macros. ----

#define LOCKED(mtx) if (std::lock_guard<std::mutex> locked_guard_(mtx); true)
void user_macro(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    LOCKED(self->m) { self->fd = -1; }
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::lock_guard'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
}

#define ON_FINALIZE(obj, fn) lastword::set_finalizer(obj, fn)
void joins(Res *self) { self->worker.join(); }
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: finalizer may block in 'std::thread::join'
// CHECK-MESSAGES: :[[@LINE+2]]:18: note: registered as a finalizer here
void registration_in_macro(Res *r) {
  ON_FINALIZE(r, joins);
}

// ---- Templates: judged once, as written. ----

template <class T> struct Cache {
  std::mutex m;
  T value;
  static void track(Cache *c) {
    lastword::set_finalizer(c, [](Cache *self) { std::lock_guard<std::mutex> g(registry_mutex); });
    // CHECK-MESSAGES: :[[@LINE-1]]:78: warning: finalizer may block in 'std::lock_guard'
    // CHECK-MESSAGES: :[[@LINE-2]]:32: note: registered as a finalizer here
  }
};
void use_caches(Cache<int> *a, Cache<long> *b) {
  Cache<int>::track(a);
  Cache<long>::track(b);
}

template <class T> void drain_locked(T *obj) {
  std::lock_guard<std::mutex> g(registry_mutex);
  obj->fd = -1;
}
void template_helper(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { drain_locked(self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'drain_locked'
  // CHECK-MESSAGES: :[[@LINE-6]]:31: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

// A template whose blocking depends on its parameter is judged through its
// instantiations: reported once, at the template, with a note at the
// instantiation that blocks.
struct NullMutex { void lock() {} void unlock() {} };
template <class M> struct Guarded {
  M m;
  static void track(Guarded *g) {
    lastword::set_finalizer(g, [](Guarded *self) { self->m.lock(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: finalizer may block in 'std::mutex::lock': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
    // CHECK-MESSAGES: :[[@LINE+6]]:24: note: instantiated here as 'Guarded<std::mutex>::track', which blocks
    // CHECK-MESSAGES: :[[@LINE-3]]:32: note: registered as a finalizer here
  }
};
void use_guarded(Guarded<NullMutex> *a, Guarded<std::mutex> *b) {
  Guarded<NullMutex>::track(a);
  Guarded<std::mutex>::track(b);
}
// Only instantiated with a mutex that does not block: silent.
template <class M> struct OnlyNull {
  M m;
  static void track(OnlyNull *g) {
    lastword::set_finalizer(g, [](OnlyNull *self) { self->m.lock(); });
  }
};
void use_only_null(OnlyNull<NullMutex> *a) { OnlyNull<NullMutex>::track(a); }

// ---- Code spread over several functions. ----

struct Connection {
  int fd;
  std::mutex m;
  void close_socket();
  void log_close();
  static void attach(Connection *c);
};
void Connection::log_close() { std::this_thread::sleep_for(1ms); }
void Connection::close_socket() { ::close(fd); log_close(); }
void Connection::attach(Connection *c) {
  lastword::set_finalizer(c, [](Connection *self) { self->close_socket(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: finalizer may block in 'std::this_thread::sleep_for', reached through 'Connection::close_socket'
  // CHECK-MESSAGES: :[[@LINE-4]]:48: note: 'Connection::log_close' is called here
  // CHECK-MESSAGES: :[[@LINE-6]]:32: note: 'std::this_thread::sleep_for' may block here
  // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
}

// ================= Near misses: all silent. =================

void try_forms(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    if (self->m.try_lock())
      self->m.unlock();
    if (self->tm.try_lock_for(0ms))
      self->tm.unlock();
    if (self->tm.try_lock_for(std::chrono::seconds(0)))
      self->tm.unlock();
    std::unique_lock a(self->m, std::try_to_lock);
    std::unique_lock<std::mutex> b(registry_mutex, std::defer_lock);
    std::lock_guard<std::mutex> c(self->m, std::adopt_lock);
    std::scoped_lock d(std::adopt_lock, registry_mutex);
  });
}

void zero_timeouts(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::unique_lock lock(self->m, std::try_to_lock);
    self->cv.wait_for(lock, 0ms);
    self->cv.wait_for(lock, std::chrono::seconds(0));
    self->cv.wait_for(lock, std::chrono::milliseconds{});
    self->cv.wait_for(lock, std::chrono::milliseconds::zero(), [] { return true; });
    self->cv.wait_until(lock, std::chrono::steady_clock::now());
    (void)self->result.wait_for(0s);
    std::this_thread::sleep_for(0ms);
    constexpr auto no_wait = std::chrono::microseconds(0);
    (void)self->result.wait_for(no_wait);
  });
}

void zero_posix_timeouts(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    pollfd p{self->fd, POLLIN, 0};
    poll(&p, 1, 0);
    timeval tv{0, 0};
    fd_set set;
    FD_ZERO(&set);
    FD_SET(self->fd, &set);
    select(self->fd + 1, &set, nullptr, nullptr, &tv);
    timeval later;
    later.tv_sec = 0;
    later.tv_usec = 0;
    select(self->fd + 1, &set, nullptr, nullptr, &later);
    waitpid(-1, nullptr, WNOHANG);
    flock(self->fd, LOCK_EX | LOCK_NB);
    (void)recv(self->fd, nullptr, 0, MSG_DONTWAIT);
  });
}

// Work handed to another thread does not block the finalizer thread.
void offloaded(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    int fd = self->fd;
    std::thread([fd] { std::lock_guard<std::mutex> g(registry_mutex); fsync(fd); }).detach();
    std::jthread([] { std::this_thread::sleep_for(1s); }).detach();
    // The future outlives the finalizer: its destructor does not run here.
    self->result = std::async(std::launch::async, [] { registry_mutex.lock(); registry_mutex.unlock(); return 1; });
  });
}

// The registering function blocks, the finalizer does not.
void after_the_finalizer(Res *r) {
  std::lock_guard<std::mutex> guard(registry_mutex);
  lastword::set_finalizer(r, [](Res *self) { self->fd = -1; });
  sleep(1);
}

// Cleanups run concurrently on workers.
void close_fd_locked(int fd) {
  std::lock_guard<std::mutex> guard(registry_mutex);
  close(fd);
}
void cleanups(Res *r, int fd) {
  lastword::add_cleanup(r, [](int f) { std::lock_guard<std::mutex> g(registry_mutex); fsync(f); }, fd);
  lastword::add_cleanup(r, close_fd_locked, r->fd);
}

// Blocking code the finalizer never calls.
void blocks_but_unused() { registry_mutex.lock(); }
void not_called(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    auto later = [] { registry_mutex.lock(); }; // stored, never called here
    (void)later;
    if (false) {}
  });
}

// Same names, not the blocking functions.
struct File {
  int read(char *, int) { return 0; }
  void lock() {}
  void join() {}
};
namespace my {
void sleep(int) {}
int poll(int) { return 0; }
} // namespace my
void same_names(Res *r) {
  lastword::set_finalizer(r, [](Res *) {
    File f;
    char b[4];
    f.read(b, 4);
    f.lock();
    f.join();
    my::sleep(5);
    my::poll(1);
  });
}

// Calls that cannot be resolved.
struct Sink {
  virtual void flush() = 0;
  virtual ~Sink() = default;
};
Sink *global_sink;
void (*on_close)(Res *);
std::function<void()> on_close_fn;
void unresolvable(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    global_sink->flush();
    on_close(self);
    on_close_fn();
  });
}

// Unregistering is not a finalizer.
void unregister(Res *r) { lastword::set_finalizer(r, nullptr); }

// Recursion terminates.
void ping(Res *self, int n);
void pong(Res *self, int n) { if (n) ping(self, n - 1); }
void ping(Res *self, int n) { if (n) pong(self, n - 1); }
void recursive(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { ping(self, 3); });
}

// NOLINT on the reported line.
void suppressed(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { self->m.lock(); }); // NOLINT(gc-blocking-finalizer)
}

// A generic lambda cannot be judged as written.
void generic(Res *r) {
  lastword::set_finalizer(r, [](auto *self) { self->fd = -1; });
}

// ---- Hardening (red-team round 1). ----

// User functions that share a name with a POSIX call are followed into their
// bodies, not taken for the C library's.
static void write(Res *self, const char *) { self->fd = -1; }
static int send(Res *self, int v) { return self->fd + v; }
namespace {
int read(const Res &r) { return r.fd; }
} // namespace
void wait(std::atomic<int> &flag) { (void)flag.load(); }
std::atomic<int> closing_flag;
void same_names_as_posix(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    write(self, "bye");
    (void)send(self, 1);
    (void)read(*self);
    wait(closing_flag);
  });
}
// ... and one of them that does block is reported through its body.
static void write(Res *self, int) { fsync(self->fd); }
void same_name_blocking(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { write(self, 0); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'fsync', reached through 'write'
  // CHECK-MESSAGES: :[[@LINE-4]]:37: note: 'fsync' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}

// A branch that a constant rules out never runs.
constexpr bool kSyncOnClose = false;
void constant_branches(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    if constexpr (kSyncOnClose)
      fsync(self->fd);
    if (kSyncOnClose) {
      std::lock_guard<std::mutex> g(self->m);
    }
    if (!kSyncOnClose) {
    } else {
      sleep(1);
    }
  });
  lastword::set_finalizer(r, [](Res *self) {
    if constexpr (!kSyncOnClose)
      fsync(self->fd);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: finalizer may block in 'fsync'
    // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
  });
}

// A registration in a branch that cannot run registers nothing.
void flush_sync(Res *self) { fsync(self->fd); }
void dead_registration(Res *r) {
  if constexpr (kSyncOnClose)
    lastword::set_finalizer(r, flush_sync);
  if (false)
    lastword::set_finalizer(r, [](Res *self) { self->m.lock(); });
}
// Registered live once: reported, with the live registration only.
void flush_sync_too(Res *self) { fsync(self->fd); }
// CHECK-MESSAGES: :[[@LINE-1]]:34: warning: finalizer may block in 'fsync'
// CHECK-MESSAGES: :[[@LINE+4]]:30: note: registered as a finalizer here
void partly_dead_registration(Res *r) {
  if (kSyncOnClose)
    lastword::set_finalizer(r, flush_sync_too);
  lastword::set_finalizer(r, flush_sync_too);
}

// A future found ready does not block in get().
void ready_future(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    if (self->result.valid() && self->result.wait_for(0s) == std::future_status::ready)
      (void)self->result.get();
  });
  lastword::set_finalizer(r, [](Res *self) {
    if (self->result.wait_for(std::chrono::seconds::zero()) != std::future_status::ready)
      return;
    (void)self->result.get();
  });
  // Ready after a real wait: the wait blocks.
  lastword::set_finalizer(r, [](Res *self) {
    if (self->result.wait_for(5s) == std::future_status::ready)
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: finalizer may block in 'std::future::wait_for'
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
      (void)self->result.get();
  });
  // Another future's readiness says nothing about this one.
  lastword::set_finalizer(r, [](Res *self) {
    std::future<int> other;
    if (other.wait_for(0s) == std::future_status::ready)
      (void)self->result.get();
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: finalizer may block in 'std::future::get'
    // CHECK-MESSAGES: :[[@LINE-5]]:30: note: registered as a finalizer here
  });
}

// A class template locking a field whose type does not depend on the
// parameter: every instantiation blocks, reported once.
template <class T> struct Table {
  std::mutex m;
  T rows;
  static void track(Table *t) {
    lastword::set_finalizer(t, [](Table *self) { std::lock_guard<std::mutex> g(self->m); });
    // CHECK-MESSAGES: :[[@LINE-1]]:78: warning: finalizer may block in 'std::lock_guard'
    // CHECK-MESSAGES: :[[@LINE-2]]:32: note: registered as a finalizer here
  }
  static void track_member(Table *t) {
    lastword::set_finalizer(t, [](Table *self) { self->m.lock(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: finalizer may block in 'std::mutex::lock'
    // CHECK-MESSAGES: :[[@LINE-2]]:32: note: registered as a finalizer here
  }
};
void use_tables(Table<int> *a, Table<long> *b) {
  Table<int>::track(a);
  Table<long>::track(b);
  Table<int>::track_member(a);
}

// CRTP: the derived class's hook blocks.
template <class D> struct Finalizable {
  static void track(D *d) { lastword::set_finalizer(d, [](D *self) { self->on_finalize(); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:70: warning: finalizer may block in 'fsync', reached through 'Flushing::on_finalize'
  // CHECK-MESSAGES: :[[@LINE+4]]:72: note: 'fsync' may block here
  // CHECK-MESSAGES: :[[@LINE+8]]:26: note: instantiated here as 'Finalizable<Flushing>::track', which blocks
  // CHECK-MESSAGES: :[[@LINE-4]]:56: note: registered as a finalizer here
};
struct Flushing : Finalizable<Flushing> { int fd; void on_finalize() { fsync(fd); } };
struct Closing : Finalizable<Closing> { int fd; void on_finalize() { ::close(fd); } };
void use_crtp(Flushing *f, Closing *c) {
  // The silent instantiation first: the blocking one is still found.
  Finalizable<Closing>::track(c);
  Finalizable<Flushing>::track(f);
}

// Mutual recursion: the second finalizer enters the cycle elsewhere and still
// finds the lock (the first search's "no path" for visit_b was provisional).
void visit_a(Res *r, int n);
void visit_b(Res *r, int n) { if (n) visit_a(r, n - 1); }
void visit_a(Res *r, int n) { if (n) visit_b(r, n - 1); std::lock_guard<std::mutex> g(r->m); }
void recursive_entry_points(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { visit_a(self, 3); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'visit_a'
  // CHECK-MESSAGES: :[[@LINE-4]]:85: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  lastword::set_finalizer(r, [](Res *self) { visit_b(self, 3); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'visit_b'
  // CHECK-MESSAGES: :[[@LINE-9]]:38: note: 'visit_a' is called here
  // CHECK-MESSAGES: :[[@LINE-9]]:85: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
}
