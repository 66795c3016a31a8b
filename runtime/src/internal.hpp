// Shared between the runtime's translation units; not installed.
#pragma once
#include <lastword/gc.hpp>

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <source_location>

// Functions that read memory the sanitizers cannot reason about: other threads' stacks,
// registers spilled by the kernel, callables' padding bytes.
#define LASTWORD_NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined", "hwaddress")))

namespace lastword::detail {

// ---- heap layout (heap.cpp) -------------------------------------------------------------
constexpr std::size_t block_shift = 13;
constexpr std::size_t block_size = std::size_t{1} << block_shift;  // 8 KiB
constexpr std::size_t header_size = 16;
constexpr std::size_t largest_small = 4096;  // total size incl. header
constexpr unsigned size_class_count = 25;

struct object_header {
    const type_descriptor* type;  // null: free cell
    std::atomic<std::uint8_t> mark;  // 1: reached this cycle
    std::uint8_t explore_mark;  // debug analyses (stop-the-world only)
    // 1: the constructor is still running (scan conservatively); on a free cell, `quarantined`
    // (freed under verify). Written by the allocating thread, read by the collector and by
    // other threads' barriers: make<T> clears it with a release store after the constructor,
    // readers load it with acquire, so whoever sees 0 also sees the fields trace() reads.
    std::atomic<std::uint8_t> constructing;
    std::uint8_t has_finalizer;
    std::uint32_t freed_in_cycle;  // verify: when a cell was freed
};
static_assert(sizeof(object_header) == header_size);
// verify: a freed cell that is not reused while the mode is on. Its body is poisoned and
// holds the freed object's type descriptor in its second word (the trail).
constexpr std::uint8_t quarantined = 2;

inline object_header* header_of(const void* object) noexcept {
    return reinterpret_cast<object_header*>(const_cast<char*>(static_cast<const char*>(object)) - header_size);
}
inline void* body_of(object_header* header) noexcept { return reinterpret_cast<char*>(header) + header_size; }

constexpr std::uint16_t class_sizes[size_class_count] = {32,   48,   64,   80,   96,   112,  128, 160, 192,
                                                         224,  256,  320,  384,  448,  512,  640, 768, 896,
                                                         1024, 1280, 1536, 1792, 2048, 2720, 4096};
inline constexpr std::uint32_t no_block = UINT32_MAX;

enum block_kind : std::uint8_t { block_unused, block_free, block_small, block_large_head, block_large_tail };

struct block_info {
    block_kind kind;
    std::uint8_t size_class;
    std::uint16_t cell_count;
    std::uint32_t run_blocks;  // large head: blocks in the run
    std::uint32_t head;  // large tail: index of the head block
    std::uint32_t next_free;  // free block list (doubly linked, for run searches)
    std::uint32_t previous_free;
    std::uint32_t next_partial;  // blocks of a size class that have free cells
    std::uint32_t swept_in;  // sweep epoch that last swept (or created) this block
    // A free block the sweep found empty: its cells are still linked as free cells of class
    // carved_class - 1 (free_cells), so reusing it for that class needs no carving (0: none).
    std::uint8_t carved_class;
    void* free_cells;
};

struct heap_state {
    char* base = nullptr;
    block_info* table = nullptr;
    std::size_t reserved_blocks = 0;
    // Blocks ever handed out. Grows under the collector lock; read without it by the barrier.
    std::atomic<std::size_t> bump{0};
    std::size_t committed = 0;  // bytes made readable/writable
    std::size_t blocks_in_use = 0;
    std::size_t free_blocks = 0;
    std::uint32_t free_head = no_block;
    std::size_t rover = 0;
    std::uint32_t partial[size_class_count] = {};
    void* unattached_cache[size_class_count] = {};  // threads that are not attached share this
    std::size_t limit = 0;
    std::size_t configured_limit = 0;
    std::uint8_t class_of_granule[largest_small / 16 + 1] = {};
    std::uint64_t reciprocal[size_class_count] = {};  // exact division of offsets below block_size
    std::size_t unattached_objects = 0;
    std::size_t unattached_bytes = 0;
};
extern heap_state the_heap;

inline bool is_heap_address(const void* pointer) noexcept {
    auto address = reinterpret_cast<std::uintptr_t>(pointer);
    auto base = reinterpret_cast<std::uintptr_t>(the_heap.base);
    return address - base < (the_heap.bump.load(std::memory_order_acquire) << block_shift);
}

// The cell (free or not) whose body contains pointer, or null.
inline object_header* find_cell(const void* pointer) noexcept {
    if (!is_heap_address(pointer)) return nullptr;
    auto address = reinterpret_cast<std::uintptr_t>(pointer);
    std::size_t index = (address - reinterpret_cast<std::uintptr_t>(the_heap.base)) >> block_shift;
    const block_info& b = the_heap.table[index];
    std::uintptr_t offset = address & (block_size - 1);
    switch (b.kind) {
        case block_small: {
            std::size_t cell = (offset * the_heap.reciprocal[b.size_class]) >> 32;
            if (cell >= b.cell_count) return nullptr;
            std::size_t cell_offset = cell * class_sizes[b.size_class];
            if (offset < cell_offset + header_size) return nullptr;  // a header is not an object
            return reinterpret_cast<object_header*>(address - offset + cell_offset);
        }
        case block_large_tail:
            return reinterpret_cast<object_header*>(the_heap.base + (std::size_t{b.head} << block_shift));
        case block_large_head:
            if (offset < header_size) return nullptr;
            return reinterpret_cast<object_header*>(address - offset);
        default:
            return nullptr;
    }
}

// The live object whose body contains pointer (its start or any interior address), or null.
inline object_header* find_object(const void* pointer) noexcept {
    object_header* header = find_cell(pointer);
    return header && header->type ? header : nullptr;
}

// Sweeping (collector lock held, world running). A collection either sweeps everything at
// once (explicit collect(), heap limit) or starts a lazy sweep that allocation advances.
void sweep();
void begin_lazy_sweep();
void finish_sweep();  // completes a lazy sweep, if one is in progress
bool sweep_in_progress() noexcept;
void flush_allocation_caches();  // world stopped
void for_each_live_object(void (*fn)(object_header*, void*), void* context);  // world stopped
std::size_t heap_bytes_in_use() noexcept;
std::size_t current_heap_limit() noexcept;

// User code the collector runs while it holds its lock: destructors in the sweep, trace()
// while the world is stopped. An allocation from there would deadlock on the lock (or
// corrupt the heap): allocate() reports it in one line naming the type and aborts.
struct collector_callout {
    const char* what;  // "the destructor of", ...
    const type_descriptor* type;  // whose code runs, if known
};
extern thread_local constinit collector_callout running_under_collector_lock __attribute__((tls_model("initial-exec")));
[[noreturn]] void fail_allocation_under_collector_lock(const type_descriptor* wanted) noexcept;

// ---- threads (roots.cpp) ----------------------------------------------------------------
struct thread_record {
    thread_record* next = nullptr;
    pthread_t handle{};
    char* stack_top = nullptr;  // highest address
    int attach_depth = 0;
    std::atomic<char*> parked_sp{nullptr};  // where the parked thread's scan starts
    std::atomic<bool> resume_requested{false};
    std::atomic<std::uint64_t> parked_epoch{0};
    sem_t resume;
    // Allocation fast path; the collector empties these while the world is stopped.
    void* cache[size_class_count] = {};
    char* scan_from = nullptr;  // set by run_as_collection_entry: own scan starts there
    std::atomic<std::size_t> allocated_bytes{0};
    std::atomic<std::size_t> allocated_objects{0};
};

// A thread in a no-stop region (allocation fast path, write barrier) defers the stop signal
// until it leaves, so the collector never sees a half-done barrier or allocation.
struct mutator_state {
    thread_record* record;
    int no_stop;
    volatile sig_atomic_t stop_pending;
};
// initial-exec: the allocation fast path and the write barrier reach it with one %fs load
// instead of a call to __tls_get_addr (which would also make them save registers).
extern thread_local constinit mutator_state current_mutator __attribute__((tls_model("initial-exec")));
extern std::atomic<std::uint64_t> world_stop_epoch;

inline void enter_no_stop() noexcept {
    ++current_mutator.no_stop;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}
void park_if_stop_requested() noexcept;
// Leaves the region; true if the thread must now call park_if_stop_requested().
inline bool leave_no_stop_must_park() noexcept {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    --current_mutator.no_stop;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    // The epoch poll lets threads that allocate stop promptly even where signals are late.
    return current_mutator.stop_pending || (world_stop_epoch.load(std::memory_order_relaxed) & 1);
}
inline void leave_no_stop() noexcept {
    if (leave_no_stop_must_park()) [[unlikely]]
        park_if_stop_requested();
}

// Callee-saved registers as plain words on the stack, where the conservative scan reads
// them. Not setjmp: glibc stores %rbp (and sp, pc) mangled in a jmp_buf, and at -O2 without
// frame pointers %rbp is an ordinary register that may hold the only copy of a pointer.
// Every path by which a thread stops or scans itself spills through this.
#if defined(__x86_64__)
struct register_spill {
    void* words[6];  // rbx, rbp, r12-r15
};
__attribute__((always_inline)) inline void spill_callee_saved_registers(register_spill& spill) noexcept {
    asm volatile(
        "movq %%rbx, 0(%0)\n\t"
        "movq %%rbp, 8(%0)\n\t"
        "movq %%r12, 16(%0)\n\t"
        "movq %%r13, 24(%0)\n\t"
        "movq %%r14, 32(%0)\n\t"
        "movq %%r15, 40(%0)"
        :
        : "r"(spill.words)
        : "memory");
}
#elif defined(__aarch64__)
struct register_spill {
    void* words[19];  // x19-x28, x29 (frame pointer or data), d8-d15 (low halves are callee-saved)
};
__attribute__((always_inline)) inline void spill_callee_saved_registers(register_spill& spill) noexcept {
    asm volatile(
        "stp x19, x20, [%0, #0]\n\t"
        "stp x21, x22, [%0, #16]\n\t"
        "stp x23, x24, [%0, #32]\n\t"
        "stp x25, x26, [%0, #48]\n\t"
        "stp x27, x28, [%0, #64]\n\t"
        "str x29, [%0, #80]\n\t"
        "stp d8, d9, [%0, #88]\n\t"
        "stp d10, d11, [%0, #104]\n\t"
        "stp d12, d13, [%0, #120]\n\t"
        "stp d14, d15, [%0, #136]"
        :
        : "r"(spill.words)
        : "memory");
}
#else
#error "lastword: spilling callee-saved registers for the stack scan is implemented for x86-64 and AArch64 only"
#endif

// Every runtime entry point that may collect runs its body through this trampoline. It
// spills the callee-saved registers into its frame, and the collecting thread's own stack is
// scanned from there upwards: the caller's registers and frames are roots, the runtime's
// deeper frames (full of stale pointers left by earlier calls) are not.
void run_as_collection_entry(void (*body)(void*), void* context);
template <class F> inline void as_collection_entry(F&& body) {
    run_as_collection_entry([](void* f) { (*static_cast<F*>(f))(); }, &body);
}

void attach_current_thread();
// A thread that is not attached and stores into a member<> is attached until it exits, so
// its stores follow the barrier's protocol (it stops with the world like any mutator).
void attach_implicitly() noexcept;
void detach_current_thread();
void lock_thread_registry();
void unlock_thread_registry();
void stop_the_world();  // registry lock held
void resume_the_world();
void scan_thread_stacks();  // world stopped
void scan_persistents();  // world stopped
void lock_persistents();
void unlock_persistents();
void attach_main_thread_at_startup();
void unblock_stop_signal();  // first thing in the runtime's own threads
void flush_thread_caches();  // world stopped
void sum_thread_allocations(std::size_t& objects, std::size_t& bytes, bool reset);  // registry locked
std::size_t attached_thread_count() noexcept;  // registry locked
std::size_t unattached_allocated_objects() noexcept;
std::size_t unattached_allocated_bytes() noexcept;

// ---- marking (marking.cpp) --------------------------------------------------------------
extern std::atomic<bool> marking_active;
void mark_pointer(const void* pointer) noexcept;  // precise: interior pointers accepted
LASTWORD_NO_SANITIZE void scan_conservatively(const void* begin, const void* end) noexcept;
void trace_children(object_header* header) noexcept;
bool mark_step(std::size_t budget_bytes) noexcept;  // true: nothing left to mark
void mark_to_completion() noexcept;
void take_barrier_buffer() noexcept;  // world stopped
void push_shaded(object_header* header) noexcept;  // from the barrier
void push_gray(object_header* already_marked) noexcept;
void visit_children(object_header* header, tracer::visit_fn visit, void* context);  // precise only

// ---- what a registration owns (captures.cpp) ---------------------------------------------
// Calls visit for [begin, end) and for every malloc'ed block reachable from it through
// pointers to the start of a block, transitively and bounded. readable_begin/end may be a
// copy of the bytes at origin. World stopped; not reentrant.
using owned_range_visitor = void (*)(const void* readable_begin, const void* readable_end, const void* origin,
                                     void* context);
void for_each_owned_range(const void* begin, const void* end, owned_range_visitor visit, void* context) noexcept;
// Marks what a callable (or a cleanup's callable and arg) and its owned blocks point to.
void scan_owned_conservatively(const void* begin, const void* end) noexcept;

// Explorer for debug analyses: breadth-first over precise edges and the edges a collected
// object has beyond its trace() (see for_each_extra_edge), using explore_mark. Returns the
// path to target (object headers, start to target, and how each was reached) or empty.
enum edge_kind : std::uint8_t { edge_field, edge_finalizer, edge_cleanup, edge_persistent };
struct explore_path {
    object_header** nodes;
    const edge_kind* via;  // via[k]: the edge into nodes[k] from nodes[k - 1] (or the start)
    std::size_t length;
};
// An object's edges beyond trace(): what its finalizer's and cleanups' callables own, and the
// targets of persistent handles that live inside it. World stopped; debug analyses only, after
// prepare_extra_edges.
using edge_visitor = void (*)(object_header* target, edge_kind kind, void* context);
void prepare_extra_edges(bool with_persistents) noexcept;
void for_each_extra_edge(object_header* header, edge_visitor visit, void* context) noexcept;
// Every persistent handle (roots.cpp); the caller holds the persistents' lock.
void for_each_persistent_node(void (*fn)(persistent_node* node, void* context), void* context) noexcept;
// True while the collector holds the persistents' lock (a pause that scans roots).
bool persistents_locked_by_collector() noexcept;
explore_path explore(const void* bytes_begin, const void* bytes_end, object_header* from_children_of,
                     object_header* target, bool only_unmarked) noexcept;

// Growable array in mmap'ed memory: usable while the world is stopped (no malloc).
template <class T> struct page_vector {
    T* data = nullptr;
    std::size_t size = 0;
    std::size_t capacity = 0;
    void push(const T& value) noexcept {
        if (size == capacity) [[unlikely]]
            grow();
        data[size++] = value;
    }
    __attribute__((noinline)) void grow() noexcept;  // out of line: push stays a leaf
    void clear() noexcept { size = 0; }
    bool empty() const noexcept { return size == 0; }
};
void* map_pages(std::size_t bytes) noexcept;
void unmap_pages(void* p, std::size_t bytes) noexcept;
template <class T> void page_vector<T>::grow() noexcept {
    std::size_t grown = capacity ? capacity * 2 : 4096 / sizeof(T);
    T* fresh = static_cast<T*>(map_pages(grown * sizeof(T)));
    if (data) {
        std::memcpy(fresh, data, size * sizeof(T));
        unmap_pages(data, capacity * sizeof(T));
    }
    data = fresh;
    capacity = grown;
}

// ---- the collection cycle (marking.cpp) ---------------------------------------------------
std::mutex& collector_lock();
void collect_locked(bool full);  // caller holds collector_lock; always a full collection
void on_allocation_locked(std::size_t bytes);
extern std::uint32_t cycle_number;

// ---- finalization (finalization.cpp) -----------------------------------------------------
void lock_finalization();
void unlock_finalization();
void scan_finalization_roots();  // world stopped
// finalizerleaks: persistents that neither a collected object nor a registration owns, and
// finalizers and cleanups already queued or running (world stopped, persistents locked).
void scan_roots_outside_registrations();
// finalizerleaks: marks, to a fixpoint, what registrations and persistents owned by marked
// objects reach.
void mark_through_registrations_of_reachable_objects();
void select_finalizers_and_cleanups();  // world stopped, marking complete
void check_self_reaching_registrations();  // world stopped, checkfinalizers
std::size_t report_unfinalizable_cycles();  // world stopped, after root marking
void after_collection_locked();  // world running: queue work, notify threads
// slowfinalizer: reports, once each, cleanups running for limit_ms or longer.
void report_slow_cleanups(long limit_ms);
std::size_t cleanup_worker_count();
void start_runtime_threads();  // at start-up: finalizer thread, cleanup workers, pool supervisor
bool running_finalizer(const char*& type_name, std::source_location& site, std::chrono::milliseconds& running_for,
                       std::size_t& queued_behind, std::uint64_t& serial);

// ---- debug (debug.cpp) -------------------------------------------------------------------
struct debug_settings {
    std::atomic<bool> checkfinalizers{false};
    std::atomic<long> slowfinalizer_ms{0};
    std::atomic<bool> finalizerleaks{false};
    std::atomic<bool> verify{false};
    std::atomic<bool> stress{false};
    std::atomic<bool> keepalive{false};
    std::atomic<bool> debug_allocation{false};  // stress or keepalive: allocation's slow path
};
extern debug_settings settings;
extern std::atomic<bool> leak_report_requested;
extern std::atomic<std::size_t> leak_report_count;
void report(const char* format, ...) noexcept __attribute__((format(printf, 1, 2)));
const char* site_text(const std::source_location& site, char* buffer, std::size_t size) noexcept;
void verify_heap() noexcept;  // world stopped, marking complete
void poison_freed(object_header* header, std::size_t size) noexcept;
void start_slow_finalizer_watchdog();
void load_settings_from_environment();
// keepalive: zeroes the dead stack below the caller, so frames created later at that depth
// do not carry stale pointers from the runtime's deeper frames into the conservative scan.
__attribute__((always_inline)) inline void scrub_dead_stack() noexcept { lastword::debug::scrub_stack(); }

struct counters {
    std::atomic<std::uint64_t> collections{0};
    std::atomic<std::uint64_t> finalizers_queued{0};
    std::atomic<std::uint64_t> finalizers_run{0};
    std::atomic<std::uint64_t> cleanups_queued{0};
    std::atomic<std::uint64_t> cleanups_run{0};
    std::atomic<std::uint64_t> cleanups_cancelled{0};
    std::atomic<std::uint64_t> objects_freed{0};
    std::atomic<std::uint64_t> debug_reports{0};
    std::atomic<std::uint64_t> max_pause_ns{0};
    std::atomic<std::uint64_t> total_pause_ns{0};
    std::atomic<std::size_t> live_objects_after_sweep{0};
    std::atomic<std::size_t> live_bytes_after_sweep{0};
    std::atomic<std::size_t> live_heap_bytes_after_sweep{0};  // cells and runs they occupy
};
extern counters statistics;

}  // namespace lastword::detail
