// A third-party header that the user cannot change (gc-finalizer-self-reference tests).
#pragma clang system_header
#include <lastword/gc.hpp>

// Builds its own callback: whatever it captures is the library's business.
#define THIRDPARTY_TRACK(obj) lastword::set_finalizer(obj, [obj](auto *) { (void)obj; })
// Forwards a callback the user wrote.
#define THIRDPARTY_REGISTER(obj, fn) lastword::set_finalizer(obj, fn)
