// RUN: %check_gc %s gc-missing-keep-alive %t

#include <lastword/gc.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" long native_read(int fd, void *buffer, unsigned long size);
extern "C" long native_write(int fd, const void *buffer, unsigned long size);
extern "C" int native_close(int fd);
extern "C" void consume(const char *data, unsigned long size);
void log_line(const char *);

struct File {
  int fd = -1;
  int id = 0;
  long reads = 0;
  int descriptor() const { return fd; }
};

File *open_file(const char *path) {
  File *file = lastword::make<File>();
  lastword::set_finalizer(file, [](File *self) { native_close(self->fd); });
  return file;
}

int fd_of(File *f) { return f->fd; }

// ---- The handle used in a call after the object's last use. ----

int read_first_byte(const char *path) {
  File *file = open_file(path);
  unsigned char byte = 0;
  long n = native_read(file->fd, &byte, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'file' is passed to 'native_read' after the last use of 'file': the finalizer of 'File' may run during the call and release 'fd' [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'file' is last used here
  // CHECK-FIXES: long n = native_read(file->fd, &byte, 1);
  // CHECK-FIXES-NEXT: lastword::keep_alive(file);
  return n == 1 ? byte : -1;
}

long through_local(const char *path, char *buffer) {
  File *f = open_file(path);
  int fd = f->fd;
  log_line("reading");
  long n = native_read(fd, buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'native_read' after the last use of 'f'
  // CHECK-MESSAGES: :[[@LINE-4]]:12: note: 'f' is last used here
  // CHECK-FIXES: long n = native_read(fd, buffer, 16);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
  return n;
}

void through_helper(const char *path, char *buffer) {
  File *f = open_file(path);
  native_read(fd_of(f), buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'f' is passed to 'native_read' after the last use of 'f'
  // CHECK-MESSAGES: :[[@LINE-2]]:21: note: 'f' is last used here
  // CHECK-FIXES: native_read(fd_of(f), buffer, 16);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
}

void through_getter(const char *path, const char *text) {
  File *f = open_file(path);
  int fd = f->descriptor();
  native_write(fd, text, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'f' is passed to 'native_write' after the last use of 'f'
  // CHECK-MESSAGES: :[[@LINE-3]]:12: note: 'f' is last used here
  // CHECK-FIXES: native_write(fd, text, 4);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
}

// ---- Flow: early returns, branches, loops, switch, exceptions. ----

long early_return(const char *path, char *buffer, bool quick) {
  File *f = open_file(path);
  if (quick) {
    long n = native_read(f->fd, buffer, 1);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:26: note: 'f' is last used here
    // CHECK-FIXES: long n = native_read(f->fd, buffer, 1);
    // CHECK-FIXES-NEXT: lastword::keep_alive(f);
    return n;
  }
  long n = native_read(f->fd, buffer, 16);
  lastword::keep_alive(f);
  return n;
}

void one_branch_keeps(const char *path, char *buffer, bool verbose) {
  File *f = open_file(path);
  native_read(f->fd, buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'f' is passed to 'native_read'
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: 'f' is last used here
  // CHECK-FIXES: native_read(f->fd, buffer, 16);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
  if (verbose)
    lastword::keep_alive(f);
  else
    log_line("done");
}

void read_in_loop(const char *path, char *buffer, int blocks) {
  File *f = open_file(path);
  for (int i = 0; i < blocks; ++i) {
    native_read(f->fd, buffer + 16 * i, 16);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:17: note: 'f' is last used here
    // CHECK-FIXES: native_read(f->fd, buffer + 16 * i, 16);
    // CHECK-FIXES-NEXT: lastword::keep_alive(f);
  }
}

void one_case_forgets(const char *path, char *buffer, int mode) {
  File *f = open_file(path);
  switch (mode) {
  case 0:
    native_read(f->fd, buffer, 1);
    lastword::keep_alive(f);
    break;
  case 1:
    native_read(f->fd, buffer, 2);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:17: note: 'f' is last used here
    // CHECK-FIXES: native_read(f->fd, buffer, 2);
    // CHECK-FIXES-NEXT: lastword::keep_alive(f);
    break;
  default:
    break;
  }
}

void keep_alive_only_in_handler(const char *path, char *buffer) {
  File *f = open_file(path);
  try {
    native_read(f->fd, buffer, 16);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:17: note: 'f' is last used here
    // CHECK-FIXES: native_read(f->fd, buffer, 16);
    // CHECK-FIXES-NEXT: lastword::keep_alive(f);
    log_line("read");
  } catch (...) {
    lastword::keep_alive(f);
    throw;
  }
}

// A condition or a return: no mechanical place for the keep-alive.
bool in_condition(const char *path, char *buffer) {
  File *f = open_file(path);
  if (native_read(f->fd, buffer, 16) < 0)
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:19: note: 'f' is last used here
    return false;
  return true;
}

long returned_call(const char *path, char *buffer) {
  File *f = open_file(path);
  return native_read(f->fd, buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd' of 'f' is passed to 'native_read'
  // CHECK-MESSAGES: :[[@LINE-2]]:22: note: 'f' is last used here
}

// ---- Other handles: storage, native objects, cleanup arguments. ----

struct Buffer {
  std::vector<char> bytes;
  unsigned long size = 0;
};

Buffer *make_buffer(unsigned long size) {
  Buffer *b = lastword::make<Buffer>();
  b->bytes.resize(size);
  b->size = size;
  lastword::set_finalizer(b, [](Buffer *self) {
    self->bytes.clear();
    self->bytes.shrink_to_fit();
  });
  return b;
}

void send_buffer() {
  Buffer *b = make_buffer(64);
  unsigned long size = b->size;
  consume(b->bytes.data(), size);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'b' is passed to 'consume' after the last use of 'b': the finalizer of 'Buffer' may run during the call and release 'bytes'
  // CHECK-MESSAGES: :[[@LINE-2]]:11: note: 'b' is last used here
  // CHECK-FIXES: consume(b->bytes.data(), size);
  // CHECK-FIXES-NEXT: lastword::keep_alive(b);
}

struct Native {
  void flush();
  int pending() const;
};

struct Stream {
  Native *native = nullptr;
  void shutdown();
};

void Stream::shutdown() { delete native; }

void flush_stream() {
  Stream *s = lastword::make<Stream>();
  s->native = new Native;
  lastword::set_finalizer(s, [](Stream *self) { self->shutdown(); });
  s->native->flush();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'native' of 's' is passed to 'Native::flush' after the last use of 's': the finalizer of 'Stream' may run during the call and release 'native'
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: 's' is last used here
  // CHECK-FIXES: s->native->flush();
  // CHECK-FIXES-NEXT: lastword::keep_alive(s);
}

struct Socket {
  int handle = -1;
};

void close_socket(int handle) { native_close(handle); }

void send_hello() {
  Socket *sock = lastword::make<Socket>();
  sock->handle = 7;
  lastword::add_cleanup(sock, close_socket, sock->handle);
  native_write(sock->handle, "hello", 5);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'handle' of 'sock' is passed to 'native_write' after the last use of 'sock': the cleanup of 'Socket' may run during the call and release 'handle'
  // CHECK-MESSAGES: :[[@LINE-2]]:16: note: 'sock' is last used here
  // CHECK-FIXES: native_write(sock->handle, "hello", 5);
  // CHECK-FIXES-NEXT: lastword::keep_alive(sock);
}

// A member function of another class: its own locals are judged like any
// function's (only parameters are the caller's to keep alive).
struct Blob {
  char *data = nullptr;
  unsigned long size = 0;
};
void free_bytes(char *p) { std::free(p); }
struct Sink {
  char out[64];
  void copy_new() {
    Blob *b = lastword::make<Blob>();
    b->data = static_cast<char *>(std::malloc(16));
    b->size = 16;
    lastword::add_cleanup(b, free_bytes, b->data);
    char *p = b->data;
    unsigned long n = b->size;
    std::memcpy(out, p, n);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'data' of 'b' is passed to 'memcpy' after the last use of 'b': the cleanup of 'Blob' may run during the call and release 'data'
    // CHECK-MESSAGES: :[[@LINE-3]]:23: note: 'b' is last used here
    // CHECK-FIXES: {{^}}    std::memcpy(out, p, n);{{$}}
    // CHECK-FIXES-NEXT: {{^}}    lastword::keep_alive(b);{{$}}
  }
  // Near misses: a parameter, and the same copy kept alive.
  void copy_from(Blob *b) {
    char *p = b->data;
    unsigned long n = b->size;
    std::memcpy(out, p, n);
  }
  void copy_kept() {
    Blob *b = lastword::make<Blob>();
    b->data = static_cast<char *>(std::malloc(16));
    lastword::add_cleanup(b, free_bytes, b->data);
    char *p = b->data;
    std::memcpy(out, p, 16);
    lastword::keep_alive(b);
  }
};

struct Mapping {
  char *base = nullptr;
  unsigned long length = 0;
};

void unmap(Mapping *m) { std::free(m->base); }

void first_char() {
  Mapping *m = lastword::make<Mapping>();
  m->base = static_cast<char *>(std::malloc(16));
  lastword::set_finalizer(m, unmap);
  char *p = m->base;
  log_line("mapped");
  char c = *p;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'base' of 'm' is used after the last use of 'm': the finalizer 'unmap' of 'Mapping' may run first and release 'base'
  // CHECK-MESSAGES: :[[@LINE-4]]:13: note: 'm' is last used here
  // CHECK-FIXES: char c = *p;
  // CHECK-FIXES-NEXT: lastword::keep_alive(m);
  (void)c;
}

struct Decoder {
  std::unique_ptr<char[]> scratch;
};

void decode() {
  Decoder *d = lastword::make<Decoder>();
  d->scratch.reset(new char[64]);
  lastword::set_finalizer(d, [](Decoder *self) { self->scratch.reset(); });
  consume(d->scratch.get(), 64);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'scratch' of 'd' is passed to 'consume' after the last use of 'd': the finalizer of 'Decoder' may run during the call and release 'scratch'
  // CHECK-MESSAGES: :[[@LINE-2]]:11: note: 'd' is last used here
  // CHECK-FIXES: consume(d->scratch.get(), 64);
  // CHECK-FIXES-NEXT: lastword::keep_alive(d);
}

// A local object that wraps the descriptor uses it whenever it is used.
class FdReader {
public:
  explicit FdReader(int fd) : fd_(fd) {}
  long next(char *buffer) { return native_read(fd_, buffer, 1); }

private:
  int fd_;
};

long read_through_wrapper(const char *path, char *buffer) {
  File *f = open_file(path);
  FdReader reader(f->fd);
  long n = reader.next(buffer);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'FdReader::next' after the last use of 'f'
  // CHECK-MESSAGES: :[[@LINE-3]]:19: note: 'f' is last used here
  // CHECK-FIXES: long n = reader.next(buffer);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
  return n;
}

// ---- In a constructor, a lambda, a template, behind a macro. ----

struct Header {
  long size = 0;
  explicit Header(const char *path) {
    File *f = open_file(path);
    char bytes[8];
    size = native_read(f->fd, bytes, 8);
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'native_read'
    // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'f' is last used here
    // CHECK-FIXES: size = native_read(f->fd, bytes, 8);
    // CHECK-FIXES-NEXT: lastword::keep_alive(f);
  }
};

auto reader = [](const char *path, char *buffer) {
  File *f = open_file(path);
  native_read(f->fd, buffer, 4);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'f' is passed to 'native_read'
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: 'f' is last used here
  // CHECK-FIXES: native_read(f->fd, buffer, 4);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
};

template <class T> struct Pooled {
  T *items = nullptr;
  static Pooled *create(unsigned long n) {
    Pooled *p = lastword::make<Pooled>();
    p->items = static_cast<T *>(std::malloc(n * sizeof(T)));
    lastword::set_finalizer(p, [](Pooled *self) { std::free(self->items); });
    return p;
  }
};

template <class T> void fill(unsigned long n) {
  Pooled<T> *pool = Pooled<T>::create(n);
  consume(reinterpret_cast<const char *>(pool->items), n * sizeof(T));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'items' of 'pool' is passed to 'consume' after the last use of 'pool': the finalizer of 'Pooled' may run during the call and release 'items'
  // CHECK-MESSAGES: :[[@LINE-2]]:42: note: 'pool' is last used here
  // CHECK-FIXES: consume(reinterpret_cast<const char *>(pool->items), n * sizeof(T));
  // CHECK-FIXES-NEXT: lastword::keep_alive(pool);
}
template void fill<int>(unsigned long);
template void fill<double>(unsigned long);

// A member template of a class template: judged through the instantiations
// of each specialization, reported once, at the template.
template <class T> struct Filler {
  template <class U> static void fill_as(unsigned long n) {
    Pooled<U> *pool = Pooled<U>::create(n);
    consume(reinterpret_cast<const char *>(pool->items), n * sizeof(T));
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'items' of 'pool' is passed to 'consume' after the last use of 'pool': the finalizer of 'Pooled' may run during the call and release 'items'
    // CHECK-MESSAGES: :[[@LINE-2]]:44: note: 'pool' is last used here
    // CHECK-FIXES: consume(reinterpret_cast<const char *>(pool->items), n * sizeof(T));
    // CHECK-FIXES-NEXT: lastword::keep_alive(pool);
  }
};
void fill_all(unsigned long n) {
  Filler<int>::fill_as<char>(n);
  Filler<int>::fill_as<long>(n);
  Filler<double>::fill_as<char>(n);
}

#define READ_ONE(file, buffer) native_read((file)->fd, (buffer), 1)

void through_macro(const char *path, char *buffer) {
  File *f = open_file(path);
  READ_ONE(f, buffer);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'f' is passed to 'native_read'
  // CHECK-MESSAGES: :[[@LINE-2]]:12: note: 'f' is last used here
  // CHECK-FIXES: READ_ONE(f, buffer);
  // CHECK-FIXES-NEXT: lastword::keep_alive(f);
}

// ---- Near misses: silent. ----

long kept_alive(const char *path, char *buffer) {
  File *f = open_file(path);
  long n = native_read(f->fd, buffer, 16);
  lastword::keep_alive(f);
  return n;
}

void used_after(const char *path, char *buffer) {
  File *f = open_file(path);
  long n = native_read(f->fd, buffer, 16);
  f->reads += n;
}

void alias_used_after(const char *path, char *buffer) {
  File *f = open_file(path);
  File *same = f;
  native_read(f->fd, buffer, 16);
  same->reads++;
}

void kept_in_every_branch(const char *path, char *buffer, bool verbose) {
  File *f = open_file(path);
  native_read(f->fd, buffer, 16);
  if (verbose) {
    log_line("read");
    lastword::keep_alive(f);
  } else {
    f->reads++;
  }
}

void loop_condition_uses_it(const char *path, char *buffer) {
  File *f = open_file(path);
  while (f->reads < 4) {
    native_read(f->fd, buffer, 16);
    f->reads++;
  }
}

void fresh_each_iteration(const char **paths, int n, char *buffer) {
  for (int i = 0; i < n; ++i) {
    File *f = open_file(paths[i]);
    native_read(f->fd, buffer, 16);
    lastword::keep_alive(f);
  }
}

// The caller keeps the object alive (TreatParametersAsKeptAlive).
long parameter(File *f, char *buffer) { return native_read(f->fd, buffer, 16); }

struct Session {
  File *file;
  long pull(char *buffer) { return native_read(file->fd, buffer, 16); }
};

File *g_log;
void global_object(char *buffer) { native_read(g_log->fd, buffer, 16); }

void persistent_handle(const char *path, char *buffer) {
  lastword::persistent<File> keep(open_file(path));
  native_read(keep->fd, buffer, 16);
}

void stored_first(Session *session, const char *path, char *buffer) {
  File *f = open_file(path);
  session->file = f;
  native_read(f->fd, buffer, 16);
}

struct Registry {
  File *lookup(const char *path);
};

void held_by_registry(Registry *registry, char *buffer) {
  File *f = registry->lookup("log");
  native_read(f->fd, buffer, 16);
}

// No finalizer on this type, and a field no finalizer releases.
struct Plain {
  int fd = -1;
};

void no_finalizer(char *buffer) {
  Plain *p = lastword::make<Plain>();
  native_read(p->fd, buffer, 16);
}

void unreleased_field(const char *path) {
  File *f = open_file(path);
  log_line(std::to_string(f->id).c_str());
}

void own_copy(unsigned long n) {
  Buffer *b = make_buffer(n);
  std::vector<char> copy = b->bytes;
  consume(copy.data(), copy.size());
}

void object_passed_too(const char *path, char *buffer) {
  File *f = open_file(path);
  extern long read_file(File *, int, char *);
  read_file(f, f->fd, buffer);
}

void stack_object(char *buffer) {
  File local;
  native_read(local.fd, buffer, 16);
}

void captured(const char *path, char *buffer) {
  File *f = open_file(path);
  auto later = [f, buffer] { return native_read(f->fd, buffer, 16); };
  later();
}

// The descriptor's number logged, not used.
void logged(const char *path) {
  File *f = open_file(path);
  std::printf("opened fd %d\n", f->fd);
  log_line(std::to_string(f->fd).c_str());
}

// Handed out by a function that keeps it (no body here, a lookup's name).
File *find_open_file(const char *path);
File *get_current_file();
void looked_up(const char *path, char *buffer) {
  File *f = find_open_file(path);
  native_read(f->fd, buffer, 16);
  File *g = get_current_file();
  native_read(g->fd, buffer, 16);
}

// A copy of the bytes is the function's own.
void copied_out(unsigned long n) {
  Buffer *b = make_buffer(n);
  std::string text(b->bytes.data(), n);
  consume(text.data(), text.size());
}

void NOLINT_honoured(const char *path, char *buffer) {
  File *f = open_file(path);
  native_read(f->fd, buffer, 16); // NOLINT(gc-missing-keep-alive)
}

// ---- The handle returned to the caller by a function that drops the object. ----

int open_descriptor(const char *path) {
  File *file = open_file(path);
  return file->fd;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd' of 'file' is returned after the last use of 'file': the finalizer of 'File' may run while the caller still uses 'fd' and release it [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: 'file' is last used here
}

int open_descriptor_copied(const char *path) {
  File *file = open_file(path);
  int fd = file->fd;
  file->reads = 0;
  return fd;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd' of 'file' is returned after the last use of 'file'
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'file' is last used here
}

#define RETURN_FD(f) return (f)->fd
int open_descriptor_macro(const char *path) {
  File *file = open_file(path);
  RETURN_FD(file);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'fd' of 'file' is returned after the last use of 'file'
  // CHECK-MESSAGES: :[[@LINE-2]]:13: note: 'file' is last used here
}

// Near misses: the caller holds the object, the object is kept elsewhere,
// or what is returned is no handle.
int descriptor_of(File *f) { return f->fd; }
std::vector<File *> open_files;
int open_registered(const char *path) {
  File *file = open_file(path);
  open_files.push_back(file);
  return file->fd;
}
bool opened(const char *path) {
  File *file = open_file(path);
  return file->fd >= 0;
}
File *open_object(const char *path) {
  File *file = open_file(path);
  return file;
}
template <class T> int descriptor_template(T *t) { return t->fd; }
int use_template(File *f) { return descriptor_template(f); }
