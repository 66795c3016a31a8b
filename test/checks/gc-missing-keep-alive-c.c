/* gc-missing-keep-alive on C, with Boehm GC.
RUN: %check_gc %s gc-missing-keep-alive %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c89
RUN: %check_gc %s gc-missing-keep-alive %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-missing-keep-alive %t -- --config="{CheckOptions: {Api: bdwgc}}"
*/
#include <gc.h>
#include <stddef.h>

long native_read(int fd, void *buffer, unsigned long size);
int native_close(int fd);

struct file {
  int fd;
  int flags;
};

static void close_file(void *object, void *client_data) {
  struct file *f = (struct file *)object;
  (void)client_data;
  if (f->flags >= 0)
    native_close(f->fd);
}

struct file *open_file(int fd) {
  struct file *f = (struct file *)GC_MALLOC(sizeof *f);
  f->fd = fd;
  f->flags = 0;
  GC_REGISTER_FINALIZER(f, close_file, NULL, NULL, NULL);
  return f;
}

long read_byte(int raw, char *buffer) {
  struct file *f = open_file(raw);
  int fd = f->fd;
  long n = native_read(fd, buffer, 1);
  /* CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'native_read' after the last use of 'f': the finalizer 'close_file' of 'file' may run during the call and release 'fd' [gc-missing-keep-alive]
     CHECK-MESSAGES: :[[@LINE-3]]:12: note: 'f' is last used here
     CHECK-FIXES: long n = native_read(fd, buffer, 1);
     CHECK-FIXES-NEXT: GC_reachable_here(f);
  */
  return n;
}

long read_kept(int raw, char *buffer) {
  struct file *f = open_file(raw);
  long n = native_read(f->fd, buffer, 1);
  GC_reachable_here(f);
  return n;
}

/* flags is read by the finalizer, not released. */
long flags_only(int raw) {
  struct file *f = open_file(raw);
  return native_read(f->flags, NULL, 0);
}

/* The descriptor travels in a request built by a helper. */
struct request {
  int fd;
  unsigned long size;
};

struct request request_of(struct file *f, unsigned long size) {
  struct request r;
  r.fd = f->fd;
  r.size = size;
  return r;
}

struct request request_init(struct file *f) {
  struct request r = {0, 1};
  r.fd = f->fd;
  return r;
}

long read_request(int raw, char *buffer) {
  struct file *f = open_file(raw);
  struct request r = request_of(f, 1);
  return native_read(r.fd, buffer, r.size);
  /* CHECK-MESSAGES: :[[@LINE-1]]:10: warning: handle 'fd' of 'f' is passed to 'native_read' after the last use of 'f': the finalizer 'close_file' of 'file' may run during the call and release 'fd' [gc-missing-keep-alive]
     CHECK-MESSAGES: :[[@LINE-3]]:33: note: 'f' is last used here
  */
}

long read_request_init(int raw, char *buffer) {
  struct file *f = open_file(raw);
  struct request r = request_init(f);
  long n = native_read(r.fd, buffer, r.size);
  /* CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'native_read'
     CHECK-MESSAGES: :[[@LINE-3]]:35: note: 'f' is last used here
     CHECK-FIXES: long n = native_read(r.fd, buffer, r.size);
     CHECK-FIXES-NEXT: GC_reachable_here(f);
  */
  return n;
}

long read_request_literal(int raw, char *buffer) {
  struct file *f = open_file(raw);
  struct request r = {0, 1};
  long n;
  r.fd = f->fd;
  n = native_read(r.fd, buffer, r.size);
  /* CHECK-MESSAGES: :[[@LINE-1]]:7: warning: handle 'fd' of 'f' is passed to 'native_read'
     CHECK-MESSAGES: :[[@LINE-3]]:10: note: 'f' is last used here
     CHECK-FIXES: n = native_read(r.fd, buffer, r.size);
     CHECK-FIXES-NEXT: GC_reachable_here(f);
  */
  return n;
}

long read_request_kept(int raw, char *buffer) {
  struct file *f = open_file(raw);
  struct request r = request_of(f, 1);
  long n = native_read(r.fd, buffer, r.size);
  GC_reachable_here(f);
  return n;
}

/* Only the size of the request reaches the call. */
long read_request_size(int raw, char *buffer) {
  struct file *f = open_file(raw);
  struct request r = request_of(f, 1);
  return native_read(3, buffer, r.size);
}
