// A tiny request loop over sessions that hold a descriptor each. The
// session's finalizer closes the descriptor as a safety net; the handlers
// are supposed to call close() themselves. One of them forgets on an error
// path, which lastword reports (gc-finalizer-as-release): under load those
// descriptors pile up until a collection happens to find the sessions.
// The audit trail keeps "the last entry that died" from its finalizer,
// which brings the entry back to life (gc-finalizer-resurrection).
#include <lastword/gc.hpp>

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

struct Session {
  int fd = -1;
  std::string user;

  bool send(const char *text) const {
    return ::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
  }
  void close() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }
};

Session *open_session(const std::string &user) {
  int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return nullptr;
  Session *s = lastword::make<Session>();
  s->fd = fd;
  s->user = user;
  lastword::set_finalizer(s, [](Session *self) { self->close(); });
  return s;
}

// Correct: every path closes the session.
bool greet(const std::string &user) {
  Session *s = open_session(user);
  if (!s)
    return false;
  bool ok = s->send("hello\n");
  s->close();
  return ok;
}

// The bug: an unknown user returns early and leaves the descriptor to the
// finalizer.
bool authorise(const std::string &user) {
  Session *s = open_session(user);
  if (!s)
    return false;
  if (user.empty() || user[0] == '#')
    return false;
  bool ok = s->send("welcome\n");
  s->close();
  return ok;
}

// Audit entries: the finalizer keeps the last one that died for the next
// report, resurrecting it; when the next one replaces it, nothing runs.
struct AuditEntry {
  std::string user;
  bool granted = false;
};
static lastword::persistent<AuditEntry> last_expired;

void audit(const std::string &user, bool granted) {
  AuditEntry *entry = lastword::make<AuditEntry>();
  entry->user = user;
  entry->granted = granted;
  lastword::set_finalizer(entry, [](AuditEntry *self) { last_expired = self; });
}

int main() {
  const char *users[] = {"ada", "#bot", "grace", "", "linus"};
  int served = 0;
  for (const char *user : users) {
    served += greet(user);
    bool ok = authorise(user);
    audit(user, ok);
    served += ok;
  }
  std::printf("served %d requests\n", served);
  return 0;
}
