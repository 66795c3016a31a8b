// Debug modes: verify, stress, settings parsing, statistics.
#include <gtest/gtest.h>

#include <cstdint>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

struct Node {
    long payload = 0x1234;
};

// Keeps a collected pointer in an integer: invisible to the precise heap trace.
struct Holder {
    std::uintptr_t hidden = 0;
    member<Node> visible;
    member<Node> untraced;  // forgotten by trace(): as hidden as the integer
    void trace(lastword::tracer& t) const { t.visit(visible); }
};

__attribute__((noinline)) void hide_a_node(Holder* h) {
    h->hidden = reinterpret_cast<std::uintptr_t>(lastword::make<Node>());
    h->untraced = lastword::make<Node>();
    h->visible = lastword::make<Node>();
}

}  // namespace

TEST(debug, verify_reports_the_use_of_a_pointer_hidden_in_an_integer) {
    lastword::debug::set("verify=1");
    persistent<Holder> holder = lastword::make<Holder>();
    hide_a_node(holder.get());
    collect_clean();
    auto* hidden = reinterpret_cast<Node*>(holder->hidden);
    testing::internal::CaptureStderr();
    bool ok = lastword::debug::check_pointer(hidden);
    long poisoned = hidden->payload;  // reads poison, not a plausible value
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(ok);
    EXPECT_NE(poisoned, 0x1234);
    EXPECT_NE(err.find("lastword: verify: use of freed object at 0x"), std::string::npos) << err;
    EXPECT_NE(err.find("(was 'Node', freed in collection"), std::string::npos) << err;
    EXPECT_TRUE(lastword::debug::check_pointer(holder->visible.get()));
    lastword::debug::reset();
}

TEST(debug, verify_reports_dereferencing_a_member_whose_target_was_freed) {
    lastword::debug::set("verify=1");
    persistent<Holder> holder = lastword::make<Holder>();
    hide_a_node(holder.get());
    collect_clean();
    testing::internal::CaptureStderr();
    long value = holder->untraced->payload;
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(value, 0x1234);
    EXPECT_NE(err.find("lastword: verify: use of freed object at 0x"), std::string::npos) << err;
    lastword::debug::reset();
}

TEST(debug, verify_reports_a_reachable_member_pointing_to_freed_memory_after_marking) {
    lastword::debug::set("verify=1");
    persistent<Holder> holder = lastword::make<Holder>();
    hide_a_node(holder.get());
    collect_clean();
    // Resurface the hidden pointer into a traced member: the heap now holds a dangling edge.
    holder->visible = reinterpret_cast<Node*>(holder->hidden);
    testing::internal::CaptureStderr();
    collect_clean();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("lastword: verify: 'Holder' at 0x"), std::string::npos) << err;
    EXPECT_NE(err.find("holds a pointer to freed memory 0x"), std::string::npos) << err;
    EXPECT_NE(err.find("(was 'Node', freed in collection"), std::string::npos) << err;
    holder->visible = nullptr;
    lastword::debug::reset();
}

TEST(debug, without_verify_the_hidden_pointer_is_still_freed) {
    persistent<Holder> holder = lastword::make<Holder>();
    hide_a_node(holder.get());
    collect_clean();
    EXPECT_EQ(lastword::detail::object_start(reinterpret_cast<void*>(holder->hidden)), nullptr);
    EXPECT_NE(lastword::detail::object_start(holder->visible.get()), nullptr);
}

TEST(debug, stress_collects_at_every_allocation) {
    lastword::debug::set("stress=1");
    auto before = lastword::get_stats().collections;
    for (int i = 0; i < 20; ++i) lastword::make<Node>();
    auto after = lastword::get_stats().collections;
    lastword::debug::reset();
    EXPECT_GE(after - before, 20u);
}

TEST(debug, settings_parse_and_unknown_ones_throw) {
    EXPECT_NO_THROW(lastword::debug::set("verify=1, stress=0,checkfinalizers,finalizerleaks=0"));
    EXPECT_THROW(lastword::debug::set("nonsense=1"), std::invalid_argument);
    lastword::debug::reset();
}

TEST(debug, statistics_count_finalizers_and_cleanups) {
    auto before = lastword::get_stats();
    isolated([&] {
        for (int i = 0; i < 10; ++i) {
            Node* n = lastword::make<Node>();
            lastword::set_finalizer(n, [](Node*) {});
            Node* m = lastword::make<Node>();
            lastword::add_cleanup(m, [](int) {}, i);
        }
    });
    collect_clean();
    ASSERT_TRUE(lastword::wait_for_finalizers(generous));
    auto after = lastword::get_stats();
    EXPECT_GE(after.finalizers_queued - before.finalizers_queued, 9u);
    EXPECT_EQ(after.finalizers_run - before.finalizers_run, after.finalizers_queued - before.finalizers_queued);
    EXPECT_GE(after.cleanups_run - before.cleanups_run, 9u);
    EXPECT_GT(after.objects_freed, before.objects_freed);
}

namespace {
constexpr int probe_bytes = 4096;

// Both probes uninstrumented, so their arrays lie at the same depth in every build.
__attribute__((noinline, no_sanitize("address", "thread", "memory"))) void leave_marker_in_dead_stack(char marker) {
    volatile char area[probe_bytes];
    for (int i = 0; i < probe_bytes; ++i) area[i] = marker;
}

// Reads what an uninitialised local at the same depth starts with: the dead stack.
__attribute__((noinline, no_sanitize("address", "thread", "memory"))) int marker_bytes_in_dead_stack(char marker) {
    volatile char area[probe_bytes];
    int found = 0;
    for (int i = 0; i < probe_bytes; ++i) found += area[i] == marker;
    return found;
}
}  // namespace

TEST(debug, scrub_stack_clears_the_dead_stack_below_the_caller) {
    leave_marker_in_dead_stack('\x5a');
    EXPECT_GT(marker_bytes_in_dead_stack('\x5a'), probe_bytes / 2) << "control: the dead stack keeps the marker";
    leave_marker_in_dead_stack('\x5b');
    lastword::debug::scrub_stack();
    // All but at most one word: with frame pointers, scrub_stack's own frame has a slot of
    // alignment padding between its saved registers and its array that it never writes.
    EXPECT_LE(marker_bytes_in_dead_stack('\x5b'), static_cast<int>(sizeof(void*)));
}

TEST(debug, scrub_stack_keeps_the_callers_locals) {
    volatile long locals[64];
    for (int i = 0; i < 64; ++i) locals[i] = 7L * i + 1;
    lastword::debug::scrub_stack();
    for (int i = 0; i < 64; ++i) EXPECT_EQ(locals[i], 7L * i + 1);
}
