// VALIDATION-API: bdwgc
/* The same batch on Boehm GC: GC_gcollect() per record. */
#include <gc.h>
#include <stdio.h>

struct record { struct record *next; int id; };
static struct record *head;

static void import(int n) {
  for (int i = 0; i < n; ++i) {
    struct record *r = GC_MALLOC(sizeof *r);
    r->id = i;
    r->next = head;
    head = r;
    GC_gcollect();
  }
}

int main(void) {
  GC_INIT();
  GC_word before = GC_get_gc_no();
  import(300);
  GC_word collections = GC_get_gc_no() - before;
  printf("300 records, %lu collections\n", (unsigned long)collections);
  return collections >= 300 ? 1 : 0;
}
