// Debug modes (LASTWORD_GCDEBUG), statistics and heap limit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lastword {

struct stats {
    std::size_t objects_live = 0;  // after the last sweep, plus allocations since
    std::size_t bytes_live = 0;  // object bytes (headers excluded), same convention
    std::size_t heap_bytes = 0;  // pages in use
    std::size_t heap_limit = 0;
    std::uint64_t collections = 0;  // completed cycles
    std::uint64_t finalizers_queued = 0;
    std::uint64_t finalizers_run = 0;
    std::uint64_t cleanups_queued = 0;
    std::uint64_t cleanups_run = 0;
    std::uint64_t cleanups_cancelled = 0;
    std::size_t cleanup_workers = 0;  // threads in the cleanup pool (grows while cleanups block)
    // Threads a pause stops and whose stacks it scans. The finalizer thread and the cleanup
    // workers count only while they run finalizers or cleanups.
    std::size_t attached_threads = 0;
    std::uint64_t objects_freed = 0;
    std::uint64_t debug_reports = 0;  // lines written by the debug modes
    std::uint64_t max_pause_ns = 0;  // longest stop-the-world pause
    std::uint64_t total_pause_ns = 0;
};

stats get_stats() noexcept;

// Bytes; 0 restores the default (LASTWORD_HEAP_LIMIT or the whole reservation).
void set_heap_limit(std::size_t bytes) noexcept;

namespace debug {
// Applies comma-separated settings, same syntax as LASTWORD_GCDEBUG, e.g. "verify=1,stress=1".
// Throws std::invalid_argument for an unknown setting.
void set(std::string_view settings);
// Turns every debug mode off.
void reset() noexcept;
// finalizerleaks: collects and reports finalizable objects that are unreachable but can
// never be finalized (cycles). Returns how many were reported. Works even if the mode is off.
std::size_t report_finalizer_leaks();
// verify: reports (and returns false) if pointer points into a freed object.
bool check_pointer(const void* pointer) noexcept;
// Zeroes 32 KiB of dead stack right below the caller's frame (memory this call owns for its
// duration, so it is safe in any build; a word of its own frame's padding may stay), needing
// that much free stack. Frames created later
// at the same depth then carry no stale pointers from earlier, deeper calls into the
// conservative scan in uninitialised slots: call it before a collection that should find
// an object dead. The runtime uses it after every finalizer and cleanup.
void scrub_stack() noexcept;
// keepalive: a full collection right here, scanning this thread's stack from the caller's
// frame up, then waits until every finalizer and cleanup it queued has run. Returns how
// many it queued. Does nothing (returns 0) while the mode is off, so a test's stand-in for
// a native call can call it unconditionally.
std::size_t collect_now();
}  // namespace debug

}  // namespace lastword
