// A connection wrapper whose finalizer closes the descriptor, and a request
// handler that never calls close(): fine for a few requests, but finalizers
// run only after a collection, and a small object makes no heap pressure.
// With a budget of 256 descriptors, 5000 requests run out of descriptors
// long before the collector gets to the connections ("too many open files").
#include <lastword/gc.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

struct Conn {
  int fd = -1;
  bool ping() const { return ::write(fd, "ping", 4) == 4; }
  void close() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }
};

Conn *connect_to(const char *path) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return nullptr;
  Conn *c = lastword::make<Conn>();
  c->fd = fd;
  lastword::set_finalizer(c, [](Conn *self) { self->close(); });
  return c;
}

// The bug: the connection is dropped without close(); only its finalizer
// will release the descriptor, whenever a collection finds it.
bool handle_request() {
  Conn *c = connect_to("/dev/null");
  if (!c)
    return false;
  return c->ping();
}

int main() {
  rlimit budget{256, 256};
  if (setrlimit(RLIMIT_NOFILE, &budget) != 0) {
    std::perror("setrlimit");
    return 2;
  }
  for (int request = 0; request < 5000; ++request) {
    if (!handle_request()) {
      std::printf("request %d failed: %s; %llu finalizers have run\n", request,
                  std::strerror(errno),
                  static_cast<unsigned long long>(lastword::get_stats().finalizers_run));
      return 1;
    }
  }
  std::printf("5000 requests within 256 descriptors\n");
  return 0;
}
