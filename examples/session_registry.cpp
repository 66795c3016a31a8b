// A registry of open editor sessions on the lastword runtime. The registry
// remembers the most recently opened document in a global raw pointer: the
// runtime does not scan globals, so a document only the registry refers to
// can be freed while the editor still shows it (gc-unrooted-pointer).
#include <lastword/gc.hpp>

#include <cstdio>
#include <string>

struct Document {
  std::string title;
  int pages = 0;
};

Document *last_opened = nullptr;

Document *open_document(const std::string &title, int pages) {
  Document *doc = lastword::make<Document>();
  doc->title = title;
  doc->pages = pages;
  last_opened = doc;
  return doc;
}

int main() {
  // The demo keeps the document on its stack while it uses it, so it runs
  // to completion; the global alone would not keep it alive.
  Document *doc = open_document("notes.txt", 3);
  std::printf("last opened: %s (%d pages)\n", last_opened->title.c_str(), doc->pages);
  lastword::keep_alive(doc);
  return 0;
}
