// VALIDATION-API: bdwgc
/* Boehm GC, fixed: the finalizer closes the descriptor and keeps only the
   connection's id for the post-mortem log, so nothing comes back to life. */
#include <gc.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COUNT 16

struct conn {
  int fd;
  int id;
};

static struct conn *post_mortem[COUNT];
static int post_mortem_ids[COUNT];
static int finalized;

static void conn_finalize(void *obj, void *client_data) {
  struct conn *c = (struct conn *)obj;
  (void)client_data;
  close(c->fd);
  c->fd = -1;
  post_mortem_ids[finalized % COUNT] = c->id;
  ++finalized;
}

static void __attribute__((noinline)) open_connections(void) {
  int i;
  for (i = 0; i < COUNT; ++i) {
    struct conn *c = (struct conn *)GC_MALLOC(sizeof *c);
    c->fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    c->id = i;
    GC_REGISTER_FINALIZER(c, conn_finalize, NULL, NULL, NULL);
  }
}

static void __attribute__((noinline)) scrub(void) {
  volatile char buffer[16384];
  memset((char *)buffer, 0, sizeof buffer);
}

static void collect_all(void) {
  int i;
  for (i = 0; i < 4; ++i) {
    scrub();
    GC_gcollect();
    GC_invoke_finalizers();
  }
}

int main(void) {
  int first, resurrected = 0, released = 0, i;
  GC_INIT();
  open_connections();
  collect_all();
  first = finalized;
  for (i = 0; i < COUNT; ++i)
    if (post_mortem[i]) {
      ++resurrected;
      released += post_mortem[i]->fd < 0;
    }
  memset(post_mortem, 0, sizeof post_mortem); /* the second death */
  collect_all();
  printf("finalized %d, resurrected %d (%d with a closed descriptor), finalized after the second death: %d\n",
         first, resurrected, released, finalized - first);
  if (first == 0) {
    puts("no connection was finalized");
    return 2;
  }
  if (resurrected > 0 && released == resurrected && finalized == first) {
    puts("resurrected connections held released descriptors, and their second death ran no cleanup");
    return 1;
  }
  return 0;
}
