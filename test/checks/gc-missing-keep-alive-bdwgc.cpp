// RUN: %check_gc %s gc-missing-keep-alive %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc.h>
#include <gc/gc_cpp.h>

extern "C" long native_read(int fd, void *buffer, unsigned long size);
extern "C" int native_close(int fd);
extern "C" void native_free(void *);

struct File {
  int fd = -1;
};

static void close_file(void *object, void *) {
  File *file = static_cast<File *>(object);
  native_close(file->fd);
}

File *open_file(int fd) {
  File *file = static_cast<File *>(GC_MALLOC(sizeof(File)));
  file->fd = fd;
  GC_register_finalizer(file, close_file, nullptr, nullptr, nullptr);
  return file;
}

long read_one(int raw, char *buffer) {
  File *file = open_file(raw);
  long n = native_read(file->fd, buffer, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'file' is passed to 'native_read' after the last use of 'file': the finalizer 'close_file' of 'File' may run during the call and release 'fd' [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'file' is last used here
  // CHECK-FIXES: long n = native_read(file->fd, buffer, 1);
  // CHECK-FIXES-NEXT: GC_reachable_here(file);
  return n;
}

long read_kept(int raw, char *buffer) {
  File *file = open_file(raw);
  long n = native_read(file->fd, buffer, 1);
  GC_reachable_here(file);
  return n;
}

// A gc_cleanup class: its destructor is the finalizer.
struct Image : gc_cleanup {
  unsigned char *pixels = nullptr;
  ~Image() { native_free(pixels); }
};

extern "C" void upload(const unsigned char *pixels, unsigned long size);

void show(unsigned long size) {
  Image *image = new Image;
  upload(image->pixels, size);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'pixels' of 'image' is passed to 'upload' after the last use of 'image': the destructor of 'Image' (a gc_cleanup) may run during the call and release 'pixels'
  // CHECK-MESSAGES: :[[@LINE-2]]:10: note: 'image' is last used here
  // CHECK-FIXES: upload(image->pixels, size);
  // CHECK-FIXES-NEXT: GC_reachable_here(image);
}

// The client data is the handle.
struct Conn {
  void *session = nullptr;
};

static void end_session(void *, void *session) { native_free(session); }
extern "C" void send_on(void *session, const char *text);

void greet() {
  Conn *conn = static_cast<Conn *>(GC_MALLOC(sizeof(Conn)));
  conn->session = GC_MALLOC_ATOMIC(64);
  GC_register_finalizer_no_order(conn, end_session, conn->session, nullptr, nullptr);
  send_on(conn->session, "hello");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'session' of 'conn' is passed to 'send_on' after the last use of 'conn': the finalizer 'end_session' of 'Conn' may run during the call and release 'session'
  // CHECK-MESSAGES: :[[@LINE-2]]:11: note: 'conn' is last used here
  // CHECK-FIXES: send_on(conn->session, "hello");
  // CHECK-FIXES-NEXT: GC_reachable_here(conn);
}

// Near misses: an uncollectable object is never finalized early; a type
// without finalizer.
struct Plain {
  int fd = -1;
};

long plain(char *buffer) {
  Plain *p = static_cast<Plain *>(GC_MALLOC(sizeof(Plain)));
  return native_read(p->fd, buffer, 1);
}
