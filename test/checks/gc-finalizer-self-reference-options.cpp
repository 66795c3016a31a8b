// RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {gc-finalizer-self-reference.FinalizerFunctions: 'lastword::set_finalizer;mylib::on_collect(1,0)', gc-finalizer-self-reference.CleanupFunctions: 'mylib::when_dead(0,2,1)'}}"
// RUN: %lastword --dump-config --checks=-*,gc-finalizer-self-reference --config="{CheckOptions: {gc-finalizer-self-reference.FinalizerFunctions: 'lastword::set_finalizer;mylib::on_collect(1,0)'}}" %s -- | %FileCheck %s --check-prefix=CONFIG
// RUN: %lastword --dump-config --checks=-*,gc-finalizer-self-reference --config="{CheckOptions: {Api: bdwgc}}" %s -- | %FileCheck %s --check-prefix=BDWGC
// RUN: %lastword --dump-config --checks=-*,gc-finalizer-self-reference %s -- | %FileCheck %s --check-prefix=DEFAULT

// CONFIG: gc-finalizer-self-reference.Api: lastword
// CONFIG: gc-finalizer-self-reference.CleanupFunctions: 'lastword::add_cleanup(0,1,2)'
// CONFIG: gc-finalizer-self-reference.FinalizerFunctions: 'lastword::set_finalizer(0,1);mylib::on_collect(1,0)'

// BDWGC: gc-finalizer-self-reference.Api: bdwgc
// BDWGC: gc-finalizer-self-reference.FinalizerFunctions: 'GC_register_finalizer(0,1,2);GC_register_finalizer_ignore_self(0,1,2);
// BDWGC-SAME: GC_debug_register_finalizer_unreachable(0,1,2)'

// DEFAULT: gc-finalizer-self-reference.AllocationFunctions: 'lastword::make'
// DEFAULT: gc-finalizer-self-reference.Api: lastword
// DEFAULT: gc-finalizer-self-reference.CleanupFunctions: 'lastword::add_cleanup(0,1,2)'
// DEFAULT: gc-finalizer-self-reference.FinalizerFunctions: 'lastword::set_finalizer(0,1)'
// DEFAULT: gc-finalizer-self-reference.KeepAliveFunctions: 'lastword::keep_alive(0)'

#include <lastword/gc.hpp>

namespace mylib {
// A wrapper with the callback first.
template <class F, class T> void on_collect(F fn, T *obj) { lastword::set_finalizer(obj, fn); }
// A cleanup wrapper: object, argument, callback.
template <class T, class S, class F> void when_dead(T *obj, S arg, F fn) {
  lastword::add_cleanup(obj, fn, arg);
}
} // namespace mylib

struct File {
  int fd;
  void close();
};
void release(int fd);

void wrapper(File *f, File *g) {
  mylib::on_collect([f](File *self) { f->close(); }, f);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: finalizer captures 'f', which keeps the object alive: it will never be finalized [gc-finalizer-self-reference]
  // CHECK-MESSAGES: :[[@LINE-2]]:22: note: 'f' is captured here
  // CHECK-FIXES: mylib::on_collect([](File *self) { self->close(); }, f);
  mylib::on_collect([g](File *self) { g->close(); }, f);
  mylib::on_collect([](File *self) { self->close(); }, f);
  mylib::when_dead(f, f, [](File *x) {});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: cleanup argument is the object itself, which keeps it alive: the cleanup will never run
  mylib::when_dead(f, f->fd, [](int fd) { release(fd); });
}

// The same configuration with blanks around the entries and empty entries.
// RUN: %check_gc %s gc-finalizer-self-reference %t -- --config="{CheckOptions: {gc-finalizer-self-reference.FinalizerFunctions: ' lastword::set_finalizer ;; mylib::on_collect(1,0) ', gc-finalizer-self-reference.CleanupFunctions: 'mylib::when_dead(0,2,1);'}}"
