// RUN: %check_gc %s gc-missing-keep-alive %t -- --config="{CheckOptions: {gc-missing-keep-alive.TreatParametersAsKeptAlive: false, gc-missing-keep-alive.FinalizableTypes: 'net::Socket', gc-missing-keep-alive.HandleFields: 'Pipe::read_end', gc-missing-keep-alive.KeepAliveFunctions: 'app::hold(0)'}}"
// RUN: %lastword --dump-config --checks=-*,gc-missing-keep-alive %s -- | %FileCheck %s --check-prefix=DEFAULT
// RUN: %lastword --dump-config --checks=-*,gc-missing-keep-alive --config="{CheckOptions: {gc-missing-keep-alive.TreatParametersAsKeptAlive: false}}" %s -- | %FileCheck %s --check-prefix=PARAMS

// DEFAULT-DAG: gc-missing-keep-alive.TreatParametersAsKeptAlive: 'true'
// DEFAULT-DAG: gc-missing-keep-alive.FinalizableTypes: ''
// DEFAULT-DAG: gc-missing-keep-alive.HandleFields: ''
// PARAMS: gc-missing-keep-alive.TreatParametersAsKeptAlive: 'false'

#include <lastword/gc.hpp>

namespace app {
template <class T> void hold(const T *p) { lastword::keep_alive(p); }
}

extern "C" long native_read(int fd, void *buffer, unsigned long size);
extern "C" int native_close(int fd);

struct File {
  int fd = -1;
  long reads = 0;
  long pull(char *buffer);
};

File *open_file(const char *path) {
  File *file = lastword::make<File>();
  lastword::set_finalizer(file, [](File *self) { native_close(self->fd); });
  return file;
}

// With TreatParametersAsKeptAlive off, a parameter is judged like a local.
long parameter(File *f, char *buffer) {
  long n = native_read(f->fd, buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'f' is passed to 'native_read' after the last use of 'f': the finalizer of 'File' may run during the call and release 'fd' [gc-missing-keep-alive]
  // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'f' is last used here
  // CHECK-FIXES: long n = native_read(f->fd, buffer, 16);
  // CHECK-FIXES-NEXT: app::hold(f);
  return n;
}

long parameter_kept(File *f, char *buffer) {
  long n = native_read(f->fd, buffer, 16);
  app::hold(f);
  return n;
}

// ... and so is `this`.
long File::pull(char *buffer) {
  long n = native_read(fd, buffer, 16);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: handle 'fd' of 'this' is passed to 'native_read' after the last use of 'this'
  // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'this' is last used here
  // CHECK-FIXES: long n = native_read(fd, buffer, 16);
  // CHECK-FIXES-NEXT: app::hold(this);
  return n;
}

// Types finalized elsewhere, named by the options.
namespace net {
struct Socket {
  int handle = -1;
  bool open = false;
};
} // namespace net
net::Socket *accept_socket();

void named_type(char *buffer) {
  net::Socket *s = accept_socket();
  native_read(s->handle, buffer, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'handle' of 's' is passed to 'native_read' after the last use of 's': the finalizer of 'Socket' may run during the call and release 'handle'
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: 's' is last used here
  // CHECK-FIXES: native_read(s->handle, buffer, 1);
  // CHECK-FIXES-NEXT: app::hold(s);
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
};
Pipe *make_pipe();

void named_field(char *buffer) {
  Pipe *p = make_pipe();
  native_read(p->read_end, buffer, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: handle 'read_end' of 'p' is passed to 'native_read' after the last use of 'p'
  // CHECK-MESSAGES: :[[@LINE-2]]:15: note: 'p' is last used here
  // CHECK-FIXES: native_read(p->read_end, buffer, 1);
  // CHECK-FIXES-NEXT: app::hold(p);
  Pipe *q = make_pipe();
  native_read(q->write_end, buffer, 1);
}
