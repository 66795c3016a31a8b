#include <lastword/gc.hpp>

void close_fd(int fd);

struct Entry {
  int fd = -1;
};

// Clean: the finalizer uses the object it is given.
Entry *make_entry(int fd) {
  Entry *entry = lastword::make<Entry>();
  entry->fd = fd;
  lastword::set_finalizer(entry, [](Entry *dying) { close_fd(dying->fd); });
  return entry;
}
