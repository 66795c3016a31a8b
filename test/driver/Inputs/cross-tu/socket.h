#pragma once
#include <lastword/gc.hpp>
struct Session;
struct Socket {
  lastword::member<Session> session;
  void trace(lastword::tracer &t) const { t.visit(session); }
};
Socket *connect_socket(Session *s);
