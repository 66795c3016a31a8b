// RUN: %check_gc %s gc-missing-keep-alive %t
// Parameters are kept alive by the caller (TreatParametersAsKeptAlive),
// unless a caller in the translation unit passes an object whose last use
// is that call: then nothing holds the object while the callee uses its
// handle.

#include <lastword/gc.hpp>

extern "C" long sys_read(int fd, void *buffer, unsigned long size);
extern "C" long sys_write(int fd, const void *buffer, unsigned long size);
extern "C" int sys_close(int fd);
extern "C" void *sys_alloc(unsigned long size);
extern "C" void sys_free(void *p);

namespace io {

class Stream {
public:
  explicit Stream(int fd) : fd_(fd) {}
  // The finalizer closes through this getter: `fd_` is the handle.
  int native_handle() const { return fd_; }
  void touch() { ++uses_; }

  static Stream *open(const char *path) {
    Stream *s = lastword::make<Stream>(path[0]);
    lastword::set_finalizer(s, [](Stream *self) { sys_close(self->native_handle()); });
    return s;
  }

private:
  int fd_;
  int uses_ = 0;
};

class Buffer {
public:
  Buffer(char *bytes, unsigned long size) : bytes_(bytes), size_(size) {}
  const char *bytes() const { return bytes_; }
  unsigned long size() const { return size_; }

  // The cleanup's argument is what the constructor stored in `bytes_`.
  static Buffer *copy(unsigned long size) {
    char *mem = static_cast<char *>(sys_alloc(size));
    auto *b = lastword::make<Buffer>(mem, size);
    lastword::add_cleanup(b, [](char *p) { sys_free(p); }, mem);
    return b;
  }

private:
  char *bytes_;
  unsigned long size_;
};

Stream *g_console;

// ---- The caller drops the object: reported in the callee. ----

long drain(Stream *in) {
  const int fd = in->native_handle();
  char chunk[64];
  long total = 0;
  for (;;) {
    long n = sys_read(fd, chunk, sizeof chunk);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: handle 'fd_' of 'in' is passed to 'sys_read' after the last use of 'in': the finalizer of 'Stream' may run during the call and release 'fd_' [gc-missing-keep-alive]
    // CHECK-MESSAGES: :[[@LINE-6]]:18: note: 'in' is last used here
    // CHECK-MESSAGES: :[[@LINE+14]]:10: note: 's' is passed as 'in' here and not used after the call: the caller does not keep it alive
    // CHECK-FIXES: long n = sys_read(fd, chunk, sizeof chunk);
    // CHECK-FIXES-NEXT: lastword::keep_alive(in);
    if (n <= 0)
      break;
    total += n;
  }
  return total;
}

long read_all(const char *path) {
  Stream *s = Stream::open(path);
  if (!s)
    return 0;
  return drain(s);
}

// A template callee is judged through its instantiations and reported once,
// at the template; an offset into the buffer is still the buffer.
template <class Body> long send(int sock, const Body *body) {
  const char *bytes = body->bytes();
  unsigned long left = body->size();
  long sent = 0;
  while (left > 0) {
    long n = sys_write(sock, bytes + sent, left);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: handle 'bytes_' of 'body' is passed to 'sys_write' after the last use of 'body': the cleanup of 'Buffer' may run during the call and release 'bytes_' [gc-missing-keep-alive]
    // CHECK-MESSAGES: :[[@LINE-5]]:24: note: 'body' is last used here
    // CHECK-MESSAGES: :[[@LINE+13]]:10: note: 'b' is passed as 'body' here and not used after the call: the caller does not keep it alive
    // CHECK-FIXES: long n = sys_write(sock, bytes + sent, left);
    // CHECK-FIXES-NEXT: lastword::keep_alive(body);
    if (n <= 0)
      return n;
    sent += n;
    left -= static_cast<unsigned long>(n);
  }
  return sent;
}

long greet(int sock) {
  Buffer *b = Buffer::copy(16);
  return send(sock, b);
}

long greet_twice(int sock) {
  Buffer *b = Buffer::copy(16);
  return send(sock, b);
}

// A fresh object handed straight to the call.
long header(Stream *in) {
  char magic[4];
  return sys_read(in->native_handle(), magic, sizeof magic);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd_' of 'in' is passed to 'sys_read' after the last use of 'in'
  // CHECK-MESSAGES: :[[@LINE-2]]:19: note: 'in' is last used here
  // CHECK-MESSAGES: :[[@LINE+3]]:39: note: 'Stream::open(path)' is passed as 'in' here and not used after the call: the caller does not keep it alive
}

long probe(const char *path) { return header(Stream::open(path)); }

// Through a caller's own parameter, dropped by its caller in turn.
long pump(Stream *src, char *out) {
  return sys_read(src->native_handle(), out, 8);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd_' of 'src' is passed to 'sys_read' after the last use of 'src'
  // CHECK-MESSAGES: :[[@LINE-2]]:19: note: 'src' is last used here
  // CHECK-MESSAGES: :[[@LINE+3]]:45: note: 'src' is passed as 'src' here and not used after the call: the caller does not keep it alive
}

long relay(Stream *src, char *out) { return pump(src, out); }

long start(const char *path, char *out) {
  Stream *s = Stream::open(path);
  return relay(s, out);
}

// One caller keeps the object, another does not: reported, with the one
// that drops it.
long peek(Stream *in, char *out) {
  return sys_read(in->native_handle(), out, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd_' of 'in' is passed to 'sys_read' after the last use of 'in'
  // CHECK-MESSAGES: :[[@LINE-2]]:19: note: 'in' is last used here
  // CHECK-MESSAGES: :[[@LINE+12]]:7: note: 's' is passed as 'in' here and not used after the call: the caller does not keep it alive
}

long peek_and_keep(const char *path, char *out) {
  Stream *s = Stream::open(path);
  long n = peek(s, out);
  s->touch();
  return n;
}

long peek_on_error(const char *path, char *out) {
  Stream *s = Stream::open(path);
  if (peek(s, out) < 0)
    return -1;
  s->touch();
  return 0;
}

// ---- Near misses: every caller keeps the object alive. ----

long fill(Stream *in, char *out) { return sys_read(in->native_handle(), out, 4); }

// Used after the call.
long fill_then_touch(const char *path, char *out) {
  Stream *s = Stream::open(path);
  long n = fill(s, out);
  s->touch();
  return n;
}

// A keep-alive after the call.
long fill_kept(const char *path, char *out) {
  Stream *s = Stream::open(path);
  long n = fill(s, out);
  lastword::keep_alive(s);
  return n;
}

// A global, and a persistent handle.
long fill_console(char *out) { return fill(g_console, out); }

long fill_persistent(const char *path, char *out) {
  lastword::persistent<Stream> keep(Stream::open(path));
  return fill(keep.get(), out);
}

// Used after the loop that calls it: every call has a later use.
long fill_each(const char *path, char *out, int rounds) {
  Stream *s = Stream::open(path);
  long total = 0;
  for (int i = 0; i < rounds; ++i)
    total += fill(s, out);
  s->touch();
  return total;
}

// A parameter passed on by a caller whose own callers keep it.
long forward(Stream *in, char *out) { return fill(in, out); }

long forward_kept(const char *path, char *out) {
  Stream *s = Stream::open(path);
  long n = forward(s, out);
  s->touch();
  return n;
}

// No caller in the translation unit: the parameter is the caller's.
long exported(Stream *in, char *out) { return sys_read(in->native_handle(), out, 2); }

// A template whose every instantiation's caller keeps the object.
template <class Body> long post(int sock, const Body *body) {
  return sys_write(sock, body->bytes(), body->size());
}

long post_kept(int sock) {
  Buffer *b = Buffer::copy(8);
  long n = post(sock, b);
  lastword::keep_alive(b);
  return n;
}

// The callee hands the object to a new collected object that keeps it
// (its constructor stores it), which is in use while the handle is.
struct Tap {
  explicit Tap(Stream *source) : source_(source) {}
  Stream *source_;
};

Tap *attach(Stream *in) {
  Tap *t = lastword::make<Tap>(in);
  sys_write(in->native_handle(), "", 0);
  lastword::keep_alive(t);
  return t;
}

void attach_dropped(const char *path) { attach(Stream::open(path)); }

// The caller's object is held elsewhere: a lookup, a field.
struct Session {
  Stream *current;
  long poll(char *out) { return fill(current, out); }
};

} // namespace io
