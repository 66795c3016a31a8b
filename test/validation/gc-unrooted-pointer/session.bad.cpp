// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// A session object allocated with `new` (outside the collected heap) keeps
// its user's collected profile in a raw pointer and a std::vector of raw
// pointers. The collector neither scans `new`'ed memory nor traces it: the
// profiles are freed while the session still uses them.
#include <lastword/gc.hpp>

#include <cstdio>
#include <vector>

struct Profile {
  int id = 0;
};

struct Session {
  Profile *user = nullptr;
  std::vector<Profile *> recent;
};

__attribute__((noinline)) Session *open_session() {
  Session *session = new Session;
  session->user = lastword::make<Profile>();
  for (int i = 0; i < 4; ++i)
    session->recent.push_back(lastword::make<Profile>());
  return session;
}

int main() {
  Session *session = open_session();
  lastword::debug::scrub_stack();
  lastword::collect();
  int freed = !lastword::debug::check_pointer(session->user);
  for (Profile *p : session->recent)
    freed += !lastword::debug::check_pointer(p);
  delete session;
  if (freed) {
    std::printf("%d profiles were freed while the session still used them\n", freed);
    return 1;
  }
  return 0;
}
