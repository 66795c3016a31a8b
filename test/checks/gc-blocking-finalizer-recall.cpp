// RUN: %check_gc %s gc-blocking-finalizer %t

// The ordinary ways real code adds a layer between a finalizer and the call
// that blocks: templates, virtual calls, destructors that run implicitly.

#include <lastword/gc.hpp>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>
#include <unistd.h>

std::mutex registry_mutex;

struct Res {
  std::mutex m;
  int fd = -1;
  std::future<void> pending;
};

// ---- Templates: judged through their instantiations. ----

// std::lock_guard<M> on a std::mutex blocks...
template <class M> void close_under(M &m, Res *self) {
  std::lock_guard<M> guard(m);
  self->fd = -1;
}
void lock_guard_of_parameter(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { close_under(self->m, self); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'std::lock_guard', reached through 'close_under': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-6]]:22: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}
// ...on a no-op mutex of the user's it does not; on a user's wrapper around
// std::mutex it does.
struct NoLock { void lock() {} void unlock() {} };
struct Mutex {
  std::mutex impl;
  void lock() { impl.lock(); }
  void unlock() { impl.unlock(); }
};
NoLock no_lock;
Mutex wrapped;
void lock_guard_of_user_mutex(Res *r) {
  lastword::set_finalizer(r, [](Res *self) { close_under(no_lock, self); });
  lastword::set_finalizer(r, [](Res *self) { std::lock_guard<NoLock> g(no_lock); self->fd = -1; });
  lastword::set_finalizer(r, [](Res *self) { std::lock_guard<Mutex> g(wrapped); self->fd = -1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:69: warning: finalizer may block in 'std::lock_guard': finalizers run one at a time
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

// A finalizer template over the object type (Res*): its calls resolve only
// in the instantiation.
struct Socket {
  int fd = -1;
  void shutdown() { fsync(fd); }
};
struct Buffer {
  int fd = -1;
  void shutdown() { fd = -1; }
};
template <class T> void finalize_object(T *self) { self->shutdown(); }
// CHECK-MESSAGES: :[[@LINE-1]]:52: warning: finalizer may block in 'fsync', reached through 'Socket::shutdown'
// CHECK-MESSAGES: :[[@LINE-8]]:21: note: 'fsync' may block here
// CHECK-MESSAGES: :[[@LINE+3]]:30: note: registered as a finalizer here
void object_template(Socket *s, Buffer *b) {
  lastword::set_finalizer(b, finalize_object<Buffer>);
  lastword::set_finalizer(s, finalize_object<Socket>);
}

// ---- Virtual calls: every override the translation unit shows. ----

struct Sink {
  virtual void flush() = 0;
  virtual ~Sink() = default;
};
struct MemorySink : Sink {
  void flush() override {}
};
struct FileSink : Sink {
  int fd = -1;
  void flush() override { fsync(fd); }
};
struct Handle {
  Sink *sink;
};
void pure_virtual(Handle *h) {
  lastword::set_finalizer(h, [](Handle *self) { self->sink->flush(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: finalizer may block in 'fsync', reached through 'FileSink::flush' (a virtual call to 'Sink::flush' may run this override): finalizers run
  // CHECK-MESSAGES: :[[@LINE-8]]:27: note: 'fsync' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}
// A base with a body, an override two levels down.
struct Logger {
  virtual void close() {}
  virtual ~Logger() = default;
};
struct NetLogger : Logger {};
struct SyncLogger : NetLogger {
  std::mutex m;
  void close() override { std::lock_guard<std::mutex> g(m); }
};
struct Service {
  Logger *log;
};
void deep_override(Service *s) {
  lastword::set_finalizer(s, [](Service *self) { self->log->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: finalizer may block in 'std::lock_guard', reached through 'SyncLogger::close' (a virtual call to 'Logger::close' may run this override)
  // CHECK-MESSAGES: :[[@LINE-8]]:55: note: 'std::lock_guard' may block here
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}
// Near misses: a qualified call runs the base only; no override blocks.
struct Quiet {
  virtual void stop() {}
  virtual ~Quiet() = default;
};
struct QuietToo : Quiet {
  void stop() override {}
};
void virtual_near_misses(Handle *h, Service *s) {
  lastword::set_finalizer(s, [](Service *self) { self->log->Logger::close(); });
  lastword::set_finalizer(h, [](Handle *self) {
    Quiet *q = nullptr;
    q->stop();
    MemorySink local;
    local.flush();
  });
}

// ---- Destructors that run implicitly. ----

// A std::jthread joins when it goes out of scope.
void jthread_scope_end(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::jthread worker([fd = self->fd] { fsync(fd); });
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: finalizer may block in 'std::jthread::~jthread' ('worker' is destroyed at the end of its scope): finalizers run
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
}
// The future of std::async waits for its task in its destructor, discarded
// or local.
void async_futures(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::async(std::launch::async, [fd = self->fd] { fsync(fd); });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer may block in 'std::future::~future' (the temporary is destroyed at the end of the statement): finalizers run
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
  lastword::set_finalizer(r, [](Res *self) {
    auto done = std::async([fd = self->fd] { fsync(fd); });
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: finalizer may block in 'std::future::~future' ('done' is destroyed at the end of its scope): finalizers run
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
  });
}
// A member joined by its object's destructor, reached through delete.
struct Reader {
  std::jthread thread;
};
struct Conn {
  Reader *reader;
};
void member_destructor(Conn *c) {
  lastword::set_finalizer(c, [](Conn *self) { delete self->reader; });
  // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: finalizer may block in 'std::jthread::~jthread', reached through 'Reader::~Reader' ('delete' destroys the object): finalizers run
  // CHECK-MESSAGES: :[[@LINE-8]]:16: note: 'std::jthread::~jthread' may block here: the member 'thread' is destroyed with its object
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: registered as a finalizer here
}
// A guard of the user's whose destructor blocks, at the end of the scope.
struct FlushOnExit {
  int fd;
  ~FlushOnExit() { fsync(fd); }
};
void user_guard(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    FlushOnExit flush{self->fd};
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: finalizer may block in 'fsync', reached through 'FlushOnExit::~FlushOnExit' ('flush' is destroyed at the end of its scope): finalizers run
    // CHECK-MESSAGES: :[[@LINE-6]]:20: note: 'fsync' may block here
    // CHECK-MESSAGES: :[[@LINE-4]]:30: note: registered as a finalizer here
    self->fd = -1;
  });
}

// Near misses: work handed to a detached thread, a future that outlives the
// finalizer, a deferred task, a jthread moved or detached.
std::vector<std::jthread> workers;
void handed_off(Res *r) {
  lastword::set_finalizer(r, [](Res *self) {
    std::thread([fd = self->fd] { fsync(fd); }).detach();
    std::jthread([fd = self->fd] { fsync(fd); }).detach();
    self->pending = std::async(std::launch::async, [fd = self->fd] { fsync(fd); });
    std::async(std::launch::deferred, [] {});
    std::jthread moved([] {});
    workers.push_back(std::move(moved));
    std::jthread detached([] {});
    detached.detach();
    auto later = std::async(std::launch::async, [] {});
    self->pending = std::move(later);
  });
}

// A callable kept in a field: what the code stores there runs when the
// finalizer calls it.
struct Hooked {
  int fd = -1;
  std::function<void(int)> on_release;
  void (*on_drop)(Hooked *) = nullptr;
};
void install_release_hook(Hooked *h) {
  h->on_release = [](int fd) {
    std::lock_guard<std::mutex> guard(registry_mutex);
    (void)fd;
  };
}
void install_drop_hook(Hooked *h) {
  h->on_drop = [](Hooked *) {};
}
void hooked_finalizer(Hooked *h) {
  lastword::set_finalizer(h, [](Hooked *self) {
    if (self->on_drop)
      self->on_drop(self);
    if (self->on_release)
      self->on_release(self->fd);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: finalizer may block in 'std::lock_guard', reached through 'lambda' (the call runs a callable the code stores in 'on_release'): finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
    // CHECK-MESSAGES: :[[@LINE-14]]:33: note: 'std::lock_guard' may block here
    // CHECK-MESSAGES: :[[@LINE-7]]:30: note: registered as a finalizer here
  });
}
