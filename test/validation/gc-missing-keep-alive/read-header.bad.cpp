// VALIDATION-ENV: LASTWORD_GCDEBUG=keepalive=1
// VALIDATION-OPT: -O2
// VALIDATION-RUNS: 40
// A file wrapper whose finalizer closes its descriptor. read_header() gets
// the descriptor through a helper and never touches the wrapper again, so
// once the descriptor is loaded nothing keeps the wrapper reachable: a
// collection during the read finalizes it, and the read runs on a closed
// descriptor (EBADF). native_read() stands in for the native call; under
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

int descriptor(const File *file) { return file->fd; }

// The native side: a read that takes a while.
extern "C" __attribute__((noinline)) long native_read(int fd, void *buffer, unsigned long size) {
  lastword::debug::collect_now();
  return ::read(fd, buffer, size);
}

__attribute__((noinline)) long read_header(const char *path, unsigned char *header) {
  File *file = open_file(path);
  int fd = descriptor(file);
  long n = native_read(fd, header, 4);
  return n;
}

int main() {
  unsigned char header[4] = {1, 1, 1, 1};
  long n = read_header("/dev/zero", header);
  if (n != 4) {
    std::printf("read failed: %s\n", n < 0 && errno == EBADF ? "EBADF (closed by the finalizer)" : "short read");
    return 1;
  }
  std::printf("header: %d %d %d %d\n", header[0], header[1], header[2], header[3]);
  return 0;
}
