// VALIDATION-OPT: -O0 -O2
// VALIDATION-ENV: LASTWORD_GCDEBUG=finalizerleaks=1
// VALIDATION-STDERR: lastword: finalizerleaks: 'Document' .* reachable from itself: it will never be finalized
// The fix: the finalizer moves to one owner outside the cycle. The file
// handle lives in a small `FileHandle` that only the document points to and
// that points to nothing; it is finalized once the document and its pages
// are unreachable, and it closes the file.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

static std::atomic<int> closed{0};

struct Document;

struct Page {
  lastword::member<Document> owner;
  void trace(lastword::tracer &t) const { t.visit(owner); }
};

struct FileHandle {
  int fd = 0;
};

struct Document {
  lastword::member<FileHandle> file;
  std::vector<lastword::member<Page>> pages;
  void trace(lastword::tracer &t) const {
    t.visit(file);
    for (const auto &page : pages)
      t.visit(page);
  }
};

static void close_file(int fd) {
  if (fd > 0)
    closed.fetch_add(1);
}

__attribute__((noinline)) static void open_documents(int n) {
  for (int i = 0; i < n; ++i) {
    Document *doc = lastword::make<Document>();
    FileHandle *file = lastword::make<FileHandle>();
    file->fd = 100 + i;
    doc->file = file;
    for (int p = 0; p < 3; ++p) {
      Page *page = lastword::make<Page>();
      page->owner = doc;
      doc->pages.push_back(page);
    }
    lastword::set_finalizer(file, [](FileHandle *dying) { close_file(dying->fd); });
  }
}

__attribute__((noinline)) static void scrub_stack() {
  volatile char buffer[16384];
  for (char &c : const_cast<char(&)[16384]>(buffer))
    c = 0;
}

int main() {
  open_documents(32);
  scrub_stack();
  for (int i = 0; i < 4; ++i) {
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(2));
  }
  if (closed.load() != 32) {
    std::printf("only %d of 32 files closed\n", closed.load());
    return 1;
  }
  std::puts("32 files closed");
  return 0;
}
