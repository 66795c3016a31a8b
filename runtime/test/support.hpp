// Helpers shared by the runtime tests.
#pragma once
#include <lastword/gc.hpp>

#include <atomic>
#include <chrono>
#include <cstring>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LASTWORD_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LASTWORD_TEST_SANITIZED 1
#endif

namespace test_support {

#ifdef LASTWORD_TEST_SANITIZED
constexpr int scale = 8;  // sanitized builds run the same tests on smaller inputs
#else
constexpr int scale = 1;
#endif

using namespace std::chrono_literals;
constexpr auto generous = std::chrono::milliseconds(20000);

// Dead frames below the caller may still hold pointers from earlier calls; frames created
// later at the same depth would carry them into the conservative scan in uninitialised slots.
using lastword::debug::scrub_stack;

// Runs f in its own frame: pointers it leaves in registers or spill slots die with the frame
// (callee-saved registers are restored on return), so the caller's frame stays clean.
template <class F> __attribute__((noinline)) void isolated(F f) {
    f();
    asm volatile("" ::: "memory");
}

// A full collection from a clean stack.
__attribute__((noinline)) inline void collect_clean() {
    scrub_stack();
    lastword::collect();
    asm volatile("" ::: "memory");  // no tail call: collect() gets a frame of its own
}

// Collects until the finalizers queued so far have run (two cycles cover a resurrection).
inline void collect_and_drain(int cycles = 1) {
    for (int i = 0; i < cycles; ++i) {
        collect_clean();
        lastword::wait_for_finalizers(generous);
    }
}

}  // namespace test_support
