// Prints the last line of a log file, on the lastword runtime, with one real
// lifetime bug of the kind lastword finds: a descriptor used after its
// wrapper's last use. Build it and run `lastword -p build
// examples/log_tail.cpp` (scripts/build.sh does both).
#include <lastword/gc.hpp>

#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace logs {

// An open log file; the descriptor is closed when the wrapper dies.
class LogFile {
public:
  explicit LogFile(int fd) : fd_(fd) {}
  int descriptor() const { return fd_; }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
};

LogFile *open_log(const char *path) {
  LogFile *log = lastword::make<LogFile>(::open(path, O_RDONLY | O_CLOEXEC));
  lastword::set_finalizer(log, [](LogFile *self) { self->close(); });
  return log;
}

// Reads the whole file through the descriptor, a block at a time.
std::string read_all(int fd) {
  std::string text;
  char block[4096];
  for (long n; (n = ::read(fd, block, sizeof block)) > 0;)
    text.append(block, static_cast<size_t>(n));
  return text;
}

std::string last_line(const char *path) {
  LogFile *log = open_log(path);
  // Bug: 'log' is not used after its descriptor is read. A collection during
  // read_all() (another thread allocates, the heap is full) finalizes the
  // wrapper and closes the descriptor mid-read: a truncated result, or a read
  // from whatever file reuses the number. lastword::keep_alive(log) after the
  // call is the fix.
  std::string text = read_all(log->descriptor());
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  size_t start = text.rfind('\n');
  return start == std::string::npos ? text : text.substr(start + 1);
}

} // namespace logs

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/etc/hostname";
  std::printf("%s\n", logs::last_line(path).c_str());
  return 0;
}
