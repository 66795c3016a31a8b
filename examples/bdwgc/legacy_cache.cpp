// A cache written against Boehm GC's C and C++ interfaces, with the same
// bugs. lastword reads it with the Boehm profile (Api: bdwgc).
#include <gc.h>
#include <gc/gc_cpp.h>

#include <cstdio>
#include <mutex>

namespace legacy {

std::mutex registry_mutex;
int open_entries = 0;

// gc_cleanup: Boehm runs the destructor as the object's finalizer.
class Entry : public gc_cleanup {
public:
  ~Entry() {
    std::lock_guard<std::mutex> lock(registry_mutex); // blocks the finalizer thread
    --open_entries;
  }
};

struct Buffer {
  void *data;
};

void release_buffer(void *obj, void *client_data) {
  std::printf("releasing %p\n", obj);
}

Buffer *new_buffer() {
  Buffer *buffer = static_cast<Buffer *>(GC_MALLOC(sizeof(Buffer)));
  // The client data is a root: passing the buffer itself means it is never finalized.
  GC_REGISTER_FINALIZER(buffer, release_buffer, buffer, nullptr, nullptr);
  return buffer;
}

void warm_up(int n) {
  for (int i = 0; i < n; ++i) {
    new Entry;
    new_buffer();
    GC_gcollect(); // a full collection per entry
  }
}

} // namespace legacy

int main() {
  GC_INIT();
  legacy::warm_up(3);
  return 0;
}
