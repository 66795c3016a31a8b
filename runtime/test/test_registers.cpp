// A pointer held only in a callee-saved register survives a collection, whichever way the
// thread holding it stops: in the signal handler, by parking itself as it leaves a barrier's
// no-stop region (the stop landed inside it, or the signal is blocked and the thread polls),
// or as the collecting thread itself. Optimised code without frame pointers keeps locals in
// %rbp like in any other register, which is where the runtime once lost them.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "register_holders.hpp"
#include "support.hpp"

LASTWORD_TEST_FOR_EACH_CALLEE_SAVED(LASTWORD_TEST_DECLARE_HOLDER)
LASTWORD_TEST_FOR_EACH_CALLEE_SAVED(LASTWORD_TEST_DEFINE_HOLDER)

using namespace test_support;
using register_holders::holder;
using register_holders::step_fn;

namespace {

// Never a heap address, whatever the pointer: the top bits make it non-canonical.
constexpr std::uintptr_t mask = 0xa5a5'0000'0000'5a5aull;
constexpr int magic = 0x600df00d;

std::atomic<int> finalizations{0};

struct precious {
    int magic = ::magic;
    int payload[6] = {1, 2, 3, 4, 5, 6};
};

struct holder_of_slot {
    lastword::member<precious> slot;
    void trace(lastword::tracer& t) const { t.visit(slot); }
};

// The control: the pointer stays hidden, no register holds it.
std::uintptr_t hold_nowhere(std::uintptr_t hidden, std::uintptr_t, step_fn step, void* context) {
    while (step(context)) {
    }
    return hidden;
}

// The only pointer to a fresh finalizable object, hidden; created in a frame of its own.
__attribute__((noinline)) std::uintptr_t make_hidden_object() {
    precious* p = lastword::make<precious>();
    lastword::set_finalizer(p, [](precious*) { finalizations.fetch_add(1); });
    auto hidden = reinterpret_cast<std::uintptr_t>(p) ^ mask;
    asm volatile("" : "+r"(p));
    p = nullptr;
    return hidden;
}

__attribute__((noinline)) std::uintptr_t hold_fresh_object(const holder& h, step_fn step, void* context) {
    std::uintptr_t hidden = make_hidden_object();
    scrub_stack();
    return h.hold(hidden, mask, step, context);
}

// In a frame of its own, so the unhidden pointer dies with it.
__attribute__((noinline)) bool intact(std::uintptr_t hidden) {
    auto* p = reinterpret_cast<const precious*>(hidden ^ mask);
    if (p->magic != magic) return false;
    for (int i = 0; i < 6; ++i)
        if (p->payload[i] != i + 1) return false;
    return true;
}

enum class stop_path { signal_handler, polling_with_signal_blocked, barrier_no_stop_region, own_collection };

struct shared_state {
    std::atomic<bool> holding{false};
    std::atomic<bool> released{false};
    holder_of_slot* slots = nullptr;
};

// The steps keep nothing in callee-saved registers of their own (the state is a global
// read again after every call), so the holder's register reaches the runtime untouched.
shared_state* current_state = nullptr;

// Spins in plain loads: the stop signal parks the thread in its handler.
int wait_in_plain_code(void*) {
    current_state->holding.store(true);
    return !current_state->released.load();
}

// Stores through member<>: a no-stop region the thread parks itself on leaving, if a stop
// landed inside it or the signal is blocked.
int store_through_barrier(void*) {
    current_state->holding.store(true);
    current_state->slots->slot = nullptr;
    return !current_state->released.load();
}

int collect_once(void*) {
    lastword::collect();
    return 0;
}

struct outcome {
    bool finalized_while_held;
    bool intact_after_hold;
    bool finalized_once_dropped;
};

// Holds a fresh object through h while a collection runs, stopping the holder by path.
outcome run(stop_path path, const holder& h) {
    finalizations = 0;
    outcome result{};
    std::uintptr_t hidden = 0;
    if (path == stop_path::own_collection) {
        hidden = hold_fresh_object(h, collect_once, nullptr);
    } else {
        lastword::persistent<holder_of_slot> slots = lastword::make<holder_of_slot>();
        shared_state state;
        state.slots = slots.get();
        current_state = &state;
        std::thread holder_thread([&] {
            lastword::mutator_scope attached;
            sigset_t all, previous;
            sigfillset(&all);
            if (path == stop_path::polling_with_signal_blocked) pthread_sigmask(SIG_BLOCK, &all, &previous);
            step_fn step = path == stop_path::signal_handler ? wait_in_plain_code : store_through_barrier;
            hidden = hold_fresh_object(h, step, &state);
            if (path == stop_path::polling_with_signal_blocked) pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        });
        while (!state.holding.load()) std::this_thread::yield();
        // Several collections: the deferred path needs a stop signal to land inside a store.
        int collections = path == stop_path::barrier_no_stop_region ? 20 : 1;
        for (int i = 0; i < collections; ++i) collect_clean();
        state.released = true;
        holder_thread.join();
        current_state = nullptr;
    }
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    result.finalized_while_held = finalizations.load() != 0;
    result.intact_after_hold = !result.finalized_while_held && intact(hidden);
    hidden = 0;
    scrub_stack();  // the dead frames of the hold and of intact(), right below this one
    collect_and_drain(2);
    result.finalized_once_dropped = finalizations.load() != 0;
    return result;
}

const holder holders[] = {
#define LASTWORD_TEST_HOLDER_ENTRY(reg) holder{#reg, LASTWORD_TEST_HOLDER_NAME(reg)},
    LASTWORD_TEST_FOR_EACH_CALLEE_SAVED(LASTWORD_TEST_HOLDER_ENTRY)
#undef LASTWORD_TEST_HOLDER_ENTRY
};

class held_in_register : public testing::TestWithParam<holder> {};

std::string register_name(const testing::TestParamInfo<holder>& info) { return info.param.register_name; }

void expect_kept(stop_path path, const holder& h) {
    outcome o = run(path, h);
    EXPECT_FALSE(o.finalized_while_held) << "object held only in " << h.register_name << " was finalized";
    EXPECT_TRUE(o.intact_after_hold) << "object held only in " << h.register_name << " was damaged";
    // Once dropped it is collected: nothing but the register kept it.
    EXPECT_TRUE(o.finalized_once_dropped);
}

// Without the register the same object is finalized during the hold: the set-up leaves no
// other reference, so the tests above can fail.
void expect_lost(stop_path path) {
    outcome o = run(path, holder{"nowhere", hold_nowhere});
    EXPECT_TRUE(o.finalized_while_held);
}

}  // namespace

TEST_P(held_in_register, survives_a_stop_in_the_signal_handler) { expect_kept(stop_path::signal_handler, GetParam()); }

TEST_P(held_in_register, survives_parking_itself_with_the_signal_blocked) {
    expect_kept(stop_path::polling_with_signal_blocked, GetParam());
}

TEST_P(held_in_register, survives_stops_landing_in_barrier_stores) {
    expect_kept(stop_path::barrier_no_stop_region, GetParam());
}

TEST_P(held_in_register, survives_its_own_collection) { expect_kept(stop_path::own_collection, GetParam()); }

INSTANTIATE_TEST_SUITE_P(registers, held_in_register, testing::ValuesIn(holders), register_name);

TEST(held_nowhere, is_finalized_across_a_stop_in_the_signal_handler) { expect_lost(stop_path::signal_handler); }
TEST(held_nowhere, is_finalized_across_parking_itself) { expect_lost(stop_path::polling_with_signal_blocked); }
TEST(held_nowhere, is_finalized_across_barrier_stores) { expect_lost(stop_path::barrier_no_stop_region); }
TEST(held_nowhere, is_finalized_by_its_own_collection) { expect_lost(stop_path::own_collection); }
