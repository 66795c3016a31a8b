// VALIDATION-API: bdwgc
/* A resource registered with itself as the finalizer's client data: Boehm
   marks from the client data, so the object is always reachable and is
   never finalized (for every GC_register_finalizer variant). */
#include <gc.h>
#include <stdio.h>

struct res { int fd; };
static int finalized;

static void close_res(void *obj, void *client_data) {
  (void)client_data;
  if (((struct res *)obj)->fd > 0)
    ++finalized;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
__attribute__((noinline)) static void open_resources(int n) {
  for (int i = 0; i < n; ++i) {
    struct res *r = GC_MALLOC(sizeof *r);
    r->fd = 3 + i;
    GC_register_finalizer(r, close_res, r, 0, 0);
  }
}

__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof buffer; ++i)
    buffer[i] = 0;
}

int main(void) {
  GC_INIT();
  open_resources(64);
  scrub_stack();
  for (int i = 0; i < 5; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  if (finalized == 0) {
    puts("no finalizer ran: every resource leaked");
    return 1;
  }
  printf("%d resources finalized\n", finalized);
  return 0;
}
