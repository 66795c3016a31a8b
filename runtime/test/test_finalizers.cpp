// Every sentence of the finalizer contract.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

std::atomic<int> destructed{0};

struct link_node;

struct Resource {
    int id = 0;
    member<Resource> next;
    member<Resource> other;
    member<link_node> plain;
    explicit Resource(int i = 0) : id(i) {}
    ~Resource() { destructed.fetch_add(1); }
    void trace(lastword::tracer& t) const {
        t.visit(next);
        t.visit(other);
        t.visit(plain);
    }
};

struct link_node {  // never finalizable
    member<Resource> to;
    void trace(lastword::tracer& t) const { t.visit(to); }
};

std::mutex log_lock;
std::vector<int> finalized_ids;
std::atomic<int> finalized_count{0};

void record_finalized(Resource* r) {
    std::lock_guard lock(log_lock);
    finalized_ids.push_back(r->id);
    finalized_count.fetch_add(1);
}

void reset_log() {
    std::lock_guard lock(log_lock);
    finalized_ids.clear();
    finalized_count = 0;
    destructed = 0;
}

std::vector<int> log_copy() {
    std::lock_guard lock(log_lock);
    return finalized_ids;
}

__attribute__((noinline)) void make_finalizable(int id) {
    Resource* r = lastword::make<Resource>(id);
    lastword::set_finalizer(r, [](Resource* self) { record_finalized(self); });
}

}  // namespace

TEST(finalizer, runs_once_and_only_after_the_object_is_unreachable) {
    reset_log();
    persistent<Resource> holder;
    isolated([&] {
        holder = lastword::make<Resource>(1);
        lastword::set_finalizer(holder.get(), [](Resource* self) { record_finalized(self); });
    });
    collect_and_drain();
    EXPECT_EQ(finalized_count.load(), 0) << "finalized while still reachable";
    holder = nullptr;
    collect_and_drain();
    EXPECT_EQ(log_copy(), std::vector<int>{1});
    collect_and_drain(3);
    EXPECT_EQ(finalized_count.load(), 1) << "a finalizer runs at most once";
}

TEST(finalizer, resurrects_the_object_for_one_cycle) {
    reset_log();
    {
        isolated([&] {
            Resource* r = lastword::make<Resource>(5);
            r->next = lastword::make<Resource>(6);  // reached from r: kept alive with it
            lastword::set_finalizer(r, [](Resource* self) {
                EXPECT_EQ(self->id, 5);
                EXPECT_EQ(self->next->id, 6);
                record_finalized(self);
            });
        });
    }
    collect_and_drain();
    EXPECT_EQ(finalized_count.load(), 1);
    EXPECT_EQ(destructed.load(), 0) << "the object survives the cycle that queued its finalizer";
    collect_and_drain();
    EXPECT_EQ(destructed.load(), 2) << "and is freed in the next one";
}

TEST(finalizer, a_finalizer_may_store_its_object_and_keep_it) {
    reset_log();
    static persistent<Resource> saved;
    isolated([&] {
        Resource* r = lastword::make<Resource>(9);
        lastword::set_finalizer(r, [](Resource* self) { saved = self; });
    });
    collect_and_drain(3);
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->id, 9);
    EXPECT_EQ(destructed.load(), 0);
    saved = nullptr;
    collect_and_drain(2);
    EXPECT_EQ(destructed.load(), 1) << "the finalizer ran already, the object just dies";
}

TEST(finalizer, second_set_finalizer_throws_logic_error_and_nullptr_clears) {
    reset_log();
    isolated([] {
        Resource* r = lastword::make<Resource>(3);
        lastword::set_finalizer(r, [](Resource* self) { record_finalized(self); });
        EXPECT_THROW(lastword::set_finalizer(r, [](Resource*) {}), std::logic_error);
        lastword::set_finalizer(r, nullptr);
        lastword::set_finalizer(r, nullptr);  // clearing twice is harmless
        EXPECT_NO_THROW(lastword::set_finalizer(r, [](Resource*) { finalized_count.fetch_add(100); }));
        lastword::set_finalizer(r, nullptr);
    });
    collect_and_drain(2);
    EXPECT_EQ(finalized_count.load(), 0) << "a cleared finalizer never runs";
    EXPECT_EQ(destructed.load(), 1);
}

TEST(finalizer, ordered_a_reaching_b_finalizes_a_first) {
    reset_log();
    isolated([&] {
        Resource* a = lastword::make<Resource>(1);
        Resource* b = lastword::make<Resource>(2);
        a->next = b;
        lastword::set_finalizer(a, [](Resource* self) {
            EXPECT_EQ(self->next->id, 2);  // B not finalized yet: still usable
            record_finalized(self);
        });
        lastword::set_finalizer(b, [](Resource* self) { record_finalized(self); });
    });
    collect_and_drain();
    EXPECT_EQ(log_copy(), std::vector<int>{1}) << "only A in the first cycle";
    collect_and_drain(2);
    EXPECT_EQ(log_copy(), (std::vector<int>{1, 2}));
}

TEST(finalizer, a_chain_is_finalized_head_first_one_per_cycle) {
    reset_log();
    isolated([&] {
        Resource* previous = nullptr;
        for (int id = 5; id >= 1; --id) {  // 1 -> 2 -> 3 -> 4 -> 5
            Resource* r = lastword::make<Resource>(id);
            r->next = previous;
            lastword::set_finalizer(r, [](Resource* self) { record_finalized(self); });
            previous = r;
        }
    });
    collect_and_drain(8);
    EXPECT_EQ(log_copy(), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(finalizer, a_cycle_is_never_finalized_and_finalizerleaks_reports_it) {
    reset_log();
    isolated([&] {
        Resource* a = lastword::make<Resource>(1);
        Resource* b = lastword::make<Resource>(2);
        Resource* d = lastword::make<Resource>(4);  // not finalizable, closes the cycle
        Resource* e = lastword::make<Resource>(5);  // finalizable, reached from the cycle
        Resource* c = lastword::make<Resource>(3);  // finalizable, unreachable, outside the cycle
        a->next = b;  // a -> b -> d -> a
        b->next = d;
        d->next = a;
        a->other = e;
        for (Resource* r : {a, b, c, e}) lastword::set_finalizer(r, [](Resource* self) { record_finalized(self); });
    });
    collect_and_drain(3);
    EXPECT_EQ(log_copy(), std::vector<int>{3}) << "only c, which is outside the cycle";
    EXPECT_EQ(destructed.load(), 1) << "only c died; the cycle and what it reaches stay alive";
    testing::internal::CaptureStderr();
    scrub_stack();
    std::size_t leaks = lastword::debug::report_finalizer_leaks();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(leaks, 3u) << err;  // a and b in the cycle, e reached from it
    EXPECT_NE(
        err.find("is unreachable but reached from a finalizable cycle: it will never be finalized; path: 'Resource'@"),
        std::string::npos)
        << err;
    EXPECT_NE(err.find("lastword: finalizerleaks: 'Resource' (finalizer registered at test_finalizers.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("it will never be finalized; cycle: 'Resource'@"), std::string::npos) << err;
    EXPECT_NE(err.find(" -> 'Resource'@"), std::string::npos) << err;
    collect_and_drain(2);
    EXPECT_EQ(finalized_count.load(), 1);
}

TEST(finalizer, reachable_from_itself_through_a_plain_object_never_runs) {
    reset_log();
    isolated([&] {
        Resource* a = lastword::make<Resource>(1);
        auto* via = lastword::make<link_node>();  // a -> via -> a
        a->plain = via;
        via->to = a;
        lastword::set_finalizer(a, [](Resource* self) { record_finalized(self); });
        Resource* self_loop = lastword::make<Resource>(2);  // directly reaching itself
        self_loop->next = self_loop;
        lastword::set_finalizer(self_loop, [](Resource* self) { record_finalized(self); });
    });
    collect_and_drain(4);
    EXPECT_EQ(finalized_count.load(), 0);
    EXPECT_EQ(destructed.load(), 0);
}

TEST(finalizer, a_self_capturing_finalizer_never_runs_and_checkfinalizers_reports_it) {
    reset_log();
    lastword::debug::set("checkfinalizers=1");
    isolated([&] {
        Resource* r = lastword::make<Resource>(1);
        lastword::set_finalizer(r, [r](Resource*) { record_finalized(r); });
    });
    testing::internal::CaptureStderr();
    collect_and_drain(3);
    std::string err = testing::internal::GetCapturedStderr();
    lastword::debug::reset();
    EXPECT_EQ(finalized_count.load(), 0);
    EXPECT_NE(err.find("lastword: checkfinalizers: finalizer of 'Resource' (registered at test_finalizers.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find(") keeps its own object reachable: it will never run"), std::string::npos) << err;
    // Reported once, not at every collection.
    EXPECT_EQ(err.find("checkfinalizers", err.find("checkfinalizers") + 1), std::string::npos) << err;
}

TEST(finalizer, the_callable_is_a_root_for_what_it_captures) {
    reset_log();
    isolated([&] {
        Resource* owner = lastword::make<Resource>(1);
        Resource* captured = lastword::make<Resource>(2);
        lastword::set_finalizer(owner, [captured](Resource* self) {
            EXPECT_EQ(captured->id, 2);  // alive: the callable is a root
            record_finalized(self);
        });
    });
    for (int i = 0; i < 3; ++i) {
        collect_clean();
        EXPECT_LE(destructed.load(), 0 + (finalized_count.load() ? 2 : 0));
    }
    lastword::wait_for_finalizers(generous);
    EXPECT_EQ(finalized_count.load(), 1);
}

TEST(finalizer, one_thread_runs_finalizers_one_after_another_in_queue_order) {
    reset_log();
    static std::mutex ids_lock;
    static std::set<std::thread::id> threads;
    static std::atomic<int> running{0}, overlap{0};
    isolated([&] {
        for (int i = 0; i < 200; ++i) {
            Resource* r = lastword::make<Resource>(i);
            lastword::set_finalizer(r, [](Resource* self) {
                if (running.fetch_add(1) != 0) overlap.fetch_add(1);
                {
                    std::lock_guard lock(ids_lock);
                    threads.insert(std::this_thread::get_id());
                }
                std::this_thread::sleep_for(std::chrono::microseconds(50));
                record_finalized(self);
                running.fetch_sub(1);
            });
        }
    });
    collect_and_drain(2);
    EXPECT_EQ(finalized_count.load(), 200);
    EXPECT_EQ(overlap.load(), 0);
    EXPECT_EQ(threads.size(), 1u);
    EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(finalizer, a_blocked_finalizer_stalls_the_rest_slowfinalizer_reports_and_wait_times_out) {
    reset_log();
    static std::mutex gate_lock;
    static std::condition_variable gate_cv;
    static bool open = false;
    isolated([&] {
        Resource* blocker = lastword::make<Resource>(1);
        lastword::set_finalizer(blocker, [](Resource* self) {
            std::unique_lock lock(gate_lock);
            gate_cv.wait(lock, [] { return open; });
            record_finalized(self);
        });
    });
    testing::internal::CaptureStderr();
    collect_clean();
    for (int i = 2; i <= 4; ++i) make_finalizable(i);
    collect_clean();  // does not wait for finalizers: returns although one is blocked
    auto reports_before = lastword::get_stats().debug_reports;
    lastword::debug::set("slowfinalizer=100");  // after queueing: the report sees all three
    EXPECT_FALSE(lastword::wait_for_finalizers(std::chrono::milliseconds(600)));
    EXPECT_EQ(finalized_count.load(), 0) << "the others wait behind the blocked one";
    // Keep the finalizer blocked until the watchdog has reported it (no timing assumption).
    for (int i = 0; i < 2000 && lastword::get_stats().debug_reports == reports_before; ++i)
        std::this_thread::sleep_for(10ms);
    {
        std::lock_guard lock(gate_lock);
        open = true;
    }
    gate_cv.notify_all();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    std::string err = testing::internal::GetCapturedStderr();
    lastword::debug::reset();
    EXPECT_EQ(finalized_count.load(), 4);
    EXPECT_EQ(log_copy().front(), 1);
    EXPECT_NE(err.find("lastword: slowfinalizer: finalizer of 'Resource' (registered at test_finalizers.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("3 finalizers queued behind it"), std::string::npos) << err;
}

namespace {

std::atomic<bool> finalized[2];

// Returns only a plain value: the object itself is dead as soon as this returns.
__attribute__((noinline)) int open_resource() {
    Resource* r = lastword::make<Resource>(0);
    lastword::set_finalizer(r, [](Resource*) { finalized[0] = true; });
    return 77;
}

// Uses the plain value; allocates (which collects under stress=1) and gives the finalizer
// thread time to run.
__attribute__((noinline)) bool use_descriptor(int descriptor, int which) {
    lastword::make<link_node>();
    lastword::wait_for_finalizers(generous);  // returns at once when nothing was queued
    return descriptor == 77 && finalized[which].load();
}

__attribute__((noinline)) bool call_without_keep_alive() {
    int descriptor = open_resource();
    scrub_stack();
    return use_descriptor(descriptor, 0);  // the finalizer may run before this returns
}

__attribute__((noinline)) bool call_with_keep_alive() {
    Resource* r = lastword::make<Resource>(1);
    lastword::set_finalizer(r, [](Resource*) { finalized[1] = true; });
    bool result = use_descriptor(77 + r->id - 1, 1);
    lastword::keep_alive(r);
    return result;
}

}  // namespace

TEST(finalizer, stress_mode_exposes_a_missing_keep_alive) {
    lastword::debug::set("stress=1");
    bool without = call_without_keep_alive();
    bool with = call_with_keep_alive();
    lastword::debug::reset();
    EXPECT_TRUE(without) << "under stress=1 the finalizer runs in the middle of the call";
    EXPECT_FALSE(with) << "keep_alive holds the object until after the call";
    lastword::collect();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
}

TEST(finalizer, is_cleared_before_it_runs_so_it_may_register_another) {
    reset_log();
    isolated([] {
        Resource* r = lastword::make<Resource>(8);
        lastword::set_finalizer(r, [](Resource* self) {
            record_finalized(self);
            // Cleared already: a new finalizer may be set, and runs after the next unreachability.
            lastword::set_finalizer(self, [](Resource* again) { record_finalized(again); });
        });
    });
    collect_and_drain();
    EXPECT_EQ(log_copy(), std::vector<int>{8});
    collect_and_drain();
    EXPECT_EQ(log_copy(), (std::vector<int>{8, 8}));
    collect_and_drain(2);
    EXPECT_EQ(finalized_count.load(), 2);
    EXPECT_EQ(destructed.load(), 1);
}

TEST(finalizer, wait_for_finalizers_with_nothing_queued_returns_true) {
    EXPECT_TRUE(lastword::wait_for_finalizers(std::chrono::milliseconds(0)));
}

TEST(finalizer, set_finalizer_on_a_non_collected_pointer_throws) {
    Resource on_stack;
    EXPECT_THROW(lastword::set_finalizer(&on_stack, [](Resource*) {}), std::invalid_argument);
}

TEST(finalizer, a_throwing_finalizer_is_reported_and_the_others_still_run) {
    reset_log();
    isolated([&] {
        Resource* r = lastword::make<Resource>(1);
        lastword::set_finalizer(r, [](Resource*) { throw std::runtime_error("boom"); });
    });
    make_finalizable(2);
    testing::internal::CaptureStderr();
    collect_and_drain();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(finalized_count.load(), 1);
    EXPECT_NE(err.find("lastword: exception: finalizer of 'Resource'"), std::string::npos) << err;
    EXPECT_NE(err.find("threw: boom"), std::string::npos) << err;
}

namespace {
// The finalizer thread and the cleanup workers detach once their queue is empty.
bool attached_threads_become(std::size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + generous; std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(1)))
        if (lastword::get_stats().attached_threads == count) return true;
    return false;
}

bool phase_becomes(const std::atomic<int>& phase, int value) {
    for (auto deadline = std::chrono::steady_clock::now() + generous; std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(1)))
        if (phase.load() == value) return true;
    return false;
}

std::atomic<int> busy_phase{0};
std::atomic<bool> held_object_intact{false};

struct Held {
    long magic = 0x5eed;
    ~Held() { magic = 0; }
};

// Runs in the finalizer thread (or a cleanup worker): holds a new object only in its own
// frame across collections the main thread runs.
void hold_across_collections() {
    Held* held = lastword::make<Held>();
    busy_phase = 1;
    while (busy_phase.load() != 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    held_object_intact = held->magic == 0x5eed;
    lastword::keep_alive(held);
}
}  // namespace

// Every marking increment is a pause: idle runtime threads must not have to be signalled,
// scheduled and resumed for each one, but while they run user code their stacks are roots.
TEST(finalizer, runtime_threads_are_stopped_and_scanned_only_while_they_run_user_code) {
    ASSERT_TRUE(attached_threads_become(1))
        << "idle finalizer thread and cleanup workers still attached: " << lastword::get_stats().attached_threads;
    busy_phase = 0;
    held_object_intact = false;
    isolated([] {
        Resource* r = lastword::make<Resource>(1);
        lastword::set_finalizer(r, [](Resource*) { hold_across_collections(); });
    });
    collect_clean();
    ASSERT_TRUE(phase_becomes(busy_phase, 1));
    EXPECT_EQ(lastword::get_stats().attached_threads, 2u) << "the finalizer thread runs a finalizer";
    for (int i = 0; i < 3; ++i) collect_clean();
    busy_phase = 2;
    ASSERT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_TRUE(held_object_intact) << "an object only the running finalizer's frame holds was freed";
    EXPECT_TRUE(attached_threads_become(1));
}

TEST(cleanup, a_worker_is_stopped_and_scanned_while_it_runs_a_cleanup) {
    ASSERT_TRUE(attached_threads_become(1));
    busy_phase = 0;
    held_object_intact = false;
    isolated([] {
        Resource* r = lastword::make<Resource>(2);
        lastword::add_cleanup(r, [](int) { hold_across_collections(); }, 0);
    });
    collect_clean();
    ASSERT_TRUE(phase_becomes(busy_phase, 1));
    EXPECT_EQ(lastword::get_stats().attached_threads, 2u) << "one cleanup worker runs a cleanup";
    for (int i = 0; i < 3; ++i) collect_clean();
    busy_phase = 2;
    ASSERT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_TRUE(held_object_intact) << "an object only the running cleanup's frame holds was freed";
    EXPECT_TRUE(attached_threads_become(1));
}
