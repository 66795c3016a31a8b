// The fixed finalizer: it closes the descriptor and keeps only a copy of
// the connection's id for the post-mortem log, so nothing comes back to
// life and the one death runs the one cleanup.
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
static std::atomic<int> last_id{0};

static void finalize(Conn *self) {
  ::close(self->fd);
  self->fd = -1;
  cleanups.fetch_add(1);
  last_id = self->id;
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
