// RUN: %check_gc %s gc-finalizer-order %t

#include <lastword/gc.hpp>
#include <memory>
#include <vector>

using lastword::member;
using lastword::tracer;

void close_fd(int fd);
void flush_file(struct File *f);
void log_line(const char *);
void log_address(const void *);

struct File {
  int fd = -1;
  void flush();
};

File *open_file() {
  File *f = lastword::make<File>();
  lastword::set_finalizer(f, [](File *self) { close_fd(self->fd); });
  return f;
}

// ---- Through a member<T>: ordered today, broken by the first cycle. ----

struct Session {
  member<File> log;
  File *raw_log = nullptr;
  int id = 0;
  void trace(tracer &t) const { t.visit(log); }
  void shutdown() { log->flush(); }
};

void open_session(Session *s) {
  lastword::set_finalizer(s, [](Session *self) { self->log->flush(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: finalizer of 'Session' uses 'File' through 'self->log', which is finalizable too: this relies on 'Session' being finalized first, an order the collector keeps only while no cycle joins them [gc-finalizer-order]
  // CHECK-MESSAGES: :[[@LINE-10]]:16: note: 'Session::log' leads to 'File'
  // CHECK-MESSAGES: :[[@LINE-18]]:3: note: 'File' is finalizable: its finalizer is registered here
}

// ---- Through a raw pointer: the collector does not see the edge. ----

void open_raw_session(Session *s) {
  lastword::set_finalizer(s, [](Session *self) { close_fd(self->raw_log->fd); });
  // CHECK-MESSAGES: :[[@LINE-1]]:59: warning: finalizer of 'Session' uses 'File' through 'self->raw_log', a pointer the collector does not trace: 'File' can be finalized, and freed, before this finalizer runs [gc-finalizer-order]
  // CHECK-MESSAGES: :[[@LINE-18]]:9: note: 'Session::raw_log' leads to 'File', an edge the collector does not trace
  // CHECK-MESSAGES: :[[@LINE-27]]:3: note: 'File' is finalizable: its finalizer is registered here
}

// ---- Through a local, a helper method, a helper function. ----

struct Journal {
  member<File> file;
  void trace(tracer &t) const { t.visit(file); }
  void shutdown() {
    if (file)
      file->flush();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: finalizer of 'Journal' uses 'File' through 'file', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE+7]]:50: note: 'Journal::shutdown' is called here
    // CHECK-MESSAGES: :[[@LINE-7]]:16: note: 'Journal::file' leads to 'File'
    // CHECK-MESSAGES: :[[@LINE-41]]:3: note: 'File' is finalizable: its finalizer is registered here
  }
};

void use_helper_method(Journal *j) {
  lastword::set_finalizer(j, [](Journal *self) { self->shutdown(); });
}

struct Index {
  member<File> data;
  member<File> spare;
  void trace(tracer &t) const {
    t.visit(data);
    t.visit(spare);
  }
};

void flush_file(File *f) { f->flush(); }
void remember(File *) {}

void through_local_and_function(Index *x) {
  lastword::set_finalizer(x, [](Index *self) {
    File *f = self->data;
    close_fd(f->fd);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: finalizer of 'Index' uses 'File' through 'f', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE-16]]:16: note: 'Index::data' leads to 'File'
    // CHECK-MESSAGES: :[[@LINE-67]]:3: note: 'File' is finalizable: its finalizer is registered here
    flush_file(self->spare);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer of 'Index' uses 'File' through 'self->spare', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE-19]]:16: note: 'Index::spare' leads to 'File'
    // CHECK-MESSAGES: :[[@LINE-71]]:3: note: 'File' is finalizable: its finalizer is registered here
  });
}

// ---- Through an object that is not finalizable, and a container. ----

struct Volume {
  member<File> superblock;
  void trace(tracer &t) const { t.visit(superblock); }
};
struct Mount {
  member<Volume> volume;
  std::vector<member<File>> open_files;
  void trace(tracer &t) const {
    t.visit(volume);
    for (const auto &f : open_files)
      t.visit(f);
  }
};

void two_hops(Mount *m) {
  lastword::set_finalizer(m, [](Mount *self) {
    self->volume->superblock->flush();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer of 'Mount' uses 'File' through 'self->volume->superblock', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE-13]]:18: note: 'Mount::volume' leads to 'Volume'
    // CHECK-MESSAGES: :[[@LINE-18]]:16: note: 'Volume::superblock' leads to 'File'
    // CHECK-MESSAGES: :[[@LINE-97]]:3: note: 'File' is finalizable: its finalizer is registered here
    for (auto &f : self->open_files)
      close_fd(f->fd);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: finalizer of 'Mount' uses 'File' through 'f', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE-18]]:29: note: 'Mount::open_files' leads to 'File'
    // CHECK-MESSAGES: :[[@LINE-102]]:3: note: 'File' is finalizable: its finalizer is registered here
  });
}

// ---- A cleanup makes a type finalizable too; a named finalizer function. ----

struct Buffer {
  int handle = 0;
};
struct View {
  member<Buffer> buffer;
  void trace(tracer &t) const { t.visit(buffer); }
};
void release_handle(int);
Buffer *make_buffer() {
  Buffer *b = lastword::make<Buffer>();
  lastword::add_cleanup(b, release_handle, b->handle);
  return b;
}
void view_died(View *v) { release_handle(v->buffer->handle); }
// CHECK-MESSAGES: :[[@LINE-1]]:42: warning: finalizer of 'View' uses 'Buffer' through 'v->buffer', which is finalizable too
// CHECK-MESSAGES: :[[@LINE-11]]:18: note: 'View::buffer' leads to 'Buffer'
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'Buffer' is finalizable: its cleanup is registered here
void track_view(View *v) { lastword::set_finalizer(v, view_died); }

// ---- A base class whose derived class is finalizable; a constructor. ----

struct Device {
  virtual ~Device() = default;
  virtual void stop() = 0;
};
struct Disk : Device {
  Disk() {
    lastword::set_finalizer(this, [](Disk *self) { close_fd(self->fd); });
  }
  void stop() override;
  int fd = 0;
};
struct Controller {
  member<Device> device;
  Controller() {
    lastword::set_finalizer(this, [](Controller *self) { self->device->stop(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:58: warning: finalizer of 'Controller' uses 'Device' through 'self->device', which is finalizable too
    // CHECK-MESSAGES: :[[@LINE-4]]:18: note: 'Controller::device' leads to 'Device'
    // CHECK-MESSAGES: :[[@LINE-11]]:5: note: 'Disk' is finalizable: its finalizer is registered here
  }
  void trace(tracer &t) const { t.visit(device); }
};

// ---- Templates and macros. ----

template <class T> struct Owner {
  member<T> owned;
  void trace(tracer &t) const { t.visit(owned); }
};
template <class T> void track_owner(Owner<T> *o) {
  lastword::set_finalizer(o, [](Owner<T> *self) { self->owned->flush(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:51: warning: finalizer of 'Owner' uses 'File' through 'self->owned', which is finalizable too
  // CHECK-MESSAGES: :[[@LINE-6]]:13: note: 'Owner::owned' leads to 'File'
  // CHECK-MESSAGES: :[[@LINE-161]]:3: note: 'File' is finalizable: its finalizer is registered here
}
template void track_owner(Owner<File> *);

#define ON_DEATH(obj, body) lastword::set_finalizer(obj, [](auto *self) { body; })
struct Cache {
  member<File> backing;
  void trace(tracer &t) const { t.visit(backing); }
};
void cache_by_macro(Cache *c) {
  ON_DEATH(c, self->backing->flush());
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: finalizer of 'Cache' uses 'File' through 'self->backing', which is finalizable too
  // CHECK-MESSAGES: :[[@LINE-6]]:16: note: 'Cache::backing' leads to 'File'
  // CHECK-MESSAGES: :[[@LINE-174]]:3: note: 'File' is finalizable: its finalizer is registered here
}

// ---- Near misses: they must stay silent. ----

struct Native {
  int fd = 0;
  void close();
};
struct Plain {
  member<Native> native;             // Native has no finalizer
  std::shared_ptr<File> shared_file; // not a collected edge
  lastword::persistent<File> pinned; // keeps the file alive
  member<File> file;
  int fd = 0;
  void trace(tracer &t) const {
    t.visit(native);
    t.visit(file);
  }
};

void near_misses(Plain *p, File *outside) {
  lastword::set_finalizer(p, [outside](Plain *self) {
    close_fd(self->fd);          // its own fields
    self->native->close();       // an object with no finalizer
    if (self->file)              // a test
      log_line("had a file");
    if (self->file != nullptr && self->file == self->file.get())
      log_line("same");
    self->file = nullptr;        // dropping the edge
    lastword::keep_alive(self->file.get());
    log_address(self->file);     // printed, not used
    remember(self->file);        // a helper that does not use it
    outside->flush();            // captured, not reached through the object
    self->pinned->flush();       // persistent: not finalized while held
    self->shared_file->flush();  // reference counted, not collected
  });
}

void suppressed(Session *s) {
  lastword::set_finalizer(s, [](Session *self) {
    self->log->flush(); // NOLINT(gc-finalizer-order)
  });
}

// Unregistering is no finalizer.
void unregister(Session *s) { lastword::set_finalizer(s, nullptr); }

// ---- Getters: a member function that only returns a field of its object
// leads where the field leads. ----

void release_handle(int handle, int id);
const void *registry_find(int id);

struct Store {
  int handle_ = 0;
  int handle() const { return handle_; }
  void close();
};
Store *open_store() {
  Store *s = lastword::make<Store>();
  lastword::set_finalizer(s, [](Store *self) { self->close(); });
  return s;
}

class Query {
public:
  Store *owner() const { return owner_; }
  Store *lookup() const { return static_cast<Store *>(const_cast<void *>(registry_find(id_))); }
  int id() const { return id_; }

private:
  Store *owner_ = nullptr;
  int id_ = 0;
};

void track_query(Query *q) {
  lastword::set_finalizer(q, [](Query *self) {
    release_handle(self->owner()->handle(), self->id());
    // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: finalizer of 'Query' uses 'Store' through 'self->owner()', a pointer the collector does not trace: 'Store' can be finalized, and freed, before this finalizer runs [gc-finalizer-order]
    // CHECK-MESSAGES: :[[@LINE-8]]:10: note: 'Query::owner_' leads to 'Store', an edge the collector does not trace
    // CHECK-MESSAGES: :[[@LINE-20]]:3: note: 'Store' is finalizable: its finalizer is registered here
  });
}

// A class template's getter, through the instantiation the registration uses.
template <class T> struct Ref {
  T *target() const { return target_; }
  T *target_ = nullptr;
};
void track_ref(Ref<Store> *r) {
  lastword::set_finalizer(r, [](Ref<Store> *self) { self->target()->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: finalizer of 'Ref' uses 'Store' through 'self->target()', a pointer the collector does not trace
  // CHECK-MESSAGES: :[[@LINE-5]]:6: note: 'Ref::target_' leads to 'Store', an edge the collector does not trace
  // CHECK-MESSAGES: :[[@LINE-33]]:3: note: 'Store' is finalizable: its finalizer is registered here
}

// Near misses: a getter of a number, a function that computes its result
// rather than returning a field, and tests of the getter's pointer.
void track_query_quietly(Query *q) {
  lastword::set_finalizer(q, [](Query *self) {
    release_handle(0, self->id());
    self->lookup()->close();
    if (self->owner() != nullptr)
      log_address(self->owner());
    lastword::keep_alive(self->owner());
  });
}

// ---- Registration helpers: a function that registers the finalizer its
// callers hand it, on the object they hand it. ----

template <class T, class Fn> void on_collect(T *object, Fn finalizer) {
  lastword::set_finalizer(object, finalizer);
}
struct Tab {
  Store *store = nullptr;
  int slot = 0;
};
void track_tab(Tab *t) {
  on_collect(t, [](Tab *self) { self->store->close(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: finalizer of 'Tab' uses 'Store' through 'self->store', a pointer the collector does not trace
  // CHECK-MESSAGES: :[[@LINE-6]]:10: note: 'Tab::store' leads to 'Store', an edge the collector does not trace
  // CHECK-MESSAGES: :[[@LINE-62]]:3: note: 'Store' is finalizable: its finalizer is registered here
}
// Near miss: through the same helper, a finalizer that uses only its own fields.
void track_tab_quietly(Tab *t) {
  on_collect(t, [](Tab *self) { self->slot = 0; });
}
