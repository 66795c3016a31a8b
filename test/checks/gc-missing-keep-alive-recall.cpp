// RUN: %check_gc %s gc-missing-keep-alive %t
// Shapes of the bug as services write it, and the near misses next to them.

#include <lastword/gc.hpp>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

extern "C" long sys_send(int sock, const void *data, unsigned long size);
extern "C" long sys_recv(int sock, void *data, unsigned long size);
extern "C" int sys_close(int sock);

namespace net {

class Connection {
public:
  explicit Connection(int sock) : sock_(sock) {}
  int socket() const { return sock_; }
  void shutdown() {
    if (sock_ >= 0)
      sys_close(sock_);
    sock_ = -1;
  }

private:
  int sock_;
};

Connection *connect_to(const std::string &host) {
  Connection *c = lastword::make<Connection>(static_cast<int>(host.size()));
  lastword::set_finalizer(c, [](Connection *self) { self->shutdown(); });
  return c;
}

struct Sink {
  virtual ~Sink() = default;
  virtual long write(int sock, const std::string &data) = 0;
};

class Service {
public:
  // A member function with a local connection: `this` is not the object.
  void announce(const std::string &host, const std::string &text) {
    Connection *c = connect_to(host);
    sys_send(c->socket(), text.data(), text.size());
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'sock_' of 'c' is passed to 'sys_send' after the last use of 'c': the finalizer of 'Connection' may run during the call and release 'sock_' [gc-missing-keep-alive]
    // CHECK-MESSAGES: :[[@LINE-2]]:14: note: 'c' is last used here
    // CHECK-FIXES: sys_send(c->socket(), text.data(), text.size());
    // CHECK-FIXES-NEXT: lastword::keep_alive(c);
  }

  // Through a virtual call on another object.
  long forward(const std::string &host, const std::string &text) {
    Connection *c = connect_to(host);
    long n = sink_->write(c->socket(), text);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: handle 'sock_' of 'c' is passed to 'net::Sink::write'
    // CHECK-MESSAGES: :[[@LINE-2]]:27: note: 'c' is last used here
    // CHECK-FIXES: long n = sink_->write(c->socket(), text);
    // CHECK-FIXES-NEXT: lastword::keep_alive(c);
    return n;
  }

  // A destructor's own locals are judged like any function's.
  ~Service() {
    Connection *c = connect_to("bye");
    sys_send(c->socket(), "bye", 3);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: handle 'sock_' of 'c' is passed to 'sys_send'
    // CHECK-MESSAGES: :[[@LINE-2]]:14: note: 'c' is last used here
    // CHECK-FIXES: sys_send(c->socket(), "bye", 3);
    // CHECK-FIXES-NEXT: lastword::keep_alive(c);
  }

  // The connection is the service's: held through `this`.
  void ping() { sys_send(current_->socket(), "ping", 4); }

  // Kept in a container of the service.
  void open_more(const std::string &host) {
    Connection *c = connect_to(host);
    pool_.push_back(c);
    sys_send(c->socket(), "hi", 2);
  }

private:
  Sink *sink_ = nullptr;
  Connection *current_ = nullptr;
  std::vector<Connection *> pool_;
};

// A loop on the descriptor: the condition is the use, no fix-it.
std::string drain(const std::string &host) {
  Connection *c = connect_to(host);
  int sock = c->socket();
  std::string all;
  char block[256];
  long n;
  while ((n = sys_recv(sock, block, sizeof block)) > 0)
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: handle 'sock_' of 'c' is passed to 'sys_recv'
    // CHECK-MESSAGES: :[[@LINE-6]]:14: note: 'c' is last used here
    all.append(block, static_cast<unsigned long>(n));
  return all;
}

// The variable is given another connection before the descriptor is used.
void switch_over(const std::string &a, const std::string &b) {
  Connection *c = connect_to(a);
  int first = c->socket();
  c = connect_to(b);
  sys_send(first, "x", 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'sock_' of 'c' is passed to 'sys_send'
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: 'c' is last used here
  // CHECK-FIXES: sys_send(first, "x", 1);
  // CHECK-FIXES-NEXT: lastword::keep_alive(c);
  sys_send(c->socket(), "y", 1);
  lastword::keep_alive(c);
}

// ---- Near misses. ----

Connection *returned(const std::string &host) {
  Connection *c = connect_to(host);
  sys_send(c->socket(), "hello", 5);
  return c;
}

void shutdown_after(const std::string &host) {
  Connection *c = connect_to(host);
  sys_send(c->socket(), "bye", 3);
  c->shutdown();
}

void closed_through_helper(Connection *);
void helper_after(const std::string &host) {
  Connection *c = connect_to(host);
  sys_send(c->socket(), "bye", 3);
  closed_through_helper(c);
}

void captured_by_reference(const std::string &host) {
  Connection *c = connect_to(host);
  auto send = [&] { return sys_send(c->socket(), "x", 1); };
  send();
}

} // namespace net

// ---- The handle carried out of the object by a view: an aggregate or a
// span that a helper builds from the object's fields. ----

namespace media {

struct Blob {
  unsigned char *bytes = nullptr;
  unsigned long size = 0;
};

Blob *load_blob(unsigned long n) {
  Blob *b = lastword::make<Blob>();
  b->bytes = static_cast<unsigned char *>(std::malloc(n));
  b->size = n;
  lastword::set_finalizer(b, [](Blob *self) { std::free(self->bytes); });
  return b;
}

struct ByteView {
  const unsigned char *data;
  unsigned long size;
};

ByteView view_of(const Blob *b) { return {b->bytes, b->size}; }

ByteView view_built(const Blob *b) {
  ByteView v;
  v.data = b->bytes;
  v.size = b->size;
  return v;
}

std::span<const unsigned char> span_of(const Blob *b) { return {b->bytes, b->size}; }

std::string_view text_of(const Blob *b) {
  return std::string_view(reinterpret_cast<const char *>(b->bytes), b->size);
}

extern "C" void upload(const void *data, unsigned long size);
void upload_text(std::string_view text);

void upload_view(unsigned long n) {
  Blob *blob = load_blob(n);
  ByteView v = view_of(blob);
  upload(v.data, v.size);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload' after the last use of 'blob': the finalizer of 'Blob' may run during the call and release 'bytes' [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-3]]:24: note: 'blob' is last used here
  // CHECK-FIXES: upload(v.data, v.size);
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

void upload_built(unsigned long n) {
  Blob *blob = load_blob(n);
  const ByteView v = view_built(blob);
  upload(v.data, v.size);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload'
  // CHECK-MESSAGES: :[[@LINE-3]]:33: note: 'blob' is last used here
  // CHECK-FIXES: upload(v.data, v.size);
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

void upload_inline(unsigned long n) {
  Blob *blob = load_blob(n);
  ByteView v{blob->bytes, blob->size};
  upload(v.data, v.size);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload'
  // CHECK-MESSAGES: :[[@LINE-3]]:27: note: 'blob' is last used here
  // CHECK-FIXES: upload(v.data, v.size);
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

void upload_span(unsigned long n) {
  Blob *blob = load_blob(n);
  auto bytes = span_of(blob);
  upload(bytes.data(), bytes.size());
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload'
  // CHECK-MESSAGES: :[[@LINE-3]]:24: note: 'blob' is last used here
  // CHECK-FIXES: upload(bytes.data(), bytes.size());
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

void upload_span_direct(unsigned long n) {
  Blob *blob = load_blob(n);
  std::span<const unsigned char> bytes(blob->bytes, blob->size);
  upload(bytes.data(), bytes.size());
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload'
  // CHECK-MESSAGES: :[[@LINE-3]]:53: note: 'blob' is last used here
  // CHECK-FIXES: upload(bytes.data(), bytes.size());
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

void upload_string_view(unsigned long n) {
  Blob *blob = load_blob(n);
  std::string_view text = text_of(blob);
  upload_text(text);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'bytes' of 'blob' is passed to 'media::upload_text'
  // CHECK-MESSAGES: :[[@LINE-3]]:35: note: 'blob' is last used here
  // CHECK-FIXES: upload_text(text);
  // CHECK-FIXES-NEXT: lastword::keep_alive(blob);
}

// Near misses: kept alive, used after, only the size travels, or the view
// was copied into storage of the caller's own.

void upload_view_kept(unsigned long n) {
  Blob *blob = load_blob(n);
  ByteView v = view_of(blob);
  upload(v.data, v.size);
  lastword::keep_alive(blob);
}

void upload_view_used_after(unsigned long n) {
  Blob *blob = load_blob(n);
  ByteView v = view_of(blob);
  upload(v.data, v.size);
  blob->size = 0;
}

void upload_size_only(unsigned long n) {
  Blob *blob = load_blob(n);
  ByteView v = view_of(blob);
  upload(nullptr, v.size);
}

void upload_copy(unsigned long n) {
  Blob *blob = load_blob(n);
  std::span<const unsigned char> bytes = span_of(blob);
  std::string copy(bytes.begin(), bytes.end());
  upload(copy.data(), copy.size());
}

void upload_copied_text(unsigned long n) {
  Blob *blob = load_blob(n);
  std::string copy(text_of(blob));
  upload_text(copy);
}

// Iterators into a view walk the storage the finalizer frees.
long count_in(const char *first, const char *last);

long count_text(unsigned long n) {
  Blob *blob = load_blob(n);
  std::string_view text(reinterpret_cast<const char *>(blob->bytes), blob->size);
  return count_in(text.begin(), text.end());
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'bytes' of 'blob' is passed to 'media::count_in' after the last use of 'blob': the finalizer of 'Blob' may run during the call and release 'bytes' [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-3]]:70: note: 'blob' is last used here
}

// Near miss: an aggregate guard whose destructor keeps the object alive
// holds it until the end of the scope.
struct BlobPin {
  const Blob *blob;
  ~BlobPin() { lastword::keep_alive(blob); }
};

void upload_pinned(unsigned long n) {
  Blob *blob = load_blob(n);
  BlobPin pin{blob};
  const unsigned char *bytes = blob->bytes;
  unsigned long size = blob->size;
  upload(bytes, size);
}

} // namespace media
