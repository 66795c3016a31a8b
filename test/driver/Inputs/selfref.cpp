#include <lastword/gc.hpp>
void release(int fd);
struct Res { int fd = -1; };
void leak() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { release(r->fd); });
}
void quiet() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { release(r->fd); }); // NOLINT(gc-finalizer-self-reference)
}
