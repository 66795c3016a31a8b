// VALIDATION-RUNS: 20
// A log session holds its file through a raw pointer, and both have
// finalizers: the session's flushes its pending line into the file, the
// file's closes it. The collector does not trace the raw pointer, so when
// both become unreachable it sees no order between them and queues both
// finalizers in the same collection: the file is closed first and the
// session's last line is written to a closed file.
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
};

struct Session {
  LogFile *file = nullptr; // not a member<>: the collector does not see it
  bool pending = true;
};

__attribute__((noinline)) static void open_sessions(int n) {
  for (int i = 0; i < n; ++i) {
    LogFile *file = lastword::make<LogFile>();
    lastword::set_finalizer(file, [](LogFile *self) { self->open = false; });
    Session *session = lastword::make<Session>();
    session->file = file;
    lastword::set_finalizer(session, [](Session *self) {
      if (self->pending)
        self->file->write();
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
  return lines_lost.load() > 0 ? 1 : 0;
}
