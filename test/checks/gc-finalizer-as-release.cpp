// RUN: %check_gc %s gc-finalizer-as-release %t

#include <lastword/gc.hpp>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

int open_socket(const char *host);
int sys_close(int fd);
void send_bytes(int fd, const char *data);
void log_line(const char *);

// A connection wrapper: the finalizer is the safety net, close() the release.
struct Conn {
  int fd = -1;
  std::string host;
  void ping() { send_bytes(fd, "ping"); }
  void send(const char *data) { send_bytes(fd, data); }
  void close() {
    sys_close(fd);
    fd = -1;
  }
};

Conn *connect_to(const char *host) {
  Conn *c = lastword::make<Conn>();
  c->fd = open_socket(host);
  c->host = host;
  lastword::set_finalizer(c, [](Conn *self) { sys_close(self->fd); });
  return c;
}

// A factory of the factory.
Conn *connect_default() { return connect_to("localhost"); }

// ---- Positives. ----

void ping_once() {
  Conn *c = connect_to("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close': the resource of this 'Conn' is released only when the collector gets to it [gc-finalizer-as-release]
  c->ping();
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'ping_once' without 'Conn::close'
// CHECK-FIXES: {{^}}  c->ping();{{$}}
// CHECK-FIXES: {{^}}  c->close();{{$}}

// keep_alive is not a release: it keeps the object up to the read, then
// the descriptor waits for a collection like any other.
int read_byte(int fd);
int first_byte_kept_alive() {
  Conn *c = connect_to("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close': the resource of this 'Conn' is released only when the collector gets to it
  int byte = read_byte(c->fd);
  lastword::keep_alive(c);
  return byte;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'c' is dropped here without 'Conn::close'
  // CHECK-FIXES: {{^}}  c->close();{{$}}
  // CHECK-FIXES: {{^}}  return byte;{{$}}
}
// Near miss: released after the read.
int first_byte_closed() {
  Conn *c = connect_to("db");
  int byte = read_byte(c->fd);
  c->close();
  return byte;
}

int early_return(bool ready) {
  Conn *c = connect_default();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  if (!ready)
    return -1;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'c' is dropped here without 'Conn::close'
  c->ping();
  c->close();
  return 0;
}

int early_return_in_block(int tries) {
  Conn *conn = connect_to("cache");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'conn' may be dropped without calling 'Conn::close'
  if (tries > 3) {
    log_line("giving up");
    return 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'conn' is dropped here without 'Conn::close'
    // CHECK-FIXES: {{^}}    conn->close();{{$}}
    // CHECK-FIXES: {{^}}    return 1;{{$}}
  }
  conn->send("get");
  conn->close();
  return 0;
}

void throws_before_close(const char *payload) {
  Conn *c = connect_to("api");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  if (!payload)
    throw std::invalid_argument("payload");
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: the exception thrown here drops 'c' without 'Conn::close'
  c->send(payload);
  c->close();
}

void in_a_loop(int n) {
  for (int i = 0; i < n; ++i) {
    Conn *c = connect_to("worker");
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'c' may be dropped without calling 'Conn::close'
    if (i % 2)
      continue;
    c->ping();
    c->close();
  }
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'in_a_loop' without 'Conn::close'

// A helper that only uses the object does not take it over.
void report(Conn *c) { c->send("status"); }
void through_a_helper() {
  Conn *c = connect_to("metrics");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  report(c);
  if (c->fd < 0)
    log_line("closed");
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'through_a_helper' without 'Conn::close'
// CHECK-FIXES: {{^}}    log_line("closed");{{$}}
// CHECK-FIXES: {{^}}  c->close();{{$}}

// The object made and registered in the same function.
struct Pipe {
  int fds[2] = {-1, -1};
  int read_end() const { return fds[0]; }
  void dispose() { sys_close(fds[0]); sys_close(fds[1]); }
};
int read_once() {
  Pipe *p = lastword::make<Pipe>();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'p' may be dropped without calling 'Pipe::dispose'
  lastword::set_finalizer(p, [](Pipe *self) { self->dispose(); });
  int fd = p->read_end();
  return fd;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'p' is dropped here without 'Pipe::dispose'
  // CHECK-FIXES: {{^}}  p->dispose();{{$}}
  // CHECK-FIXES: {{^}}  return fd;{{$}}
}

// The constructor registers: every make<> is a fresh finalizable object.
struct File {
  int fd;
  explicit File(int f) : fd(f) {
    lastword::set_finalizer(this, [](File *self) { sys_close(self->fd); });
  }
  // Not named like a release: recognised because it closes the same handle.
  void finish() { sys_close(fd); fd = -1; }
  int handle() const { return fd; }
};
void write_log(int fd) {
  File *f = lastword::make<File>(fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'f' may be dropped without calling 'File::finish'
  send_bytes(f->handle(), "log");
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'f' is dropped at the end of 'write_log' without 'File::finish'
// CHECK-FIXES: {{^}}  send_bytes(f->handle(), "log");{{$}}
// CHECK-FIXES: {{^}}  f->finish();{{$}}

// A cleanup releases the field handed to it.
struct Socket {
  int fd = -1;
  void shutdown_now() { sys_close(fd); }
};
Socket *open_managed(const char *host) {
  Socket *s = lastword::make<Socket>();
  s->fd = open_socket(host);
  lastword::add_cleanup(s, [](int fd) { sys_close(fd); }, s->fd);
  return s;
}
void use_socket() {
  Socket *s = open_managed("x");
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 's' may be dropped without calling 'Socket::shutdown_now'
  send_bytes(s->fd, "hello");
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 's' is dropped at the end of 'use_socket' without 'Socket::shutdown_now'
// CHECK-FIXES: {{^}}  send_bytes(s->fd, "hello");{{$}}
// CHECK-FIXES: {{^}}  s->shutdown_now();{{$}}

// Templates: a factory template, and a function template judged in its
// instantiations.
template <class T> T *managed(int fd) {
  T *object = lastword::make<T>();
  object->fd = fd;
  lastword::set_finalizer(object, [](T *self) { sys_close(self->fd); });
  return object;
}
void template_factory() {
  Conn *c = managed<Conn>(3);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  c->ping();
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'template_factory' without 'Conn::close'
// CHECK-FIXES: {{^}}  c->close();{{$}}

template <class Endpoint> int probe(const char *host) {
  Endpoint *e = connect_to(host);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'e' may be dropped without calling 'Conn::close'
  if (e->fd < 0)
    return -1;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'e' is dropped here without 'Conn::close'
  e->ping();
  e->close();
  return 0;
}
int probe_all() { return probe<Conn>("a") + probe<Conn>("b"); }

// A member template of a class template, judged in the instantiations of
// each specialization and reported once, at the template.
template <class Tag> struct Prober {
  template <class Endpoint> static int probe_twice(const char *host) {
    Endpoint *e = connect_to(host);
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'e' may be dropped without calling 'Conn::close'
    if (e->fd < 0)
      return -1;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: note: 'e' is dropped here without 'Conn::close'
    e->ping();
    e->ping();
    e->close();
    return 0;
  }
};
int probe_tagged() {
  return Prober<int>::probe_twice<Conn>("a") + Prober<long>::probe_twice<Conn>("b");
}

// Inside a lambda.
void on_request(std::function<void()> handler);
void serve() {
  on_request([] {
    Conn *c = connect_to("backend");
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'c' may be dropped without calling 'Conn::close'
    c->ping();
  });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'c' is dropped at the end of 'lambda' without 'Conn::close'
  // CHECK-FIXES: {{^}}    c->close();{{$}}
}

// A macro that opens.
#define OPEN_DB() connect_to("db")
void macro_open() {
  Conn *c = OPEN_DB();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  c->send("q");
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'macro_open' without 'Conn::close'
// CHECK-FIXES: {{^}}  c->close();{{$}}

// ---- Near misses: every path releases or hands the object on. ----

void closes() {
  Conn *c = connect_to("db");
  c->ping();
  c->close();
}

void closes_on_every_path(bool ready) {
  Conn *c = connect_to("db");
  if (!ready) {
    c->close();
    return;
  }
  c->ping();
  c->close();
}

void null_check_first() {
  Conn *c = connect_to("db");
  if (!c)
    return;
  if (c == nullptr)
    return;
  c->ping();
  c->close();
}

void closes_by_hand() {
  Conn *c = connect_to("db");
  c->ping();
  sys_close(c->fd);
}

Conn *returned() {
  Conn *c = connect_to("db");
  c->ping();
  return c;
}

struct Pool {
  Conn *idle = nullptr;
  std::vector<Conn *> all;
  void adopt(Conn *c) { all.push_back(c); }
};
Conn *g_last;
std::map<std::string, Conn *> g_by_host;

void stored_in_field(Pool *pool) {
  Conn *c = connect_to("db");
  pool->idle = c;
}
void stored_in_global() {
  Conn *c = connect_to("db");
  g_last = c;
}
void stored_in_container(Pool &pool) {
  Conn *c = connect_to("db");
  pool.all.push_back(c);
  g_by_host["db"] = connect_to("db2");
}
void handed_to_a_keeper(Pool &pool) {
  Conn *c = connect_to("db");
  pool.adopt(c);
}
void keep_somewhere(Conn *c);
void passed_to_unknown() {
  Conn *c = connect_to("db");
  keep_somewhere(c);
}

void finish(Conn *c) { c->send("bye"); c->close(); }
void closed_by_helper() {
  Conn *c = connect_to("db");
  c->ping();
  finish(c);
}

struct ConnGuard {
  Conn *c;
  explicit ConnGuard(Conn *conn) : c(conn) {}
  ~ConnGuard() { c->close(); }
};
int raii_guard(bool fail) {
  Conn *c = connect_to("db");
  ConnGuard guard(c);
  if (fail)
    return -1;
  c->ping();
  return 0;
}

template <class F> struct ScopeExit {
  F f;
  ~ScopeExit() { f(); }
};
template <class F> ScopeExit<F> on_exit(F f) { return {f}; }
int scope_guard(bool fail) {
  Conn *c = connect_to("db");
  auto done = on_exit([c] { c->close(); });
  if (fail)
    return -1;
  c->ping();
  return 0;
}

struct ConnCloser {
  void operator()(Conn *c) const { c->close(); }
};
void unique_ptr_guard() {
  Conn *c = connect_to("db");
  std::unique_ptr<Conn, ConnCloser> owner(c);
  owner->ping();
}

std::vector<std::function<void()>> g_callbacks;
void captured_by_stored_lambda() {
  Conn *c = connect_to("db");
  g_callbacks.push_back([c] { c->ping(); });
}

void through_an_alias() {
  Conn *c = connect_to("db");
  Conn *same = c;
  same->ping();
  same->close();
}

[[noreturn]] void fatal(const char *);
void aborts(bool bad) {
  Conn *c = connect_to("db");
  if (bad)
    fatal("no db");
  c->close();
}

void caught_and_closed(const char *payload) {
  Conn *c = connect_to("api");
  try {
    if (!payload)
      throw std::invalid_argument("payload");
    c->send(payload);
  } catch (...) {
    c->close();
    throw;
  }
  c->close();
}

// Types without an explicit release: nothing to call, nothing reported.
struct Buffer {
  char *data = nullptr;
  int size() const { return 0; }
};
void release_buffer(char *);
void no_release_method() {
  Buffer *b = lastword::make<Buffer>();
  lastword::set_finalizer(b, [](Buffer *self) { release_buffer(self->data); });
  (void)b->size();
}

// A finalizable type whose object here is not fresh: a parameter.
void borrowed(Conn *c) { c->ping(); }

// Not finalizable: no registration anywhere for this type.
struct Plain {
  int fd;
  void close();
};
void plain_object() {
  Plain *p = lastword::make<Plain>();
  p->fd = 3;
}

// make<Conn> without a registration here: the object has no finalizer.
void unregistered_make() {
  Conn *c = lastword::make<Conn>();
  c->fd = 4;
}

void nolint_honoured() {
  Conn *c = connect_to("db"); // NOLINT(gc-finalizer-as-release)
  c->ping();
}

// ---- Exceptions from calls: the ones the translation unit shows throwing. ----

void check_quota(int used) {
  if (used > 100)
    throw std::runtime_error("quota");
}
void check_all(int used) { check_quota(used); }
// Throws std::invalid_argument when the manifest does not match.
void validate_manifest(const char *manifest);
// Never throws: failures are logged.
void audit(const char *what);
void undocumented(const char *what);
void checked_nothrow(int used) noexcept {
  if (used > 100)
    throw std::runtime_error("quota"); // std::terminate, not a path out
}
void checks_inside(int used) {
  try {
    check_quota(used);
  } catch (const std::exception &) {
    log_line("over quota");
  }
}

void throwing_helper(int used) {
  Conn *c = connect_to("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close': the resource of this 'Conn' is released only when the collector gets to it [gc-finalizer-as-release]
  check_all(used);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'check_all' may throw here, and the exception drops 'c' without 'Conn::close'
  c->close();
}
void documented_thrower(const char *manifest) {
  Conn *c = connect_to("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close'
  c->ping();
  validate_manifest(manifest);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'validate_manifest' may throw here, and the exception drops 'c' without 'Conn::close'
  c->close();
}

// Near misses: the call cannot throw, is caught, or comes after the release.
void no_throwing_calls(int used, const char *manifest) {
  Conn *c = connect_to("db");
  audit(manifest);
  undocumented(manifest);
  checked_nothrow(used);
  checks_inside(used);
  c->close();
}
void caught_here(int used) {
  Conn *c = connect_to("db");
  try {
    check_all(used);
  } catch (...) {
    log_line("retry later");
  }
  c->close();
}
void released_first(const char *manifest) {
  Conn *c = connect_to("db");
  c->ping();
  c->close();
  validate_manifest(manifest);
}

// The finalizer registered by name is not an explicit release unless the
// code also calls it: calling it by hand would close the descriptor twice.
struct Segment {
  int fd = -1;
};
static void close_segment(Segment *s) {
  if (s->fd >= 0)
    sys_close(s->fd);
}
Segment *open_segment(const char *path) {
  Segment *s = lastword::make<Segment>();
  s->fd = open_socket(path);
  lastword::set_finalizer(s, &close_segment);
  return s;
}
void write_segment(const char *path) {
  Segment *s = open_segment(path);
  send_bytes(s->fd, "line");
}

struct Journal {
  int fd = -1;
};
static void close_journal(Journal *j) {
  sys_close(j->fd);
  j->fd = -1;
}
Journal *open_journal(const char *path) {
  Journal *j = lastword::make<Journal>();
  j->fd = open_socket(path);
  lastword::set_finalizer(j, &close_journal);
  return j;
}
void append_and_close(const char *path) {
  Journal *j = open_journal(path);
  send_bytes(j->fd, "entry");
  close_journal(j);
}
void append_only(const char *path) {
  Journal *j = open_journal(path);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'j' may be dropped without calling 'close_journal'
  send_bytes(j->fd, "entry");
  // CHECK-FIXES: send_bytes(j->fd, "entry");
  // CHECK-FIXES-NEXT: close_journal(j);
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'j' is dropped at the end of 'append_only' without 'close_journal'

// A helper the finalizer calls, and nothing else does, is part of the
// finalizer: it is no release the code could call instead.
struct Spool {
  int fd = -1;
  bool recycled = false;
};
static void free_spool(Spool *s) { sys_close(s->fd); }
static void retire_spool(Spool *s) { free_spool(s); }
static void on_spool_dropped(Spool *s) {
  if (!s->recycled)
    retire_spool(s);
}
Spool *open_spool(const char *path) {
  Spool *s = lastword::make<Spool>();
  s->fd = open_socket(path);
  lastword::set_finalizer(s, &on_spool_dropped);
  return s;
}
void write_spool(const char *path) {
  Spool *s = open_spool(path);
  send_bytes(s->fd, "page");
}

// A factory that also keeps what it makes hands out a held object: the
// caller's copy is not the only one, and dropping it releases nothing.
struct Bank {
  Conn *conns[8] = {};
  int count = 0;
  std::vector<Conn *> extra;
  Conn *open(const char *host) {
    Conn *c = connect_to(host);
    if (c)
      conns[count++] = c;
    return c;
  }
  Conn *open_extra(const char *host) {
    Conn *c = connect_to(host);
    extra.push_back(c);
    return c;
  }
  std::map<std::string, std::pair<lastword::persistent<Conn>, int>> cached;
  Conn *open_cached(const char *host) {
    Conn *c = connect_to(host);
    cached.emplace(host, std::make_pair(lastword::persistent<Conn>(c), c->fd));
    return c;
  }
};
void fill_bank(Bank *bank, const char *host) {
  if (Conn *c = bank->open(host))
    c->ping();
  Conn *d = bank->open_extra(host);
  d->ping();
  Conn *e = bank->open_cached(host);
  e->ping();
}

// A method that gives the descriptor up (to a pool) leaves the finalizer
// nothing to release: calling it settles the object as close() does.
std::vector<int> idle_descriptors;
struct Pooled {
  int fd = -1;
  void close() {
    sys_close(fd);
    fd = -1;
  }
  void release_to_pool() {
    idle_descriptors.push_back(fd);
    fd = -1;
  }
};
Pooled *checkout(const char *host) {
  Pooled *p = lastword::make<Pooled>();
  p->fd = open_socket(host);
  lastword::set_finalizer(p, [](Pooled *self) {
    if (self->fd >= 0)
      sys_close(self->fd);
  });
  return p;
}
bool fetch(const char *host) {
  Pooled *p = checkout(host);
  bool ok = p->fd >= 0;
  if (ok)
    p->release_to_pool();
  else
    p->close();
  return ok;
}

// An init-capture runs where the lambda is made: a persistent built from the
// object hands it to the lambda; a copy of its descriptor does not.
void post_task(std::function<void()> task);
void replicate(const char *host) {
  Conn *c = connect_to(host);
  post_task([conn = lastword::persistent<Conn>(c)] { conn->close(); });
}
void replicate_fd(const char *host) {
  Conn *c = connect_to(host);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'c' may be dropped without calling 'Conn::close': the resource of this 'Conn' is released only when the collector gets to it [gc-finalizer-as-release]
  post_task([fd = c->fd] { send_bytes(fd, "x"); });
  // CHECK-FIXES: post_task([fd = c->fd] { send_bytes(fd, "x"); });
  // CHECK-FIXES-NEXT: c->close();
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'replicate_fd' without 'Conn::close'
