#include <lastword/gc.hpp>
void release(int fd);
struct Res { int fd = -1; };
void by_copy() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { release(r->fd); });
}
