// A codebase wrapping the collector in its own helper names it through
// CollectFunctions; the option round-trips through --dump-config.
// RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc'}}"
// RUN: %lastword --dump-config --checks=-*,gc-collect-in-loop --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc'}}" -- | %FileCheck %s --check-prefix=DUMP
// DUMP: gc-collect-in-loop.Api: lastword
// DUMP: gc-collect-in-loop.CollectFunctions: 'engine::full_gc'
// DUMP: gc-collect-in-loop.ExcludePaths: ''
// DUMP: gc-collect-in-loop.FinalizerFunctions: 'lastword::set_finalizer(0,1)'
// RUN: %not %lastword --checks=-*,gc-collect-in-loop --config="{CheckOptions: {Api: jvm}}" %s -- -I %gc_include 2>&1 | %FileCheck %s --check-prefix=BAD-API
// BAD-API: invalid configuration value 'jvm' for option 'Api'
// BAD-API: lastword: error: invalid check configuration

// ExcludePaths leaves out translation units whose main file path matches, per
// check or for every check (a per-check value wins, even an empty one); a
// pattern that does not match the file changes nothing.
// RUN: %check_gc --check-suffix=EXCLUDED %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc', gc-collect-in-loop.ExcludePaths: 'collect-in-loop-opt[a-z]+'}}"
// RUN: %check_gc --check-suffix=EXCLUDED %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc', ExcludePaths: '(^|/)gc-collect-in-loop-options'}}"
// RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc', ExcludePaths: 'collect-in-loop-options', gc-collect-in-loop.ExcludePaths: ''}}"
// RUN: %check_gc %s gc-collect-in-loop %t -- --config="{CheckOptions: {gc-collect-in-loop.CollectFunctions: 'engine::full_gc', ExcludePaths: '/(unit-tests|benchmarks|demos)/'}}"
// RUN: %not %lastword --checks=-*,gc-collect-in-loop --config="{CheckOptions: {ExcludePaths: 'tests/('}}" %s -- -I %gc_inputs 2>&1 | %FileCheck %s --check-prefix=BAD-REGEX
// BAD-REGEX: invalid regular expression 'tests/(' in option 'ExcludePaths'
// BAD-REGEX: lastword: error: invalid check configuration

#include <lastword/gc.hpp>

namespace engine {
void full_gc();
}

void render(int frame);
void frame_loop(int frames) {
  for (int f = 0; f < frames; ++f) {
    render(f);
    engine::full_gc();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'engine::full_gc' stops the world
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
}

void not_listed_any_more(int n) {
  for (int i = 0; i < n; ++i) {
    render(i);
    lastword::collect();
  }
}
