// gc-finalizer-as-release with the Boehm profile, on C++: a gc_cleanup class
// registers its destructor as the finalizer of every object `new` builds.
// RUN: %check_gc %s gc-finalizer-as-release %t -- --config="{CheckOptions: {Api: bdwgc}}"

#include <gc/gc_cpp.h>

int open_lock(const char *path);
int sys_close(int fd);
bool read_header(int fd);

class IndexLock : public gc_cleanup {
public:
  explicit IndexLock(const char *path) : fd_(open_lock(path)) {}
  ~IndexLock() {
    if (fd_ >= 0)
      sys_close(fd_);
  }
  int fd() const { return fd_; }
  void release() {
    sys_close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
};

bool bump(const char *path) {
  IndexLock *lock = new IndexLock(path);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'lock' may be dropped without calling 'IndexLock::release': the resource of this 'IndexLock' is released only when the collector gets to it [gc-finalizer-as-release]
  if (!read_header(lock->fd()))
    return false;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'lock' is dropped here without 'IndexLock::release'
  lock->release();
  return true;
}

// Near misses: every path releases, or the lock is handed to the caller.
bool bump_released(const char *path) {
  IndexLock *lock = new IndexLock(path);
  bool ok = read_header(lock->fd());
  lock->release();
  return ok;
}
IndexLock *take(const char *path) {
  IndexLock *lock = new IndexLock(path);
  read_header(lock->fd());
  return lock;
}
IndexLock *g_held;
void hold(const char *path) {
  IndexLock *lock = new IndexLock(path);
  if (read_header(lock->fd()))
    g_held = lock;
  else
    lock->release();
}

// A plain gc class has no finalizer: nothing to report.
class Scratch : public gc {
public:
  void release();
};
void scratch() {
  Scratch *s = new Scratch;
  (void)s;
}
