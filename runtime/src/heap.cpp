// The collected heap: one reserved address range carved into 8 KiB blocks. Small objects
// (header included, up to 4 KiB) live in blocks of one size class; larger objects take a run
// of whole blocks. A side table describes every block, so finding the object behind any
// address is a range check, a table load and a multiplication.
#include "internal.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define LASTWORD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LASTWORD_ASAN 1
#endif
#endif
#ifdef LASTWORD_ASAN
#include <sanitizer/lsan_interface.h>
#define LASTWORD_HAVE_LSAN_INTERFACE 1
#endif

namespace lastword::detail {
namespace {

constexpr std::size_t reservation_bytes = std::size_t{16} << 30;
constexpr std::size_t commit_granule = std::size_t{1} << 20;

}  // namespace

thread_local constinit collector_callout running_under_collector_lock{nullptr, nullptr};

void fail_allocation_under_collector_lock(const type_descriptor* wanted) noexcept {
    const collector_callout& c = running_under_collector_lock;
    if (c.type)
        report(
            "lastword: make<%s> called from %s '%s', which the collector runs while holding its lock: it would "
            "deadlock; collected objects cannot be allocated there",
            wanted->name, c.what, c.type->name);
    else
        report(
            "lastword: make<%s> called from %s, which the collector runs while holding its lock: it would "
            "deadlock; collected objects cannot be allocated there",
            wanted->name, c.what);
    std::abort();
}

heap_state the_heap;  // constant-initialised, trivially destructible: usable from any constructor

namespace {

heap_state& heap() { return the_heap; }

struct sweep_progress {
    bool active = false;
    std::uint32_t epoch = 0;
    std::size_t cursor = 0;
    std::size_t end = 0;
    std::size_t live_objects = 0, live_bytes = 0, live_cell_bytes = 0, freed = 0;
};
sweep_progress sweeping;
bool sweep_some(std::size_t budget);

std::size_t parse_size(const char* text) {
    if (!text || !*text) return 0;
    char* end = nullptr;
    unsigned long long value = std::strtoull(text, &end, 10);
    switch (*end) {
        case 'k':
        case 'K':
            value <<= 10;
            break;
        case 'm':
        case 'M':
            value <<= 20;
            break;
        case 'g':
        case 'G':
            value <<= 30;
            break;
        default:
            break;
    }
    return static_cast<std::size_t>(value);
}

void initialise_heap() {
    heap_state& h = heap();
    h.base = static_cast<char*>(
        mmap(nullptr, reservation_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (h.base == MAP_FAILED) std::abort();
    // Align the base to a block so block index arithmetic is a shift.
    h.reserved_blocks = reservation_bytes / block_size - 1;
    char* aligned =
        reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(h.base) + block_size - 1) & ~(block_size - 1));
    h.base = aligned;
    h.table = static_cast<block_info*>(map_pages(h.reserved_blocks * sizeof(block_info)));
    std::fill(std::begin(h.partial), std::end(h.partial), no_block);
    for (unsigned c = 0, g = 0; g <= largest_small / 16; ++g) {
        while (class_sizes[c] < g * 16) ++c;
        h.class_of_granule[g] = static_cast<std::uint8_t>(c);
    }
    for (unsigned c = 0; c < size_class_count; ++c) h.reciprocal[c] = (std::uint64_t{1} << 32) / class_sizes[c] + 1;
    h.configured_limit = parse_size(std::getenv("LASTWORD_HEAP_LIMIT"));
    h.limit = h.configured_limit ? h.configured_limit : h.reserved_blocks * block_size;
#ifdef LASTWORD_HAVE_LSAN_INTERFACE
    // Malloc'ed memory owned by collected objects is referenced only from this range.
    __lsan_register_root_region(h.base, h.reserved_blocks * block_size);
#endif
}

char* block_address(std::size_t index) { return heap().base + (index << block_shift); }

void unlink_free(std::uint32_t index) {
    heap_state& h = heap();
    block_info& b = h.table[index];
    if (b.previous_free != no_block)
        h.table[b.previous_free].next_free = b.next_free;
    else
        h.free_head = b.next_free;
    if (b.next_free != no_block) h.table[b.next_free].previous_free = b.previous_free;
    --h.free_blocks;
}

void release_blocks(std::size_t first, std::size_t count) {
    heap_state& h = heap();
    if (count >= 8) madvise(block_address(first), count * block_size, MADV_DONTNEED);
    for (std::size_t i = first; i < first + count; ++i) {
        block_info& b = h.table[i];
        b = block_info{};
        b.kind = block_free;
        b.previous_free = no_block;
        b.next_free = h.free_head;
        if (h.free_head != no_block) h.table[h.free_head].previous_free = static_cast<std::uint32_t>(i);
        h.free_head = static_cast<std::uint32_t>(i);
        ++h.free_blocks;
    }
    h.blocks_in_use -= count;
}

std::size_t find_free_run(std::size_t count) {
    heap_state& h = heap();
    if (count == 1 && h.free_head != no_block) {
        std::uint32_t index = h.free_head;
        unlink_free(index);
        return index;
    }
    if (h.free_blocks >= count) {
        std::size_t run = 0;
        const std::size_t bump = h.bump.load(std::memory_order_relaxed);
        for (std::size_t scanned = 0, i = h.rover; scanned < bump + count; ++scanned, ++i) {
            if (i >= bump) {
                i = 0;
                run = 0;
            }
            run = h.table[i].kind == block_free ? run + 1 : 0;
            if (run == count) {
                std::size_t first = i + 1 - count;
                for (std::size_t j = first; j <= i; ++j) unlink_free(static_cast<std::uint32_t>(j));
                h.rover = i + 1;
                return first;
            }
        }
    }
    std::size_t first = h.bump.load(std::memory_order_relaxed);
    if (first + count > h.reserved_blocks) return SIZE_MAX;
    std::size_t needed = (first + count) * block_size;
    if (needed > h.committed) {
        std::size_t grow = (needed - h.committed + commit_granule - 1) / commit_granule * commit_granule;
        if (mprotect(h.base + h.committed, grow, PROT_READ | PROT_WRITE) != 0) return SIZE_MAX;
        h.committed += grow;
    }
    h.bump.store(first + count, std::memory_order_release);
    return first;
}

// Takes count blocks, collecting (and if that is not enough, throwing) at the heap limit.
std::size_t acquire_blocks(std::size_t count) {
    heap_state& h = heap();
    bool collected = false;
    for (;;) {
        if ((h.blocks_in_use + count) * block_size <= h.limit) {
            std::size_t first = find_free_run(count);
            if (first != SIZE_MAX) {
                h.blocks_in_use += count;
                return first;
            }
        }
        if (sweep_in_progress()) {  // unswept garbage first
            finish_sweep();
            continue;
        }
        if (collected) throw std::bad_alloc();
        collect_locked(true);
        collected = true;
    }
}

void* carve_small_block(unsigned size_class) {
    heap_state& h = heap();
    std::size_t index = acquire_blocks(1);
    block_info& b = h.table[index];
    // An empty block the sweep released keeps its free-cell list: for the same class its
    // cells need not be written again (in binary-trees, where most blocks die whole,
    // rewriting them was a tenth of the time).
    void* carved = b.carved_class == size_class + 1 ? b.free_cells : nullptr;
    b = block_info{};
    b.kind = block_small;
    b.size_class = static_cast<std::uint8_t>(size_class);
    std::size_t cell = class_sizes[size_class];
    b.cell_count = static_cast<std::uint16_t>(block_size / cell);
    b.next_partial = no_block;
    b.swept_in = sweeping.epoch;  // holds only new objects: the running sweep must skip it
    if (carved) return carved;
    char* start = block_address(index);
    void* list = nullptr;
    for (std::size_t i = b.cell_count; i-- > 0;) {
        auto* header = reinterpret_cast<object_header*>(start + i * cell);
        header->type = nullptr;
        header->constructing.store(0, std::memory_order_relaxed);  // a reused block may hold an old header here
        *reinterpret_cast<void**>(body_of(header)) = list;
        list = header;
    }
    return list;
}

// A list of free cells of the class, for a thread cache.
void* refill(unsigned size_class) {
    heap_state& h = heap();
    // A lazy sweep advances with allocation: a bounded number of blocks per refill, more while
    // this class has no swept block with free cells.
    for (std::size_t tries = 0; !sweep_some(4) && h.partial[size_class] == no_block && tries < 16; ++tries) {
    }
    if (h.partial[size_class] != no_block) {
        block_info& b = h.table[h.partial[size_class]];
        h.partial[size_class] = b.next_partial;
        void* list = b.free_cells;
        b.free_cells = nullptr;
        return list;
    }
    return carve_small_block(size_class);
}

inline void initialise_header(object_header* header, const type_descriptor* type) {
    header->type = type;
    header->mark.store(marking_active.load(std::memory_order_relaxed) ? 1 : 0, std::memory_order_relaxed);
    header->explore_mark = 0;
    header->constructing.store(1, std::memory_order_relaxed);
    header->has_finalizer = 0;
}

// Zeroes the object's bytes, rounded up to 16 (cells are multiples of 16 past the header):
// the rest of the cell is never read. A loop of stores rather than a call to memset keeps
// the allocation fast path free of calls.
inline void zero_object(void* body, std::size_t size) {
    auto* bytes = static_cast<char*>(body);
    for (std::size_t offset = 0; offset < size; offset += 16) {
        std::memset(bytes + offset, 0, 16);
        asm volatile("" : : "r"(bytes) : "memory");  // not a memset call, please
    }
}

inline void* pop_cell(void*& list, const type_descriptor* type) {
    auto* header = static_cast<object_header*>(list);
    void* body = body_of(header);
    list = *static_cast<void**>(body);
    zero_object(body, type->size);
    initialise_header(header, type);
    return body;
}

void count_unattached(std::size_t bytes) {
    heap().unattached_objects += 1;
    heap().unattached_bytes += bytes;
}

void* allocate_large_locked(const type_descriptor* type) {
    std::lock_guard lock(collector_lock());
    std::size_t total = type->size + header_size;
    std::size_t count = (total + block_size - 1) / block_size;
    on_allocation_locked(count * block_size);
    std::size_t first = acquire_blocks(count);
    heap_state& h = heap();
    h.table[first] = block_info{};
    h.table[first].kind = block_large_head;
    h.table[first].run_blocks = static_cast<std::uint32_t>(count);
    h.table[first].swept_in = sweeping.epoch;
    for (std::size_t i = first + 1; i < first + count; ++i) {
        h.table[i] = block_info{};
        h.table[i].kind = block_large_tail;
        h.table[i].head = static_cast<std::uint32_t>(first);
    }
    auto* header = reinterpret_cast<object_header*>(block_address(first));
    std::memset(header, 0, total);
    // Allocated under the collector lock: no pause can start between the flag and the header.
    initialise_header(header, type);
    if (thread_record* self = current_mutator.record) {
        self->allocated_bytes.store(self->allocated_bytes.load(std::memory_order_relaxed) + type->size,
                                    std::memory_order_relaxed);
        self->allocated_objects.store(self->allocated_objects.load(std::memory_order_relaxed) + 1,
                                      std::memory_order_relaxed);
    } else {
        count_unattached(type->size);
    }
    return body_of(header);
}

void* allocate_small_slow_locked(unsigned size_class, const type_descriptor* type) {
    std::lock_guard lock(collector_lock());
    heap_state& h = heap();
    thread_record* self = current_mutator.record;
    void*& cache = self ? self->cache[size_class] : h.unattached_cache[size_class];
    if (!cache) {
        on_allocation_locked(block_size);
        // A collection empties every cache, including ours.
        cache = refill(size_class);
    }
    void* body = pop_cell(cache, type);
    if (self) {
        self->allocated_bytes.store(self->allocated_bytes.load(std::memory_order_relaxed) + type->size,
                                    std::memory_order_relaxed);
        self->allocated_objects.store(self->allocated_objects.load(std::memory_order_relaxed) + 1,
                                      std::memory_order_relaxed);
    } else {
        count_unattached(type->size);
    }
    return body;
}

void* allocate_large(const type_descriptor* type) {
    void* result = nullptr;
    as_collection_entry([&] { result = allocate_large_locked(type); });
    return result;
}

void* allocate_small_slow(unsigned size_class, const type_descriptor* type) {
    void* result = nullptr;
    as_collection_entry([&] { result = allocate_small_slow_locked(size_class, type); });
    return result;
}

}  // namespace

namespace {
// stress: a full collection first; keepalive: no copies of addresses left in the dead stack.
__attribute__((noinline)) void* allocate_in_debug_mode(const type_descriptor* type);

// Everything but a cell popped from the calling thread's cache: large objects, unattached
// threads, an empty cache, debug modes, a make<T> under the collector lock (fails). Kept out of allocate() so the fast
// path saves no registers and calls nothing.
__attribute__((noinline)) void* allocate_slow(const type_descriptor* type, bool debug_checked) {
    if (running_under_collector_lock.what) [[unlikely]]
        fail_allocation_under_collector_lock(type);
    if (!debug_checked && settings.debug_allocation.load(std::memory_order_relaxed))
        return allocate_in_debug_mode(type);
    std::size_t total = type->size + header_size;
    if (total > largest_small) return allocate_large(type);
    return allocate_small_slow(heap().class_of_granule[(total + 15) / 16], type);
}

void* allocate_in_debug_mode(const type_descriptor* type) {
    if (settings.stress.load(std::memory_order_relaxed)) {
        as_collection_entry([] {
            std::lock_guard lock(collector_lock());
            collect_locked(true);
        });
    }
    void* body = allocate_slow(type, true);
    if (settings.keepalive.load(std::memory_order_relaxed)) scrub_dead_stack();
    return body;
}
}  // namespace

namespace {
// leave_no_stop()'s parking, out of line so the fast path below saves no registers.
__attribute__((noinline)) void* park_and_return(void* body) {
    park_if_stop_requested();
    return body;
}
}  // namespace

void* allocate(const type_descriptor* type) {
    std::size_t total = type->size + header_size;
    thread_record* self = current_mutator.record;
    if (settings.debug_allocation.load(std::memory_order_relaxed) || running_under_collector_lock.what ||
        total > largest_small || !self) [[unlikely]]
        return allocate_slow(type, false);
    unsigned size_class = heap().class_of_granule[(total + 15) / 16];
    enter_no_stop();
    void*& cache = self->cache[size_class];
    if (!cache) [[unlikely]] {
        leave_no_stop();
        return allocate_slow(type, false);
    }
    void* body = pop_cell(cache, type);
    self->allocated_bytes.store(self->allocated_bytes.load(std::memory_order_relaxed) + type->size,
                                std::memory_order_relaxed);
    self->allocated_objects.store(self->allocated_objects.load(std::memory_order_relaxed) + 1,
                                  std::memory_order_relaxed);
    if (leave_no_stop_must_park()) [[unlikely]]
        return park_and_return(body);
    return body;
}

void constructed(void* object) noexcept { header_of(object)->constructing.store(0, std::memory_order_release); }

// The cell stays allocated but holds nothing; the next sweep frees it.
void abandon(void* object) noexcept {
    static const type_descriptor abandoned{nullptr, nullptr, 0, "<abandoned>"};
    object_header* header = header_of(object);
    std::size_t size = header->type->size;
    std::memset(object, 0, size);
    header->type = &abandoned;
    header->constructing.store(0, std::memory_order_release);
}

void* object_start(const void* pointer) noexcept {
    object_header* header = find_object(pointer);
    return header ? body_of(header) : nullptr;
}

const type_descriptor* type_of_object(const void* start) noexcept { return header_of(start)->type; }

void flush_allocation_caches() {
    heap_state& h = heap();
    std::fill(std::begin(h.unattached_cache), std::end(h.unattached_cache), nullptr);
}

namespace {

void destroy_object(object_header* header) {
    if (!header->type->destroy) return;
    running_under_collector_lock = {"the destructor of", header->type};
    header->type->destroy(body_of(header));
    running_under_collector_lock = {nullptr, nullptr};
}

// One instantiation per verify setting, so the loop does not test it per cell.
template <bool poison> void sweep_small_block(std::size_t index) {
    heap_state& h = heap();
    block_info& b = h.table[index];
    std::size_t cell = class_sizes[b.size_class];
    char* start = block_address(index);
    void* list = nullptr;
    std::size_t free_cells = 0;
    const std::uint32_t cycle = cycle_number;  // a local: not reloaded after each destructor
    for (std::size_t i = b.cell_count; i-- > 0;) {
        auto* header = reinterpret_cast<object_header*>(start + i * cell);
        if (header->type) {
            if (header->mark.load(std::memory_order_relaxed)) {
                header->mark.store(0, std::memory_order_relaxed);
                ++sweeping.live_objects;
                sweeping.live_bytes += header->type->size;
                sweeping.live_cell_bytes += cell;
                continue;
            }
            destroy_object(header);
            if (poison) poison_freed(header, cell - header_size);
            header->type = nullptr;
            header->constructing.store(poison ? quarantined : 0, std::memory_order_relaxed);
            header->freed_in_cycle = cycle;
            ++sweeping.freed;
            if (poison) continue;
        } else if (header->constructing.load(std::memory_order_relaxed) == quarantined) {
            if (poison) continue;  // verify is still on: the cell keeps its trail
            header->constructing.store(0, std::memory_order_relaxed);
        }
        *reinterpret_cast<void**>(body_of(header)) = list;
        list = header;
        ++free_cells;
    }
    b.swept_in = sweeping.epoch;
    if (free_cells == b.cell_count) {
        const std::uint8_t size_class = b.size_class;
        release_blocks(index, 1);
        b.carved_class = static_cast<std::uint8_t>(size_class + 1);
        b.free_cells = list;
    } else if (free_cells) {
        b.free_cells = list;
        b.next_partial = h.partial[b.size_class];
        h.partial[b.size_class] = static_cast<std::uint32_t>(index);
    } else {
        b.free_cells = nullptr;
    }
}

// Returns the number of blocks the large object at index spans.
std::size_t sweep_large_object(std::size_t index, bool poison) {
    block_info& b = heap().table[index];
    auto* header = reinterpret_cast<object_header*>(block_address(index));
    std::size_t run = b.run_blocks;
    b.swept_in = sweeping.epoch;
    if (!header->type) {  // quarantined by verify: released once the mode is off
        if (!poison) {
            header->constructing.store(0, std::memory_order_relaxed);
            release_blocks(index, run);
        }
        return run;
    }
    if (header->mark.load(std::memory_order_relaxed)) {
        header->mark.store(0, std::memory_order_relaxed);
        ++sweeping.live_objects;
        sweeping.live_bytes += header->type->size;
        sweeping.live_cell_bytes += run * block_size;
    } else {
        destroy_object(header);
        if (poison) poison_freed(header, header->type->size);
        header->type = nullptr;
        header->freed_in_cycle = cycle_number;
        ++sweeping.freed;
        if (poison)
            header->constructing.store(quarantined, std::memory_order_relaxed);
        else
            release_blocks(index, run);
    }
    return run;
}

// Sweeps up to budget blocks; returns true when the sweep is complete.
bool sweep_some(std::size_t budget) {
    if (!sweeping.active) return true;
    heap_state& h = heap();
    const bool poison = settings.verify.load(std::memory_order_relaxed);
    for (; sweeping.cursor < sweeping.end && budget > 0; --budget) {
        std::size_t index = sweeping.cursor;
        block_info& b = h.table[index];
        std::size_t step = 1;
        if (b.kind == block_large_head) {
            step = b.run_blocks;
            if (b.swept_in != sweeping.epoch) sweep_large_object(index, poison);
        } else if (b.kind == block_small && b.swept_in != sweeping.epoch) {
            poison ? sweep_small_block<true>(index)
                   : sweep_small_block<false>(index);  // blocks carved since the cycle hold new objects
        }
        sweeping.cursor += step;
    }
    if (sweeping.cursor < sweeping.end) return false;
    sweeping.active = false;
    statistics.live_objects_after_sweep = sweeping.live_objects;
    statistics.live_bytes_after_sweep = sweeping.live_bytes;
    statistics.live_heap_bytes_after_sweep = sweeping.live_cell_bytes;
    statistics.objects_freed += sweeping.freed;
    return true;
}

}  // namespace

void begin_lazy_sweep() {
    heap_state& h = heap();
    finish_sweep();
    sweeping = sweep_progress{true, sweeping.epoch + 1, 0, h.bump.load(std::memory_order_relaxed), 0, 0, 0, 0};
    std::fill(std::begin(h.partial), std::end(h.partial), no_block);
    h.unattached_objects = 0;
    h.unattached_bytes = 0;
    // Large objects first: they are few and free whole runs.
    const bool poison = settings.verify.load(std::memory_order_relaxed);
    for (std::size_t index = 0; index < sweeping.end; ++index) {
        block_info& b = h.table[index];
        if (b.kind == block_large_head) {
            std::size_t run = b.run_blocks;
            sweep_large_object(index, poison);
            index += run - 1;
        }
    }
}

void finish_sweep() { sweep_some(SIZE_MAX); }

void sweep() {
    begin_lazy_sweep();
    finish_sweep();
}

bool sweep_in_progress() noexcept { return sweeping.active; }

void for_each_live_object(void (*fn)(object_header*, void*), void* context) {
    heap_state& h = heap();
    for (std::size_t index = 0, bump = h.bump.load(std::memory_order_relaxed); index < bump; ++index) {
        block_info& b = h.table[index];
        if (b.kind == block_small) {
            std::size_t cell = class_sizes[b.size_class];
            for (std::size_t i = 0; i < b.cell_count; ++i) {
                auto* header = reinterpret_cast<object_header*>(block_address(index) + i * cell);
                if (header->type) fn(header, context);
            }
        } else if (b.kind == block_large_head) {
            auto* header = reinterpret_cast<object_header*>(block_address(index));
            if (header->type) fn(header, context);
            index += b.run_blocks - 1;
        }
    }
}

std::size_t heap_bytes_in_use() noexcept { return heap().blocks_in_use * block_size; }
std::size_t current_heap_limit() noexcept { return heap().limit; }
std::size_t unattached_allocated_objects() noexcept { return heap().unattached_objects; }
std::size_t unattached_allocated_bytes() noexcept { return heap().unattached_bytes; }

void* map_pages(std::size_t bytes) noexcept {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) std::abort();
    return p;
}
void unmap_pages(void* p, std::size_t bytes) noexcept { munmap(p, bytes); }

// Runs before user static initialisers, so the main thread is attached before any make<T>.
__attribute__((constructor(101))) static void initialise_runtime() {
    initialise_heap();
    load_settings_from_environment();
    attach_main_thread_at_startup();
    start_runtime_threads();
}

}  // namespace lastword::detail

void lastword::set_heap_limit(std::size_t bytes) noexcept {
    std::lock_guard lock(detail::collector_lock());
    auto& h = detail::heap();
    std::size_t fallback = h.configured_limit ? h.configured_limit : h.reserved_blocks * detail::block_size;
    h.limit = bytes ? bytes : fallback;
}
