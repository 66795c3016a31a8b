#include <lastword/gc.hpp>

void close_fd(int fd);

struct File {
  int fd = -1;
};

// Known finding (in the baseline): the finalizer captures its own object.
File *open_file(int fd) {
  File *file = lastword::make<File>();
  file->fd = fd;
  lastword::set_finalizer(file, [file](File *dying) { close_fd(file->fd); });
  return file;
}
