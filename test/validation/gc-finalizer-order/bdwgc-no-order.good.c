// VALIDATION-API: bdwgc
// VALIDATION-RUNS: 20
/* The fixed stream: one owner, one finalizer. The channel has no finalizer
   of its own; the stream's finalizer flushes into the channel's buffer and
   then frees it, so nothing can free the buffer first. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>

struct channel {
  char *buffer;
};
struct stream {
  struct channel *chan;
  int pending;
};

static int flushed, lost;

static void flush_and_close_stream(void *obj, void *client_data) {
  struct stream *s = (struct stream *)obj;
  (void)client_data;
  if (s->pending) {
    if (s->chan->buffer) {
      s->chan->buffer[0] = 'x';
      ++flushed;
    } else {
      ++lost;
    }
  }
  free(s->chan->buffer);
  s->chan->buffer = NULL;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
static void open_streams(int n) {
  for (int i = 0; i < n; ++i) {
    struct channel *c = (struct channel *)GC_MALLOC(sizeof(struct channel));
    struct stream *s = (struct stream *)GC_MALLOC(sizeof(struct stream));
    c->buffer = (char *)malloc(64);
    s->chan = c;
    s->pending = 1;
    GC_register_finalizer_no_order(s, flush_and_close_stream, 0, 0, 0);
  }
}

static void clear_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof(buffer); ++i)
    buffer[i] = 0;
}

int main(void) {
  GC_INIT();
  open_streams(64);
  clear_stack();
  for (int i = 0; i < 6; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  printf("%d streams flushed, %d flushes lost\n", flushed, lost);
  return lost > 0 || flushed == 0 ? 1 : 0;
}
