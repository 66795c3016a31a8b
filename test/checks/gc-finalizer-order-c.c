/* gc-finalizer-order on C: Boehm GC code in C89 and C99 (no // comments in
   C89, so the expectations sit in block comments).
RUN: %check_gc %s gc-finalizer-order %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c89
RUN: %check_gc %s gc-finalizer-order %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
*/
#include <gc.h>
#include <stdlib.h>

void release(int fd);

struct channel {
  int fd;
  char *buffer;
};
struct stream {
  struct channel *chan;
  int pending;
};
struct counter {
  int *slots;
};
struct meter {
  struct counter *count;
};

static void close_channel(void *obj, void *cd) {
  struct channel *c = (struct channel *)obj;
  (void)cd;
  release(c->fd);
  free(c->buffer);
}

static void flush_stream(void *obj, void *cd) {
  struct stream *s = (struct stream *)obj;
  struct channel *c = s->chan;
  (void)cd;
  if (s->pending && c)
    c->buffer[0] = 'x';
  /* CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer of 'stream' uses 'channel' through 'c', and the finalizers are registered without order: 'channel' may already be finalized when this finalizer runs [gc-finalizer-order]
     CHECK-MESSAGES: :[[@LINE-24]]:19: note: 'stream::chan' leads to 'channel'
     CHECK-MESSAGES: :[[@LINE+17]]:3: note: 'channel' is finalizable: its finalizer is registered here
  */
}

/* Near miss: a counter has no finalizer. */
static void stop_meter(void *obj, void *cd) {
  struct meter *m = (struct meter *)obj;
  (void)cd;
  m->count->slots[0] = 0;
}

struct stream *open_stream(void) {
  struct channel *c = (struct channel *)GC_MALLOC(sizeof(struct channel));
  struct stream *s = (struct stream *)GC_MALLOC(sizeof(struct stream));
  struct meter *m = (struct meter *)GC_MALLOC(sizeof(struct meter));
  s->chan = c;
  GC_register_finalizer_no_order(s, flush_stream, 0, 0, 0);
  GC_register_finalizer_no_order(c, close_channel, 0, 0, 0);
  GC_register_finalizer(m, stop_meter, 0, 0, 0);
  return s;
}
