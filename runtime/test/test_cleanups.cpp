// Cleanups: worker pool, concurrency, no resurrection, several per object, stop(), arg == ptr.
#include <gtest/gtest.h>

#include <barrier>
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
        lastword::add_cleanup(f, [](int d) {
            seen_arg = d;
            cleaned.fetch_add(1);
        }, f->descriptor);
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
            lastword::add_cleanup(f, [](int) {
                both.arrive_and_wait();
                cleaned.fetch_add(1);
            }, i);
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
        lastword::add_cleanup(owner, [captured](file* a) {
            arg_value = a->descriptor;               // alive: arg is a root
            captured_value = captured->descriptor;  // alive: the callable is a root
            cleaned.fetch_add(1);
        }, arg);
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
