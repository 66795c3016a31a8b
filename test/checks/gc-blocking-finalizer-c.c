/* gc-blocking-finalizer on C.
   Boehm GC code in every C mode: C89 and GNU89 (no // comments, so the
   expectations sit in block comments), C99 and the compiler's default.
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c89
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=gnu89
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}"
*/
#include <gc.h>
#include <pthread.h>
#include <stddef.h>
#include <unistd.h>

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

struct handle {
  int fd;
};

static void close_handle(void *obj, void *cd) {
  struct handle *h = (struct handle *)obj;
  (void)cd;
  pthread_mutex_lock(&table_lock);
  /*
  CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizer may block in 'pthread_mutex_lock': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  CHECK-MESSAGES: :[[@LINE+26]]:28: note: registered as a finalizer here
  */
  h->fd = -1;
  pthread_mutex_unlock(&table_lock);
}

static void slow_flush(int fd) { fsync(fd); }
static void flush_handle(void *obj, void *cd) {
  (void)cd;
  slow_flush(((struct handle *)obj)->fd);
  /*
  CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizer may block in 'fsync', reached through 'slow_flush': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  CHECK-MESSAGES: :[[@LINE-6]]:34: note: 'fsync' may block here
  CHECK-MESSAGES: :[[@LINE+14]]:37: note: registered as a finalizer here
  */
}

/* Does not block: closes the descriptor. */
static void quick_close(void *obj, void *cd) {
  (void)cd;
  close(((struct handle *)obj)->fd);
}

struct handle *open_handle(int fd) {
  struct handle *h = (struct handle *)GC_MALLOC(sizeof *h);
  h->fd = fd;
  GC_register_finalizer(h, close_handle, NULL, NULL, NULL);
  GC_register_finalizer_no_order(h, flush_handle, NULL, NULL, NULL);
  GC_register_finalizer(h, quick_close, NULL, NULL, NULL);
  return h;
}
