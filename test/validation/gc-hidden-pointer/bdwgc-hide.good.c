// VALIDATION-API: bdwgc
/* The fix: the cache keeps the node as a plain pointer, which Boehm GC's
   conservative scan of the cache sees, so no cached node is collected. */
#include <gc.h>
#include <stdio.h>

struct node { int value; int finalized; };
struct cache { struct node *node; };

static int finalized_while_cached;

static void on_death(void *obj, void *client_data) {
  (void)obj;
  (void)client_data;
  ++finalized_while_cached;
}

__attribute__((noinline)) static void fill(struct cache *c, int n) {
  for (int i = 0; i < n; ++i) {
    struct node *node = GC_MALLOC(sizeof *node);
    node->value = 42;
    GC_register_finalizer(node, on_death, 0, 0, 0);
    c[i].node = node;
  }
}

__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buffer[16384];
  for (int i = 0; i < (int)sizeof buffer; ++i)
    buffer[i] = 0;
}

int main(void) {
  GC_INIT();
  struct cache *c = GC_MALLOC(64 * sizeof *c);
  fill(c, 64);
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
  printf("every cached node is alive (%d)\n", c[0].node->value);
  return 0;
}
