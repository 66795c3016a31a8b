// A codebase wrapping the collector in its own helper names it through
// CollectFunctions; the option round-trips through --dump-config.
// RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc'}}"
// RUN: %lastword --dump-config --checks=-*,gc-collect-in-loop --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc'}}" -- | %FileCheck %s --check-prefix=DUMP
// DUMP: gc-collect-in-loop.Api: lastword
// DUMP: gc-collect-in-loop.CollectFunctions: 'engine::full_gc'
// DUMP: gc-collect-in-loop.FinalizerFunctions: 'lastword::set_finalizer(0,1)'
// RUN: %not %lastword --checks=-*,gc-collect-in-loop --config="{CheckOptions: {Api: jvm}}" %s -- -I %gc_include 2>&1 | %FileCheck %s --check-prefix=BAD-API
// BAD-API: invalid configuration value 'jvm' for option 'Api'
// BAD-API: lastword: error: invalid check configuration

#include <lastword/gc.hpp>

namespace engine {
void full_gc();
}

void frame_loop(int frames) {
  for (int f = 0; f < frames; ++f)
    engine::full_gc();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'engine::full_gc' stops the world
}

void not_listed_any_more(int n) {
  for (int i = 0; i < n; ++i)
    lastword::collect();
}
