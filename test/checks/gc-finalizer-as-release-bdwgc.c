/* gc-finalizer-as-release with the Boehm profile, on C.
RUN: %check_gc %s gc-finalizer-as-release %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-finalizer-as-release %t -- --config="{CheckOptions: {Api: bdwgc}}"
*/
#include <gc.h>
#include <stddef.h>

int open_socket(const char *host);
int sys_close(int fd);
void send_bytes(int fd, const char *data);

struct conn {
  int fd;
};

static void conn_finalize(void *obj, void *client_data) {
  struct conn *c = (struct conn *)obj;
  (void)client_data;
  sys_close(c->fd);
}

struct conn *conn_open(const char *host) {
  struct conn *c = (struct conn *)GC_MALLOC(sizeof *c);
  if (!c)
    return NULL;
  c->fd = open_socket(host);
  GC_REGISTER_FINALIZER(c, conn_finalize, NULL, NULL, NULL);
  return c;
}

/* The explicit release: the same handle, through the same function. */
void conn_close(struct conn *c) {
  sys_close(c->fd);
  c->fd = -1;
}

void conn_ping(struct conn *c) { send_bytes(c->fd, "ping"); }

void ping_once(void) {
  struct conn *c = conn_open("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'c' may be dropped without calling 'conn_close': the resource of this 'conn' is released only when the collector gets to it [gc-finalizer-as-release]
  conn_ping(c);
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: 'c' is dropped at the end of 'ping_once' without 'conn_close'
// CHECK-FIXES: {{^}}  conn_close(c);{{$}}

int early(int ready) {
  struct conn *c = conn_open("db");
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'c' may be dropped without calling 'conn_close'
  if (c == NULL)
    return -2;
  if (!ready)
    return -1;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'c' is dropped here without 'conn_close'
  conn_ping(c);
  conn_close(c);
  return 0;
}

/* Allocated and registered in the same function. */
int one_shot(void) {
  struct conn *c = (struct conn *)GC_MALLOC(sizeof(struct conn));
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'c' may be dropped without calling 'conn_close'
  c->fd = open_socket("x");
  GC_register_finalizer(c, conn_finalize, NULL, NULL, NULL);
  conn_ping(c);
  return 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'c' is dropped here without 'conn_close'
  // CHECK-FIXES: {{^}}  conn_close(c);{{$}}
  // CHECK-FIXES: {{^}}  return 0;{{$}}
}

/* Near misses. */
void closes(void) {
  struct conn *c = conn_open("db");
  conn_ping(c);
  conn_close(c);
}
void closes_by_hand(void) {
  struct conn *c = conn_open("db");
  sys_close(c->fd);
}
struct conn *g_conn;
void kept(void) {
  struct conn *c = conn_open("db");
  g_conn = c;
}
struct conn *handed_on(void) {
  struct conn *c = conn_open("db");
  if (!c)
    return NULL;
  conn_ping(c);
  return c;
}
void plain_allocation(void) {
  struct conn *c = (struct conn *)GC_MALLOC(sizeof *c);
  c->fd = -1;
}
