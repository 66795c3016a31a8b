// Debug modes (LASTWORD_GCDEBUG), their reports, and statistics. Every report is one line on
// stderr starting with "lastword: <mode>: ", written with write(2) so it is safe while the
// world is stopped.
#include "internal.hpp"

#include <cxxabi.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace lastword::detail {

debug_settings settings;
counters statistics;
std::atomic<bool> leak_report_requested{false};
std::atomic<std::size_t> leak_report_count{0};
std::atomic<bool> check_dereferences{false};

const char* demangle(const char* mangled) noexcept {
    int status = 0;
    char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (status != 0 || !readable) return mangled;
    // Reports name types as written in the source: drop "(anonymous namespace)::".
    static constexpr std::string_view anonymous = "(anonymous namespace)::";
    std::string name = readable;
    for (std::size_t at; (at = name.find(anonymous)) != std::string::npos;) name.erase(at, anonymous.size());
    std::memcpy(readable, name.c_str(), name.size() + 1);  // never longer than the original
    return readable;  // kept for the life of the process
}

void report(const char* format, ...) noexcept {
    char line[4096];
    va_list arguments;
    va_start(arguments, format);
    int n = std::vsnprintf(line, sizeof line - 1, format, arguments);
    va_end(arguments);
    if (n < 0) return;
    std::size_t length = std::min(static_cast<std::size_t>(n), sizeof line - 2);
    line[length++] = '\n';
    statistics.debug_reports.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t written = 0; written < length;) {
        ssize_t w = ::write(2, line + written, length - written);
        if (w <= 0) break;
        written += static_cast<std::size_t>(w);
    }
}

const char* site_text(const std::source_location& site, char* buffer, std::size_t size) noexcept {
    const char* file = site.file_name() ? site.file_name() : "?";
    for (const char* p = file; *p; ++p)
        if (*p == '/') file = p + 1;
    std::snprintf(buffer, size, "%s:%u", file, static_cast<unsigned>(site.line()));
    return buffer;
}

// ---- verify -------------------------------------------------------------------------------

namespace {
constexpr unsigned char poison_byte = 0xdb;

const char* freed_type_name(object_header* cell) {
    if (!cell || cell->type || cell->constructing.load(std::memory_order_relaxed) != quarantined) return "?";
    auto* previous = reinterpret_cast<const type_descriptor* const*>(body_of(cell))[1];
    return previous ? previous->name : "?";
}

bool is_freed(const void* pointer, object_header*& cell) {
    if (!pointer || !is_heap_address(pointer)) return false;
    cell = find_cell(pointer);
    return !cell || !cell->type;
}

struct verify_context {
    object_header* holder;
};

void verify_edge(void* context, const void* pointer) {
    object_header* cell = nullptr;
    if (!is_freed(pointer, cell)) return;
    auto* holder = static_cast<verify_context*>(context)->holder;
    report("lastword: verify: '%s' at %p holds a pointer to freed memory %p (was '%s', freed in collection %u)",
           holder->type->name, body_of(holder), pointer, freed_type_name(cell), cell ? cell->freed_in_cycle : 0u);
}

void verify_object(object_header* header, void*) {
    if (!header->mark.load(std::memory_order_relaxed)) return;
    verify_context context{header};
    visit_children(header, verify_edge, &context);
}
}  // namespace

void poison_freed(object_header* header, std::size_t size) noexcept {
    char* body = static_cast<char*>(body_of(header));
    if (size < 2 * sizeof(void*)) return;
    std::memset(body, poison_byte, size);
    reinterpret_cast<const type_descriptor**>(body)[1] = header->type;
}

void verify_heap() noexcept { for_each_live_object(verify_object, nullptr); }

void check_dereference(const void* pointer) noexcept { lastword::debug::check_pointer(pointer); }

// ---- settings -----------------------------------------------------------------------------

namespace {
void apply_setting(std::string_view name, std::string_view value, bool strict) {
    long number = value.empty() ? 1 : std::strtol(std::string(value).c_str(), nullptr, 10);
    if (name == "checkfinalizers")
        settings.checkfinalizers = number != 0;
    else if (name == "slowfinalizer") {
        settings.slowfinalizer_ms = number;
        if (number > 0) start_slow_finalizer_watchdog();
    } else if (name == "finalizerleaks") {
        settings.finalizerleaks = number != 0;
        if (number) {
            static std::once_flag at_exit;
            std::call_once(at_exit, [] {
                std::atexit([] {
                    if (settings.finalizerleaks) lastword::debug::report_finalizer_leaks();
                });
            });
        }
    } else if (name == "verify") {
        settings.verify = number != 0;
        check_dereferences = number != 0;
    } else if (name == "stress")
        settings.stress = number != 0;
    else if (name == "keepalive")
        settings.keepalive = number != 0;
    else if (strict)
        throw std::invalid_argument("lastword: unknown debug setting '" + std::string(name) + "'");
    else
        report("lastword: gcdebug: unknown setting '%.*s' ignored", static_cast<int>(name.size()), name.data());
    settings.debug_allocation = settings.stress || settings.keepalive;
}

void apply_settings(std::string_view text, bool strict) {
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item.empty()) continue;
        std::size_t equals = item.find('=');
        apply_setting(item.substr(0, equals), equals == std::string_view::npos ? "" : item.substr(equals + 1), strict);
    }
}

void watchdog_main() {
    std::uint64_t reported_serial = 0;
    for (;;) {
        long limit = settings.slowfinalizer_ms.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(limit > 0 ? std::clamp(limit / 4, 5L, 100L) : 100L));
        if (limit <= 0) continue;
        const char* type_name = nullptr;
        std::source_location site;
        std::chrono::milliseconds running_for{};
        std::size_t queued = 0;
        std::uint64_t serial = 0;
        report_slow_cleanups(limit);
        if (!running_finalizer(type_name, site, running_for, queued, serial)) continue;
        if (serial == reported_serial || running_for.count() < limit) continue;
        reported_serial = serial;
        char where[256];
        report(
            "lastword: slowfinalizer: finalizer of '%s' (registered at %s) has been running for %lld ms "
            "(limit %ld ms); %zu finalizers queued behind it",
            type_name, site_text(site, where, sizeof where), static_cast<long long>(running_for.count()), limit,
            queued);
    }
}
}  // namespace

void start_slow_finalizer_watchdog() {
    static std::once_flag started;
    std::call_once(started, [] { std::thread(watchdog_main).detach(); });
}

void after_registration() noexcept {
    if (settings.keepalive.load(std::memory_order_relaxed)) [[unlikely]]
        scrub_dead_stack();
}

void load_settings_from_environment() {
    if (const char* text = std::getenv("LASTWORD_GCDEBUG")) apply_settings(text, false);
}

}  // namespace lastword::detail

namespace lastword {

void debug::set(std::string_view text) { detail::apply_settings(text, true); }

// Clears only memory this frame owns, its own array, which lies in the dead stack right below
// the caller: safe at any optimisation level. (Zeroing below the stack pointer instead
// clobbered an -O0 function's own locals, kept there in the red zone.)
__attribute__((noinline)) LASTWORD_NO_SANITIZE void debug::scrub_stack() noexcept {
    char area[32 * 1024];
    explicit_bzero(area, sizeof area);
    asm volatile("" : : "r"(area) : "memory");
}

void debug::reset() noexcept {
    detail::settings.checkfinalizers = false;
    detail::settings.slowfinalizer_ms = 0;
    detail::settings.finalizerleaks = false;
    detail::settings.verify = false;
    detail::settings.stress = false;
    detail::settings.keepalive = false;
    detail::settings.debug_allocation = false;
    detail::check_dereferences = false;
}

std::size_t debug::report_finalizer_leaks() {
    detail::run_as_collection_entry(
        [](void*) {
            std::lock_guard lock(detail::collector_lock());
            detail::leak_report_requested = true;
            detail::collect_locked(true);
        },
        nullptr);
    return detail::leak_report_count.load();
}

std::size_t debug::collect_now() {
    if (!detail::settings.keepalive.load(std::memory_order_relaxed)) return 0;
    std::size_t queued = 0;
    detail::run_as_collection_entry(
        [](void* out) {
            std::lock_guard lock(detail::collector_lock());
            auto queued_so_far = [] {
                return detail::statistics.finalizers_queued.load() + detail::statistics.cleanups_queued.load();
            };
            std::uint64_t before = queued_so_far();
            detail::collect_locked(true);
            *static_cast<std::size_t*>(out) = static_cast<std::size_t>(queued_so_far() - before);
        },
        &queued);
    if (queued && !wait_for_finalizers(std::chrono::seconds(10)))
        detail::report(
            "lastword: keepalive: collect_now() queued %zu finalizer(s) and cleanup(s) that did not "
            "finish within 10 s (called from a finalizer, or holding a lock one needs?)",
            queued);
    detail::scrub_dead_stack();
    return queued;
}

bool debug::check_pointer(const void* pointer) noexcept {
    detail::object_header* cell = nullptr;
    if (!detail::is_freed(pointer, cell)) return true;
    detail::report("lastword: verify: use of freed object at %p (was '%s', freed in collection %u)", pointer,
                   detail::freed_type_name(cell), cell ? cell->freed_in_cycle : 0u);
    return false;
}

stats get_stats() noexcept {
    using detail::statistics;
    stats s;
    std::size_t objects = 0, bytes = 0;
    {
        std::lock_guard lock(detail::collector_lock());
        detail::lock_thread_registry();
        detail::sum_thread_allocations(objects, bytes, false);
        s.attached_threads = detail::attached_thread_count();
        detail::unlock_thread_registry();
        objects += detail::unattached_allocated_objects();
        bytes += detail::unattached_allocated_bytes();
        s.heap_bytes = detail::heap_bytes_in_use();
        s.heap_limit = detail::current_heap_limit();
    }
    s.objects_live = statistics.live_objects_after_sweep + objects;
    s.bytes_live = statistics.live_bytes_after_sweep + bytes;
    s.collections = statistics.collections;
    s.finalizers_queued = statistics.finalizers_queued;
    s.finalizers_run = statistics.finalizers_run;
    s.cleanups_queued = statistics.cleanups_queued;
    s.cleanups_run = statistics.cleanups_run;
    s.cleanups_cancelled = statistics.cleanups_cancelled;
    s.cleanup_workers = detail::cleanup_worker_count();
    s.objects_freed = statistics.objects_freed;
    s.debug_reports = statistics.debug_reports;
    s.max_pause_ns = statistics.max_pause_ns;
    s.total_pause_ns = statistics.total_pause_ns;
    return s;
}

}  // namespace lastword
