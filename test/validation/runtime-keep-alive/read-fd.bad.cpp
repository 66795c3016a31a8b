// VALIDATION-ENV: LASTWORD_GCDEBUG=keepalive=1
// VALIDATION-OPT: -O2
// VALIDATION-RUNS: 40
// A file wrapper whose finalizer closes its descriptor. read_first_byte()
// takes the descriptor out of the wrapper and never touches the wrapper again, so once
// the descriptor is loaded nothing keeps the wrapper reachable: a collection
// during the read finalizes it, and the read runs on a closed descriptor
// (EBADF). native_read() stands in for the native call; under
// LASTWORD_GCDEBUG=keepalive=1 it collects in the middle of the call, as a
// collection on another thread may at any time under load.
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
