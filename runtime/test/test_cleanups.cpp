// Cleanups: worker pool, concurrency, no resurrection, several per object, stop(), arg == ptr.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

std::atomic<int> destroyed{0};
std::atomic<int> cleaned{0};

struct file {
    int descriptor = 0;
    member<file> sibling;
    explicit file(int d = 0) : descriptor(d) {}
    ~file() { destroyed.fetch_add(1); }
    void trace(lastword::tracer& t) const { t.visit(sibling); }
};

void reset() {
    destroyed = 0;
    cleaned = 0;
}

}  // namespace

TEST(cleanup, runs_with_its_argument_after_the_object_died_without_resurrecting_it) {
    reset();
    static std::atomic<int> seen_arg{0};
    static std::atomic<int> destroyed_before_cleanup{-1};
    isolated([&] {
        file* f = lastword::make<file>(17);
        lastword::add_cleanup(
            f,
            [](int d) {
                seen_arg = d;
                cleaned.fetch_add(1);
            },
            f->descriptor);
    });
    collect_clean();
    // No resurrection: freed (destructor run) by the same collection that queued the cleanup.
    destroyed_before_cleanup = destroyed.load();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_EQ(cleaned.load(), 1);
    EXPECT_EQ(seen_arg.load(), 17);
    EXPECT_EQ(destroyed_before_cleanup.load(), 1);
    collect_and_drain(2);
    EXPECT_EQ(cleaned.load(), 1) << "once";
}

TEST(cleanup, does_not_run_while_reachable) {
    reset();
    persistent<file> keep;
    isolated([&] {
        keep = lastword::make<file>(1);
        lastword::add_cleanup(keep.get(), [](int) { cleaned.fetch_add(1); }, 0);
    });
    collect_and_drain(2);
    EXPECT_EQ(cleaned.load(), 0);
    keep = nullptr;
    collect_and_drain();
    EXPECT_EQ(cleaned.load(), 1);
}

TEST(cleanup, several_cleanups_on_one_object_all_run) {
    reset();
    isolated([&] {
        file* f = lastword::make<file>(3);
        for (int i = 0; i < 5; ++i) lastword::add_cleanup(f, [](int) { cleaned.fetch_add(1); }, i);
    });
    collect_and_drain();
    EXPECT_EQ(cleaned.load(), 5);
}

TEST(cleanup, cleanups_run_concurrently_on_the_worker_pool) {
    reset();
    // Each cleanup waits for the other one: this only completes if two run at the same time.
    static std::barrier<> both(2);
    isolated([&] {
        for (int i = 0; i < 2; ++i) {
            file* f = lastword::make<file>(i);
            lastword::add_cleanup(
                f,
                [](int) {
                    both.arrive_and_wait();
                    cleaned.fetch_add(1);
                },
                i);
        }
    });
    collect_clean();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_EQ(cleaned.load(), 2);
}

TEST(cleanup, stop_cancels_a_cleanup_that_has_not_run) {
    reset();
    static lastword::cleanup handle;
    isolated([&] {
        file* f = lastword::make<file>(1);
        handle = lastword::add_cleanup(f, [](int) { cleaned.fetch_add(100); }, 0);
        lastword::add_cleanup(f, [](int) { cleaned.fetch_add(1); }, 0);
    });
    handle.stop();
    handle.stop();  // idempotent
    collect_and_drain(2);
    EXPECT_EQ(cleaned.load(), 1);
    EXPECT_EQ(destroyed.load(), 1);
    EXPECT_GE(lastword::get_stats().cleanups_cancelled, 1u);
}

TEST(cleanup, arg_equal_to_ptr_throws_invalid_argument) {
    file* f = lastword::make<file>(1);
    EXPECT_THROW(lastword::add_cleanup(f, [](file*) {}, f), std::invalid_argument);
    const file* same = f;
    EXPECT_THROW(lastword::add_cleanup(f, [](const file*) {}, same), std::invalid_argument);
    lastword::keep_alive(f);
}

TEST(cleanup, callable_and_arg_are_roots) {
    reset();
    static std::atomic<int> arg_value{0}, captured_value{0};
    isolated([&] {
        file* owner = lastword::make<file>(1);
        file* arg = lastword::make<file>(2);
        file* captured = lastword::make<file>(3);
        lastword::add_cleanup(
            owner,
            [captured](file* a) {
                arg_value = a->descriptor;  // alive: arg is a root
                captured_value = captured->descriptor;  // alive: the callable is a root
                cleaned.fetch_add(1);
            },
            arg);
    });
    collect_clean();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_EQ(cleaned.load(), 1);
    EXPECT_EQ(arg_value.load(), 2);
    EXPECT_EQ(captured_value.load(), 3);
    EXPECT_EQ(destroyed.load(), 1) << "only the owner died with the cleanup queued";
    collect_and_drain();
    EXPECT_EQ(destroyed.load(), 3) << "after it ran, callable and arg are released";
}

TEST(cleanup, an_arg_reaching_the_object_keeps_it_and_checkfinalizers_reports_it) {
    reset();
    lastword::debug::set("checkfinalizers=1");
    isolated([&] {
        file* f = lastword::make<file>(1);
        file* arg = lastword::make<file>(2);
        arg->sibling = f;
        lastword::add_cleanup(f, [](file*) { cleaned.fetch_add(1); }, arg);
    });
    testing::internal::CaptureStderr();
    collect_and_drain(2);
    std::string err = testing::internal::GetCapturedStderr();
    lastword::debug::reset();
    EXPECT_EQ(cleaned.load(), 0);
    EXPECT_NE(err.find("lastword: checkfinalizers: cleanup of 'file' (registered at test_cleanups.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("keeps its own object reachable: it will never run"), std::string::npos) << err;
}

TEST(cleanup, many_cleanups_from_many_objects) {
    reset();
    const int count = 20000 / scale;
    isolated([count] {
        for (int i = 0; i < count; ++i) {
            file* f = lastword::make<file>(i);
            lastword::add_cleanup(f, [](int) { cleaned.fetch_add(1); }, i);
        }
    });
    collect_clean();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_GE(cleaned.load(), count - 10);  // a few may linger in conservative roots
    auto s = lastword::get_stats();
    EXPECT_GE(s.cleanups_run, static_cast<std::uint64_t>(cleaned.load()));
}

namespace {
// A gate cleanups can block on until the test opens it.
struct gate {
    std::mutex lock;
    std::condition_variable opened;
    bool open = false;
    void wait() {
        std::unique_lock l(lock);
        opened.wait(l, [this] { return open; });
    }
    void release() {
        {
            std::lock_guard l(lock);
            open = true;
        }
        opened.notify_all();
    }
};

template <class Pred> bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}
}  // namespace

TEST(cleanup, two_blocked_cleanups_do_not_stall_the_others) {
    reset();
    static gate blocked;
    static std::atomic<int> quick{0};
    isolated([&] {
        for (int i = 0; i < 2; ++i) lastword::add_cleanup(lastword::make<file>(i), [](int) { blocked.wait(); }, i);
        for (int i = 0; i < 3; ++i) lastword::add_cleanup(lastword::make<file>(i), [](int) { quick.fetch_add(1); }, i);
    });
    collect_clean();
    bool ran = eventually([] { return quick.load() == 3; });
    blocked.release();
    EXPECT_TRUE(ran) << "the quick cleanups waited behind the two blocked ones";
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_GE(lastword::get_stats().cleanup_workers, 3u);
}

TEST(cleanup, the_pool_grows_while_cleanups_block_but_never_past_its_limit) {
    reset();
    static gate blocked;
    static std::atomic<int> running{0}, most{0};
    const int blockers = 20;
    isolated([&] {
        for (int i = 0; i < blockers; ++i)
            lastword::add_cleanup(
                lastword::make<file>(i),
                [](int) {
                    int now = running.fetch_add(1) + 1;
                    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
                    }
                    blocked.wait();
                    running.fetch_sub(1);
                    cleaned.fetch_add(1);
                },
                i);
    });
    collect_clean();
    EXPECT_TRUE(eventually([] { return most.load() >= 16; })) << most.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room to overshoot, if it would
    EXPECT_EQ(most.load(), 16) << "sixteen workers at most";
    EXPECT_EQ(lastword::get_stats().cleanup_workers, 16u);
    EXPECT_FALSE(lastword::wait_for_finalizers(std::chrono::milliseconds(50))) << "four wait for a free worker";
    blocked.release();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_EQ(cleaned.load(), blockers);
}

TEST(cleanup, quick_cleanups_do_not_grow_the_pool) {
    reset();
    auto before = lastword::get_stats().cleanup_workers;
    isolated([] {
        for (int i = 0; i < 2000; ++i)
            lastword::add_cleanup(lastword::make<file>(i), [](int) { cleaned.fetch_add(1); }, i);
    });
    collect_clean();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_LE(lastword::get_stats().cleanup_workers, std::max<std::size_t>(before, 2) + 1);
}

TEST(cleanup, slowfinalizer_reports_a_cleanup_that_runs_too_long) {
    reset();
    static gate blocked;
    isolated([&] {
        lastword::add_cleanup(lastword::make<file>(7), [](int) { blocked.wait(); }, 7);
        lastword::add_cleanup(lastword::make<file>(8), [](int) { cleaned.fetch_add(1); }, 8);  // quick: not reported
    });
    testing::internal::CaptureStderr();
    auto reports_before = lastword::get_stats().debug_reports;
    lastword::debug::set("slowfinalizer=100");
    collect_clean();
    bool reported = eventually([&] { return lastword::get_stats().debug_reports > reports_before; });
    blocked.release();
    EXPECT_TRUE(lastword::wait_for_finalizers(generous));
    std::string err = testing::internal::GetCapturedStderr();
    lastword::debug::reset();
    EXPECT_TRUE(reported);
    EXPECT_NE(err.find("lastword: slowfinalizer: cleanup of 'file' (registered at test_cleanups.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("has been running for "), std::string::npos) << err;
    EXPECT_NE(err.find("(limit 100 ms)"), std::string::npos) << err;
    EXPECT_EQ(err.find("lastword: slowfinalizer", err.find("lastword: slowfinalizer") + 1), std::string::npos)
        << "reported once: " << err;
}
