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
