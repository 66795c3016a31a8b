// Many threads, millions of objects, collections racing with barriers and attachment.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

struct tree {
    member<tree> left, right;
    int depth = 0;
    void trace(lastword::tracer& t) const {
        t.visit(left);
        t.visit(right);
    }
};

tree* build(int depth) {
    tree* t = lastword::make<tree>();
    t->depth = depth;
    if (depth > 0) {
        t->left = build(depth - 1);
        t->right = build(depth - 1);
    }
    return t;
}

long check(const tree* t, int depth) {
    if (!t) return -1000000;
    if (t->depth != depth) return -1000000;
    if (depth == 0) return 1;
    return 1 + check(t->left.get(), depth - 1) + check(t->right.get(), depth - 1);
}

}  // namespace

TEST(stress, threads_allocating_trees_keep_them_intact) {
    const int threads = 4;
    const int rounds = 480 / scale;
    std::atomic<long> failures{0}, allocated{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w) {
        workers.emplace_back([&] {
            lastword::mutator_scope attached;
            tree* long_lived = build(12);
            for (int r = 0; r < rounds; ++r) {
                tree* t = build(12);  // 8191 objects
                allocated += 8191;
                if (check(t, 12) != 8191) ++failures;
                if (check(long_lived, 12) != 8191) ++failures;
                if (r % 16 == 0) long_lived = t;
            }
            lastword::keep_alive(long_lived);
        });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GE(allocated.load(), threads * rounds * 8191L);
    EXPECT_GT(lastword::get_stats().collections, 0u);
}

TEST(stress, barrier_keeps_a_graph_mutated_during_incremental_marking) {
    // Threads keep moving subtrees between slots of a shared array while allocating:
    // every move overwrites a member during marking, which the barrier must shade.
    const int slots = 64;
    struct table {
        member<tree> slot[64];
        void trace(lastword::tracer& t) const {
            for (const auto& s : slot) t.visit(s);
        }
    };
    persistent<table> shared = lastword::make<table>();
    for (int i = 0; i < slots; ++i) shared->slot[i] = build(6);
    std::mutex lock;
    std::atomic<long> failures{0};
    std::vector<std::thread> workers;
    const int iterations = 200000 / scale;
    for (int w = 0; w < 3; ++w) {
        workers.emplace_back([&, w] {
            lastword::mutator_scope attached;
            unsigned seed = 17 + w;
            for (int i = 0; i < iterations; ++i) {
                seed = seed * 1103515245 + 12345;
                int a = (seed >> 8) % slots, b = (seed >> 16) % slots;
                tree* fresh = build(3);
                std::lock_guard guard(lock);
                tree* moved = shared->slot[a].get();
                shared->slot[a] = fresh;
                tree* dropped = shared->slot[b].get();
                shared->slot[b] = moved;
                if (check(moved, moved->depth) <= 0) ++failures;
                (void)dropped;
            }
        });
    }
    for (auto& w : workers) w.join();
    for (int i = 0; i < slots; ++i)
        if (check(shared->slot[i].get(), shared->slot[i]->depth) <= 0) ++failures;
    EXPECT_EQ(failures.load(), 0);
}

TEST(stress, members_destroyed_by_containers_are_shaded_during_marking) {
    // pop_back() destroys a member without assigning it: a deletion the barrier must see.
    struct bag {
        std::vector<member<tree>> items;
        void trace(lastword::tracer& t) const {
            for (const auto& item : items) t.visit(item);
        }
    };
    persistent<bag> shared = lastword::make<bag>();
    std::mutex lock;
    std::atomic<long> failures{0};
    std::vector<std::thread> workers;
    const int iterations = 150000 / scale;
    for (int w = 0; w < 3; ++w) {
        workers.emplace_back([&] {
            lastword::mutator_scope attached;
            for (int i = 0; i < iterations; ++i) {
                tree* fresh = build(3);
                tree* taken = nullptr;
                {
                    std::lock_guard guard(lock);
                    shared->items.push_back(fresh);
                    if (shared->items.size() > 8) {
                        taken = shared->items.front().get();
                        shared->items.front() = shared->items.back();
                        shared->items.pop_back();
                    }
                }
                if (taken && check(taken, 3) != 15) ++failures;
            }
        });
    }
    for (auto& w : workers) w.join();
    for (const auto& item : shared->items)
        if (check(item.get(), 3) != 15) ++failures;
    EXPECT_EQ(failures.load(), 0);
}

TEST(stress, many_finalizers_each_run_exactly_once) {
    static std::atomic<int> runs{0};
    static std::vector<std::atomic<unsigned char>> seen(200000);
    const int count = 200000 / scale;
    isolated([count] {
        for (int i = 0; i < count; ++i) {
            tree* t = lastword::make<tree>();
            t->depth = i;
            lastword::set_finalizer(t, [](tree* self) {
                seen[self->depth].fetch_add(1);
                runs.fetch_add(1);
            });
        }
    });
    collect_clean();
    collect_clean();
    ASSERT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_GE(runs.load(), count - 10);
    int duplicates = 0;
    for (int i = 0; i < count; ++i) duplicates += seen[i].load() > 1;
    EXPECT_EQ(duplicates, 0);
}

TEST(stress, threads_attach_and_detach_while_others_collect) {
    std::atomic<bool> stop{false};
    std::atomic<long> failures{0};
    std::thread collector([&] {
        lastword::mutator_scope attached;
        while (!stop) {
            lastword::collect();
            std::this_thread::sleep_for(1ms);
        }
    });
    std::vector<std::thread> churn;
    for (int w = 0; w < 3; ++w) {
        churn.emplace_back([&] {
            for (int i = 0; i < 200 / scale; ++i) {
                std::thread([&] {
                    lastword::mutator_scope attached;
                    tree* t = build(8);
                    if (check(t, 8) != 511) ++failures;
                }).join();
            }
        });
    }
    for (auto& c : churn) c.join();
    stop = true;
    collector.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST(stress, more_threads_than_cores_allocate_and_collect_at_once) {
    const int threads = 8;
    std::atomic<long> failures{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w) {
        workers.emplace_back([&, w] {
            lastword::mutator_scope attached;
            persistent<tree> keep = build(7);
            for (int i = 0; i < 4000 / scale; ++i) {
                tree* t = build(5);
                if (i % 50 == w) lastword::collect();
                if (check(t, 5) != 63 || check(keep.get(), 7) != 255) ++failures;
            }
        });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST(stress, millions_of_small_objects_with_a_bounded_heap) {
    lastword::set_heap_limit(64 << 20);
    const long total = 20000000 / scale;
    persistent<tree> keep = build(10);
    for (long i = 0; i < total; ++i) {
        tree* t = lastword::make<tree>();
        t->depth = static_cast<int>(i);
    }
    EXPECT_EQ(check(keep.get(), 10), 2047);
    EXPECT_LE(lastword::get_stats().heap_bytes, std::size_t{64} << 20);
    lastword::set_heap_limit(0);
}

TEST(stress, finalizers_and_cleanups_from_many_threads) {
    static std::atomic<long> finalized{0}, cleaned{0};
    const int per_thread = 20000 / scale;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
        workers.emplace_back([&] {
            lastword::mutator_scope attached;
            for (int i = 0; i < per_thread; ++i) {
                tree* t = lastword::make<tree>();
                if (i % 2)
                    lastword::set_finalizer(t, [](tree*) { finalized.fetch_add(1); });
                else
                    lastword::add_cleanup(t, [](int) { cleaned.fetch_add(1); }, i);
            }
            scrub_stack();
        });
    }
    for (auto& w : workers) w.join();
    collect_clean();
    collect_clean();
    ASSERT_TRUE(lastword::wait_for_finalizers(generous));
    EXPECT_GE(finalized.load() + cleaned.load(), 4L * per_thread - 20);
}

namespace {

struct list_node {
    member<list_node> next;
    long value = 0;
    long check = 0;
    void trace(lastword::tracer& t) const { t.visit(next); }
};

// Appends at the tail through member<> stores; head and tail live in registers meanwhile.
__attribute__((noinline)) list_node* build_list(long first, long length) {
    list_node* head = lastword::make<list_node>();
    head->value = first;
    head->check = ~first;
    list_node* tail = head;
    for (long i = 1; i < length; ++i) {
        list_node* n = lastword::make<list_node>();
        n->value = first + i;
        n->check = ~(first + i);
        tail->next = n;
        tail = n;
    }
    return head;
}

bool list_intact(const list_node* n, long first, long length) {
    for (long i = 0; i < length; ++i, n = n->next.get())
        if (!n || n->value != first + i || n->check != ~(first + i)) return false;
    return n == nullptr;
}

}  // namespace

// Ordinary code: threads build lists and trees through member<> stores while another thread
// collects as fast as it can. Optimised without frame pointers, locals live in any callee-saved
// register, and every store is a point where a thread may park itself.
TEST(stress, lists_and_trees_built_while_another_thread_collects_stay_intact) {
    std::atomic<bool> stop{false};
    std::atomic<long> failures{0}, collections{0};
    std::thread collector([&] {
        lastword::mutator_scope attached;
        while (!stop) {
            lastword::collect();
            collections.fetch_add(1);
        }
    });
    std::vector<std::thread> builders;
    const int rounds = 400 / scale;
    for (int w = 0; w < 3; ++w) {
        builders.emplace_back([&, w] {
            lastword::mutator_scope attached;
            // Keep building until the collector has really run alongside, however loaded the
            // machine is; the cap only bounds a collector that never gets to run.
            for (int r = 0; r < rounds || (collections.load() < 20 && r < 100 * rounds); ++r) {
                long first = (static_cast<long>(w) << 32) + r * 1000;
                list_node* a = build_list(first, 300);
                tree* t = build(7);
                list_node* b = build_list(first + 500, 200);
                if (!list_intact(a, first, 300)) ++failures;
                if (check(t, 7) != 255) ++failures;
                if (!list_intact(b, first + 500, 200)) ++failures;
            }
        });
    }
    for (auto& b : builders) b.join();
    stop = true;
    collector.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GE(collections.load(), 20);
}
