// VALIDATION-ENV: LASTWORD_GCDEBUG=keepalive=1
// VALIDATION-OPT: -O2 -O0
// VALIDATION-RUNS: 40
// The fix of read-request.bad.cpp: keep_alive(file) after the native call.
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

// What a read needs, handed to the I/O layer as one value.
struct ReadRequest {
  int fd;
  unsigned long size;
};

ReadRequest request_for(const File *file, unsigned long size) { return {file->fd, size}; }

// The native side: a read that takes a while.
extern "C" __attribute__((noinline)) long native_read(int fd, void *buffer, unsigned long size) {
  lastword::debug::collect_now();
  return ::read(fd, buffer, size);
}

__attribute__((noinline)) long read_header(const char *path, unsigned char *header) {
  File *file = open_file(path);
  ReadRequest request = request_for(file, 4);
  long n = native_read(request.fd, header, request.size);
  lastword::keep_alive(file);
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
