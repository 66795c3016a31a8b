#include <lastword/gc.hpp>
#include <atomic>
#include <chrono>

struct Handle {
  int fd = 3;
};

std::atomic<int> closed{0};

__attribute__((noinline)) void open_and_drop() {
  Handle *h = lastword::make<Handle>();
  lastword::set_finalizer(h, [](Handle *self) { closed += self->fd; });
}

int main() {
  open_and_drop();
  for (int i = 0; i < 5 && closed.load() == 0; ++i) {
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(2));
  }
  return closed.load() == 3 ? 0 : 1;
}
