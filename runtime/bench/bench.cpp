// Compares the lastword runtime with Boehm GC in one process: binary-trees allocation
// throughput, finalizer throughput and the longest observed allocation pause.
// Usage: lastword_bench [depth=18] [finalizable=500000] [rounds=1]
#include <lastword/gc.hpp>

#include <gc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

// CPU time of the whole process (every thread, Boehm's parallel markers included): on a
// shared machine it varies less than elapsed time.
double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + t.tv_nsec * 1e-9;
}

// ---- lastword -----------------------------------------------------------------------------

struct lw_node {
    lastword::member<lw_node> left, right;
    void trace(lastword::tracer& t) const {
        t.visit(left);
        t.visit(right);
    }
};

struct latency_probe {
    bool enabled = false;
    double worst = 0;
    template <class F> auto operator()(F&& allocate) {
        if (!enabled) return allocate();
        auto start = clock_type::now();
        auto result = allocate();
        worst = std::max(worst, seconds_since(start));
        return result;
    }
};
latency_probe probe;

lw_node* lw_build(int depth) {
    lw_node* n = probe([] { return lastword::make<lw_node>(); });
    if (depth > 0) {
        n->left = lw_build(depth - 1);
        n->right = lw_build(depth - 1);
    }
    return n;
}

long lw_check(const lw_node* n) { return n->left ? 1 + lw_check(n->left.get()) + lw_check(n->right.get()) : 1; }

// ---- Boehm --------------------------------------------------------------------------------

struct gc_node {
    gc_node* left;
    gc_node* right;
};

gc_node* gc_build(int depth) {
    auto* n = probe([] { return static_cast<gc_node*>(GC_MALLOC(sizeof(gc_node))); });
    if (depth > 0) {
        n->left = gc_build(depth - 1);
        n->right = gc_build(depth - 1);
    }
    return n;
}

long gc_check(const gc_node* n) { return n->left ? 1 + gc_check(n->left) + gc_check(n->right) : 1; }

// ---- workloads ----------------------------------------------------------------------------

template <class Build, class Check, class Keep> long binary_trees(int max_depth, Build build, Check check, Keep keep) {
    long nodes = 0;
    auto long_lived = build(max_depth);
    keep(long_lived);
    for (int depth = 4; depth <= max_depth; depth += 2) {
        int iterations = 1 << (max_depth - depth + 4);
        for (int i = 0; i < iterations; ++i) nodes += check(build(depth));
    }
    nodes += check(long_lived);
    return nodes;
}

std::atomic<long> lw_finalized{0};
long gc_finalized = 0;

struct lw_resource {
    long id = 0;
};

__attribute__((noinline)) void lw_make_finalizable(long count) {
    for (long i = 0; i < count; ++i) {
        auto* r = lastword::make<lw_resource>();
        r->id = i;
        lastword::set_finalizer(r, [](lw_resource*) { lw_finalized.fetch_add(1, std::memory_order_relaxed); });
    }
}

void gc_finalize(void*, void*) { ++gc_finalized; }

__attribute__((noinline)) void gc_make_finalizable(long count) {
    for (long i = 0; i < count; ++i) {
        auto* r = static_cast<long*>(GC_MALLOC(sizeof(long)));
        *r = i;
        GC_REGISTER_FINALIZER(r, gc_finalize, nullptr, nullptr, nullptr);
    }
}

__attribute__((noinline)) void scrub() {
    volatile char area[64 * 1024];
    for (std::size_t i = 0; i < sizeof area; ++i) area[i] = 0;
}

struct result {
    double trees_seconds = 0;
    double trees_cpu_seconds = 0;
    long trees_nodes = 0;
    double finalizers_per_second = 0;
    long finalized = 0;
    double worst_pause_ms = 0;
};

result run_lastword(int depth, long finalizable, int rounds) {
    result r;
    lastword::persistent<lw_node> keep;
    auto build = [](int d) { return lw_build(d); };
    auto keep_it = [&](lw_node* n) { keep = n; };
    auto start = clock_type::now();
    for (int round = 0; round < rounds; ++round) {  // the best round: the CPU may be shared
        start = clock_type::now();
        double cpu_start = process_cpu_seconds();
        r.trees_nodes = binary_trees(depth, build, lw_check, keep_it);
        double seconds = seconds_since(start), cpu = process_cpu_seconds() - cpu_start;
        if (round == 0 || seconds < r.trees_seconds) r.trees_seconds = seconds;
        if (round == 0 || cpu < r.trees_cpu_seconds) r.trees_cpu_seconds = cpu;
        keep = nullptr;
    }

    probe = latency_probe{true, 0};
    binary_trees(depth, build, lw_check, keep_it);
    r.worst_pause_ms = probe.worst * 1e3;
    probe = latency_probe{};
    keep = nullptr;

    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(60));
    lw_finalized = 0;
    start = clock_type::now();
    lw_make_finalizable(finalizable);
    scrub();
    for (int i = 0; i < 3 && lw_finalized.load() < finalizable; ++i) {
        lastword::collect();
        lastword::wait_for_finalizers(std::chrono::seconds(60));
    }
    double elapsed = seconds_since(start);
    r.finalized = lw_finalized.load();
    r.finalizers_per_second = r.finalized / elapsed;
    return r;
}

gc_node* gc_keep = nullptr;  // in the data segment: a Boehm root

result run_boehm(int depth, long finalizable, int rounds) {
    result r;
    auto build = [](int d) { return gc_build(d); };
    auto keep_it = [](gc_node* n) { gc_keep = n; };
    auto start = clock_type::now();
    for (int round = 0; round < rounds; ++round) {
        start = clock_type::now();
        double cpu_start = process_cpu_seconds();
        r.trees_nodes = binary_trees(depth, build, gc_check, keep_it);
        double seconds = seconds_since(start), cpu = process_cpu_seconds() - cpu_start;
        if (round == 0 || seconds < r.trees_seconds) r.trees_seconds = seconds;
        if (round == 0 || cpu < r.trees_cpu_seconds) r.trees_cpu_seconds = cpu;
        gc_keep = nullptr;
    }

    probe = latency_probe{true, 0};
    binary_trees(depth, build, gc_check, keep_it);
    r.worst_pause_ms = probe.worst * 1e3;
    probe = latency_probe{};
    gc_keep = nullptr;

    GC_gcollect();
    GC_invoke_finalizers();
    gc_finalized = 0;
    start = clock_type::now();
    gc_make_finalizable(finalizable);
    scrub();
    for (int i = 0; i < 3 && gc_finalized < finalizable; ++i) {
        GC_gcollect();
        GC_invoke_finalizers();
    }
    double elapsed = seconds_since(start);
    r.finalized = gc_finalized;
    r.finalizers_per_second = r.finalized / elapsed;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    GC_INIT();
    GC_set_finalize_on_demand(1);  // finalizers run when we call GC_invoke_finalizers
    int depth = argc > 1 ? std::atoi(argv[1]) : 18;
    long finalizable = argc > 2 ? std::atol(argv[2]) : 500000;
    int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;

    result lw = run_lastword(depth, finalizable, rounds);
    result gc = run_boehm(depth, finalizable, rounds);
    auto stats = lastword::get_stats();

    std::printf("binary-trees depth %d (%ld nodes, best of %d), %ld finalizable objects\n", depth, lw.trees_nodes,
                rounds, finalizable);
    std::printf("%-34s %14s %14s %10s\n", "metric", "lastword", "boehm", "lw/boehm");
    double lw_rate = lw.trees_nodes / lw.trees_seconds / 1e6, gc_rate = gc.trees_nodes / gc.trees_seconds / 1e6;
    std::printf("%-34s %14.2f %14.2f %10.2f\n", "binary-trees Mnodes/s", lw_rate, gc_rate, lw_rate / gc_rate);
    std::printf("%-34s %14.3f %14.3f %10.2f\n", "binary-trees seconds", lw.trees_seconds, gc.trees_seconds,
                lw.trees_seconds / gc.trees_seconds);
    double lw_cpu_rate = lw.trees_nodes / lw.trees_cpu_seconds / 1e6, gc_cpu_rate = gc.trees_nodes / gc.trees_cpu_seconds / 1e6;
    std::printf("%-34s %14.2f %14.2f %10.2f\n", "binary-trees Mnodes/CPU-s", lw_cpu_rate, gc_cpu_rate,
                lw_cpu_rate / gc_cpu_rate);
    std::printf("%-34s %14.0f %14.0f %10.2f\n", "finalizers/s (alloc+collect+run)", lw.finalizers_per_second,
                gc.finalizers_per_second, lw.finalizers_per_second / gc.finalizers_per_second);
    std::printf("%-34s %14ld %14ld\n", "finalizers run", lw.finalized, gc.finalized);
    std::printf("%-34s %14.3f %14.3f %10.2f\n", "longest allocation pause ms", lw.worst_pause_ms, gc.worst_pause_ms,
                lw.worst_pause_ms / gc.worst_pause_ms);
    std::printf("lastword: %llu collections, longest stop-the-world %.3f ms, total stop-the-world %.1f ms\n",
                static_cast<unsigned long long>(stats.collections), stats.max_pause_ns / 1e6,
                stats.total_pause_ns / 1e6);
    std::printf("boehm: %lu collections, heap %zu MiB\n", static_cast<unsigned long>(GC_get_gc_no()),
                GC_get_heap_size() >> 20);
    return 0;
}
