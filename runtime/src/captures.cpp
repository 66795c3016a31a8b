// What a registration owns: the bytes of its callable (and a cleanup's arg) and every
// malloc'ed block reachable from them through pointers to the start of a block. A
// std::function keeps its target there, a std::shared_ptr its control block, a
// std::vector its elements: the contract makes all of it a root for as long as the
// registration exists.
//
// Runs while the world is stopped, so it allocates nothing with malloc and never trusts a
// word it found: a word is followed only if the allocator confirms it is the start of a
// block in use. With a sanitizer's allocator (ASan, TSan) the allocator says so exactly.
// With glibc's malloc the chunk header in front of the word is checked (size, alignment,
// the next chunk's "previous in use" bit), and every read goes through process_vm_readv
// on the own process, which fails cleanly instead of faulting on an unmapped address. A
// word that merely looks like a chunk makes the walk scan some readable memory: that only
// keeps more alive, never less.
#include "internal.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LASTWORD_SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LASTWORD_SANITIZER_ALLOCATOR 1
#endif
#ifdef LASTWORD_SANITIZER_ALLOCATOR
#include <sanitizer/allocator_interface.h>
#elif !defined(__GLIBC__)
#error "lastword: following a callable's malloc'ed captures needs glibc's malloc or a sanitizer's allocator"
#endif

namespace lastword::detail {
namespace {

// Bounds of one walk (one registration): beyond them the rest is not scanned, and a
// one-line report says so once.
constexpr std::size_t walk_block_limit = std::size_t{1} << 16;
constexpr std::size_t walk_byte_limit = std::size_t{256} << 20;
constexpr std::size_t scratch_bytes = std::size_t{64} << 10;

struct pending_block {
    std::uintptr_t start;
    std::size_t size;
};

// Open addressing over mmap'ed memory; a generation number empties it in O(1) per walk.
struct visited_set {
    struct entry {
        std::uintptr_t address;
        std::uint32_t generation;
    };
    entry* slots = nullptr;
    std::size_t capacity = 0;  // power of two
    std::size_t used = 0;
    std::uint32_t generation = 0;

    void start_walk() noexcept {
        if (++generation == 0) {  // wrapped: forget everything for real
            if (slots) std::memset(slots, 0, capacity * sizeof(entry));
            generation = 1;
        }
        used = 0;
    }
    bool contains(std::uintptr_t address) const noexcept {
        if (!capacity) return false;
        std::size_t mask = capacity - 1;
        for (std::size_t i = (address * 0x9E3779B97F4A7C15ull) >> 20 & mask;; i = (i + 1) & mask) {
            const entry& e = slots[i];
            if (e.generation != generation) return false;
            if (e.address == address) return true;
        }
    }
    // True if address was not in the set (and now is).
    bool insert(std::uintptr_t address) noexcept {
        if (2 * (used + 1) > capacity) grow();
        std::size_t mask = capacity - 1;
        for (std::size_t i = (address * 0x9E3779B97F4A7C15ull) >> 20 & mask;; i = (i + 1) & mask) {
            entry& e = slots[i];
            if (e.generation != generation) {
                e = {address, generation};
                ++used;
                return true;
            }
            if (e.address == address) return false;
        }
    }
    void grow() noexcept {
        entry* old = slots;
        std::size_t old_capacity = capacity;
        capacity = capacity ? capacity * 2 : 4096 / sizeof(entry);
        slots = static_cast<entry*>(map_pages(capacity * sizeof(entry)));
        used = 0;
        std::uint32_t keep = generation;
        for (std::size_t i = 0; i < old_capacity; ++i)
            if (old[i].generation == keep) insert(old[i].address);
        if (old) unmap_pages(old, old_capacity * sizeof(entry));
    }
};

struct walker_state {
    visited_set visited;
    visited_set not_blocks;  // words found not to start a block, this collection
    std::uint32_t not_blocks_cycle = UINT32_MAX;
    page_vector<pending_block> pending;
    char* scratch = nullptr;
    std::size_t blocks = 0;
    std::size_t bytes = 0;
    bool truncated = false;
};
walker_state walker;
std::atomic<bool> truncation_reported{false};

#ifndef LASTWORD_SANITIZER_ALLOCATOR
// Copies size bytes at address into buffer; false if any of them is not readable.
bool read_own_memory(void* buffer, std::uintptr_t address, std::size_t size) noexcept {
    iovec local{buffer, size};
    iovec remote{reinterpret_cast<void*>(address), size};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

// The start of the main arena's heap (the "[heap]" mapping), 0 until malloc has used brk.
std::uintptr_t main_heap_begin() noexcept {
    static std::uintptr_t begin = 0;
    if (begin) return begin;
    int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[8192];
    std::size_t kept = 0;
    for (;;) {
        ssize_t n = ::read(fd, text + kept, sizeof text - 1 - kept);
        if (n <= 0) break;
        kept += static_cast<std::size_t>(n);
        text[kept] = 0;
        char* line = text;
        for (char* end; (end = std::strchr(line, '\n')); line = end + 1) {
            *end = 0;
            if (std::strstr(line, "[heap]")) {
                begin = std::strtoull(line, nullptr, 16);
                ::close(fd);
                return begin;
            }
        }
        kept = static_cast<std::size_t>(text + kept - line);  // an unfinished line moves to the front
        std::memmove(text, line, kept);
        if (kept == sizeof text - 1) kept = 0;
    }
    ::close(fd);
    return 0;
}

// glibc's arenas other than the main one live in heaps aligned to HEAP_MAX_SIZE that start
// with a heap_info {arena, previous heap, size, ...}; an arena's first heap holds the arena
// right after it. Both ends are checked, so a stack or a data segment never passes.
bool in_thread_arena(std::uintptr_t address) noexcept {
    constexpr std::uintptr_t heap_max = std::uintptr_t{64} << 20;
    struct heap_info_start {
        std::uintptr_t arena, previous, size, protected_size;
    } info{}, first{};
    std::uintptr_t base = address & ~(heap_max - 1);
    if (!read_own_memory(&info, base, sizeof info)) return false;
    if (info.size == 0 || info.size > heap_max || address >= base + info.size) return false;
    std::uintptr_t arena_base = info.arena & ~(heap_max - 1);
    if (!read_own_memory(&first, arena_base, sizeof first)) return false;
    return first.arena == info.arena && info.arena - arena_base >= sizeof first && info.arena - arena_base < 4096;
}

// glibc: a chunk in use is [prev_size][size|flags] followed by the user's bytes; the next
// chunk's size field has bit 0 set while this one is in use. Returns the usable size or 0.
std::size_t glibc_block_size(std::uintptr_t start) noexcept {
    if (start % 16 != 0 || start < 4096) return 0;
    std::size_t header[2];
    if (!read_own_memory(header, start - 16, sizeof header)) return 0;
    std::size_t chunk = header[1] & ~std::size_t{7};
    static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    if (header[1] & 2) {  // served by mmap directly: the chunk starts its own mapping
        std::size_t before = header[0];
        if (chunk < page || chunk % page != 0 || before >= page || (start - 16 - before) % page != 0 ||
            (before + chunk) % page != 0)
            return 0;
        return chunk - 16;
    }
    std::uintptr_t heap_begin = main_heap_begin();
    bool in_main_heap = heap_begin && start > heap_begin && start < reinterpret_cast<std::uintptr_t>(sbrk(0));
    if (!in_main_heap && !in_thread_arena(start)) return 0;
    if (chunk < 32 || chunk % 16 != 0 || chunk > (std::size_t{1} << 30)) return 0;
    std::size_t next;
    if (!read_own_memory(&next, start - 16 + chunk + 8, sizeof next)) return 0;
    if (!(next & 1) || (next & ~std::size_t{7}) < 16 || (next & ~std::size_t{7}) % 16 != 0) return 0;
    return chunk - 8;
}
#endif

// The size of the malloc'ed block that starts at address, or 0 if it is not one.
std::size_t block_size_at(std::uintptr_t address) noexcept {
#ifdef LASTWORD_SANITIZER_ALLOCATOR
    if (address % sizeof(void*) != 0 || address < 4096) return 0;
    const void* p = reinterpret_cast<const void*>(address);
    if (!__sanitizer_get_ownership(p)) return 0;
    return __sanitizer_get_allocated_size(p);
#else
    return glibc_block_size(address);
#endif
}

// origin: where [begin, end) really is (begin may be a copy). A word pointing back into the
// range itself (a std::string's small buffer) is not a block start.
LASTWORD_NO_SANITIZE void find_blocks(const void* begin, const void* end, const void* origin) noexcept {
    auto word = (reinterpret_cast<std::uintptr_t>(begin) + sizeof(void*) - 1) & ~(sizeof(void*) - 1);
    auto last = reinterpret_cast<std::uintptr_t>(end);
    auto self_begin = reinterpret_cast<std::uintptr_t>(origin);
    auto self_end = self_begin + (last - reinterpret_cast<std::uintptr_t>(begin));
    for (; word + sizeof(void*) <= last; word += sizeof(void*)) {
        auto candidate = *reinterpret_cast<const std::uintptr_t*>(word);
        // Cheap filters first: not a user-space address, not aligned, a collected object, the
        // range itself, already seen in this walk, or known not to be a block.
        if (candidate < 65536 || candidate >= (std::uintptr_t{1} << 47) || candidate % 8 != 0) continue;
        if (candidate >= self_begin && candidate < self_end) continue;
        if (is_heap_address(reinterpret_cast<const void*>(candidate))) continue;
        if (walker.not_blocks.contains(candidate) || !walker.visited.insert(candidate)) continue;
        std::size_t size = block_size_at(candidate);
        if (!size) {
            walker.not_blocks.insert(candidate);  // the world is stopped: it stays so this cycle
            continue;
        }
        if (walker.blocks >= walk_block_limit || walker.bytes + size > walk_byte_limit) {
            walker.truncated = true;
            continue;
        }
        ++walker.blocks;
        walker.bytes += size;
        walker.pending.push({candidate, size});
    }
}

void visit_block(const pending_block& block, owned_range_visitor visit, void* context) noexcept {
#ifdef LASTWORD_SANITIZER_ALLOCATOR
    const void* begin = reinterpret_cast<const void*>(block.start);
    const void* end = reinterpret_cast<const void*>(block.start + block.size);
    visit(begin, end, begin, context);
    find_blocks(begin, end, begin);
#else
    if (!walker.scratch) walker.scratch = static_cast<char*>(map_pages(scratch_bytes));
    for (std::size_t offset = 0; offset < block.size; offset += scratch_bytes) {
        std::size_t piece = std::min(scratch_bytes, block.size - offset);
        if (!read_own_memory(walker.scratch, block.start + offset, piece)) return;
        visit(walker.scratch, walker.scratch + piece, reinterpret_cast<const void*>(block.start + offset), context);
        find_blocks(walker.scratch, walker.scratch + piece, reinterpret_cast<const void*>(block.start + offset));
    }
#endif
}

}  // namespace

void for_each_owned_range(const void* begin, const void* end, owned_range_visitor visit, void* context) noexcept {
    if (!begin || begin == end) return;
    walker.visited.start_walk();
    if (walker.not_blocks_cycle != cycle_number) {
        walker.not_blocks_cycle = cycle_number;
        walker.not_blocks.start_walk();
    }
    walker.pending.clear();
    walker.blocks = walker.bytes = 0;
    walker.truncated = false;
    visit(begin, end, begin, context);
    find_blocks(begin, end, begin);
    // Breadth first: the blocks the callable owns directly come before what they lead to, so
    // when a walk hits its bounds, what is cut off is the farthest.
    for (std::size_t next = 0; next < walker.pending.size; ++next) {
        pending_block block = walker.pending.data[next];
        visit_block(block, visit, context);
    }
    if (walker.truncated && !truncation_reported.exchange(true))
        report(
            "lastword: captures: a finalizer or cleanup owns more than %zu malloc'ed blocks or %zu MiB; the rest "
            "is not scanned, and collected objects reachable only from there may be freed",
            walk_block_limit, walk_byte_limit >> 20);
}

void scan_owned_conservatively(const void* begin, const void* end) noexcept {
    for_each_owned_range(
        begin, end, [](const void* b, const void* e, const void*, void*) { scan_conservatively(b, e); }, nullptr);
}

}  // namespace lastword::detail
