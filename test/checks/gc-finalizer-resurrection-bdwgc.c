/* gc-finalizer-resurrection with the Boehm profile, on C.
RUN: %check_gc %s gc-finalizer-resurrection %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
*/
#include <gc.h>
#include <stddef.h>

int sys_close(int fd);

struct conn {
  int fd;
  int id;
};
struct conn *g_saved;
int g_last_id;

static void finalize_and_keep(void *obj, void *client_data) {
  struct conn *c = (struct conn *)obj;
  (void)client_data;
  sys_close(c->fd);
  g_saved = c;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: finalizer stores its object in global 'g_saved': the object comes back to life with its finalizer already run, so its next death runs no cleanup [gc-finalizer-resurrection]
  // CHECK-MESSAGES: :[[@LINE+13]]:28: note: the finalizer is registered here
}

static void finalize_plain(void *obj, void *client_data) {
  struct conn *c = (struct conn *)obj;
  (void)client_data;
  g_last_id = c->id;
  sys_close(c->fd);
}

void open_both(void) {
  struct conn *a = (struct conn *)GC_MALLOC(sizeof *a);
  struct conn *b = (struct conn *)GC_MALLOC(sizeof *b);
  GC_REGISTER_FINALIZER(a, finalize_and_keep, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER(b, finalize_plain, NULL, NULL, NULL);
}
