// VALIDATION-ENV: LASTWORD_GCDEBUG=checkfinalizers=1
// VALIDATION-STDERR: lastword: checkfinalizers: cleanup of .File. .* keeps its own object reachable
// The fixed code: the cleanup argument is a copy of the descriptor only, so
// the file becomes unreachable when dropped and the cleanup runs.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

static std::atomic<int> released{0};

struct File {
  int fd = 0;
};

struct CloseRequest {
  int fd;
};

static void release(CloseRequest request) {
  if (request.fd > 0)
    released.fetch_add(1);
}

__attribute__((noinline)) static void open_files(int n) {
  for (int i = 0; i < n; ++i) {
    File *file = lastword::make<File>();
    file->fd = 200 + i;
    CloseRequest request{file->fd};
    lastword::add_cleanup(file, &release, request);
  }
}

__attribute__((noinline)) static void scrub_stack() {
  volatile char buffer[16384];
  for (char &c : const_cast<char(&)[16384]>(buffer))
    c = 0;
}

int main() {
  open_files(32);
  scrub_stack();
  for (int i = 0; i < 4; ++i) {
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(2));
  }
  if (released.load() == 0) {
    std::puts("no cleanup ran: every file leaked");
    return 1;
  }
  std::printf("%d files released\n", released.load());
  return 0;
}
