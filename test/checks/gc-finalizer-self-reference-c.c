/* gc-finalizer-self-reference on C.
   Boehm GC code in every C mode: C89 and GNU89 (no // comments, so the
   expectations sit in block comments), C99 and the compiler's default.
RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c89
RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=gnu89
RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}"
*/
#include <gc.h>
#include <stddef.h>

struct res {
  int fd;
};
struct holder {
  struct res *obj;
  int tag;
};

void close_res(void *obj, void *cd);

void client_data_is_the_object(void) {
  struct res *r = (struct res *)GC_MALLOC(sizeof *r);
  GC_register_finalizer(r, close_res, r, NULL, NULL);
  /*
  CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizer client data is the object itself, which keeps it reachable: it will never be finalized [gc-finalizer-self-reference]
  */
}

void client_data_holds_the_object(void) {
  struct res *r = (struct res *)GC_MALLOC(sizeof *r);
  struct holder *h = (struct holder *)GC_MALLOC(sizeof *h);
  h->obj = r;
  h->tag = 1;
  GC_register_finalizer(r, close_res, h, NULL, NULL);
  /*
  CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizer client data 'h' holds the object, which keeps it reachable: it will never be finalized [gc-finalizer-self-reference]
  CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'h' holds the object through 'h->obj', assigned here
  */
}

/* Near misses: no client data, or data that does not reach the object. */
void independent_data(int fd) {
  struct res *r = (struct res *)GC_MALLOC(sizeof *r);
  int *copy = (int *)GC_MALLOC_ATOMIC(sizeof *copy);
  *copy = fd;
  GC_register_finalizer(r, close_res, NULL, NULL, NULL);
  GC_register_finalizer(r, close_res, copy, NULL, NULL);
}
