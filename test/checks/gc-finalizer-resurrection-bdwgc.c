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

/* Lock-free parking through a helper: the compare-and-swap stores the object
   in a slot of the client data (a global spare list). */
struct spare_list {
  struct conn *slot[8];
};
static struct spare_list spares;
static int park(struct spare_list *l, struct conn *c) {
  for (int i = 0; i < 8; i++) {
    struct conn *expected = NULL;
    if (__atomic_compare_exchange_n(&l->slot[i], &expected, c, 0, __ATOMIC_RELEASE,
                                    __ATOMIC_RELAXED))
      return 1;
  }
  return 0;
}
static void finalize_parking(void *obj, void *cd) {
  struct conn *c = (struct conn *)obj;
  if (park((struct spare_list *)cd, c))
    return;
  sys_close(c->fd);
}
// CHECK-MESSAGES: :[[@LINE-4]]:7: warning: finalizer passes its object to 'park', which stores it in an object 'l' points to
// CHECK-MESSAGES: :[[@LINE-13]]:9: note: 'park' stores it here
// CHECK-MESSAGES: :[[@LINE+25]]:28: note: the finalizer is registered here

/* __sync and the generic __atomic_store through a pointer to the value. */
struct conn *g_last;
static void finalize_swap(void *obj, void *cd) {
  struct conn *c = (struct conn *)obj;
  (void)cd;
  (void)__sync_lock_test_and_set(&g_last, c);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: finalizer stores its object in global 'g_last'
  // CHECK-MESSAGES: :[[@LINE+18]]:28: note: the finalizer is registered here
}

/* Near misses: the atomic store writes the id, or a local of the finalizer. */
int g_last_seen_id;
static void finalize_counting(void *obj, void *cd) {
  struct conn *c = (struct conn *)obj;
  struct conn *mine = NULL;
  (void)cd;
  __atomic_store_n(&g_last_seen_id, c->id, __ATOMIC_RELAXED);
  __atomic_store_n(&mine, c, __ATOMIC_RELAXED);
  sys_close(mine->fd);
}

void open_lock_free(void) {
  struct conn *a = (struct conn *)GC_MALLOC(sizeof *a);
  GC_REGISTER_FINALIZER(a, finalize_parking, &spares, NULL, NULL);
  struct conn *b = (struct conn *)GC_MALLOC(sizeof *b);
  GC_REGISTER_FINALIZER(b, finalize_swap, NULL, NULL, NULL);
  struct conn *d = (struct conn *)GC_MALLOC(sizeof *d);
  GC_REGISTER_FINALIZER(d, finalize_counting, NULL, NULL, NULL);
}
