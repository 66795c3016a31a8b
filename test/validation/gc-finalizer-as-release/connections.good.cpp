// The fixed request handler: it closes the connection itself, so the
// descriptors in use stay at one however many requests run, and the
// finalizer is only the safety net.
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

// The fix: every path releases the descriptor now; the finalizer stays
// as the safety net for a connection someone forgets.
bool handle_request() {
  Conn *c = connect_to("/dev/null");
  if (!c)
    return false;
  bool ok = c->ping();
  c->close();
  return ok;
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
