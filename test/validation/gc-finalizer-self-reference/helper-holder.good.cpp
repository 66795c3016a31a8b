// VALIDATION-ENV: LASTWORD_GCDEBUG=checkfinalizers=1
// VALIDATION-STDERR: lastword: checkfinalizers: finalizer of .Connection. .* keeps its own object reachable
// The fixed code: the finalizer copies the session id it needs instead of
// capturing the session, so nothing the finalizer holds reaches the
// connection: it becomes unreachable when the program drops it, its
// finalizer runs and closes the descriptor.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

static std::atomic<int> closed{0};

struct Connection {
  int fd = 0;
};

struct Session {
  lastword::member<Connection> owner;
  int id = 0;
  void trace(lastword::tracer &t) const { t.visit(owner); }
};

static void close_descriptor(int fd, int session) {
  if (fd > 0 && session >= 0)
    closed.fetch_add(1);
}

// The helper: the session remembers its connection.
__attribute__((noinline)) static void attach(Connection *conn, Session *session) {
  session->owner = conn;
}

// Creates the connections in a frame of their own so that no pointer to
// them is left in a live stack slot of main.
__attribute__((noinline)) static void open_connections(int n) {
  for (int i = 0; i < n; ++i) {
    Connection *conn = lastword::make<Connection>();
    Session *session = lastword::make<Session>();
    conn->fd = 100 + i;
    session->id = i;
    attach(conn, session);
    lastword::set_finalizer(conn, [id = session->id](Connection *self) {
      close_descriptor(self->fd, id);
    });
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
