/* gc-collect-in-loop on C.
   Boehm GC code in every C mode: C89 and GNU89 (no // comments, so the
   expectations sit in block comments), C99 and the compiler's default.
RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c89
RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=gnu89
RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {Api: bdwgc}}"
*/
#include <gc.h>
#include <stddef.h>

struct record {
  struct record *next;
  int id;
};
static struct record *head;

static void flush_heap(void) { GC_gcollect(); }

void import(int n) {
  int i;
  for (i = 0; i < n; ++i) {
    struct record *r = (struct record *)GC_MALLOC(sizeof *r);
    r->id = i;
    r->next = head;
    head = r;
    GC_gcollect();
    /*
    CHECK-MESSAGES: :[[@LINE-2]]:5: warning: full collection on every iteration of this loop: 'GC_gcollect' stops the world and traces the whole heap each time [gc-collect-in-loop]
    CHECK-MESSAGES: :[[@LINE-8]]:3: note: the loop starts here
    */
  }
}

void import_through_helper(int n) {
  int i = 0;
  while (i < n) {
    struct record *r = (struct record *)GC_MALLOC(sizeof *r);
    r->id = i++;
    flush_heap();
    /*
    CHECK-MESSAGES: :[[@LINE-2]]:5: warning: full collection on every iteration of this loop: 'flush_heap' calls 'GC_gcollect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    CHECK-MESSAGES: :[[@LINE-25]]:32: note: 'GC_gcollect' collects the whole heap here
    CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
    */
  }
}

/* Near misses: one collection after the batch; a loop that only collects. */
void import_then_collect(int n) {
  int i;
  for (i = 0; i < n; ++i) {
    struct record *r = (struct record *)GC_MALLOC(sizeof *r);
    r->id = i;
    r->next = head;
    head = r;
  }
  GC_gcollect();
}

void shutdown_collections(void) {
  int i;
  for (i = 0; i < 3; ++i)
    GC_gcollect();
}

/* A guard that skips the elements with nothing to do: the collection runs
   for every element it lets through. */
struct segment {
  struct segment *next;
  long live;
  long bytes;
};
void compact(struct segment *s);
int under_pressure(void);

void compact_all(struct segment **segments, int n) {
  int i;
  for (i = 0; i < n; i++) {
    struct segment *s = segments[i];
    if (s->live == 0)
      continue;
    compact(s);
    GC_gcollect();
    /*
    CHECK-MESSAGES: :[[@LINE-2]]:5: warning: full collection on every iteration of this loop: 'GC_gcollect' stops the world and traces the whole heap each time [gc-collect-in-loop]
    CHECK-MESSAGES: :[[@LINE-6]]:9: note: the collection runs for every element this condition lets through
    CHECK-MESSAGES: :[[@LINE-9]]:3: note: the loop starts here
    */
  }
}

void compact_list(struct segment *list) {
  struct segment *s;
  for (s = list; s != NULL; s = s->next) {
    if (s->live > 0) {
      compact(s);
      GC_gcollect();
      /*
      CHECK-MESSAGES: :[[@LINE-2]]:7: warning: full collection on every iteration of this loop
      CHECK-MESSAGES: :[[@LINE-5]]:9: note: the collection runs for every element this condition lets through
      CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
      */
    }
  }
}

/* Near misses: a guard that paces (a stride, the heap's state), a condition
   that decides only whether to collect, a search that stops at its match. */
void compact_strided(struct segment **segments, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (i % 64 != 0)
      continue;
    compact(segments[i]);
    GC_gcollect();
  }
}

void compact_under_pressure(struct segment **segments, int n) {
  int i;
  for (i = 0; i < n; i++) {
    compact(segments[i]);
    if (!under_pressure())
      continue;
    GC_gcollect();
  }
}

void compact_huge(struct segment **segments, int n) {
  int i;
  for (i = 0; i < n; i++) {
    struct segment *s = segments[i];
    compact(s);
    if (s->bytes > 4096L * 1024L)
      GC_gcollect();
  }
}

void compact_first_dead(struct segment **segments, int n) {
  int i;
  for (i = 0; i < n; i++) {
    struct segment *s = segments[i];
    if (s->live == 0) {
      compact(s);
      GC_gcollect();
      break;
    }
  }
}
