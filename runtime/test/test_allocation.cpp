// Allocation, tracing, roots, destructors and the heap limit.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

std::atomic<int> destroyed{0};

struct node {
    int value = 0;
    member<node> left;
    member<node> right;
    explicit node(int v = 0) : value(v) {}
    ~node() { destroyed.fetch_add(1); }
    void trace(lastword::tracer& t) const {
        t.visit(left);
        t.visit(right);
    }
};

struct plain {
    long a = 1, b = 2;
};

struct big {
    char bytes[100000];
    member<plain> inner;
    void trace(lastword::tracer& t) const { t.visit(inner); }
};

__attribute__((noinline)) node* build_tree(int depth) {
    if (depth == 0) return lastword::make<node>(1);
    node* n = lastword::make<node>(depth);
    n->left = build_tree(depth - 1);
    n->right = build_tree(depth - 1);
    return n;
}

int count_tree(const node* n) { return n ? 1 + count_tree(n->left.get()) + count_tree(n->right.get()) : 0; }

__attribute__((noinline)) void make_garbage(int count) {
    for (int i = 0; i < count; ++i) lastword::make<node>(i);
}

}  // namespace

TEST(allocation, make_constructs_zeroed_object_and_member_behaves_like_pointer) {
    node* n = lastword::make<node>(7);
    EXPECT_EQ(n->value, 7);
    EXPECT_FALSE(n->left);
    EXPECT_TRUE(n->left == nullptr);
    node* child = lastword::make<node>(8);
    n->left = child;
    EXPECT_EQ(n->left.get(), child);
    EXPECT_EQ(n->left->value, 8);
    EXPECT_EQ((*n->left).value, 8);
    EXPECT_TRUE(n->left == child);
    n->right = n->left;
    EXPECT_TRUE(n->right == n->left);
    n->left = nullptr;
    EXPECT_FALSE(n->left);
    lastword::keep_alive(n);
}

TEST(allocation, members_keep_a_tree_alive_across_collections) {
    persistent<node> root = build_tree(12);
    for (int i = 0; i < 3; ++i) {
        make_garbage(20000);
        collect_clean();
        EXPECT_EQ(count_tree(root.get()), (1 << 13) - 1);
    }
}

TEST(allocation, unreachable_objects_are_destroyed_by_the_sweep) {
    destroyed = 0;
    make_garbage(10000);
    collect_clean();
    EXPECT_GE(destroyed.load(), 9990);  // a few may linger in conservative roots
}

TEST(allocation, persistent_is_a_root_until_reset) {
    destroyed = 0;
    persistent<node>* holder = nullptr;
    persistent<node> copy;
    isolated([&] { holder = new persistent<node>(lastword::make<node>(42)); });
    collect_clean();
    EXPECT_EQ(destroyed.load(), 0);
    isolated([&] {
        EXPECT_EQ((*holder)->value, 42);
        copy = *holder;
        holder->reset();
    });
    collect_clean();
    EXPECT_EQ(destroyed.load(), 0);
    isolated([&] {
        EXPECT_EQ(copy->value, 42);
        copy = nullptr;
    });
    delete holder;
    collect_clean();
    EXPECT_EQ(destroyed.load(), 1);
}

TEST(allocation, stack_of_an_attached_thread_is_a_root) {
    destroyed = 0;
    std::atomic<bool> allocated{false}, collected{false};
    std::thread worker([&] {
        lastword::mutator_scope attached;
        node* local = build_tree(6);
        allocated = true;
        while (!collected) std::this_thread::sleep_for(1ms);
        EXPECT_EQ(count_tree(local), 127);
        lastword::keep_alive(local);
    });
    while (!allocated) std::this_thread::sleep_for(1ms);
    make_garbage(1000);
    collect_clean();
    collect_clean();
    collected = true;
    worker.join();
}

TEST(allocation, large_objects_are_traced_and_freed) {
    persistent<big> b = lastword::make<big>();
    b->inner = lastword::make<plain>();
    collect_clean();
    EXPECT_EQ(b->inner->b, 2);
    std::size_t before = lastword::get_stats().heap_bytes;
    b = nullptr;
    for (int i = 0; i < 50; ++i) lastword::make<big>();
    collect_clean();
    EXPECT_LE(lastword::get_stats().heap_bytes, before + 2 * sizeof(big));
}

TEST(allocation, heap_limit_throws_bad_alloc_after_a_collection) {
    lastword::set_heap_limit(4 << 20);
    persistent<node> head;
    std::size_t kept = 0;
    isolated([&] {
        EXPECT_THROW(
            {
                for (;;) {
                    node* n = lastword::make<node>();
                    n->left = head.get();
                    head = n;
                    ++kept;
                }
            },
            std::bad_alloc);
    });
    EXPECT_GT(kept, 10000u);
    head = nullptr;
    collect_clean();
    // After dropping the chain the same limit has room again.
    EXPECT_NO_THROW(make_garbage(10000));
    lastword::set_heap_limit(0);
}

TEST(allocation, a_throwing_constructor_leaves_no_object_behind) {
    struct throws {
        throws() { throw std::runtime_error("no"); }
    };
    EXPECT_THROW(lastword::make<throws>(), std::runtime_error);
    collect_clean();
}

TEST(allocation, statistics_count_objects_and_collections) {
    collect_clean();
    auto before = lastword::get_stats();
    persistent<node> root = build_tree(10);
    auto during = lastword::get_stats();
    EXPECT_GE(during.objects_live, before.objects_live + 2047);
    collect_clean();
    auto after = lastword::get_stats();
    EXPECT_GE(after.collections, before.collections + 1);
    EXPECT_GE(after.objects_live, 2047u);
    EXPECT_GE(after.bytes_live, 2047 * sizeof(node));
    EXPECT_GT(after.max_pause_ns, 0u);
    EXPECT_GT(after.heap_limit, 0u);
}

TEST(allocation, unattached_threads_can_collect_and_allocate) {
    std::thread([] {
        for (int i = 0; i < 1000; ++i) lastword::make<plain>();
        lastword::collect();
    }).join();
    SUCCEED();
}
