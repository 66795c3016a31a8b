// A small photo library on the lastword runtime, with three real lifetime
// bugs of the kind lastword finds. Build it and run `lastword -p build
// examples/photo_library.cpp` (scripts/build.sh does both).
#include <lastword/gc.hpp>

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace photos {

// A native file handle whose descriptor is closed when the wrapper dies.
class ImageFile {
public:
  explicit ImageFile(int fd) : fd_(fd) {}
  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
};

ImageFile *open_image(const char *path) {
  ImageFile *image = lastword::make<ImageFile>(::open(path, O_RDONLY));
  // Bug 1: the finalizer captures 'image' itself. The finalizer is a root, so
  // the image stays reachable forever and its descriptor leaks.
  lastword::set_finalizer(image, [image](ImageFile *) { image->close(); });
  return image;
}

// Thumbnails are remembered in a process-wide cache guarded by a mutex.
std::mutex cache_mutex;
std::map<std::string, int> thumbnail_sizes;

struct Thumbnail {
  std::string key;
  int bytes = 0;
};

void forget_thumbnail(const std::string &key) {
  // Bug 2 (reached from a finalizer): the single finalizer thread waits here
  // whenever a request thread holds the cache lock, and every other
  // finalizer (ImageFile descriptors included) waits behind it.
  std::lock_guard<std::mutex> lock(cache_mutex);
  thumbnail_sizes.erase(key);
}

Thumbnail *make_thumbnail(const std::string &key, int bytes) {
  Thumbnail *thumb = lastword::make<Thumbnail>();
  thumb->key = key;
  thumb->bytes = bytes;
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    thumbnail_sizes[key] = bytes;
  }
  lastword::set_finalizer(thumb, [](Thumbnail *t) { forget_thumbnail(t->key); });
  return thumb;
}

void import_one(const std::string &path) {
  make_thumbnail(path, static_cast<int>(path.size()) * 64);
  std::printf("imported %s\n", path.c_str());
}

void import_all(const std::vector<std::string> &paths) {
  for (const std::string &path : paths) {
    import_one(path);
    // Bug 3: a full stop-the-world collection for every photo.
    lastword::collect();
  }
}

} // namespace photos

int main() {
  photos::open_image("/dev/null");
  photos::import_all({"beach.jpg", "harbour.jpg", "market.jpg"});
  lastword::collect();
  lastword::wait_for_finalizers(std::chrono::milliseconds(500));
  return 0;
}
