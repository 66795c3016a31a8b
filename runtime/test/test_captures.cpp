// "Whatever the callable captures stays alive": captures held through storage the callable
// owns on the malloc heap (std::function targets, std::shared_ptr, std::vector), for
// finalizers, cleanups and a cleanup's arg, for as long as the registration exists.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::persistent;

namespace {

constexpr long intact = 0x5eed;
std::atomic<int> nodes_destroyed{0};
std::atomic<long> seen_sum{0};
std::atomic<int> ran{0};

struct Node {
    long payload = intact;
    ~Node() {
        payload = 0;
        nodes_destroyed.fetch_add(1);
    }
};

struct Owner {
    int id = 0;
};

void reset() {
    nodes_destroyed = 0;
    seen_sum = 0;
    ran = 0;
}

struct nested {
    std::vector<Node*> nodes;
    std::string label = "a label long enough to live on the malloc heap";
};

// Malloc hands out recycled chunks whose slack still holds words of earlier tests, which the
// conservative scan of a callable's storage would honour. Recycles small chunks zeroed.
__attribute__((noinline)) void scrub_small_malloc_chunks() {
    std::vector<void*> blocks;
    for (int round = 0; round < 16; ++round)
        for (std::size_t size = 8; size <= 512; size += 8) {
            void* p = std::malloc(size);
            std::memset(p, 0, size);
            blocks.push_back(p);
        }
    for (void* p : blocks) std::free(p);
}

// Collects until the captured nodes would have been freed, then checks none was.
void expect_nodes_survive(int count) {
    collect_and_drain(3);
    EXPECT_EQ(nodes_destroyed.load(), 0) << "a node held only by the registration's captures was freed";
    (void)count;
}

// Conservative scanning (stacks, and the callable's malloc'ed storage whose slack may hold
// stale words) can retain an object for a collection or two: a few more are allowed.
void collect_until_ran() {
    for (int i = 0; i < 6 && ran.load() == 0; ++i) collect_and_drain();
}

// After the registration is gone, its captures are garbage like any other.
// A finalizer that walks many pointers may leave some in vector registers, which the
// stop signal saves into the finalizer thread's signal frame (a root): tolerance allows them.
void expect_nodes_freed_eventually(int count, int tolerance = 0) {
    for (int i = 0; i < 6 && nodes_destroyed.load() < count - tolerance; ++i) collect_and_drain();
    EXPECT_GE(nodes_destroyed.load(), count - tolerance);
}

}  // namespace

TEST(captures, a_std_function_target_on_the_malloc_heap_is_a_root) {
    reset();
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        Node* n = lastword::make<Node>();
        std::string padding(40, 'x');  // too big for std::function's small buffer
        std::function<long()> read = [n, padding] { return n->payload + static_cast<long>(padding.size()) - 40; };
        lastword::set_finalizer(owner.get(), [read](Owner*) {
            seen_sum += read();
            ran.fetch_add(1);
        });
    });
    expect_nodes_survive(1);
    owner = nullptr;
    collect_until_ran();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(seen_sum.load(), intact);
    expect_nodes_freed_eventually(1);
}

TEST(captures, a_shared_ptr_capture_is_a_root) {
    reset();
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        auto first = std::make_shared<Node*>(lastword::make<Node>());  // element inside the control block
        auto second = std::shared_ptr<Node*>(new Node*(lastword::make<Node>()));  // element in a block of its own
        lastword::set_finalizer(owner.get(), [first, second](Owner*) {
            seen_sum += (*first)->payload + (*second)->payload;
            ran.fetch_add(1);
        });
    });
    expect_nodes_survive(2);
    owner = nullptr;
    collect_until_ran();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(seen_sum.load(), 2 * intact);
    expect_nodes_freed_eventually(2);
}

TEST(captures, a_vector_of_pointers_captured_by_value_is_a_root) {
    reset();
    const int count = 300;  // several elements per size class and a buffer of its own
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        std::vector<Node*> nodes;
        for (int i = 0; i < count; ++i) nodes.push_back(lastword::make<Node>());
        lastword::set_finalizer(owner.get(), [nodes](Owner*) {
            long sum = 0;
            for (Node* n : nodes) sum += n->payload;
            seen_sum += sum;
            ran.fetch_add(1);
        });
    });
    expect_nodes_survive(count);
    owner = nullptr;
    collect_until_ran();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(seen_sum.load(), count * intact);
    expect_nodes_freed_eventually(count, 64);
}

TEST(captures, storage_nested_several_blocks_deep_is_a_root) {
    reset();
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        auto shared = std::make_shared<nested>();
        for (int i = 0; i < 3; ++i) shared->nodes.push_back(lastword::make<Node>());
        std::function<void()> body = [shared] {
            for (Node* n : shared->nodes) seen_sum += n->payload;
        };
        lastword::set_finalizer(owner.get(), [body = std::vector<std::function<void()>>{body}](Owner*) {
            for (auto& f : body) f();
            ran.fetch_add(1);
        });
    });
    expect_nodes_survive(3);
    owner = nullptr;
    collect_until_ran();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(seen_sum.load(), 3 * intact);
    expect_nodes_freed_eventually(3);
}

TEST(captures, a_cleanups_callable_and_arg_keep_their_owned_storage_alive) {
    reset();
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        auto shared = std::make_shared<Node*>(lastword::make<Node>());
        std::vector<Node*> arg{lastword::make<Node>(), lastword::make<Node>()};
        lastword::add_cleanup(
            owner.get(),
            [shared](const std::vector<Node*>& nodes) {
                long sum = (*shared)->payload;
                for (Node* n : nodes) sum += n->payload;
                seen_sum += sum;
                ran.fetch_add(1);
            },
            arg);
    });
    expect_nodes_survive(3);
    owner = nullptr;
    collect_until_ran();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(seen_sum.load(), 3 * intact);
    expect_nodes_freed_eventually(3);
}

TEST(captures, a_cancelled_registration_no_longer_keeps_its_captures) {
    reset();
    persistent<Owner> owner;
    static lastword::cleanup handle;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        std::vector<Node*> nodes{lastword::make<Node>(), lastword::make<Node>()};
        handle = lastword::add_cleanup(owner.get(), [](const std::vector<Node*>&) { ran.fetch_add(1); }, nodes);
        std::function<void()> f = [n = lastword::make<Node>(), padding = std::string(40, 'y')] { (void)n; };
        lastword::set_finalizer(owner.get(), [f](Owner*) { ran.fetch_add(1); });
    });
    expect_nodes_survive(3);
    handle.stop();
    lastword::set_finalizer(owner.get(), nullptr);
    // One node may stay behind a stale word (ASan's allocator recycles the callable's storage
    // later than malloc does, so scrubbing does not reach it): at least two are freed.
    expect_nodes_freed_eventually(3, 1);
    EXPECT_EQ(ran.load(), 0);
}

TEST(captures, beyond_its_bounds_the_walk_reports_once_and_still_keeps_direct_captures) {
    reset();
    persistent<Owner> owner;
    isolated([&] {
        scrub_small_malloc_chunks();
        owner = lastword::make<Owner>();
        std::vector<Node*> near{lastword::make<Node>()};
        std::list<int> far(70000, 1);  // more blocks than one registration's walk visits
        lastword::set_finalizer(owner.get(), [near, far](Owner*) { seen_sum += near.front()->payload; });
    });
    testing::internal::CaptureStderr();
    collect_and_drain(2);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(nodes_destroyed.load(), 0) << "a capture next to the callable is scanned first";
    EXPECT_NE(err.find("lastword: captures: a finalizer or cleanup owns more than 65536 malloc'ed blocks or 256 MiB"),
              std::string::npos)
        << err;
    owner = nullptr;
    for (int i = 0; i < 6 && seen_sum.load() == 0; ++i) collect_and_drain();
    EXPECT_EQ(seen_sum.load(), intact);
}
