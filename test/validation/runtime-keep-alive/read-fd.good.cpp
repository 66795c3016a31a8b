// VALIDATION-ENV: LASTWORD_GCDEBUG=keepalive=1
// VALIDATION-OPT: -O2 -O0
// VALIDATION-RUNS: 40
// The fix of read-fd.bad.cpp: keep_alive(file) after the native call keeps
// the wrapper reachable until the read is over, so its finalizer cannot close
// the descriptor mid-read, however often the collector runs.
#include <lastword/gc.hpp>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

struct File {
  int fd = -1;
};

__attribute__((noinline)) File *open_file(const char *path) {
  File *file = lastword::make<File>();
  file->fd = ::open(path, O_RDONLY | O_CLOEXEC);
  lastword::set_finalizer(file, [](File *self) { ::close(self->fd); });
  return file;
}

// The native side: a read that takes a while.
extern "C" __attribute__((noinline)) long native_read(int fd, void *buffer, unsigned long size) {
  lastword::debug::collect_now();
  return ::read(fd, buffer, size);
}

__attribute__((noinline)) int read_first_byte(const char *path) {
  File *file = open_file(path);
  unsigned char byte = 0;
  long n = native_read(file->fd, &byte, 1);
  lastword::keep_alive(file);
  if (n != 1) {
    std::printf("read failed: %s\n", n < 0 && errno == EBADF ? "EBADF (closed by the finalizer)" : "short read");
    return -1;
  }
  return byte;
}

int main() {
  int byte = read_first_byte("/dev/zero");
  std::printf("byte: %d\n", byte);
  return byte < 0 ? 1 : 0;
}
