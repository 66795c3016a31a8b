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

// One run of one workload on one collector.
struct trees_run {
    double seconds = 0;
    double cpu_seconds = 0;
    long nodes = 0;
    double worst_pause_ms = 0;  // with the latency probe on
};
struct finalizers_run {
    double per_second = 0;
    long finalized = 0;
};

template <class Build, class Check, class Keep>
trees_run time_trees(int depth, Build build, Check check, Keep keep, bool probe_latency) {
    trees_run r;
    probe = latency_probe{probe_latency, 0};
    auto start = clock_type::now();
    double cpu_start = process_cpu_seconds();
    r.nodes = binary_trees(depth, build, check, keep);
    r.seconds = seconds_since(start);
    r.cpu_seconds = process_cpu_seconds() - cpu_start;
    r.worst_pause_ms = probe.worst * 1e3;
    probe = latency_probe{};
    return r;
}

trees_run lw_trees(int depth, bool probe_latency) {
    lastword::persistent<lw_node> keep;
    auto r =
        time_trees(depth, [](int d) { return lw_build(d); }, lw_check, [&](lw_node* n) { keep = n; }, probe_latency);
    keep = nullptr;
    return r;
}

gc_node* gc_keep = nullptr;  // in the data segment: a Boehm root

trees_run gc_trees(int depth, bool probe_latency) {
    auto r =
        time_trees(depth, [](int d) { return gc_build(d); }, gc_check, [](gc_node* n) { gc_keep = n; }, probe_latency);
    gc_keep = nullptr;
    return r;
}

finalizers_run lw_finalizers(long finalizable) {
    finalizers_run r;
    lastword::collect();
    lastword::wait_for_finalizers(std::chrono::seconds(60));
    lw_finalized = 0;
    auto start = clock_type::now();
    lw_make_finalizable(finalizable);
    scrub();
    for (int i = 0; i < 3 && lw_finalized.load() < finalizable; ++i) {
        lastword::collect();
        lastword::wait_for_finalizers(std::chrono::seconds(60));
    }
    double elapsed = seconds_since(start);
    r.finalized = lw_finalized.load();
    r.per_second = r.finalized / elapsed;
    return r;
}

finalizers_run gc_finalizers(long finalizable) {
    finalizers_run r;
    GC_gcollect();
    GC_invoke_finalizers();
    gc_finalized = 0;
    auto start = clock_type::now();
    gc_make_finalizable(finalizable);
    scrub();
    for (int i = 0; i < 3 && gc_finalized < finalizable; ++i) {
        GC_gcollect();
        GC_invoke_finalizers();
    }
    double elapsed = seconds_since(start);
    r.finalized = gc_finalized;
    r.per_second = r.finalized / elapsed;
    return r;
}

// Best and worst of the per-round ratios, and the best value of each collector.
struct summary {
    double lw_best = 0, gc_best = 0, ratio_best = 0, ratio_worst = 0;
    void add(int round, double lw, double gc, bool higher_is_better) {
        double ratio = lw / gc;
        auto better = [&](double a, double b) { return higher_is_better ? a > b : a < b; };
        if (round == 0 || better(lw, lw_best)) lw_best = lw;
        if (round == 0 || better(gc, gc_best)) gc_best = gc;
        if (round == 0 || better(ratio, ratio_best)) ratio_best = ratio;
        if (round == 0 || better(ratio_worst, ratio)) ratio_worst = ratio;
    }
};

}  // namespace

// Each round runs both collectors back to back, lastword first in even rounds and Boehm
// first in odd ones, so a change in the machine's load affects both alike; every round is
// printed, then the best of each and the best and worst per-round ratio.
int main(int argc, char** argv) {
    GC_INIT();
    GC_set_finalize_on_demand(1);  // finalizers run when we call GC_invoke_finalizers
    int depth = argc > 1 ? std::atoi(argv[1]) : 18;
    long finalizable = argc > 2 ? std::atol(argv[2]) : 500000;
    int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;

    summary rate, cpu_rate, pause, finalizers;
    long nodes = 0;
    std::printf("binary-trees depth %d, %ld finalizable objects, %d round(s); per round:\n", depth, finalizable,
                rounds);
    std::printf("%-5s %-34s %14s %14s %10s\n", "round", "metric", "lastword", "boehm", "lw/boehm");
    auto row = [](int round, const char* metric, double lw, double gc, int decimals) {
        std::printf("%-5d %-34s %14.*f %14.*f %10.2f\n", round, metric, decimals, lw, decimals, gc, lw / gc);
    };
    for (int round = 0; round < rounds; ++round) {
        auto before = lastword::get_stats();
        trees_run lw, gc;
        if (round % 2 == 0) {
            lw = lw_trees(depth, false);
            gc = gc_trees(depth, false);
        } else {
            gc = gc_trees(depth, false);
            lw = lw_trees(depth, false);
        }
        auto after = lastword::get_stats();
        nodes = lw.nodes;
        double lw_rate = lw.nodes / lw.seconds / 1e6, gc_rate = gc.nodes / gc.seconds / 1e6;
        double lw_cpu = lw.nodes / lw.cpu_seconds / 1e6, gc_cpu = gc.nodes / gc.cpu_seconds / 1e6;
        rate.add(round, lw_rate, gc_rate, true);
        cpu_rate.add(round, lw_cpu, gc_cpu, true);
        row(round, "binary-trees Mnodes/s", lw_rate, gc_rate, 2);
        row(round, "binary-trees Mnodes/CPU-s", lw_cpu, gc_cpu, 2);
        std::printf("%-5d %-34s %14.1f   (%llu collections)\n", round, "lastword stop-the-world ms",
                    (after.total_pause_ns - before.total_pause_ns) / 1e6,
                    static_cast<unsigned long long>(after.collections - before.collections));
    }
    for (int round = 0; round < rounds; ++round) {
        trees_run lw, gc;
        if (round % 2 == 0) {
            lw = lw_trees(depth, true);
            gc = gc_trees(depth, true);
        } else {
            gc = gc_trees(depth, true);
            lw = lw_trees(depth, true);
        }
        pause.add(round, lw.worst_pause_ms, gc.worst_pause_ms, false);
        row(round, "longest allocation pause ms", lw.worst_pause_ms, gc.worst_pause_ms, 3);
    }
    for (int round = 0; round < rounds; ++round) {
        finalizers_run lw, gc;
        if (round % 2 == 0) {
            lw = lw_finalizers(finalizable);
            gc = gc_finalizers(finalizable);
        } else {
            gc = gc_finalizers(finalizable);
            lw = lw_finalizers(finalizable);
        }
        if (lw.finalized != finalizable || gc.finalized < finalizable - 1)
            std::printf("%-5d finalizers run: lastword %ld, boehm %ld of %ld\n", round, lw.finalized, gc.finalized,
                        finalizable);
        finalizers.add(round, lw.per_second, gc.per_second, true);
        row(round, "finalizers/s (alloc+collect+run)", lw.per_second, gc.per_second, 0);
    }

    auto stats = lastword::get_stats();
    std::printf("\nbinary-trees depth %d (%ld nodes), %ld finalizable objects, best of %d round(s)\n", depth, nodes,
                finalizable, rounds);
    std::printf("%-34s %14s %14s %10s %10s\n", "metric", "lastword", "boehm", "lw/boehm", "worst");
    auto line = [](const char* metric, const summary& s, int decimals) {
        std::printf("%-34s %14.*f %14.*f %10.2f %10.2f\n", metric, decimals, s.lw_best, decimals, s.gc_best,
                    s.lw_best / s.gc_best, s.ratio_worst);
    };
    line("binary-trees Mnodes/s", rate, 2);
    line("binary-trees Mnodes/CPU-s", cpu_rate, 2);
    line("finalizers/s (alloc+collect+run)", finalizers, 0);
    line("longest allocation pause ms", pause, 3);
    std::printf("(worst: the least favourable lw/boehm ratio of a single round)\n");
    std::printf("lastword: %llu collections, longest stop-the-world %.3f ms, total stop-the-world %.1f ms\n",
                static_cast<unsigned long long>(stats.collections), stats.max_pause_ns / 1e6,
                stats.total_pause_ns / 1e6);
    std::printf("boehm: %lu collections, heap %zu MiB\n", static_cast<unsigned long>(GC_get_gc_no()),
                GC_get_heap_size() >> 20);
    return 0;
}
