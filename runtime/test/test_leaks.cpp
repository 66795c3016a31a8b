// checkfinalizers and finalizerleaks see edges through callables and persistent handles:
// a finalizable object kept alive only by its own callable, by another finalizable
// object's callable that it keeps alive in turn, or by a persistent handle it owns.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

std::atomic<int> finalized{0};

// One type per test, so a test's reports are told apart from leaks earlier tests left behind.
template <int Test> struct Session {
    int id = 0;
    member<Session> peer;
    explicit Session(int i = 0) : id(i) {}
    void trace(lastword::tracer& t) const { t.visit(peer); }
};

std::size_t leaks_before() {
    testing::internal::CaptureStderr();
    std::size_t n = lastword::debug::report_finalizer_leaks();
    testing::internal::GetCapturedStderr();
    return n;
}

// Holds a persistent handle to itself: a root that lives inside the object it roots.
struct Pinned {
    persistent<Pinned> self;
};

struct Plain {
    int id = 0;
};

std::string collect_reporting(const char* mode) {
    lastword::debug::set(mode);
    testing::internal::CaptureStderr();
    collect_and_drain(2);
    std::string err = testing::internal::GetCapturedStderr();
    lastword::debug::reset();
    return err;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST(leaks, a_self_capture_through_a_shared_persistent_is_reported_by_checkfinalizers) {
    finalized = 0;
    std::size_t before = leaks_before();
    isolated([] {
        Session<1>* s = lastword::make<Session<1>>(1);
        auto handle = std::make_shared<persistent<Session<1>>>(s);
        lastword::set_finalizer(s, [handle](Session<1>*) { finalized.fetch_add(1); });
    });
    std::string err = collect_reporting("checkfinalizers=1");
    EXPECT_EQ(finalized.load(), 0);
    EXPECT_NE(err.find("lastword: checkfinalizers: finalizer of 'Session<1>' (registered at test_leaks.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("keeps its own object reachable: it will never run"), std::string::npos) << err;
}

TEST(leaks, a_self_capture_through_a_shared_persistent_is_reported_by_finalizerleaks) {
    finalized = 0;
    std::size_t before = leaks_before();
    isolated([] {
        Session<2>* s = lastword::make<Session<2>>(2);
        auto handle = std::make_shared<persistent<Session<2>>>(s);
        lastword::set_finalizer(s, [handle](Session<2>*) { finalized.fetch_add(1); });
    });
    scrub_stack();  // stale copies in dead frames (at -O0 above all) would keep the object
    testing::internal::CaptureStderr();
    std::size_t reported = lastword::debug::report_finalizer_leaks() - before;
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(reported, 1u) << err;
    EXPECT_NE(err.find("lastword: finalizerleaks: 'Session<2>' (finalizer registered at test_leaks.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("is unreachable but reachable from itself: it will never be finalized"), std::string::npos)
        << err;
    EXPECT_NE(err.find("(finalizer of 'Session<2>')"), std::string::npos) << err;
}

TEST(leaks, two_finalizers_capturing_each_others_objects_are_reported_by_both_modes) {
    finalized = 0;
    std::size_t before = leaks_before();
    isolated([] {
        Session<3>* a = lastword::make<Session<3>>(1);
        Session<3>* b = lastword::make<Session<3>>(2);
        lastword::set_finalizer(a, [b](Session<3>*) { finalized.fetch_add(b->id); });
        lastword::set_finalizer(b, [a](Session<3>*) { finalized.fetch_add(a->id); });
    });
    std::string err = collect_reporting("checkfinalizers=1");
    EXPECT_EQ(finalized.load(), 0);
    EXPECT_EQ(count_of(err, "lastword: checkfinalizers: finalizer of 'Session<3>'"), 2u) << err;

    scrub_stack();  // stale copies in dead frames (at -O0 above all) would keep the object
    testing::internal::CaptureStderr();
    std::size_t reported = lastword::debug::report_finalizer_leaks() - before;
    err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(reported, 2u) << err;
    EXPECT_EQ(count_of(err, "lastword: finalizerleaks: 'Session<3>'"), 2u) << err;
}

TEST(leaks, a_persistent_inside_its_own_object_is_reported_by_finalizerleaks) {
    finalized = 0;
    std::size_t before = leaks_before();
    isolated([] {
        Pinned* p = lastword::make<Pinned>();
        p->self = p;
        lastword::set_finalizer(p, [](Pinned*) { finalized.fetch_add(1); });
    });
    scrub_stack();  // stale copies in dead frames (at -O0 above all) would keep the object
    testing::internal::CaptureStderr();
    std::size_t reported = lastword::debug::report_finalizer_leaks() - before;
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(reported, 1u) << err;
    EXPECT_NE(err.find("lastword: finalizerleaks: 'Pinned' (finalizer registered at test_leaks.cpp:"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("(persistent in 'Pinned')"), std::string::npos) << err;
    EXPECT_EQ(finalized.load(), 0);
}

// Near misses: edges through callables that do not close a cycle are no leak.
TEST(leaks, a_finalizer_capturing_another_finalizable_object_is_no_leak) {
    finalized = 0;
    std::size_t before = leaks_before();
    isolated([] {
        Session<5>* a = lastword::make<Session<5>>(1);
        Session<5>* b = lastword::make<Session<5>>(10);
        lastword::set_finalizer(a, [b](Session<5>*) { finalized.fetch_add(b->id); });
        lastword::set_finalizer(b, [](Session<5>* self) { finalized.fetch_add(self->id); });
    });
    scrub_stack();  // stale copies in dead frames (at -O0 above all) would keep the object
    testing::internal::CaptureStderr();
    std::size_t reported = lastword::debug::report_finalizer_leaks() - before;
    lastword::debug::set("checkfinalizers=1");
    for (int i = 0; i < 6 && finalized.load() < 20; ++i) collect_and_drain();
    lastword::debug::reset();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(reported, 0u) << err;
    EXPECT_EQ(err.find("'Session<5>'"), std::string::npos) << err;
    EXPECT_EQ(finalized.load(), 20) << "a first (it sees b alive), then b";
}

TEST(leaks, an_object_rooted_by_an_outside_persistent_is_no_leak) {
    finalized = 0;
    std::size_t before = leaks_before();
    static persistent<Session<6>> global;
    auto shared = std::make_shared<persistent<Session<6>>>();
    isolated([&] {
        Session<6>* a = lastword::make<Session<6>>(1);
        Session<6>* b = lastword::make<Session<6>>(2);
        global = a;
        *shared = b;  // a shared handle nobody's callable owns
        lastword::set_finalizer(a, [](Session<6>*) { finalized.fetch_add(1); });
        lastword::set_finalizer(b, [](Session<6>*) { finalized.fetch_add(1); });
        a->peer = a;  // reachable from itself, but also from a root: not unreachable
    });
    scrub_stack();  // stale copies in dead frames (at -O0 above all) would keep the object
    testing::internal::CaptureStderr();
    std::size_t reported = lastword::debug::report_finalizer_leaks() - before;
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(reported, 0u) << err;
    EXPECT_EQ(finalized.load(), 0);
    global = nullptr;
    shared.reset();
}
