/* A Boehm "weak index": objects are keyed by GC_HIDE_POINTER(p) in calloc'ed
   memory the collector does not scan, so the index does not keep them alive.
   Hidden values are only compared with other hidden values, and the object's
   finalizer clears its entry: nothing turns a hidden value back into a
   pointer, so no freed object is ever used through one. gc-hidden-pointer
   reports a hidden pointer only in a translation unit that reveals hidden
   values (GC_REVEAL_POINTER, or a cast from an integer to a pointer); with
   -DREVEALS, `index_object` does, and the store is reported.
RUN: %check_gc %s gc-hidden-pointer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-hidden-pointer %t --check-suffix=REVEALS -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99 -DREVEALS
RUN: %check_gc %s gc-hidden-pointer %t --check-suffix=CAST -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99 -DCAST
*/
#include <gc.h>
#include <stdint.h>
#include <stdlib.h>

struct object {
  int id;
};

struct entry {
  GC_hidden_pointer key;
  int id;
};

static struct entry *entries;
static size_t capacity;

static void forget(void *obj, void *client_data) {
  GC_hidden_pointer key = GC_HIDE_POINTER(obj);
  size_t i;
  (void)client_data;
  for (i = 0; i < capacity; ++i)
    if (entries[i].key == key)
      entries[i].key = 0;
}

void index_init(size_t n) {
  entries = calloc(n, sizeof *entries);
  capacity = n;
}

struct object *new_object(int id) {
  struct object *o = GC_MALLOC(sizeof *o);
  size_t i;
  o->id = id;
  for (i = 0; i < capacity; ++i)
    if (entries[i].key == 0) {
      entries[i].key = GC_HIDE_POINTER(o);
      // CHECK-MESSAGES-REVEALS: :[[@LINE-1]]:7: warning: pointer to collected 'object' hidden by GC_HIDE_POINTER and kept in field 'entry::key' without a disappearing link: the collector cannot see it, so the object can be freed while still in use [gc-hidden-pointer]
      // CHECK-MESSAGES-CAST: :[[@LINE-2]]:7: warning: pointer to collected 'object' hidden by GC_HIDE_POINTER and kept in field 'entry::key' without a disappearing link
      entries[i].id = id;
      break;
    }
  GC_register_finalizer(o, forget, 0, 0, 0);
  return o;
}

int index_lookup(struct object *o) {
  GC_hidden_pointer key = GC_HIDE_POINTER(o);
  size_t i;
  for (i = 0; i < capacity; ++i)
    if (entries[i].key == key)
      return entries[i].id;
  return -1;
}

/* Sentinels are constants: they reveal nothing. */
void *const no_object = (void *)-1;

#ifdef REVEALS
/* Turns an entry back into its object: used after the object was freed. */
struct object *index_object(size_t i) { return GC_REVEAL_POINTER(entries[i].key); }
#endif
#ifdef CAST
struct object *index_object(size_t i) { return (struct object *)~entries[i].key; }
#endif
