// Promises about threads and user code the collector calls: a thread that is not attached
// and stores into a member<> is attached, and allocating from a destructor or trace() that
// the collector runs under its lock fails with one line naming the type instead of hanging.
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

std::atomic<int> destroyed{0};

struct Item {
    long payload = 42;
    ~Item() { destroyed.fetch_add(1); }
};

struct Box {
    member<Item> item;
    void trace(lastword::tracer& t) const { t.visit(item); }
};

struct allocates_in_destructor {
    ~allocates_in_destructor() { lastword::make<Item>(); }
};

struct allocates_in_trace {
    member<Item> item;
    void trace(lastword::tracer& t) const {
        lastword::make<Item>();
        t.visit(item);
    }
};

}  // namespace

TEST(contract, a_thread_that_stores_into_a_member_is_attached_until_it_exits) {
    destroyed = 0;
    persistent<Box> box = lastword::make<Box>();
    std::atomic<int> step{0};
    std::atomic<long> seen{0};
    std::thread worker([&] {  // no mutator_scope
        box->item = lastword::make<Item>();  // the store attaches the thread
        Item* local = lastword::make<Item>();  // held only by this thread's stack
        step = 1;
        while (step.load() != 2) std::this_thread::yield();
        lastword::keep_alive(local);
        seen = local->payload;
    });
    while (step.load() != 1) std::this_thread::yield();
    collect_clean();
    collect_clean();
    EXPECT_EQ(destroyed.load(), 0) << "the stack of a thread attached by its store is a root";
    step = 2;
    worker.join();
    EXPECT_EQ(seen.load(), 42);
    // The thread detached as it exited: collections do not wait for it.
    collect_clean();
    EXPECT_GE(destroyed.load(), 1);
    EXPECT_EQ(box->item->payload, 42);
}

TEST(contract, a_thread_that_only_allocates_stays_unattached) {
    destroyed = 0;
    std::atomic<int> step{0};
    std::thread worker([&] {
        Item* local = lastword::make<Item>();  // not a root: the thread is not attached
        step = 1;
        while (step.load() != 2) std::this_thread::yield();
        asm volatile("" : : "r"(local) : "memory");
    });
    while (step.load() != 1) std::this_thread::yield();
    collect_clean();
    EXPECT_EQ(destroyed.load(), 1) << "only a member<> store attaches a thread";
    step = 2;
    worker.join();
}

using contract_death = testing::Test;

TEST(contract_death, a_destructor_that_allocates_fails_with_a_message_naming_its_type) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            alarm(20);  // a deadlock fails the test instead of hanging it
            isolated([] { lastword::make<allocates_in_destructor>(); });
            collect_clean();
            collect_clean();
        },
        "lastword: make<Item> called from the destructor of 'allocates_in_destructor', which the collector runs "
        "while holding its lock: it would deadlock");
}

TEST(contract_death, a_trace_function_that_allocates_fails_with_a_message) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            alarm(20);
            persistent<allocates_in_trace> keep = lastword::make<allocates_in_trace>();
            collect_clean();
        },
        "lastword: make<Item> called from a trace\\(\\) function or a debug analysis, while the world is stopped");
}
