// VALIDATION-API: bdwgc
/* A cache keeps its node only as GC_HIDE_POINTER(node), without registering
   a disappearing link. Boehm GC cannot see through the disguise, so the node
   is collected while the cache still refers to it: its finalizer runs (it
   marks the node dead) although the cache is about to use it. */
#include <gc.h>
#include <stdio.h>

struct node { int value; int finalized; };
struct cache { GC_hidden_pointer hidden; };

static int finalized_while_cached;

static void on_death(void *obj, void *client_data) {
  (void)obj;
  (void)client_data;
  ++finalized_while_cached;
}

/* Allocates in a frame of its own: no pointer stays in main's frame. */
__attribute__((noinline)) static void fill(struct cache *c, int n) {
  for (int i = 0; i < n; ++i) {
    struct node *node = GC_MALLOC(sizeof *node);
    node->value = 42;
    GC_register_finalizer(node, on_death, 0, 0, 0);
    c[i].hidden = GC_HIDE_POINTER(node);
  }
}

/* The cache's reader turns the hidden value back into the node. */
static struct node *cached(const struct cache *c, int i) {
  return GC_REVEAL_POINTER(c[i].hidden);
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
  printf("every cached node is alive (%d)\n", cached(c, 0)->value);
  return 0;
}
