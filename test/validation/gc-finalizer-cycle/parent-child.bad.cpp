// VALIDATION-OPT: -O0 -O2
// VALIDATION-ENV: LASTWORD_GCDEBUG=finalizerleaks=1
// VALIDATION-STDERR: lastword: finalizerleaks: 'Document' .* reachable from itself: it will never be finalized
// A document and its pages point at each other (`pages` down, `owner` up)
// and the document carries the finalizer that closes its file. Finalization
// is ordered: a finalizable object reachable from itself is never
// finalized, so every document, its pages and its file leak.
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

struct Document {
  int fd = 0;
  std::vector<lastword::member<Page>> pages;
  void trace(lastword::tracer &t) const {
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
    doc->fd = 100 + i;
    for (int p = 0; p < 3; ++p) {
      Page *page = lastword::make<Page>();
      page->owner = doc;
      doc->pages.push_back(page);
    }
    lastword::set_finalizer(doc, [](Document *dying) { close_file(dying->fd); });
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
  if (closed.load() == 0) {
    std::puts("no finalizer ran: every document leaked with its pages");
    return 1;
  }
  std::printf("%d documents closed\n", closed.load());
  return 0;
}
