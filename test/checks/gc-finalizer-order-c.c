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

/* A helper that registers whatever its callers hand it, without order: each
   call of it is a registration of its argument, with its finalizer. */
struct volume {
  int fd;
};
struct file_entry {
  struct volume *vol;
  long offset;
};
struct label {
  struct volume *vol;
  int color;
};

static void unmount_volume(void *obj, void *cd) {
  struct volume *v = (struct volume *)obj;
  (void)cd;
  release(v->fd);
}

static void drop_entry(void *obj, void *cd) {
  struct file_entry *e = (struct file_entry *)obj;
  (void)cd;
  release(e->vol->fd + (int)e->offset);
  /* CHECK-MESSAGES: :[[@LINE-1]]:11: warning: finalizer of 'file_entry' uses 'volume' through 'e->vol', and the finalizers are registered without order: 'volume' may already be finalized when this finalizer runs [gc-finalizer-order]
     CHECK-MESSAGES: :[[@LINE-19]]:18: note: 'file_entry::vol' leads to 'volume'
     CHECK-MESSAGES: :[[@LINE+22]]:3: note: 'volume' is finalizable: its finalizer is registered here
  */
}

/* Near miss: the label's finalizer uses only its own fields. */
static void drop_label(void *obj, void *cd) {
  struct label *l = (struct label *)obj;
  (void)cd;
  l->color = 0;
}

static void register_unordered(void *obj, GC_finalization_proc fn) {
  GC_register_finalizer_no_order(obj, fn, 0, 0, 0);
}
/* A wrapper of the wrapper, called through a macro. */
static void track_object(void *obj, GC_finalization_proc fn) { register_unordered(obj, fn); }
#define TRACK(obj, fn) track_object((obj), (fn))
/* Near miss: a helper that unregisters. */
static void forget_object(void *obj) { GC_register_finalizer_no_order(obj, 0, 0, 0, 0); }

struct volume *open_volume(void) {
  struct volume *v = (struct volume *)GC_MALLOC(sizeof(struct volume));
  register_unordered(v, unmount_volume);
  return v;
}

struct file_entry *open_entry(struct volume *v) {
  struct file_entry *e = (struct file_entry *)GC_MALLOC(sizeof(struct file_entry));
  struct label *l = (struct label *)GC_MALLOC(sizeof(struct label));
  e->vol = v;
  l->vol = v;
  TRACK(e, drop_entry);
  register_unordered(l, drop_label);
  forget_object(l);
  return e;
}
