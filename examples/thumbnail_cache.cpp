// A thumbnail cache on the lastword runtime. Each entry remembers its image
// as a tagged integer (the low bit marks a thumbnail that must be redrawn):
// the collector traces the heap precisely and does not see that integer, so
// an image the cache alone refers to can be freed while the cache still
// hands it out (gc-hidden-pointer).
#include <lastword/gc.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

struct Image {
  std::string name;
  int width = 0;
  int height = 0;
};

struct CacheEntry {
  std::uintptr_t image_and_flag = 0;
  lastword::member<CacheEntry> next;

  Image *image() const { return reinterpret_cast<Image *>(image_and_flag & ~std::uintptr_t(1)); }
  bool stale() const { return image_and_flag & 1; }
  void trace(lastword::tracer &t) const { t.visit(next); }
};

class ThumbnailCache {
public:
  void add(Image *image) {
    CacheEntry *entry = lastword::make<CacheEntry>();
    entry->image_and_flag = reinterpret_cast<std::uintptr_t>(image) | 1;
    entry->next = head_.get();
    head_ = entry;
  }
  int count() const {
    int n = 0;
    for (CacheEntry *e = head_.get(); e; e = e->next.get())
      ++n;
    return n;
  }

private:
  lastword::persistent<CacheEntry> head_;
};

int main() {
  ThumbnailCache cache;
  // The demo keeps every image reachable from its own list, so it runs to
  // completion; the cache alone would not keep them alive.
  static lastword::persistent<Image> images[3];
  for (int i = 0; i < 3; ++i) {
    images[i] = lastword::make<Image>();
    images[i]->name = "photo" + std::to_string(i);
    images[i]->width = 160;
    images[i]->height = 120;
    cache.add(images[i].get());
  }
  std::printf("%d thumbnails cached\n", cache.count());
  return 0;
}
