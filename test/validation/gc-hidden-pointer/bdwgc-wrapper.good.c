// VALIDATION-API: bdwgc
/* The fix of bdwgc-wrapper.bad.c: the wrapper allocates the slots with
   GC_MALLOC, whose memory Boehm GC scans, so no cached node is collected. */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>

struct node { int value; };
struct slot { struct node *node; };

static int finalized_while_cached;

static void on_death(void *obj, void *client_data) {
  (void)obj;
  (void)client_data;
  ++finalized_while_cached;
}

static void *xcalloc(size_t count, size_t size) {
  void *p = GC_MALLOC(count * size);
  if (p == NULL)
    abort();
  return p;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
__attribute__((noinline)) static struct slot *fill(int n) {
  struct slot *slots = xcalloc((size_t)n, sizeof *slots);
  for (int i = 0; i < n; ++i) {
    struct node *node = GC_MALLOC(sizeof *node);
    node->value = 42;
    GC_register_finalizer(node, on_death, 0, 0, 0);
    slots[i].node = node;
  }
  return slots;
}

__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof buffer; ++i)
    buffer[i] = 0;
}

int main(void) {
  GC_INIT();
  struct slot *slots = fill(64);
  scrub_stack();
  for (int i = 0; i < 5; ++i) {
    GC_gcollect();
    GC_invoke_finalizers();
  }
  if (finalized_while_cached > 0) {
    printf("%d cached nodes were collected while the cache still held them\n",
           finalized_while_cached);
    return 1;
  }
  printf("every cached node is alive (%d)\n", slots[0].node->value);
  return 0;
}
