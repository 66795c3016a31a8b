// VALIDATION-API: bdwgc
/* Fixed: one collection after the batch. */
#include <gc.h>
#include <stdio.h>
#include <time.h>

struct record { struct record *next; int id; };
static struct record *head;

static void import(int n) {
  for (int i = 0; i < n; ++i) {
    struct record *r = GC_MALLOC(sizeof *r);
    r->id = i;
    r->next = head;
    head = r;
  }
  GC_gcollect();
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* How long one full collection of the current heap takes. */
static double one_collection_ms(void) {
  double start = now_ms();
  GC_gcollect();
  return now_ms() - start;
}

/* Judged on what the collections cost, from the collector's own count
   (GC_get_gc_no) and the time they take: the import may run at most `budget`
   collections, or take at most `budget` times one full collection of the heap
   it builds. */
int main(void) {
  const double budget = 10;
  GC_word before, collections;
  double start, took, a, b, c, one;
  GC_INIT();
  GC_gcollect(); /* start-up costs are not the import's */
  before = GC_get_gc_no();
  start = now_ms();
  import(300);
  took = now_ms() - start;
  collections = GC_get_gc_no() - before;
  a = one_collection_ms();
  b = one_collection_ms();
  c = one_collection_ms();
  one = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b)); /* median */
  if (one <= 0)
    one = 1e-6;
  printf("300 records: %lu collections, %.3f ms; one full collection %.3f ms (x%.1f, budget x%.0f)\n",
         (unsigned long)collections, took, one, took / one, budget);
  return collections > budget && took > budget * one ? 1 : 0;
}
