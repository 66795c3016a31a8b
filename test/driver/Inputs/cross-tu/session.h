#pragma once
#include <lastword/gc.hpp>
struct Socket;
struct Session {
  int fd = 0;
  lastword::member<Socket> socket;
  void trace(lastword::tracer &t) const { t.visit(socket); }
};
Session *open_session();
