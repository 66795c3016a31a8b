// A finalizer that closes its connection's descriptor and then stores the
// connection in a global handle "for the post-mortem log": the connection
// comes back to life with a closed descriptor, and when the log drops it,
// its second death runs no cleanup at all (the finalizer ran once already).
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

struct Conn {
  int fd = -1;
  int id = 0;
};

static std::atomic<int> cleanups{0};
static lastword::persistent<Conn> post_mortem;

static void finalize(Conn *self) {
  ::close(self->fd);
  self->fd = -1;
  cleanups.fetch_add(1);
  post_mortem = self;
}

__attribute__((noinline)) static void open_connection() {
  Conn *c = lastword::make<Conn>();
  c->fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  c->id = 7;
  lastword::set_finalizer(c, [](Conn *self) { finalize(self); });
}

static void collect_all() {
  for (int i = 0; i < 4; ++i) {
    lastword::debug::scrub_stack();
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(2));
  }
}

int main() {
  open_connection();
  collect_all();
  Conn *back = post_mortem.get();
  bool resurrected = back != nullptr;
  bool released = resurrected && back->fd < 0;
  post_mortem = nullptr; // the second death
  back = nullptr;
  collect_all();
  std::printf("cleanups: %d; resurrected: %s with %s descriptor\n", cleanups.load(),
              resurrected ? "yes" : "no", released ? "a closed" : "its");
  if (resurrected && released && cleanups.load() == 1) {
    std::puts("the resurrected connection used a released descriptor, and its second death ran no cleanup");
    return 1;
  }
  return 0;
}
