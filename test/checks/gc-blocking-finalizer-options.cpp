// RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {gc-blocking-finalizer.BlockingFunctions: 'app::wait_for_reply;std::mutex::lock', gc-blocking-finalizer.FinalizerFunctions: 'lastword::set_finalizer;app::on_death(0,1)'}}"
// RUN: %lastword --dump-config --checks=-*,gc-blocking-finalizer --config="{CheckOptions: {gc-blocking-finalizer.BlockingFunctions: 'app::wait_for_reply;std::mutex::lock'}}" %s -- | %FileCheck %s --check-prefix=CONFIG
// RUN: %lastword --dump-config --checks=-*,gc-blocking-finalizer --config="{CheckOptions: {Api: bdwgc}}" %s -- | %FileCheck %s --check-prefix=BDWGC
// RUN: %lastword --dump-config --checks=-*,gc-blocking-finalizer %s -- | %FileCheck %s --check-prefix=DEFAULT

// CONFIG: gc-blocking-finalizer.Api: lastword
// CONFIG: gc-blocking-finalizer.BlockingFunctions: 'app::wait_for_reply;std::mutex::lock'
// CONFIG: gc-blocking-finalizer.CollectFunctions: 'lastword::collect'
// CONFIG: gc-blocking-finalizer.FinalizerFunctions: 'lastword::set_finalizer(0,1)'
// CONFIG: gc-blocking-finalizer.WaitFunctions: 'lastword::wait_for_finalizers'

// BDWGC: gc-blocking-finalizer.Api: bdwgc
// BDWGC: gc-blocking-finalizer.BlockingFunctions: 'std::mutex::lock;{{.*}};std::lock_guard;{{.*}};sleep;{{.*}};read;write;
// BDWGC: gc-blocking-finalizer.CollectFunctions: 'GC_gcollect;
// BDWGC: gc-blocking-finalizer.FinalizerFunctions: 'GC_register_finalizer(0,1,2);

// DEFAULT: gc-blocking-finalizer.Api: lastword
// DEFAULT: gc-blocking-finalizer.BlockingFunctions: 'std::mutex::lock;{{.*}}std::condition_variable::wait;{{.*}}pthread_join;

#include <lastword/gc.hpp>
#include <mutex>

namespace app {
void wait_for_reply(int channel);
template <class T, class F> void on_death(T *obj, F fn) { lastword::set_finalizer(obj, nullptr); }
} // namespace app

struct Session {
  std::mutex m;
  int channel;
};

void configured(Session *s) {
  // A function the user listed.
  lastword::set_finalizer(s, [](Session *self) { app::wait_for_reply(self->channel); });
  // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: finalizer may block in 'app::wait_for_reply': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here

  // Still listed.
  lastword::set_finalizer(s, [](Session *self) { self->m.lock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:50: warning: finalizer may block in 'std::mutex::lock'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here

  // A user's registration function from FinalizerFunctions.
  app::on_death(s, [](Session *self) { app::wait_for_reply(0); });
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: finalizer may block in 'app::wait_for_reply'
  // CHECK-MESSAGES: :[[@LINE-2]]:20: note: registered as a finalizer here

  // Left out of the list: no longer reported.
  lastword::set_finalizer(s, [](Session *self) { std::lock_guard<std::mutex> g(self->m); });

  // The collector's own functions are judged from the profile, not the list.
  lastword::set_finalizer(s, [](Session *) { lastword::collect(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: finalizer may block in 'lastword::collect'
  // CHECK-MESSAGES: :[[@LINE-2]]:30: note: registered as a finalizer here
}

// Lists read as clang-tidy's own option lists are: blanks around an entry
// and empty entries are dropped; written back `;`-separated.
// RUN: %lastword --dump-config --checks=-*,gc-blocking-finalizer --config="{CheckOptions: {gc-blocking-finalizer.BlockingFunctions: ' app::wait_for_reply ; std::mutex::lock;;', gc-blocking-finalizer.FinalizerFunctions: ';lastword::set_finalizer(0,1) ; app::on_death(0,1)'}}" %s -- | %FileCheck %s --check-prefix=LIST
// LIST: gc-blocking-finalizer.BlockingFunctions: 'app::wait_for_reply;std::mutex::lock'
// LIST: gc-blocking-finalizer.FinalizerFunctions: 'lastword::set_finalizer(0,1);app::on_death(0,1)'
