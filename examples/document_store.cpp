// A tiny document store on the lastword runtime: documents hold their pages,
// each page points back at its document, and a document's finalizer closes
// the file it was read from. Finalization is ordered, so a document that its
// own pages point back to is never finalized: every closed document leaks
// with its pages and its file (gc-finalizer-cycle).
#include <lastword/gc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace store {

struct Document;

struct Page {
  int number = 0;
  std::string text;
  lastword::member<Document> document;
  void trace(lastword::tracer &t) const { t.visit(document); }
};

struct Document {
  std::string path;
  int fd = -1;
  std::vector<lastword::member<Page>> pages;
  void trace(lastword::tracer &t) const {
    for (const auto &page : pages)
      t.visit(page);
  }
};

int open_files = 0;

int open_file(const std::string &) { return ++open_files; }
void close_file(int fd) {
  if (fd > 0)
    --open_files;
}

Document *load(const std::string &path, int page_count) {
  Document *doc = lastword::make<Document>();
  doc->path = path;
  doc->fd = open_file(path);
  for (int i = 0; i < page_count; ++i) {
    Page *page = lastword::make<Page>();
    page->number = i + 1;
    page->text = path + " page " + std::to_string(i + 1);
    page->document = doc;
    doc->pages.push_back(page);
  }
  lastword::set_finalizer(doc, [](Document *dying) { close_file(dying->fd); });
  return doc;
}

std::size_t word_count(const Document &doc) {
  std::size_t words = 0;
  for (const auto &page : doc.pages)
    words += 1 + static_cast<std::size_t>(std::count(page->text.begin(), page->text.end(), ' '));
  return words;
}

} // namespace store

int main() {
  std::size_t words = 0;
  for (int i = 0; i < 8; ++i)
    words += store::word_count(*store::load("report-" + std::to_string(i) + ".txt", 3));
  lastword::collect();
  lastword::wait_for_finalizers(std::chrono::seconds(1));
  std::printf("%zu words read, %d files still open\n", words, store::open_files);
  return 0;
}
