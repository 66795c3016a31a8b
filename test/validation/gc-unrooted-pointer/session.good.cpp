// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: verify: use of freed object
// VALIDATION-OPT: -O0 -O2
// The fix: the session roots its profiles with persistent<Profile>, which
// works from `new`'ed memory and inside standard containers.
#include <lastword/gc.hpp>

#include <cstdio>
#include <vector>

struct Profile {
  int id = 0;
};

struct Session {
  lastword::persistent<Profile> user;
  std::vector<lastword::persistent<Profile>> recent;
};

__attribute__((noinline)) Session *open_session() {
  Session *session = new Session;
  session->user = lastword::make<Profile>();
  for (int i = 0; i < 4; ++i)
    session->recent.emplace_back(lastword::make<Profile>());
  return session;
}

int main() {
  Session *session = open_session();
  lastword::debug::scrub_stack();
  lastword::collect();
  int freed = !lastword::debug::check_pointer(session->user.get());
  for (const auto &p : session->recent)
    freed += !lastword::debug::check_pointer(p.get());
  delete session;
  if (freed) {
    std::printf("%d profiles were freed while the session still used them\n", freed);
    return 1;
  }
  return 0;
}
