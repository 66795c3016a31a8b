// Marking and the collection cycle. A cycle starts with a pause that scans the roots; marking
// then proceeds in short pauses interleaved with allocation, and a final pause completes it,
// orders finalization and hands the heap to the sweeper.
#include "internal.hpp"

#include <chrono>

namespace lastword::detail {

std::atomic<bool> marking_active{false};
std::uint32_t cycle_number = 0;

namespace {

page_vector<object_header*> gray;

inline void shade(object_header* header) noexcept {
    if (header->mark.load(std::memory_order_relaxed)) return;
    header->mark.store(1, std::memory_order_relaxed);
    if (header->type->trace || header->constructing.load(std::memory_order_acquire)) gray.push(header);
}

void marking_visit(void*, const void* pointer) {
    if (object_header* header = find_object(pointer)) shade(header);
}

LASTWORD_NO_SANITIZE void scan_words(const void* begin, const void* end, void (*found)(object_header*, void*),
                                     void* context) noexcept {
    auto word = (reinterpret_cast<std::uintptr_t>(begin) + sizeof(void*) - 1) & ~(sizeof(void*) - 1);
    auto last = reinterpret_cast<std::uintptr_t>(end);
    for (; word + sizeof(void*) <= last; word += sizeof(void*)) {
        const void* candidate = *reinterpret_cast<const void* const*>(word);
        if (object_header* header = find_object(candidate)) found(header, context);
    }
}

// Calls visit for each pointer held by an object: precisely through trace(), or
// conservatively over its bytes while its constructor is still running.
void for_each_child(object_header* header, tracer::visit_fn visit, void (*found)(object_header*, void*),
                    void* context) {
    void* body = body_of(header);
    if (header->constructing.load(std::memory_order_acquire)) {
        scan_words(body, static_cast<char*>(body) + header->type->size, found, context);
    } else if (header->type->trace) {
        tracer t(visit, context);
        header->type->trace(body, t);
    }
}

void shade_found(object_header* header, void*) { shade(header); }

}  // namespace

void push_gray(object_header* already_marked) noexcept { gray.push(already_marked); }

void visit_children(object_header* header, tracer::visit_fn visit, void* context) {
    if (header->constructing.load(std::memory_order_acquire) || !header->type->trace) return;
    tracer t(visit, context);
    header->type->trace(body_of(header), t);
}

void mark_pointer(const void* pointer) noexcept { marking_visit(nullptr, pointer); }

void scan_conservatively(const void* begin, const void* end) noexcept { scan_words(begin, end, shade_found, nullptr); }

void trace_children(object_header* header) noexcept { for_each_child(header, marking_visit, shade_found, nullptr); }

bool mark_step(std::size_t budget_bytes) noexcept {
    std::size_t done = 0;
    while (!gray.empty() && done < budget_bytes) {
        object_header* header = gray.data[--gray.size];
        trace_children(header);
        done += header->type->size + header_size;
    }
    return gray.empty();
}

void mark_to_completion() noexcept {
    while (!gray.empty()) {
        object_header* header = gray.data[--gray.size];
        trace_children(header);
    }
}

// ---- debug exploration --------------------------------------------------------------------

namespace {
struct explore_node {
    object_header* header;
    std::ptrdiff_t parent;
    edge_kind via;
};
struct explore_state {
    page_vector<explore_node> queue;
    page_vector<object_header*> path;
    page_vector<edge_kind> path_via;
    std::ptrdiff_t parent = -1;
    edge_kind via = edge_field;
    object_header* target = nullptr;
    std::ptrdiff_t found = -1;
    bool only_unmarked = false;
};
explore_state explorer;

void explore_add(object_header* header, void*) {
    if (explorer.found >= 0 || header->explore_mark) return;
    if (explorer.only_unmarked && header->mark.load(std::memory_order_relaxed)) return;
    header->explore_mark = 1;
    explorer.queue.push({header, explorer.parent, explorer.via});
    if (header == explorer.target) explorer.found = static_cast<std::ptrdiff_t>(explorer.queue.size - 1);
}
void explore_visit(void*, const void* pointer) {
    if (object_header* header = find_object(pointer)) explore_add(header, nullptr);
}
void explore_extra(object_header* target, edge_kind kind, void*) {
    explorer.via = kind;
    explore_add(target, nullptr);
    explorer.via = edge_field;
}
void explore_edges_of(object_header* header) {
    explorer.via = edge_field;
    for_each_child(header, explore_visit, explore_add, nullptr);
    for_each_extra_edge(header, explore_extra, nullptr);
}
}  // namespace

explore_path explore(const void* bytes_begin, const void* bytes_end, object_header* from_children_of,
                     object_header* target, bool only_unmarked) noexcept {
    explore_state& e = explorer;
    e.queue.clear();
    e.path.clear();
    e.path_via.clear();
    e.parent = -1;
    e.via = edge_field;
    e.target = target;
    e.found = -1;
    e.only_unmarked = only_unmarked;
    if (bytes_begin)
        for_each_owned_range(
            bytes_begin, bytes_end,
            [](const void* b, const void* e, const void*, void*) { scan_words(b, e, explore_add, nullptr); }, nullptr);
    if (from_children_of) explore_edges_of(from_children_of);
    for (std::size_t i = 0; i < e.queue.size && e.found < 0; ++i) {
        e.parent = static_cast<std::ptrdiff_t>(i);
        explore_edges_of(e.queue.data[i].header);
    }
    if (e.found >= 0) {
        std::size_t length = 0;
        for (std::ptrdiff_t i = e.found; i >= 0; i = e.queue.data[i].parent) ++length;
        for (std::size_t k = 0; k < length; ++k) {
            e.path.push(nullptr);
            e.path_via.push(edge_field);
        }
        std::size_t k = length;
        for (std::ptrdiff_t i = e.found; i >= 0; i = e.queue.data[i].parent) {
            --k;
            e.path.data[k] = e.queue.data[i].header;
            e.path_via.data[k] = e.queue.data[i].via;
        }
    }
    for (std::size_t i = 0; i < e.queue.size; ++i) e.queue.data[i].header->explore_mark = 0;
    return {e.path.data, e.path_via.data, e.path.size};
}

// ---- the cycle ----------------------------------------------------------------------------

namespace {

constexpr std::size_t minimum_trigger = std::size_t{8} << 20;
constexpr std::size_t increment_every = std::size_t{256} << 10;
constexpr std::size_t mark_rate = 4;  // bytes marked per byte allocated during a cycle

struct cycle_state {
    std::size_t allocated_since_cycle = 0;
    std::size_t increment_credit = 0;
};
cycle_state cycle;
bool persistents_locked = false;  // by the pause in progress
bool leak_analysis_cycle = false;  // this cycle's roots were scanned for report_finalizer_leaks

// One stop-the-world pause. Every lock a stopped thread could otherwise hold and the
// collector needs is taken before the world stops.
class pause {
public:
    explicit pause(bool scan_roots) : scan_roots_(scan_roots) {
        if (!current_mutator.record) {
            attach_current_thread();  // the collecting thread scans its own frames as a mutator
            temporarily_attached_ = true;
        }
        lock_thread_registry();
        lock_finalization();
        if (scan_roots_) {
            lock_persistents();
            persistents_locked = true;
        }
        start_ = std::chrono::steady_clock::now();
        stop_the_world();
        running_under_collector_lock = {"a trace() function or a debug analysis, while the world is stopped", nullptr};
    }
    void resume() {
        running_under_collector_lock = {nullptr, nullptr};
        resume_the_world();
        auto ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
        statistics.total_pause_ns += ns;
        if (ns > statistics.max_pause_ns.load()) statistics.max_pause_ns = ns;
        if (scan_roots_) {
            persistents_locked = false;
            unlock_persistents();
        }
        unlock_thread_registry();
    }
    void release() {
        unlock_finalization();
        if (temporarily_attached_) detach_current_thread();
    }

private:
    bool scan_roots_;
    bool temporarily_attached_ = false;
    std::chrono::steady_clock::time_point start_;
};

void scan_roots() {
    ++cycle_number;
    scan_thread_stacks();
    // finalizerleaks first marks only what the program itself can reach: registrations and
    // persistent handles owned by collected objects or by callables are edges, not roots.
    leak_analysis_cycle = leak_report_requested.load();
    if (leak_analysis_cycle) {
        scan_roots_outside_registrations();
    } else {
        scan_persistents();
        scan_finalization_roots();
    }
    marking_active.store(true, std::memory_order_relaxed);
}

// Completes the cycle: called while the world is stopped; resumes it and sweeps.
void finish(pause& p, bool full_sweep) {
    take_barrier_buffer();
    mark_to_completion();
    if (leak_analysis_cycle) {
        leak_analysis_cycle = false;
        mark_through_registrations_of_reachable_objects();
        leak_report_count = report_unfinalizable_cycles();
        leak_report_requested = false;
        scan_persistents();  // every root, as in any other cycle
        scan_finalization_roots();
        mark_to_completion();
    }
    select_finalizers_and_cleanups();
    mark_to_completion();
    if (settings.verify.load(std::memory_order_relaxed)) verify_heap();
    if (settings.checkfinalizers.load(std::memory_order_relaxed)) check_self_reaching_registrations();
    flush_allocation_caches();
    flush_thread_caches();
    std::size_t objects = 0, bytes = 0;
    sum_thread_allocations(objects, bytes, true);
    marking_active.store(false, std::memory_order_relaxed);
    p.resume();
    after_collection_locked();
    p.release();
    statistics.collections += 1;
    cycle.allocated_since_cycle = 0;
    cycle.increment_credit = 0;
    if (full_sweep)
        sweep();
    else
        begin_lazy_sweep();  // allocation sweeps the rest, keeping the sweep out of pauses
}

// Allocating three times the live data between cycles keeps the marking cost per allocated
// byte bounded (the heap peaks near four times the live data); twice as much made
// binary-trees spend a third more time marking and sweeping for a heap a fifth smaller.
// Live data is what live objects occupy in the heap, headers and cell rounding included,
// the same unit as the blocks allocation counts: measured in object bytes alone, a heap of
// small objects was collected twice as often as intended (binary-trees: 52 cycles per run
// instead of 28, and nearly half of its time marking and sweeping).
std::size_t trigger() { return std::max(minimum_trigger, 3 * statistics.live_heap_bytes_after_sweep.load()); }

void start_cycle() {
    finish_sweep();  // marks must be clear before roots are scanned
    pause p(true);
    scan_roots();
    p.resume();
    p.release();
}

void increment(std::size_t budget) {
    pause p(false);
    take_barrier_buffer();
    if (mark_step(budget)) {
        finish(p, false);
        return;
    }
    p.resume();
    p.release();
}

}  // namespace

bool persistents_locked_by_collector() noexcept { return persistents_locked; }

std::mutex& collector_lock() {
    static std::mutex* lock = new std::mutex;
    return *lock;
}

void collect_locked(bool) {
    if (marking_active.load(std::memory_order_relaxed)) {
        // The running cycle's snapshot may keep garbage; finish it, then do a fresh one.
        pause p(false);
        finish(p, true);
    }
    finish_sweep();
    pause p(true);
    scan_roots();
    finish(p, true);
}

void on_allocation_locked(std::size_t bytes) {
    cycle.allocated_since_cycle += bytes;
    if (!marking_active.load(std::memory_order_relaxed)) {
        if (cycle.allocated_since_cycle >= trigger()) start_cycle();
        return;
    }
    cycle.increment_credit += bytes;
    if (cycle.increment_credit >= increment_every) {
        std::size_t budget = cycle.increment_credit * mark_rate;
        cycle.increment_credit = 0;
        increment(budget);
    }
}

}  // namespace lastword::detail

namespace lastword::detail {
namespace {
void collect_entry(void*) {
    std::lock_guard lock(collector_lock());
    collect_locked(true);
}
}  // namespace
}  // namespace lastword::detail

// No locals here: this frame sits between the caller's and the scanned trampoline's.
void lastword::collect() { detail::run_as_collection_entry(detail::collect_entry, nullptr); }
