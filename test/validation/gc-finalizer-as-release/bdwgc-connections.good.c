// VALIDATION-API: bdwgc
/* Boehm GC, fixed: the request handler closes its connection, so one
   descriptor is in use at a time however many requests run; the finalizer
   is the safety net only. */
#include <gc.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct conn {
  int fd;
};

static void conn_finalize(void *obj, void *client_data) {
  struct conn *c = (struct conn *)obj;
  (void)client_data;
  if (c->fd >= 0)
    close(c->fd);
}

static struct conn *conn_open(const char *path) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  struct conn *c;
  if (fd < 0)
    return NULL;
  c = (struct conn *)GC_MALLOC(sizeof *c);
  c->fd = fd;
  GC_REGISTER_FINALIZER(c, conn_finalize, NULL, NULL, NULL);
  return c;
}

static void conn_close(struct conn *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

static int conn_ping(struct conn *c) { return write(c->fd, "ping", 4) == 4; }

/* The fix: the handler closes the connection itself. */
static int handle_request(void) {
  struct conn *c = conn_open("/dev/null");
  int ok;
  if (!c)
    return 0;
  ok = conn_ping(c);
  conn_close(c);
  return ok;
}

int main(void) {
  struct rlimit budget = {256, 256};
  int request;
  GC_INIT();
  if (setrlimit(RLIMIT_NOFILE, &budget) != 0) {
    perror("setrlimit");
    return 2;
  }
  for (request = 0; request < 5000; ++request) {
    if (!handle_request()) {
      printf("request %d failed: %s after %lu collections\n", request, strerror(errno),
             (unsigned long)GC_get_gc_no());
      return 1;
    }
  }
  printf("5000 requests within 256 descriptors\n");
  return 0;
}
