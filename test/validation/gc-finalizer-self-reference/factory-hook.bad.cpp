// VALIDATION-ENV: LASTWORD_GCDEBUG=checkfinalizers=1
// VALIDATION-STDERR: lastword: checkfinalizers: finalizer of .Connection. .* keeps its own object reachable
// capture.bad.cpp with the finalizer built by a factory: the hook it returns
// captures the connection it is given, so the finalizer is a root that holds
// its own object; the connection is never finalized, its descriptor never
// closed.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>

static std::atomic<int> closed{0};

struct Connection {
  int fd = 0;
};

static void close_descriptor(int fd) {
  if (fd > 0)
    closed.fetch_add(1);
}

// The hook that closes a connection's descriptor when it dies.
static std::function<void(Connection *)> make_close_hook(Connection *conn) {
  return [conn](Connection *) { close_descriptor(conn->fd); };
}

// Creates the connections in a frame of their own so that no pointer to
// them is left in a live stack slot of main.
__attribute__((noinline)) static void open_connections(int n) {
  for (int i = 0; i < n; ++i) {
    Connection *conn = lastword::make<Connection>();
    conn->fd = 100 + i;
    lastword::set_finalizer(conn, make_close_hook(conn));
  }
}

__attribute__((noinline)) static void scrub_stack() {
  volatile char buffer[16384];
  for (char &c : const_cast<char(&)[16384]>(buffer))
    c = 0;
}

int main() {
  open_connections(32);
  scrub_stack();
  for (int i = 0; i < 4; ++i) {
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(2));
  }
  if (closed.load() == 0) {
    std::puts("no finalizer ran: every connection leaked");
    return 1;
  }
  std::printf("%d connections closed\n", closed.load());
  return 0;
}
