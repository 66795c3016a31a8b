// RUN: %check_gc %s gc-finalizer-order %t -- --config="{CheckOptions: {Api: bdwgc}}"
// RUN: %check_gc %s gc-finalizer-order %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c++20 -DGC_DEBUG

#include <gc.h>
#include <gc/gc_cpp.h>

void release(int fd);
void log_line(const char *);

struct channel {
  int fd;
  char *buffer;
};
struct stream {
  channel *chan; // traced: Boehm scans the whole object
  int pending;
};

static void close_channel(void *obj, void *) {
  channel *c = static_cast<channel *>(obj);
  release(c->fd);
}
static void flush_stream(void *obj, void *) {
  stream *s = (stream *)obj;
  if (s->pending)
    log_line(s->chan->buffer);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: finalizer of 'stream' uses 'channel' through 's->chan', and the finalizers are registered without order: 'channel' may already be finalized when this finalizer runs [gc-finalizer-order]
  // CHECK-MESSAGES: :[[@LINE-13]]:12: note: 'stream::chan' leads to 'channel'
  // CHECK-MESSAGES: :[[@LINE+9]]:3: note: 'channel' is finalizable: its finalizer is registered here
}

// No order: the stream's finalizer may run after the channel's.
stream *open_stream() {
  channel *c = (channel *)GC_MALLOC(sizeof(channel));
  stream *s = (stream *)GC_MALLOC(sizeof(stream));
  s->chan = c;
  GC_register_finalizer_no_order(s, flush_stream, 0, 0, 0);
  GC_register_finalizer_no_order(c, close_channel, 0, 0, 0);
  return s;
}

// Ordered registration on both: Boehm finalizes the box first, as long as no
// cycle joins the two.
struct pipe_end {
  int fd;
};
static void close_pipe(void *obj, void *) { release(static_cast<pipe_end *>(obj)->fd); }
pipe_end *open_pipe() {
  pipe_end *p = (pipe_end *)GC_MALLOC(sizeof(pipe_end));
  GC_REGISTER_FINALIZER(p, close_pipe, 0, 0, 0);
  return p;
}
struct socket_box {
  pipe_end *pipe;
};
static void drain_box(void *obj, void *) {
  socket_box *box = static_cast<socket_box *>(obj);
  release(box->pipe->fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: finalizer of 'socket_box' uses 'pipe_end' through 'box->pipe', which is finalizable too: this relies on 'socket_box' being finalized first, an order the collector keeps only while no cycle joins them [gc-finalizer-order]
  // CHECK-MESSAGES: :[[@LINE-6]]:13: note: 'socket_box::pipe' leads to 'pipe_end'
  // CHECK-MESSAGES: :[[@LINE-11]]:3: note: 'pipe_end' is finalizable: its finalizer is registered here
}
socket_box *open_box(pipe_end *p) {
  socket_box *box = (socket_box *)GC_MALLOC(sizeof(socket_box));
  box->pipe = p;
  GC_REGISTER_FINALIZER(box, drain_box, 0, 0, 0);
  return box;
}

// gc_cleanup: the destructor is the finalizer, `this` the object.
struct Engine : gc_cleanup {
  int fd = 0;
  ~Engine() { release(fd); }
};
struct Car : gc_cleanup {
  Engine *engine = nullptr;
  int plate = 0;
  ~Car() { release(engine->fd); }
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: finalizer of 'Car' uses 'Engine' through 'engine', which is finalizable too
  // CHECK-MESSAGES: :[[@LINE-4]]:11: note: 'Car::engine' leads to 'Engine'
  // CHECK-MESSAGES: :[[@LINE-10]]:8: note: 'Engine' is finalizable: its finalizer is registered here
};

// Near misses: silent.
struct plain_buffer {
  char *bytes;
};
struct reader {
  plain_buffer *buf; // no finalizer on plain_buffer
  int fd;
};
static void close_reader(void *obj, void *) {
  reader *r = (reader *)obj;
  release(r->fd);
  log_line(r->buf->bytes);
  if (r->buf)
    r->buf = 0;
}
void open_reader(reader *r) { GC_register_finalizer(r, close_reader, 0, 0, 0); }
