// VALIDATION-API: bdwgc
// VALIDATION-STDERR: GC Warning: Finalization cycle involving
/* A document and its pages point at each other, and the document carries
   the finalizer that closes its file. Boehm's GC_register_finalizer is
   ordered: an object reachable from itself is never finalized, so no
   document (nor its pages) is ever freed and no file is closed. */
#include <gc.h>
#include <stdio.h>

struct document;
struct page {
  struct document *owner;
};
struct document {
  int fd;
  struct page *pages[3];
};

static int closed;

static void close_document(void *obj, void *client_data) {
  (void)client_data;
  if (((struct document *)obj)->fd > 0)
    ++closed;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
__attribute__((noinline)) static void open_documents(int n) {
  for (int i = 0; i < n; ++i) {
    struct document *doc = GC_MALLOC(sizeof *doc);
    doc->fd = 3 + i;
    for (int p = 0; p < 3; ++p) {
      struct page *page = GC_MALLOC(sizeof *page);
      page->owner = doc;
      doc->pages[p] = page;
    }
    GC_register_finalizer(doc, close_document, 0, 0, 0);
  }
}

__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof buffer; ++i)
    buffer[i] = 0;
}

int main(void) {
  GC_INIT();
  open_documents(32);
  scrub_stack();
  for (int i = 0; i < 4; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  if (closed == 0) {
    puts("no finalizer ran: every document leaked with its pages");
    return 1;
  }
  printf("%d documents closed\n", closed);
  return 0;
}
