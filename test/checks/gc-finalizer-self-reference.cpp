// RUN: %check_gc %s gc-finalizer-self-reference %t

#include <lastword/gc.hpp>
#include <system/gc-self-reference-macros.h>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

void release(int fd);
void log_line(const char *);

struct Res {
  int fd = -1;
  std::string name;
  Res *next = nullptr;
  void close();
};

// ---- Lambda captures of the object itself. ----

void by_copy() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { release(r->fd); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [](Res *self) { release(self->fd); });
}

void by_reference(int flags) {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [&r, flags](Res *res) { if (flags) r->close(); release(r->fd); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures local variable 'r' by reference: the finalizer runs after 'by_reference' has returned and reads a dangling reference [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:32: note: 'r' is captured by reference here
  // CHECK-FIXES: lastword::set_finalizer(r, [flags](Res *res) { if (flags) res->close(); release(res->fd); });
}

void first_of_two(int extra) {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r, extra](Res *dying) { release(r->fd + extra); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [extra](Res *dying) { release(dying->fd + extra); });
}

void default_copy() {
  Res *conn = lastword::make<Res>();
  lastword::set_finalizer(conn, [=](Res *gone) { log_line("closing"); conn->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'conn', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:71: note: 'conn' is captured here
  // CHECK-FIXES: lastword::set_finalizer(conn, [=](Res *gone) { log_line("closing"); gone->close(); });
}

void default_reference() {
  Res *conn = lastword::make<Res>();
  lastword::set_finalizer(conn, [&](Res *gone) { release(conn->fd); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures local variable 'conn' by reference: the finalizer runs after 'default_reference' has returned and reads a dangling reference
  // CHECK-MESSAGES: :[[@LINE-2]]:58: note: 'conn' is captured by reference here
  // CHECK-FIXES: lastword::set_finalizer(conn, [&](Res *gone) { release(gone->fd); });
}

// Not mechanical: no fix-it.
void unnamed_parameter() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *) { r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r](Res *) { r->close(); });
}

struct Base { int fd; };
struct Derived : Base { void close(); };
void parameter_of_another_type() {
  Derived *d = lastword::make<Derived>();
  lastword::set_finalizer(d, [d](Base *b) { d->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'd'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'd' is captured here
  // CHECK-FIXES: lastword::set_finalizer(d, [d](Base *b) { d->close(); });
}

void init_capture_of_the_pointer() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [keep = r](Res *self) { keep->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'keep', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'keep' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [keep = r](Res *self) { keep->close(); });
}

void lambda_in_a_variable() {
  Res *r = lastword::make<Res>();
  auto on_collect = [r](Res *) { release(r->fd); };
  lastword::set_finalizer(r, on_collect);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: 'r' is captured here
}

void through_std_function() {
  Res *r = lastword::make<Res>();
  std::function<void(Res *)> fn = [r](Res *) { r->close(); };
  lastword::set_finalizer(r, fn);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-3]]:36: note: 'r' is captured here
}

// ---- Explicit captures are stored whether or not the body uses them. ----

#define DEBUG_LOG(x) ((void)0)
void explicit_unused() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { self->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [](Res *self) { self->close(); });
  // No fix-it where the name is still written in the body.
  lastword::set_finalizer(r, [r](Res *self) { DEBUG_LOG(r); self->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r](Res *self) { DEBUG_LOG(r); self->close(); });
  lastword::set_finalizer(r, [r](Res *self) { release(sizeof(*r)); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r](Res *self) { release(sizeof(*r)); });
}
// Near misses: default captures depend on use; an unused by-reference
// capture stores a reference nobody reads.
void default_capture_unused(int mode) {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [=](Res *self) { release(mode); self->close(); });
  lastword::set_finalizer(r, [=](Res *self) { release(static_cast<int>(sizeof(r))); });
  lastword::set_finalizer(r, [&](Res *self) { self->close(); });
}

// ---- By-reference captures of locals dangle. ----

void ref_capture_of_counter(int n) {
  int freed = 0;
  for (int i = 0; i < n; ++i) {
    Res *r = lastword::make<Res>();
    int len = i * 2;
    lastword::set_finalizer(r, [&](Res *self) { freed += len; self->close(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures local variable 'freed' by reference: the finalizer runs after 'ref_capture_of_counter' has returned and reads a dangling reference
    // CHECK-MESSAGES: :[[@LINE-2]]:49: note: 'freed' is captured by reference here
  }
}
void ref_capture_explicit() {
  Res *r = lastword::make<Res>();
  int closed = 0;
  lastword::add_cleanup(r, [&closed](Res *q) { ++closed; q->close(); }, r);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup captures local variable 'closed' by reference: the cleanup runs after 'ref_capture_explicit' has returned and reads a dangling reference
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: 'closed' is captured by reference here
}
// Near misses: globals and statics are not captured; a reference parameter
// refers to the caller's object; a function that waits for its finalizers
// outlives them.
int g_freed;
void ref_capture_of_global(std::vector<Res *> &seen) {
  static int closed = 0;
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [&](Res *self) { ++g_freed; ++closed; seen.push_back(nullptr); self->close(); });
}
void ref_capture_then_wait() {
  int freed = 0;
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [&freed](Res *self) { ++freed; self->close(); });
  r = nullptr;
  lastword::collect();
  lastword::wait_for_finalizers(std::chrono::seconds(1));
}

// ---- `this`. ----

struct Socket {
  int fd = -1;
  Res *child = nullptr;
  void shut();
  void arm() {
    lastword::set_finalizer(this, [this](Socket *) { shut(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'this', which keeps the object alive: it will never be finalized
    // CHECK-MESSAGES: :[[@LINE-2]]:36: note: 'this' is captured here
  }
  void arm_default() {
    lastword::set_finalizer(this, [&](Socket *s) { release(fd); });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'this'
    // CHECK-MESSAGES: :[[@LINE-2]]:60: note: 'this' is captured here
  }
  // The child is reachable from this, and the finalizer holds this.
  void arm_child() {
    lastword::set_finalizer(child, [this](Res *c) { shut(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'this', which keeps the object alive
    // CHECK-MESSAGES: :[[@LINE-2]]:37: note: 'this' is captured here
    // CHECK-MESSAGES: :[[@LINE-3]]:29: note: 'this' reaches the object through 'this->child'
  }
  // An explicit capture of this is stored even when the body does not use it.
  void arm_unused() { lastword::set_finalizer(this, [this](Socket *s) { s->shut(); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: finalizer captures 'this', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:54: note: 'this' is captured here
  // Near misses: a copy of *this, the parameter, a default capture that does not use this.
  void arm_copy() { lastword::set_finalizer(this, [*this](Socket *) { release(fd); }); }
  void arm_param() { lastword::set_finalizer(this, [](Socket *s) { s->shut(); }); }
  void arm_default_unused() { lastword::set_finalizer(this, [=](Socket *s) { s->shut(); }); }
};

// ---- std::bind and function objects. ----

void close_res(Res *r);
void close_fd(int fd);
void bound() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, std::bind(&close_res, r));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer binds 'r', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:52: note: 'r' is bound here
  lastword::set_finalizer(r, std::bind(&Res::close, r));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer binds 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:53: note: 'r' is bound here
  lastword::set_finalizer(r, std::bind(&close_res, std::placeholders::_1));
  lastword::set_finalizer(r, std::bind(&close_fd, r->fd));
}

struct Closer {
  Res *target;
  void operator()(Res *) const;
};
void function_object() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, Closer{r});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object stores 'r', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:37: note: 'r' is stored in the finalizer object here
}
void function_object_field() {
  Res *r = lastword::make<Res>();
  Closer c{nullptr};
  c.target = r;
  lastword::set_finalizer(r, c);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object 'c' holds the object, which keeps it alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'c' holds the object through 'c.target', assigned here
}
void function_object_other() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, Closer{nullptr});
  Res *other = lastword::make<Res>();
  lastword::set_finalizer(r, Closer{other});
}

// ---- Holders: structs, smart pointers, containers, other objects. ----

struct Pair { Res *res; int tag; };
void captured_struct() {
  Res *r = lastword::make<Res>();
  Pair p{r, 7};
  lastword::set_finalizer(r, [p](Res *) { log_line(p.tag ? "a" : "b"); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'p', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'p' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'p' holds the object through 'p.res', initialised here
}

void captured_smart_pointer() {
  Res *r = lastword::make<Res>();
  auto box = std::make_shared<Pair>(Pair{r, 1});
  lastword::set_finalizer(r, [box](Res *) { (void)box->tag; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'box'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'box' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'box' holds the object, initialised here
}

void captured_tuple() {
  Res *r = lastword::make<Res>();
  auto t = std::make_tuple(1, r);
  lastword::set_finalizer(r, [t](Res *) { (void)std::get<0>(t); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 't'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 't' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 't' holds the object, initialised here
}

void captured_persistent_same() {
  Res *r = lastword::make<Res>();
  lastword::persistent<Res> root(r);
  lastword::set_finalizer(r, [root](Res *) { (void)root.get(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'root'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'root' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:29: note: 'root' points to the object, initialised here
}

struct Conn;
struct Pool {
  lastword::member<Conn> conn;
  std::vector<Conn *> idle;
  void adopt(Conn *c) { conn = c; }
  void trace(lastword::tracer &t) const { t.visit(conn); }
};
struct Conn {
  int fd;
  void close();
};

void pool_field() {
  Conn *conn = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->conn = conn;
  lastword::set_finalizer(conn, [pool](Conn *c) { c->close(); (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'pool' holds the object through 'pool->conn', assigned here
}

void pool_member_function() {
  Conn *conn = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->adopt(conn);
  lastword::set_finalizer(conn, [pool](Conn *c) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'pool' holds the object through 'pool->conn', stored by 'Pool::adopt' here
}

void pool_container() {
  Conn *conn = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->idle.push_back(conn);
  lastword::set_finalizer(conn, [pool](Conn *c) { (void)pool->idle.size(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'pool' holds the object through 'pool->idle', stored here
}

struct Session {
  explicit Session(Conn *c) : conn(c) {}
  lastword::member<Conn> conn;
};
void constructed_holder() {
  Conn *conn = lastword::make<Conn>();
  Session *session = lastword::make<Session>(conn);
  lastword::set_finalizer(conn, [session](Conn *) { (void)session; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'session'
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'session' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:12: note: 'session' holds the object through 'session->conn', initialised here
}

struct Registry { lastword::member<Pool> pool; };
void two_levels() {
  Conn *conn = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  Registry *registry = lastword::make<Registry>();
  registry->pool = pool;
  pool->conn = conn;
  lastword::set_finalizer(conn, [registry](Conn *) { (void)registry; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'registry'
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'registry' is captured here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'registry' holds 'pool' through 'registry->pool', assigned here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'pool' holds the object through 'pool->conn', assigned here
}

void alias() {
  Res *r = lastword::make<Res>();
  Res *same = r;
  lastword::set_finalizer(r, [same](Res *) { same->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'same'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'same' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'same' points to the object, initialised here
}

// ---- add_cleanup. ----

void cleanups() {
  Res *p = lastword::make<Res>();
  lastword::add_cleanup(p, [](Res *q) { q->close(); }, p);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument is the object itself: 'lastword::add_cleanup' throws std::invalid_argument at run time [gc-finalizer-self-reference]
  lastword::add_cleanup(p, [](int *fd) { release(*fd); }, &p->fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument '&p->fd' points into the object, which keeps it alive: the cleanup will never run
  lastword::add_cleanup(p, [](std::pair<Res *, int> a) { a.first->close(); }, std::make_pair(p, 1));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument 'std::make_pair(p, 1)' holds the object, which keeps it alive: the cleanup will never run
  Pair holder{p, 2};
  lastword::add_cleanup(p, [](Pair h) { release(h.tag); }, holder);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument 'holder' holds the object
  // CHECK-MESSAGES: :[[@LINE-3]]:8: note: 'holder' holds the object through 'holder.res', initialised here
  lastword::add_cleanup(p, [p](int fd) { release(fd); p->close(); }, p->fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup captures 'p', which keeps the object alive: the cleanup will never run
  // CHECK-MESSAGES: :[[@LINE-2]]:29: note: 'p' is captured here
  // Near misses: plain copies of fields.
  lastword::add_cleanup(p, [](int fd) { release(fd); }, p->fd);
  lastword::add_cleanup(p, [name = p->name](int fd) { log_line(name.c_str()); }, p->fd);
  lastword::add_cleanup(p, [](Res *n) { n->close(); }, p->next);
}

// ---- Near misses: all silent. ----

void near_misses(int mode) {
  Res *r = lastword::make<Res>();
  Res *other = lastword::make<Res>();
  lastword::set_finalizer(r, [other](Res *self) { other->close(); self->close(); });
  lastword::set_finalizer(r, [fd = r->fd](Res *) { release(fd); });
  lastword::set_finalizer(r, [name = r->name](Res *) { log_line(name.c_str()); });
  lastword::set_finalizer(r, [n = r->next](Res *) { if (n) n->close(); });
  lastword::set_finalizer(r, [](Res *self) { self->close(); });
  lastword::set_finalizer(r, [=](Res *self) { release(mode + static_cast<int>(sizeof(r))); });
  lastword::set_finalizer(r, nullptr);
  lastword::set_finalizer(r, [=](Res *self) { Res *r = self; r->close(); });
  lastword::set_finalizer(r, [&](Res *self) { auto r = self->fd; release(r); });
  lastword::persistent<Res> other_root(other);
  lastword::set_finalizer(r, [other_root](Res *self) { (void)other_root.get(); });
  lastword::set_finalizer(r, &close_res);
  lastword::set_finalizer(r, Closer{other});
  lastword::keep_alive(r);
}

// A holder filled in another function is not visible here.
struct Cache { lastword::member<Conn> conn; };
void fill(Cache *cache, Conn *conn) { cache->conn = conn; }
void registered_elsewhere(Cache *cache, Conn *conn) {
  lastword::set_finalizer(conn, [cache](Conn *) { (void)cache; });
}

// A pool holding a different connection.
void different_connection() {
  Conn *a = lastword::make<Conn>();
  Conn *b = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->conn = b;
  lastword::set_finalizer(a, [pool](Conn *c) { (void)pool; });
}

// Fix-its must compile and mean the same.
struct Counter { int get() const; };
void fixit_limits(std::vector<Res *> &list) {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](const Res *self) { r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r](const Res *self) { r->close(); });
  lastword::set_finalizer(r, [r, &list](Res *self) { for (Res *self : list) r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r, &list](Res *self) { for (Res *self : list) r->close(); });
  lastword::set_finalizer(r, [r](Res *const self) mutable { r->close(); r = nullptr; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [r](Res *const self) mutable { r->close(); r = nullptr; });
  lastword::set_finalizer(r, [r, &list](Res *self) { [&] { r->close(); list.clear(); }(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [&list](Res *self) { [&] { self->close(); list.clear(); }(); });
  lastword::set_finalizer(r, [r](Res *self) { [r] { r->close(); }(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(r, [](Res *self) { [self] { self->close(); }(); });
}

// ---- Order: stores are judged as of the registration. ----

// The object variable is reassigned: the holder and the alias hold the first object.
void reassigned_object() {
  Res *r = lastword::make<Res>();
  Res *first = r;
  std::vector<Res *> old;
  old.push_back(r);
  r = lastword::make<Res>();
  lastword::set_finalizer(r, [first, old](Res *self) { first->close(); (void)old.size(); });
}
// The holder is reassigned: it is a new pool.
void reassigned_holder() {
  Conn *c = lastword::make<Conn>();
  Pool *p = lastword::make<Pool>();
  p->conn = c;
  p = lastword::make<Pool>();
  lastword::set_finalizer(c, [p](Conn *self) { (void)p; });
}
// The previous iteration's object.
void chain_in_loop(int n) {
  Res *prev = nullptr;
  for (int i = 0; i < n; ++i) {
    Res *r = lastword::make<Res>();
    lastword::set_finalizer(r, [prev](Res *self) { if (prev) log_line("prev"); self->close(); });
    prev = r;
  }
}
// A value copied before the store.
void copied_before_store() {
  Res *r = lastword::make<Res>();
  Pair p{nullptr, 1};
  lastword::set_finalizer(r, [p](Res *) { (void)p.tag; });
  p.res = r;
}
// A store after the registration through a captured pointer still counts.
void stored_after_through_pointer() {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: 'pool' holds the object through 'pool->conn', assigned here
  pool->conn = c;
}
void registered_in_loop(Pool *pool, int n) {
  for (int i = 0; i < n; ++i) {
    Conn *c = lastword::make<Conn>();
    pool->idle.push_back(c);
    lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'pool'
    // CHECK-MESSAGES: :[[@LINE-2]]:33: note: 'pool' is captured here
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'pool' holds the object through 'pool->idle', stored here
  }
}

// A constructor that only reads fields of its argument does not hold it.
struct Stats {
  int fd;
  std::string name;
  explicit Stats(Res *r) : fd(r ? r->fd : -1), name(r->name) {}
  void dump() const;
};
struct Keeper {
  explicit Keeper(Res *r) { keep(r); }
  void keep(Res *r);
};
void constructor_reads_only() {
  Res *r = lastword::make<Res>();
  Stats *stats = lastword::make<Stats>(r);
  Stats local(r);
  auto shared = std::make_shared<Stats>(r);
  lastword::set_finalizer(r, [stats, local, shared](Res *self) { stats->dump(); local.dump(); shared->dump(); });
  Keeper keeper(r);
  lastword::set_finalizer(r, [keeper](Res *) { (void)keeper; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'keeper'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'keeper' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:10: note: 'keeper' holds the object, initialised here
}

// ---- Summaries across the functions of the TU. ----

// A factory whose returned callable or aggregate is built from its parameter.
auto make_closer(Res *res) {
  return [res](Res *) { release(res->fd); };
}
std::function<void(Res *)> make_logger(Res *res, const char *tag) {
  return [res, tag](Res *) { log_line(tag); (void)res; };
}
Pair make_pair_of(Res *res, int tag) { return Pair{res, tag}; }
void factory_lambda() {
  Res *r = lastword::make<Res>();
  auto closer = make_closer(r);
  lastword::set_finalizer(r, closer);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object 'closer' holds the object, which keeps it alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-3]]:8: note: 'closer' holds 'make_closer(r)', initialised here
  // CHECK-MESSAGES: :[[@LINE-4]]:17: note: 'make_closer(r)' holds the object, built by 'make_closer' here
  std::function<void(Res *)> logger = make_logger(r, "res");
  lastword::set_finalizer(r, logger);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object 'logger' holds the object
  // CHECK-MESSAGES: :[[@LINE-3]]:30: note: 'logger' holds 'make_logger(r, "res")', initialised here
  // CHECK-MESSAGES: :[[@LINE-4]]:39: note: 'make_logger(r, "res")' holds the object, built by 'make_logger' here
  lastword::add_cleanup(r, [](Pair p) { release(p.tag); }, make_pair_of(r, 3));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument 'make_pair_of(r, 3)' holds the object, which keeps it alive: the cleanup will never run
  // CHECK-MESSAGES: :[[@LINE-2]]:60: note: 'make_pair_of(r, 3)' holds the object, built by 'make_pair_of' here
}
// Near misses: factories that keep a copy of a field, or another parameter.
auto make_fd_closer(Res *res) {
  return [fd = res->fd](Res *) { release(fd); };
}
auto make_other_closer(Res *res, Res *other) {
  (void)res;
  return [other](Res *) { other->close(); };
}
void factory_near_misses() {
  Res *r = lastword::make<Res>();
  Res *other = lastword::make<Res>();
  auto by_fd = make_fd_closer(r);
  lastword::set_finalizer(r, by_fd);
  auto by_other = make_other_closer(r, other);
  lastword::set_finalizer(r, by_other);
  lastword::add_cleanup(r, [](Pair p) { release(p.tag); }, make_pair_of(other, 3));
}

// A constructor that hands `this` to its argument: the argument holds the new object.
struct Panel;
struct Widget {
  Widget(Panel *parent, int id);
  Panel *parent;
  int id;
};
struct Panel {
  std::vector<lastword::member<Widget>> children;
  void add_child(Widget *w) { children.push_back(w); }
  void child_gone(int id);
};
Widget::Widget(Panel *parent, int id) : parent(parent), id(id) { parent->add_child(this); }
void constructor_gives_this(Panel *panel) {
  Widget *w = lastword::make<Widget>(panel, 1);
  lastword::set_finalizer(w, [panel](Widget *dead) { panel->child_gone(dead->id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'panel', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'panel' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:11: note: 'panel' holds the object, stored by the constructor of 'Widget' here
}
// The argument the constructor gave `this` to, carried in a cleanup's argument.
struct Host;
struct Plugin {
  Plugin(Host *host, int handle);
  int handle;
};
struct Host {
  std::vector<lastword::member<Plugin>> loaded;
  void attach(Plugin *p) { loaded.push_back(p); }
};
Plugin::Plugin(Host *host, int handle) : handle(handle) { host->attach(this); }
struct UnloadContext {
  Host *host;
  int handle;
};
void unload(UnloadContext ctx);
void plugin_cleanup(Host *host) {
  Plugin *p = lastword::make<Plugin>(host, 3);
  lastword::add_cleanup(p, &unload, UnloadContext{host, 3});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument 'UnloadContext{host, 3}' holds the object, which keeps it alive: the cleanup will never run
  // CHECK-MESSAGES: :[[@LINE-3]]:11: note: 'host' holds the object, stored by the constructor of 'Plugin' here
}
// Near miss: a child that only points to its parent.
struct Label {
  explicit Label(Panel *parent) : parent(parent) {}
  Panel *parent;
};
void constructor_keeps_parent(Panel *panel) {
  Label *l = lastword::make<Label>(panel);
  lastword::set_finalizer(l, [panel](Label *) { (void)panel; });
}

// ---- Helpers that store one argument through another. ----

// A free function whose body stores one parameter in what another points to.
struct Ticket { Res *owner = nullptr; int id = 0; };
void attach(Res *r, Ticket *s) { s->owner = r; }
void attach_twice(Res *r, Ticket *s) { attach(r, s); }
void enlist(std::vector<Res *> &all, Res *r) { all.push_back(r); }
struct Roster { std::vector<Res *> all; };
void helper_stores_argument() {
  Res *r = lastword::make<Res>();
  Ticket *s = lastword::make<Ticket>();
  attach(r, s);
  lastword::set_finalizer(r, [s](Res *self) { release(s->id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 's', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 's' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 's' holds the object through 's->owner', stored by 'attach' here
}
void helper_of_helper() {
  Res *r = lastword::make<Res>();
  Ticket *s = lastword::make<Ticket>();
  attach_twice(r, s);
  lastword::set_finalizer(r, [s](Res *self) { release(s->id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 's', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 's' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 's' holds the object through 's->owner', stored by 'attach_twice' here
}
void helper_fills_container(Roster *roster) {
  Res *r = lastword::make<Res>();
  enlist(roster->all, r);
  lastword::add_cleanup(r, [](Roster *ro) { (void)ro; }, roster);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument 'roster' holds the object, which keeps it alive: the cleanup will never run
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'roster' holds the object through 'roster->all', stored by 'enlist' here
}
// A local struct passed by address, then captured by copy.
void helper_fills_local() {
  Res *r = lastword::make<Res>();
  Ticket local;
  attach(r, &local);
  lastword::set_finalizer(r, [local](Res *) { release(local.id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'local', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'local' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'local' holds the object through 'local.owner', stored by 'attach' here
}
// Registered first, stored after: the captured pointer shares the session.
void helper_stores_after() {
  Res *r = lastword::make<Res>();
  Ticket *s = lastword::make<Ticket>();
  lastword::set_finalizer(r, [s](Res *self) { release(s->id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 's', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 's' is captured here
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: 's' holds the object through 's->owner', stored by 'attach' here
  attach(r, s);
}
// A constructor, or a member function, that hands `this` to a helper or to its argument.
struct Hub { std::vector<struct Peer *> peers; };
void join_hub(Hub *hub, Peer *peer) { hub->peers.push_back(peer); }
struct Peer {
  int fd;
  explicit Peer(Hub *hub) {
    join_hub(hub, this);
    lastword::set_finalizer(this, [hub](Peer *self) { release(self->fd); (void)hub; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'hub', which keeps the object alive: it will never be finalized
    // CHECK-MESSAGES: :[[@LINE-2]]:36: note: 'hub' is captured here
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'hub' holds the object through 'hub->peers', stored by 'join_hub' here
  }
  Peer() = default;
  void join(Hub *hub) { join_hub(hub, this); }
};
void member_gives_this(Hub *hub) {
  Peer *p = lastword::make<Peer>();
  p->join(hub);
  lastword::set_finalizer(p, [hub](Peer *self) { release(self->fd); (void)hub; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'hub', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'hub' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'hub' holds the object through 'hub->peers', stored by 'Peer::join' here
}
// Near misses: helpers that read, store something else, or write their own copy.
void describe(Res *r, Ticket *s) { s->id = r->fd; }
void attach_other(Res *r, Res *other, Ticket *s) { (void)r; s->owner = other; }
void rebind(Res *r, Ticket *s) { s = nullptr; (void)r; }
void fill_copy(Res *r, Ticket s) { s.owner = r; }
void enlist_copy(std::vector<Res *> all, Res *r) { all.push_back(r); }
void peek(const Ticket *s, Res *r);
void helper_near_misses(Roster *roster) {
  Res *r = lastword::make<Res>();
  Res *other = lastword::make<Res>();
  Ticket *s = lastword::make<Ticket>();
  Ticket value;
  describe(r, s);
  attach_other(r, other, s);
  rebind(r, s);
  fill_copy(r, value);
  enlist_copy(roster->all, r);
  peek(s, r);
  lastword::set_finalizer(r, [s, value](Res *) { release(s->id + value.id); });
  lastword::add_cleanup(r, [](Roster *ro) { (void)ro; }, roster);
}
// Stored, then cleared before the registration: the session no longer holds it.
void helper_then_cleared() {
  Res *r = lastword::make<Res>();
  Ticket *s = lastword::make<Ticket>();
  attach(r, s);
  s->owner = nullptr;
  lastword::set_finalizer(r, [s](Res *) { release(s->id); });
}

// ---- Containers: elements of a container that holds the object. ----

void container_elements(std::vector<Pool *> &pools) {
  Conn *c = lastword::make<Conn>();
  std::vector<Pool *> local;
  local.push_back(lastword::make<Pool>());
  local.front()->idle.push_back(c);
  Pool *first = local.front();
  lastword::set_finalizer(c, [first](Conn *) { (void)first; });
  // Silent: which pool holds c is not tracked through the element.
  std::vector<Conn *> conns;
  conns.emplace_back(c);
  Conn *back = conns.back();
  lastword::set_finalizer(c, [back](Conn *) { (void)back; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'back', which keeps the object alive
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'back' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:9: note: 'back' is an element of 'conns', initialised here
  // CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'conns' holds the object, stored here
  conns.clear();
  Conn *none = conns.empty() ? nullptr : conns.at(0);
  lastword::set_finalizer(c, [none](Conn *) { (void)none; });
}

// A callable that travels through a field of a local before registration.
struct CloseOptions {
  int flags = 0;
  std::function<void(Res *)> on_close;
  std::function<void(Res *)> on_error;
};
void callable_in_field() {
  Res *r = lastword::make<Res>();
  CloseOptions opts;
  opts.on_close = [r](Res *) { r->close(); };
  lastword::set_finalizer(r, opts.on_close);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object 'opts.on_close' holds the object, which keeps it alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'opts' holds the object through 'opts.on_close', assigned here
  // Near misses: another field of the same options, a callable that uses its parameter.
  lastword::set_finalizer(r, opts.on_error);
  CloseOptions clean;
  clean.on_close = [](Res *self) { self->close(); };
  lastword::set_finalizer(r, clean.on_close);
}

// No standard-library internals in any message.
void library_internals() {
  Res *r = lastword::make<Res>();
  std::string_view bytes(reinterpret_cast<const char *>(r), sizeof(Res));
  lastword::set_finalizer(r, [bytes](Res *self) { log_line(bytes.data()); self->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'bytes', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'bytes' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:20: note: 'bytes' holds the object, initialised here
}

// A map filled through operator[], and a bound argument that reaches it.
struct Book {
  std::map<int, lastword::member<Conn>> orders;
  void on_gone(Conn *c);
};
void book_orders(int id) {
  Book *book = lastword::make<Book>();
  Conn *order = lastword::make<Conn>();
  book->orders[id] = order;
  lastword::set_finalizer(order, std::bind(&Book::on_gone, book, std::placeholders::_1));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer binds 'book', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:60: note: 'book' is bound here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'book' holds the object through 'book->orders[id]', assigned here
  // Near miss: erased from the map on every path before the registration.
  Conn *gone = lastword::make<Conn>();
  Book *other = lastword::make<Book>();
  other->orders[id] = gone;
  other->orders.clear();
  lastword::set_finalizer(gone, std::bind(&Book::on_gone, other, std::placeholders::_1));
}

// ---- Flow: a write counts when control can go from it to the registration. ----

// A store on a path that leaves the function first never reaches the registration.
void store_then_return(bool cached) {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  if (cached) {
    pool->conn = c;
    return;
  }
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
}
// The other branch of the same if.
void store_in_other_branch(bool cached) {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  if (cached)
    pool->conn = c;
  else
    lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
}
// A store on some path does count.
void store_on_some_path(bool cached) {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  if (cached)
    pool->conn = c;
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'pool' holds the object through 'pool->conn', assigned here
}
// Cleared on every path before the registration: the pool no longer holds it.
void cleared_before_registration() {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->conn = c;
  pool->conn = nullptr;
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
}
void cleared_on_both_branches(bool fast) {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->idle.push_back(c);
  if (fast)
    pool->idle.clear();
  else
    pool->idle = {};
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
}
// Cleared on one path only: the other path still holds it.
void cleared_on_one_branch(bool fast) {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->idle.push_back(c);
  if (fast)
    pool->idle.clear();
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'pool' holds the object through 'pool->idle', stored here
}
// Clearing another field, or one element, replaces nothing that holds it.
void cleared_elsewhere() {
  Conn *c = lastword::make<Conn>();
  Pool *pool = lastword::make<Pool>();
  pool->idle.push_back(c);
  pool->conn = nullptr;
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'pool' holds the object through 'pool->idle', stored here
}
// A variable reassigned on every path before the registration.
void alias_reassigned(bool again) {
  Res *r = lastword::make<Res>();
  Res *keep = r;
  if (again)
    keep = nullptr;
  else
    keep = lastword::make<Res>();
  lastword::set_finalizer(r, [keep](Res *self) { (void)keep; self->close(); });
}
// A store in a loop that runs before the registration.
void stored_in_loop(Pool *pool, int n) {
  Conn *c = lastword::make<Conn>();
  for (int i = 0; i < n; ++i)
    pool->idle.push_back(c);
  lastword::set_finalizer(c, [pool](Conn *) { (void)pool; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'pool'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'pool' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'pool' holds the object through 'pool->idle', stored here
}

// ---- References and structured bindings. ----

void reference_alias() {
  Res *r = lastword::make<Res>();
  auto &same = r;
  lastword::set_finalizer(r, [same](Res *) { same->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'same'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'same' is captured here
  Res *&slot = r;
  lastword::set_finalizer(slot, [r](Res *self) { r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:34: note: 'r' is captured here
  // CHECK-FIXES: lastword::set_finalizer(slot, [](Res *self) { self->close(); });
  int &fd = r->fd;
  lastword::set_finalizer(r, [fd](Res *) { release(fd); });
}
void bindings() {
  Res *r = lastword::make<Res>();
  Res *other = lastword::make<Res>();
  auto [held, tag] = std::make_pair(r, 1);
  lastword::set_finalizer(r, [held](Res *) { held->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'held'
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'held' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: '[held, tag]' holds the object, initialised here
  lastword::set_finalizer(r, [tag](Res *) { release(tag); });
  auto [theirs, n] = std::make_pair(other, 2);
  lastword::set_finalizer(r, [theirs](Res *) { theirs->close(); });
}

// ---- Macros. ----

#define TRACK(obj) lastword::set_finalizer(obj, [obj](Res *self) { obj->close(); })
#define REGISTER(obj, fn) lastword::set_finalizer(obj, fn)
void macros() {
  Res *r = lastword::make<Res>();
  TRACK(r);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:9: note: 'r' is captured here
  REGISTER(r, [r](Res *self) { r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:16: note: 'r' is captured here
  THIRDPARTY_TRACK(r);
  THIRDPARTY_REGISTER(r, [](Res *self) { self->close(); });
  THIRDPARTY_REGISTER(r, [r](Res *self) { r->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'r'
  // CHECK-MESSAGES: :[[@LINE-2]]:27: note: 'r' is captured here
}

// ---- Templates: judged once, as written. ----

template <class T> struct Tracked {
  int fd;
  void arm() { lastword::set_finalizer(this, [this](Tracked *) { release(fd); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: finalizer captures 'this'
  // CHECK-MESSAGES: :[[@LINE-2]]:47: note: 'this' is captured here
  void arm_ok() { lastword::set_finalizer(this, [](Tracked *t) { release(t->fd); }); }
};
template struct Tracked<int>;
template struct Tracked<long>;

template <class T> void track(T *obj) {
  lastword::set_finalizer(obj, [obj](T *p) { obj->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'obj'
  // CHECK-MESSAGES: :[[@LINE-2]]:33: note: 'obj' is captured here
  // CHECK-FIXES: lastword::set_finalizer(obj, [](T *p) { p->close(); });
}
template <class T, class F> void forward_finalizer(T *obj, F fn) { lastword::set_finalizer(obj, fn); }
void instantiate() {
  track(lastword::make<Res>());
  track(lastword::make<Conn>());
  Res *r = lastword::make<Res>();
  forward_finalizer(r, [](Res *self) { self->close(); });
}

// ---- Templates judged through their instantiations, reported once at the template. ----

template <class T> struct ReleaseWith {
  T *target;
  void operator()(T *) const { target->close(); }
};
template <class T> void decode_into(T *frame) {
  ReleaseWith<T> release{frame};
  lastword::set_finalizer(frame, release);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer object 'release' holds the object, which keeps it alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-3]]:18: note: 'release' holds the object, initialised here
}
template <class W, class... Args> W *create(Panel *parent, Args... args) {
  W *w = lastword::make<W>(parent, args...);
  lastword::set_finalizer(w, [parent](W *dead) { parent->child_gone(dead->id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'parent', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'parent' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:6: note: 'parent' holds the object, stored by the constructor of 'Button' here
  return w;
}
struct Button : Widget {
  using Widget::Widget;
};
// Near miss: the same template with a type that only points to its parent.
template <class W> W *create_plain(Panel *parent) {
  W *w = lastword::make<W>(parent);
  lastword::set_finalizer(w, [parent](W *) { (void)parent; });
  return w;
}
// A member template of a class template.
template <class Tag> struct Decoder {
  template <class T> static void decode(T *frame) {
    ReleaseWith<T> release{frame};
    lastword::set_finalizer(frame, release);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer object 'release' holds the object, which keeps it alive: it will never be finalized
    // CHECK-MESSAGES: :[[@LINE-3]]:20: note: 'release' holds the object, initialised here
  }
};
void instantiate_through_types(Panel *panel) {
  Decoder<int>::decode(lastword::make<Res>());
  Decoder<long>::decode(lastword::make<Conn>());
  decode_into(lastword::make<Res>());
  decode_into(lastword::make<Conn>());
  create<Button>(panel, 1);
  create<Button>(panel, 2);
  create_plain<Label>(panel);
}

// ---- NOLINT. ----

void suppressed() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *) { r->close(); }); // NOLINT(gc-finalizer-self-reference)
}

// A constructor makes its argument hold the new object (`ws->active =
// this`): a field of that holder carries the object only when its type can
// point to the object's class.
struct TabStats {
  int opened = 0;
};
struct BrowserTab;
struct BrowserWindow {
  std::shared_ptr<TabStats> stats = std::make_shared<TabStats>();
  std::string title;
  lastword::member<BrowserTab> active;
  std::vector<BrowserTab *> history;
  void trace(lastword::tracer &t) const { t.visit(active); }
};
struct BrowserTab {
  explicit BrowserTab(BrowserWindow *w) { w->active = this; }
  int fd = -1;
};
void open_tab_counting(BrowserWindow *w) {
  BrowserTab *t = lastword::make<BrowserTab>(w);
  lastword::set_finalizer(t, [stats = w->stats, title = w->title](BrowserTab *dying) {
    ++stats->opened;
    (void)title;
    (void)dying;
  });
}
void open_tab_with_history(BrowserWindow *w) {
  BrowserTab *t = lastword::make<BrowserTab>(w);
  lastword::set_finalizer(t, [history = w->history](BrowserTab *dying) { (void)history, (void)dying; });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'history', which keeps the object alive: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:31: note: 'history' is captured here
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: 'w' holds the object, stored by the constructor of 'BrowserTab' here
}

// A library object (not collected) that keeps its faces in persistent
// handles: the cleanup's capture of the library adds nothing to what the
// handles already root, and the face is collected once the cache lets go.
struct Face {
  int native = 0;
};
class FaceLibrary {
public:
  Face *load(const std::string &path) {
    Face *f = lastword::make<Face>();
    lastword::add_cleanup(f, [this](int native) { release(native); }, f->native);
    faces_.emplace(path, f);
    return f;
  }
  void purge() { faces_.clear(); }

private:
  void release(int) {}
  std::map<std::string, lastword::persistent<Face>> faces_;
};

// Helpers that register on their parameters are judged at each call, with
// the caller's arguments: what the captured argument holds is set up there.
struct Stream {
  int id = 0;
};
struct Ledger {
  lastword::member<Stream> current;
  long bytes = 0;
  void trace(lastword::tracer &t) const { t.visit(current); }
};
long retired_bytes;
void arm_reaper(Stream *s, Ledger *ledger) {
  lastword::set_finalizer(s, [ledger](Stream *dead) { retired_bytes += ledger->bytes + dead->id; });
}
static auto make_reaper(Ledger *ledger) {
  return [ledger](Stream *dead) { retired_bytes += ledger->bytes + dead->id; };
}
void arm_built_reaper(Stream *s, Ledger *ledger) {
  auto reaper = make_reaper(ledger);
  lastword::set_finalizer(s, std::move(reaper));
}
void open_streams() {
  Stream *s = lastword::make<Stream>();
  Ledger *ledger = lastword::make<Ledger>();
  ledger->current = s;
  arm_reaper(s, ledger);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'ledger', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'ledger' holds the object through 'ledger->current', assigned here
  // CHECK-MESSAGES: :[[@LINE-16]]:3: note: 'arm_reaper' registers the finalizer here
  Stream *t = lastword::make<Stream>();
  Ledger *other = lastword::make<Ledger>();
  other->current = t;
  arm_built_reaper(t, other);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'other', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'other' holds the object through 'other->current', assigned here
  // CHECK-MESSAGES: :[[@LINE-16]]:3: note: 'arm_built_reaper' registers the finalizer here
  // Near misses: a ledger of another stream, or one that no longer holds it.
  Stream *u = lastword::make<Stream>();
  Ledger *unrelated = lastword::make<Ledger>();
  unrelated->current = s;
  arm_reaper(u, unrelated);
  Stream *v = lastword::make<Stream>();
  Ledger *cleared = lastword::make<Ledger>();
  cleared->current = v;
  cleared->current = nullptr;
  arm_built_reaper(v, cleared);
}

// The same helper as a member of a class template: its calls in the
// instantiated code are judged, once, at the template.
template <class Tag> struct StreamTable {
  static auto make_reaper(Ledger *ledger) {
    return [ledger](Stream *dead) { retired_bytes += ledger->bytes + dead->id; };
  }
  void arm(Stream *s, Ledger *ledger) {
    auto reaper = make_reaper(ledger);
    lastword::set_finalizer(s, std::move(reaper));
  }
  Stream *open() {
    Stream *s = lastword::make<Stream>();
    Ledger *ledger = lastword::make<Ledger>();
    ledger->current = s;
    arm(s, ledger);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer captures 'ledger', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'ledger' holds the object through 'ledger->current', assigned here
    // CHECK-MESSAGES: :[[@LINE-9]]:5: note: 'StreamTable::arm' registers the finalizer here
    return s;
  }
};
struct Data {};
struct Headers {};
Stream *open_tables() {
  StreamTable<Headers>().open();
  return StreamTable<Data>().open();
}
