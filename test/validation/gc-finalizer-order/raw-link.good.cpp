// VALIDATION-RUNS: 20
// The fixed session: one owner, one finalizer. The file is a plain part of
// the session, and the session's finalizer flushes the pending line and then
// closes the file itself, so no other finalizer can close it first.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

static std::atomic<int> lines_lost{0};
static std::atomic<int> lines_written{0};

struct LogFile {
  bool open = true;
  void write() {
    if (open)
      lines_written.fetch_add(1);
    else
      lines_lost.fetch_add(1);
  }
  void close() { open = false; }
};

struct Session {
  LogFile file;
  bool pending = true;
};

__attribute__((noinline)) static void open_sessions(int n) {
  for (int i = 0; i < n; ++i) {
    Session *session = lastword::make<Session>();
    lastword::set_finalizer(session, [](Session *self) {
      if (self->pending)
        self->file.write();
      self->file.close();
    });
  }
}

int main() {
  open_sessions(16);
  lastword::debug::scrub_stack();
  for (int i = 0; i < 4; ++i) {
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(5));
  }
  std::printf("%d lines written, %d lines lost\n", lines_written.load(), lines_lost.load());
  return lines_lost.load() > 0 || lines_written.load() == 0 ? 1 : 0;
}
