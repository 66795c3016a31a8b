#include "socket.h"
Socket *connect_socket(Session *s) {
  Socket *k = lastword::make<Socket>();
  k->session = s;
  return k;
}
