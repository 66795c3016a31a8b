// VALIDATION-API: bdwgc
// VALIDATION-STDERR: GC Warning: Finalization cycle involving
/* The fix: the finalizer moves to one owner outside the cycle. A small
   file handle that only the document points to, and that points to
   nothing, is finalized once the document and its pages are unreachable. */
#include <gc.h>
#include <stdio.h>

struct document;
struct page {
  struct document *owner;
};
struct file_handle {
  int fd;
};
struct document {
  struct file_handle *file;
  struct page *pages[3];
};

static int closed;

static void close_file(void *obj, void *client_data) {
  (void)client_data;
  if (((struct file_handle *)obj)->fd > 0)
    ++closed;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
__attribute__((noinline)) static void open_documents(int n) {
  for (int i = 0; i < n; ++i) {
    struct document *doc = GC_MALLOC(sizeof *doc);
    struct file_handle *file = GC_MALLOC_ATOMIC(sizeof *file);
    file->fd = 3 + i;
    doc->file = file;
    for (int p = 0; p < 3; ++p) {
      struct page *page = GC_MALLOC(sizeof *page);
      page->owner = doc;
      doc->pages[p] = page;
    }
    GC_register_finalizer(file, close_file, 0, 0, 0);
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
  if (closed < 28) {
    printf("only %d of 32 files closed\n", closed);
    return 1;
  }
  printf("%d files closed\n", closed);
  return 0;
}
