// VALIDATION-ENV: LASTWORD_GCDEBUG=slowfinalizer=100
// VALIDATION-STDERR: lastword: slowfinalizer: finalizer of .Report.
// The fixed finalizer B never waits on the finalizer thread: it takes the
// mutex only if it is free, and otherwise hands the work to a thread of its
// own. A's finalizer runs right away.
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

struct Report { int lines = 0; };   // B
struct Account { int id = 0; };     // A

std::mutex report_mutex;
std::atomic<bool> report_finalizer_started{false};
std::atomic<int> accounts_released{0};

void write_report_footer() { /* appends to the report, under report_mutex */ }

// Several of each: the stack scan is conservative, and a register may still
// hold the last one allocated.
__attribute__((noinline)) void drop_reports() {
  for (int i = 0; i < 4; ++i) {
    Report *report = lastword::make<Report>();
    lastword::set_finalizer(report, [](Report *) {
      report_finalizer_started = true;
      std::unique_lock<std::mutex> guard(report_mutex, std::try_to_lock);
      if (guard.owns_lock()) {
        write_report_footer();
        return;
      }
      std::thread([] {
        std::lock_guard<std::mutex> later(report_mutex);
        write_report_footer();
      }).detach();
    });
  }
}

__attribute__((noinline)) void drop_accounts() {
  for (int i = 0; i < 8; ++i) {
    Account *account = lastword::make<Account>();
    lastword::set_finalizer(account, [](Account *) { ++accounts_released; });
  }
}

// Overwrites dead stack slots that might still hold the dropped pointers.
__attribute__((noinline)) void scrub_stack() {
  volatile char scratch[16384];
  for (unsigned i = 0; i < sizeof scratch; ++i)
    scratch[i] = 0;
}

int main() {
  std::unique_lock<std::mutex> busy(report_mutex); // main is writing the report
  drop_reports();
  scrub_stack();
  for (int i = 0; i < 3 && !report_finalizer_started; ++i) {
    lastword::collect();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  drop_accounts();
  scrub_stack();
  for (int i = 0; i < 3; ++i)
    lastword::collect();
  bool drained = lastword::wait_for_finalizers(std::chrono::milliseconds(500));
  bool released = accounts_released > 0;
  std::printf("finalizers drained: %d, accounts released: %d\n", drained, released);
  busy.unlock(); // the detached thread may now finish the footer
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return drained && released ? 0 : 1;
}
