// VALIDATION-API: bdwgc
// VALIDATION-OPT: -O2
// VALIDATION-RUNS: 40
/* A file wrapper on Boehm GC whose finalizer closes its descriptor.
   read_first_byte() loads the descriptor and never uses the wrapper again:
   a collection during the read finds it unreachable (no register or stack
   slot holds it any more) and the finalizer closes the descriptor while the
   read is still to use it (EBADF). native_read() stands in for the native
   call and forces the collection in the middle of it, as another thread's
   allocation may at any time under load. */
#include <gc.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct file {
  int fd;
};

static void close_file(void *object, void *client_data) {
  (void)client_data;
  close(((struct file *)object)->fd);
}

__attribute__((noinline)) static struct file *open_file(const char *path) {
  struct file *f = (struct file *)GC_MALLOC(sizeof *f);
  f->fd = open(path, O_RDONLY | O_CLOEXEC);
  GC_register_finalizer(f, close_file, NULL, NULL, NULL);
  return f;
}

/* Clears the dead stack below the caller, where open_file's frame left a
   copy of the wrapper's address. */
__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof buffer; ++i)
    buffer[i] = 0;
}

/* The native side: a read during which the collector runs. */
__attribute__((noinline)) long native_read(int fd, void *buffer, unsigned long size) {
  scrub_stack();
  GC_gcollect();
  GC_invoke_finalizers();
  return read(fd, buffer, size);
}

__attribute__((noinline)) static int read_first_byte(const char *path) {
  struct file *f = open_file(path);
  unsigned char byte = 0;
  long n = native_read(f->fd, &byte, 1);
  if (n != 1) {
    printf("read failed: %s\n", n < 0 && errno == EBADF ? "EBADF (closed by the finalizer)" : "short read");
    return -1;
  }
  return byte;
}

int main(void) {
  GC_INIT();
  int byte = read_first_byte("/dev/zero");
  printf("byte: %d\n", byte);
  return byte < 0 ? 1 : 0;
}
