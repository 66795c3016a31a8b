#include "session.h"
void close_fd(int);
Session *open_session() {
  Session *s = lastword::make<Session>();
  lastword::set_finalizer(s, [](Session *dying) { close_fd(dying->fd); });
  return s;
}
