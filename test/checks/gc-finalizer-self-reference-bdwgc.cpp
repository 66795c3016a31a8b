// RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}"
// RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c++20 -DGC_DEBUG

#include <gc.h>
#include <gc/gc_cpp.h>

struct res {
  int fd;
  res *next;
  char *name;
};
struct holder {
  res *obj;
  int tag;
};

void close_res(void *obj, void *cd);

res *new_res() { return (res *)GC_MALLOC(sizeof(res)); }

void client_data_is_the_object() {
  res *r = new_res();
  GC_register_finalizer(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself, which keeps it reachable: it will never be finalized [gc-finalizer-self-reference]
  GC_register_finalizer_ignore_self(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_register_finalizer_no_order(r, close_res, (void *)r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_register_finalizer_unreachable(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_debug_register_finalizer(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_debug_register_finalizer_ignore_self(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_REGISTER_FINALIZER(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_REGISTER_FINALIZER_IGNORE_SELF(r, close_res, r, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  GC_REGISTER_FINALIZER_NO_ORDER(r, close_res, r, 0, 0); // NOLINT(gc-finalizer-self-reference)
}

void client_data_holds_the_object() {
  res *r = new_res();
  holder *h = (holder *)GC_MALLOC(sizeof(holder));
  h->obj = r;
  h->tag = 1;
  GC_register_finalizer(r, close_res, h, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data 'h' holds the object, which keeps it reachable: it will never be finalized
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'h' holds the object through 'h->obj', assigned here
  holder local = {r, 2};
  GC_REGISTER_FINALIZER(r, close_res, &local, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data '&local' holds the object
  // CHECK-MESSAGES: :[[@LINE-3]]:10: note: 'local' holds the object through 'local.obj', initialised here
  GC_register_finalizer(r, close_res, &r->fd, 0, 0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data '&r->fd' points into the object, which keeps it reachable: it will never be finalized
}

// A gc_cleanup class registering its own finalizer with itself as data.
void widget_cleanup(void *obj, void *cd);
struct Widget : gc_cleanup {
  int fd = -1;
  Widget() {
    GC_register_finalizer_ignore_self(GC_base(this), widget_cleanup, this, 0, 0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: finalizer client data is the object itself
  }
};
struct Gadget : gc_cleanup {
  int fd = -1;
  Gadget() { GC_register_finalizer_ignore_self(GC_base(this), widget_cleanup, 0, 0, 0); }
};

// ---- Near misses: all silent. ----

struct Plain {
  int x;
};
void near_misses() {
  res *r = new_res();
  res *other = new_res();
  GC_register_finalizer(r, close_res, other, 0, 0);
  GC_register_finalizer(r, close_res, 0, 0, 0);
  GC_REGISTER_FINALIZER(r, close_res, nullptr, 0, 0);
  GC_register_finalizer(r, close_res, (void *)(GC_word)r->fd, 0, 0);
  GC_register_finalizer(r, close_res, r->next, 0, 0);
  GC_register_finalizer(r, close_res, r->name, 0, 0);
  GC_register_finalizer(r, 0, r, 0, 0);
  holder *h = (holder *)GC_MALLOC(sizeof(holder));
  h->obj = other;
  GC_register_finalizer(r, close_res, h, 0, 0);
  // new (GC, fn, cd): the data cannot hold an object that does not exist yet.
  Plain *p = new (GC, widget_cleanup, other) Plain;
  Widget *w = new Widget;
  Gadget *g = new Gadget;
  (void)p, (void)w, (void)g;
}

// An array field used as client data decays to a pointer into the object
// (checked on libgc 8.2: none of these objects is ever finalized).
struct Named {
  int fd;
  char name[32];
};
void log_name(void *obj, void *name);
void named(Named *n) {
  GC_register_finalizer(n, log_name, n->name, nullptr, nullptr);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data 'n->name' points into the object, which keeps it reachable: it will never be finalized [gc-finalizer-self-reference]
}
// A copy of the name elsewhere is fine.
char name_copy[32];
void named_copy(Named *n) {
  GC_register_finalizer(n, log_name, name_copy, nullptr, nullptr);
}

// Order: the previous node of a list, a reassigned object.
void list_in_loop(int n) {
  res *head = 0;
  for (int i = 0; i < n; ++i) {
    res *x = new_res();
    GC_REGISTER_FINALIZER(x, close_res, head, 0, 0);
    x->next = head;
    head = x;
  }
}
void reassigned() {
  res *r = new_res();
  holder *h = (holder *)GC_MALLOC(sizeof(holder));
  h->obj = r;
  r = new_res();
  GC_register_finalizer(r, close_res, h, 0, 0);
}

// A macro of the user's own around the Boehm macro.
#define MAKE_FINALIZED(T, var) T *var = (T *)GC_MALLOC(sizeof(T)); GC_REGISTER_FINALIZER(var, close_res, var, 0, 0)
void own_macro() {
  MAKE_FINALIZED(res, r);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer client data is the object itself
  (void)r;
}

// In a class template, as written.
template <class T> struct Boxed : gc_cleanup {
  T value;
  Boxed() { GC_register_finalizer_ignore_self(GC_base(this), widget_cleanup, this, 0, 0); }
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: finalizer client data is the object itself
};
template struct Boxed<int>;
