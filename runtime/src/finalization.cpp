// Finalizers and cleanups: the registries (roots), the ordering decided in the final pause,
// the finalizer thread and the cleanup workers.
//
// Ordering (decided while the world is stopped, after marking from the roots):
//   1. candidates = registered finalizable objects left unmarked;
//   2. mark from each candidate's children (not the candidate itself);
//   3. a candidate still unmarked is reached by no other candidate and not by itself: it is
//      ready. Mark it and all it reaches (resurrection) and queue its finalizer.
// A candidate reached from another waits for a later cycle; one that reaches itself is
// never finalized, and what it reaches stays alive through it.
// Cleanups fire for objects still unmarked after that: they are really dead, never resurrected.
#include "internal.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <functional>
#include <set>
#include <thread>
#include <unordered_map>

namespace lastword::detail {
namespace {

enum cleanup_state : int { cleanup_registered, cleanup_queued, cleanup_running, cleanup_done, cleanup_cancelled };

template <class R> void list_init(R& sentinel) { sentinel.previous = sentinel.next = &sentinel; }
template <class R> void list_append(R& sentinel, R* r) {
    r->previous = sentinel.previous;
    r->next = &sentinel;
    sentinel.previous->next = r;
    sentinel.previous = r;
}
template <class R> void list_remove(R* r) {
    r->previous->next = r->next;
    r->next->previous = r->previous;
    r->previous = r->next = nullptr;
}
template <class R> bool list_empty(const R& sentinel) { return sentinel.next == &sentinel; }

struct cleanup_sentinel : cleanup_record {};

// The registry's containers grow with the registrations. Their nodes point to each other;
// placed 16 bytes into their malloc'ed blocks, those links are never the start of a block, so
// the scan of a callable's storage, should a stale word lead it to one node, stops there.
template <class T> struct offset_allocator {
    using value_type = T;
    offset_allocator() = default;
    template <class U> offset_allocator(const offset_allocator<U>&) noexcept {}
    static_assert(alignof(T) <= 16);
    T* allocate(std::size_t n) {
        return reinterpret_cast<T*>(static_cast<char*>(::operator new(n * sizeof(T) + 16)) + 16);
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(reinterpret_cast<char*>(p) - 16); }
    friend bool operator==(const offset_allocator&, const offset_allocator&) noexcept { return true; }
};

struct finalization_state {
    std::mutex lock;
    std::condition_variable finalizer_work;
    std::condition_variable cleanup_work;
    std::condition_variable progress;
    finalizer_record registered;
    finalizer_record queued;
    finalizer_record* running = nullptr;
    std::chrono::steady_clock::time_point running_since;
    std::uint64_t running_serial = 0;
    std::size_t queue_length = 0;
    std::unordered_map<std::uintptr_t, finalizer_record*, std::hash<std::uintptr_t>, std::equal_to<std::uintptr_t>,
                       offset_allocator<std::pair<const std::uintptr_t, finalizer_record*>>>
        by_object;  // key: complemented address
    std::uint64_t finalizers_queued = 0;
    std::uint64_t finalizers_completed = 0;
    cleanup_sentinel registered_cleanups;
    cleanup_sentinel queued_cleanups;
    cleanup_sentinel running_cleanups;
    std::set<std::uint64_t, std::less<std::uint64_t>, offset_allocator<std::uint64_t>> outstanding_tickets;
    std::uint64_t next_ticket = 0;
    page_vector<finalizer_record*> candidates;
    page_vector<finalizer_record*> newly_queued;
    page_vector<cleanup_record*> newly_dead;
    std::size_t cleanup_workers = 0;  // started or starting
    std::size_t cleanups_running = 0;
    std::condition_variable pool_supervisor;
};

finalization_state& state() {
    static finalization_state* s = [] {
        auto* f = new finalization_state;  // never destroyed: its threads outlive exit
        list_init<finalizer_record>(f->registered);
        list_init<finalizer_record>(f->queued);
        list_init<cleanup_record>(f->registered_cleanups);
        list_init<cleanup_record>(f->queued_cleanups);
        list_init<cleanup_record>(f->running_cleanups);
        return f;
    }();
    return *s;
}

// The cleanup pool starts with two workers. When cleanups are queued, every worker is busy
// and the oldest running cleanup has run for pool_grow_after, one more worker starts, up to
// cleanup_worker_limit: blocked cleanups stall the others only once that many block at once.
constexpr std::size_t initial_cleanup_workers = 2;
constexpr std::size_t cleanup_worker_limit = 16;
constexpr auto pool_grow_after = std::chrono::milliseconds(50);

void report_exception(const char* what_kind, const char* type_name, const std::source_location& site) {
    char where[256];
    const char* message = "unknown exception";
    try {
        throw;
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
    }
    report("lastword: exception: %s of '%s' (registered at %s) threw: %s", what_kind, type_name,
           site_text(site, where, sizeof where), message);
}

__attribute__((noinline)) void run_finalizer(finalizer_record* record) {
    try {
        record->invoke(record);
    } catch (...) {
        report_exception("finalizer", record->type_name, record->site);
    }
}

__attribute__((noinline)) void run_cleanup(cleanup_record* record) {
    try {
        record->invoke(record);
    } catch (...) {
        report_exception("cleanup", record->type_name, record->site);
    }
}

// The runtime's threads are attached only while they have work. Idle, they hold no collected
// pointer, and a pause (every marking increment is one) need not signal, wake and resume
// them: on a busy machine waiting for idle threads to be scheduled was most of a pause.
// Attaching takes the registry lock, which a pause takes before the finalization lock: never
// attach or detach while holding s.lock.
struct attached_while_busy {
    attached_while_busy() { attach_current_thread(); }
    ~attached_while_busy() { detach_current_thread(); }
};

void finalizer_thread_main() {
    unblock_stop_signal();
    finalization_state& s = state();
    for (;;) {
        {
            std::unique_lock lock(s.lock);
            s.finalizer_work.wait(lock, [&] { return !list_empty(s.queued); });
        }
        attached_while_busy attached;
        for (;;) {
            finalizer_record* record;
            {
                std::lock_guard lock(s.lock);
                if (list_empty(s.queued)) break;
                record = s.queued.next;
                list_remove(record);
                --s.queue_length;
                s.running = record;
                s.running_since = std::chrono::steady_clock::now();
                ++s.running_serial;
            }
            run_finalizer(record);
            // Frames created later at this depth must not carry the finished finalizer's object
            // in uninitialised slots into the conservative scan.
            lastword::debug::scrub_stack();
            bool drained;
            {
                std::lock_guard lock(s.lock);
                s.running = nullptr;
                ++s.finalizers_completed;
                statistics.finalizers_run += 1;
                drained = list_empty(s.queued) || s.finalizers_completed % 256 == 0;
            }
            // Waiters need every finalizer queued before they began: waking them once the queue
            // drains (or every so often, for waiters behind a steady stream) is enough.
            if (drained) s.progress.notify_all();
            record->destroy(record);
        }
    }
}

void cleanup_worker_main() {
    unblock_stop_signal();
    finalization_state& s = state();
    for (;;) {
        {
            std::unique_lock lock(s.lock);
            s.cleanup_work.wait(lock, [&] { return !list_empty<cleanup_record>(s.queued_cleanups); });
        }
        attached_while_busy attached;
        for (;;) {
            cleanup_record* record;
            {
                std::lock_guard lock(s.lock);
                if (list_empty<cleanup_record>(s.queued_cleanups)) break;
                record = s.queued_cleanups.next;
                list_remove(record);
                record->state = cleanup_running;
                record->started = std::chrono::steady_clock::now();
                list_append<cleanup_record>(s.running_cleanups, record);
                ++s.cleanups_running;
            }
            s.pool_supervisor.notify_one();  // the pool may now be saturated
            run_cleanup(record);
            lastword::debug::scrub_stack();
            std::shared_ptr<cleanup_record> keep;
            {
                std::lock_guard lock(s.lock);
                list_remove(record);
                --s.cleanups_running;
                record->state = cleanup_done;
                s.outstanding_tickets.erase(record->ticket);
                statistics.cleanups_run += 1;
                keep = std::move(record->keep);
            }
            s.progress.notify_all();
        }
    }
}

// Not attached: it touches no collected object and holds the finalization lock only briefly,
// never while it waits or starts a thread.
void pool_supervisor_main() {
    finalization_state& s = state();
    std::unique_lock lock(s.lock);
    for (;;) {
        bool saturated = !list_empty<cleanup_record>(s.queued_cleanups) && s.cleanups_running >= s.cleanup_workers &&
                         s.cleanup_workers < cleanup_worker_limit;
        if (!saturated) {
            s.pool_supervisor.wait(lock);
            continue;
        }
        auto oldest = std::chrono::steady_clock::time_point::max();
        for (cleanup_record* r = s.running_cleanups.next; r != &s.running_cleanups; r = r->next)
            oldest = std::min(oldest, r->started);
        if (std::chrono::steady_clock::now() - oldest < pool_grow_after) {
            s.pool_supervisor.wait_until(lock, oldest + pool_grow_after);
            continue;
        }
        ++s.cleanup_workers;
        lock.unlock();
        std::thread(cleanup_worker_main).detach();
        lock.lock();
    }
}

object_header* header_of_record(const void* object) { return header_of(object); }
std::uintptr_t hidden_key(const void* object) { return ~reinterpret_cast<std::uintptr_t>(object); }

}  // namespace

// Started once, at start-up, before any user code runs: no collection can be in progress
// and no other thread can be waiting for them. Started lazily (call_once around thread
// creation inside set_finalizer), a thread waiting in call_once under ThreadSanitizer never
// took the stop signal, and the collection waited for it forever.
void start_runtime_threads() {
    std::thread(finalizer_thread_main).detach();
    {
        std::lock_guard lock(state().lock);
        state().cleanup_workers = initial_cleanup_workers;
    }
    for (std::size_t i = 0; i < initial_cleanup_workers; ++i) std::thread(cleanup_worker_main).detach();
    std::thread(pool_supervisor_main).detach();
}

void register_finalizer(finalizer_record* record) {
    finalization_state& s = state();
    object_header* header = header_of_record(record->object.get());
    {
        std::lock_guard lock(s.lock);
        if (!header->has_finalizer) {
            s.by_object.emplace(hidden_key(record->object.get()), record);
            list_append(s.registered, record);
            header->has_finalizer = 1;
            return;
        }
    }
    record->destroy(record);
    throw std::logic_error("lastword: set_finalizer: the object already has a finalizer");
}

void clear_finalizer(void* object) noexcept {
    finalization_state& s = state();
    finalizer_record* record = nullptr;
    {
        std::lock_guard lock(s.lock);
        object_header* header = header_of_record(object);
        if (!header->has_finalizer) return;
        auto found = s.by_object.find(hidden_key(object));
        if (found == s.by_object.end()) return;
        record = found->second;
        s.by_object.erase(found);
        list_remove(record);
        header->has_finalizer = 0;
    }
    record->destroy(record);
}

void register_cleanup(const std::shared_ptr<cleanup_record>& record) {
    finalization_state& s = state();
    std::lock_guard lock(s.lock);
    record->keep = record;
    record->state = cleanup_registered;
    list_append<cleanup_record>(s.registered_cleanups, record.get());
}

void stop_cleanup(const std::shared_ptr<cleanup_record>& record) noexcept {
    finalization_state& s = state();
    std::shared_ptr<cleanup_record> keep;
    {
        std::lock_guard lock(s.lock);
        if (record->state == cleanup_registered || record->state == cleanup_queued) {
            if (record->state == cleanup_queued) s.outstanding_tickets.erase(record->ticket);
            list_remove(record.get());
            record->state = cleanup_cancelled;
            statistics.cleanups_cancelled += 1;
            keep = std::move(record->keep);
        }
    }
    s.progress.notify_all();
}

void lock_finalization() { state().lock.lock(); }
void unlock_finalization() { state().lock.unlock(); }

void scan_finalization_roots() {
    finalization_state& s = state();
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next)
        scan_owned_conservatively(r->callable_begin, r->callable_end);
    for (finalizer_record* r = s.queued.next; r != &s.queued; r = r->next) {
        scan_owned_conservatively(r->callable_begin, r->callable_end);
        mark_pointer(r->object.get());
    }
    if (finalizer_record* r = s.running) {
        scan_owned_conservatively(r->callable_begin, r->callable_end);
        mark_pointer(r->object.get());
    }
    for (cleanup_record* list :
         {static_cast<cleanup_record*>(&s.registered_cleanups), static_cast<cleanup_record*>(&s.queued_cleanups),
          static_cast<cleanup_record*>(&s.running_cleanups)})
        for (cleanup_record* r = list->next; r != list; r = r->next)
            scan_owned_conservatively(r->payload_begin, r->payload_end);
}

void select_finalizers_and_cleanups() {
    finalization_state& s = state();
    s.candidates.clear();
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next)
        if (!header_of_record(r->object.get())->mark.load(std::memory_order_relaxed)) s.candidates.push(r);
    for (std::size_t i = 0; i < s.candidates.size; ++i) {
        object_header* header = header_of_record(s.candidates.data[i]->object.get());
        if (!header->mark.load(std::memory_order_relaxed)) trace_children(header);
    }
    mark_to_completion();
    for (std::size_t i = 0; i < s.candidates.size; ++i) {
        finalizer_record* r = s.candidates.data[i];
        object_header* header = header_of_record(r->object.get());
        if (header->mark.load(std::memory_order_relaxed)) continue;  // waits, or in a cycle
        list_remove(r);
        list_append(s.queued, r);
        header->has_finalizer = 0;  // cleared before it runs: it can be set again
        s.newly_queued.push(r);
        mark_pointer(r->object.get());  // resurrected for one cycle
    }
    mark_to_completion();
    cleanup_record* list = &s.registered_cleanups;
    for (cleanup_record* r = list->next; r != list;) {
        cleanup_record* next = r->next;
        if (!header_of_record(r->object.get())->mark.load(std::memory_order_relaxed)) {
            list_remove(r);
            r->state = cleanup_queued;
            list_append<cleanup_record>(s.queued_cleanups, r);
            s.newly_dead.push(r);
        }
        r = next;
    }
}

void after_collection_locked() {
    finalization_state& s = state();
    for (std::size_t i = 0; i < s.newly_queued.size; ++i)
        s.by_object.erase(hidden_key(s.newly_queued.data[i]->object.get()));
    s.finalizers_queued += s.newly_queued.size;
    s.queue_length += s.newly_queued.size;
    statistics.finalizers_queued += s.newly_queued.size;
    for (std::size_t i = 0; i < s.newly_dead.size; ++i) {
        cleanup_record* r = s.newly_dead.data[i];
        r->ticket = ++s.next_ticket;
        s.outstanding_tickets.insert(r->ticket);
    }
    statistics.cleanups_queued += s.newly_dead.size;
    if (!s.newly_queued.empty()) s.finalizer_work.notify_one();
    if (!s.newly_dead.empty()) {
        s.cleanup_work.notify_all();
        s.pool_supervisor.notify_one();
    }
    s.newly_queued.clear();
    s.newly_dead.clear();
}

// ---- edges through callables and persistents (debug analyses) ---------------------------

namespace {

struct cleanup_entry {
    void* object;
    cleanup_record* record;
};
struct owned_range {
    std::uintptr_t begin, end;
};
struct edge_indexes {
    page_vector<cleanup_entry> cleanups_by_object;  // registered cleanups, sorted by object
    page_vector<persistent_node*> persistents_in_heap;  // handles inside collected objects, sorted
    page_vector<owned_range> owned;  // storage registered callables own, sorted
    page_vector<finalizer_record*> pending_finalizers;
    page_vector<cleanup_record*> pending_cleanups;
    page_vector<persistent_node*> pending_persistents;
};
edge_indexes indexes;

struct edge_scan {
    edge_visitor visit;
    void* context;
    edge_kind kind;
};

LASTWORD_NO_SANITIZE void scan_for_edges(const void* begin, const void* end, const void*, void* context) {
    auto* scan = static_cast<edge_scan*>(context);
    auto word = (reinterpret_cast<std::uintptr_t>(begin) + sizeof(void*) - 1) & ~(sizeof(void*) - 1);
    for (auto last = reinterpret_cast<std::uintptr_t>(end); word + sizeof(void*) <= last; word += sizeof(void*))
        if (object_header* h = find_object(*reinterpret_cast<const void* const*>(word)))
            scan->visit(h, scan->kind, scan->context);
}

template <class T, class Less> void sort_pages(page_vector<T>& v, Less less) {
    std::sort(v.data, v.data + v.size, less);
}

}  // namespace

void prepare_extra_edges(bool with_persistents) noexcept {
    finalization_state& s = state();
    indexes.cleanups_by_object.clear();
    cleanup_record* list = &s.registered_cleanups;
    for (cleanup_record* r = list->next; r != list; r = r->next) indexes.cleanups_by_object.push({r->object.get(), r});
    sort_pages(indexes.cleanups_by_object,
               [](const cleanup_entry& a, const cleanup_entry& b) { return std::less<void*>()(a.object, b.object); });
    indexes.persistents_in_heap.clear();
    if (!with_persistents) return;
    for_each_persistent_node(
        [](persistent_node* node, void*) {
            if (find_cell(node)) indexes.persistents_in_heap.push(node);
        },
        nullptr);
    sort_pages(indexes.persistents_in_heap, std::less<persistent_node*>());
}

void for_each_extra_edge(object_header* header, edge_visitor visit, void* context) noexcept {
    finalization_state& s = state();
    void* body = body_of(header);
    if (header->has_finalizer) {
        auto found = s.by_object.find(hidden_key(body));
        if (found != s.by_object.end()) {
            edge_scan scan{visit, context, edge_finalizer};
            for_each_owned_range(found->second->callable_begin, found->second->callable_end, scan_for_edges, &scan);
        }
    }
    auto& cleanups = indexes.cleanups_by_object;
    auto* first =
        std::lower_bound(cleanups.data, cleanups.data + cleanups.size, body,
                         [](const cleanup_entry& e, void* object) { return std::less<void*>()(e.object, object); });
    for (; first != cleanups.data + cleanups.size && first->object == body; ++first) {
        edge_scan scan{visit, context, edge_cleanup};
        for_each_owned_range(first->record->payload_begin, first->record->payload_end, scan_for_edges, &scan);
    }
    auto& handles = indexes.persistents_in_heap;
    char* end = static_cast<char*>(body) + header->type->size;
    auto* node = std::lower_bound(handles.data, handles.data + handles.size, static_cast<persistent_node*>(body),
                                  std::less<persistent_node*>());
    for (; node != handles.data + handles.size && reinterpret_cast<char*>(*node) < end; ++node)
        if (object_header* target = find_object((*node)->target.load(std::memory_order_relaxed)))
            visit(target, edge_persistent, context);
}

void scan_roots_outside_registrations() {
    finalization_state& s = state();
    prepare_extra_edges(true);
    indexes.owned.clear();
    auto remember = [](const void* begin, const void* end, const void* origin, void*) {
        auto at = reinterpret_cast<std::uintptr_t>(origin);
        indexes.owned.push(
            {at, at + static_cast<std::size_t>(static_cast<const char*>(end) - static_cast<const char*>(begin))});
    };
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next)
        for_each_owned_range(r->callable_begin, r->callable_end, remember, nullptr);
    cleanup_record* list = &s.registered_cleanups;
    for (cleanup_record* r = list->next; r != list; r = r->next)
        for_each_owned_range(r->payload_begin, r->payload_end, remember, nullptr);
    sort_pages(indexes.owned, [](const owned_range& a, const owned_range& b) { return a.begin < b.begin; });
    for_each_persistent_node(
        [](persistent_node* node, void*) {
            if (find_cell(node)) return;  // inside a collected object: an edge from it
            auto at = reinterpret_cast<std::uintptr_t>(node);
            auto& owned = indexes.owned;
            // Ranges may nest (a callable's bytes inside its record's block): check every
            // range that starts at or before the handle.
            for (std::size_t i = 0; i < owned.size && owned.data[i].begin <= at; ++i)
                if (at < owned.data[i].end) return;  // owned by a registration: an edge from its object
            if (const void* target = node->target.load(std::memory_order_acquire)) mark_pointer(target);
        },
        nullptr);
    for (finalizer_record* r = s.queued.next; r != &s.queued; r = r->next) {
        scan_owned_conservatively(r->callable_begin, r->callable_end);
        mark_pointer(r->object.get());
    }
    if (finalizer_record* r = s.running) {
        scan_owned_conservatively(r->callable_begin, r->callable_end);
        mark_pointer(r->object.get());
    }
    for (cleanup_record* queue :
         {static_cast<cleanup_record*>(&s.queued_cleanups), static_cast<cleanup_record*>(&s.running_cleanups)})
        for (cleanup_record* r = queue->next; r != queue; r = r->next)
            scan_owned_conservatively(r->payload_begin, r->payload_end);
}

// Removes from pending the entries whose holder is now reached, calling follow on each; the rest
// stay for a later round. True when any was taken.
template <class List, class Reached, class Follow> bool take_reached(List& pending, Reached reached, Follow follow) {
    std::size_t kept = 0;
    bool taken = false;
    for (std::size_t i = 0; i < pending.size; ++i) {
        auto entry = pending.data[i];
        if (!reached(entry)) {
            pending.data[kept++] = entry;
            continue;
        }
        follow(entry);
        taken = true;
    }
    pending.size = kept;
    return taken;
}

void mark_through_registrations_of_reachable_objects() {
    finalization_state& s = state();
    auto& finalizers = indexes.pending_finalizers;
    auto& cleanups = indexes.pending_cleanups;
    auto& handles = indexes.pending_persistents;
    finalizers.clear();
    cleanups.clear();
    handles.clear();
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next) finalizers.push(r);
    cleanup_record* list = &s.registered_cleanups;
    for (cleanup_record* r = list->next; r != list; r = r->next) cleanups.push(r);
    for (std::size_t i = 0; i < indexes.persistents_in_heap.size; ++i)
        handles.push(indexes.persistents_in_heap.data[i]);
    auto marked = [](const void* object) { return header_of(object)->mark.load(std::memory_order_relaxed) != 0; };
    for (bool progress = true; progress;) {
        progress = false;
        progress |= take_reached(
            finalizers, [&](finalizer_record* r) { return marked(r->object.get()); },
            [](finalizer_record* r) { scan_owned_conservatively(r->callable_begin, r->callable_end); });
        progress |= take_reached(
            cleanups, [&](cleanup_record* r) { return marked(r->object.get()); },
            [](cleanup_record* r) { scan_owned_conservatively(r->payload_begin, r->payload_end); });
        progress |= take_reached(
            handles,
            [](persistent_node* node) {
                object_header* holder = find_object(node);
                return !holder || holder->mark.load(std::memory_order_relaxed);
            },
            [](persistent_node* node) {
                if (const void* target = node->target.load(std::memory_order_acquire)) mark_pointer(target);
            });
        mark_to_completion();
    }
}

void check_self_reaching_registrations() {
    finalization_state& s = state();
    prepare_extra_edges(persistents_locked_by_collector());
    char where[256];
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next) {
        if (r->self_reach_reported) continue;
        explore_path path =
            explore(r->callable_begin, r->callable_end, nullptr, header_of_record(r->object.get()), false);
        if (path.length) {
            r->self_reach_reported = true;
            report(
                "lastword: checkfinalizers: finalizer of '%s' (registered at %s) keeps its own object reachable: it "
                "will never run",
                r->type_name, site_text(r->site, where, sizeof where));
        }
    }
    cleanup_record* list = &s.registered_cleanups;
    for (cleanup_record* r = list->next; r != list; r = r->next) {
        if (r->self_reach_reported) continue;
        explore_path path =
            explore(r->payload_begin, r->payload_end, nullptr, header_of_record(r->object.get()), false);
        if (path.length) {
            r->self_reach_reported = true;
            report(
                "lastword: checkfinalizers: cleanup of '%s' (registered at %s) keeps its own object reachable: it will "
                "never run",
                r->type_name, site_text(r->site, where, sizeof where));
        }
    }
}

namespace {
// Formats "'T'@p -> 'U'@q -> ..." for a report.
const char* describe_path(object_header* first, const explore_path& path, char* text, std::size_t size) {
    std::size_t used = 0;
    auto append = [&](const char* prefix, const char* name, const void* at) {
        if (used >= size - 1) return;
        int n = at ? std::snprintf(text + used, size - used, "%s'%s'@%p", prefix, name, at)
                   : std::snprintf(text + used, size - used, "%s'%s')", prefix, name);
        if (n > 0) used = std::min(size - 1, used + static_cast<std::size_t>(n));
    };
    append("", first->type->name, body_of(first));
    for (std::size_t i = 0; i < path.length; ++i) {
        object_header* from = i ? path.nodes[i - 1] : first;
        switch (path.via[i]) {
            case edge_finalizer:
                append(" -> (finalizer of ", from->type->name, nullptr);
                break;
            case edge_cleanup:
                append(" -> (cleanup of ", from->type->name, nullptr);
                break;
            case edge_persistent:
                append(" -> (persistent in ", from->type->name, nullptr);
                break;
            case edge_field:
                break;
        }
        append(" -> ", path.nodes[i]->type->name, body_of(path.nodes[i]));
    }
    return text;
}
}  // namespace

std::size_t report_unfinalizable_cycles() {
    finalization_state& s = state();
    prepare_extra_edges(persistents_locked_by_collector());
    std::size_t count = 0;
    char where[256];
    char text[2048];
    page_vector<finalizer_record*>& cyclic = s.candidates;  // free until the ordering step
    cyclic.clear();
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next) {
        object_header* header = header_of_record(r->object.get());
        if (header->mark.load(std::memory_order_relaxed)) continue;  // still reachable
        explore_path path = explore(nullptr, nullptr, header, header, true);
        if (!path.length) continue;
        ++count;
        cyclic.push(r);
        report(
            "lastword: finalizerleaks: '%s' (finalizer registered at %s) is unreachable but reachable from itself: "
            "it will never be finalized; cycle: %s",
            r->type_name, site_text(r->site, where, sizeof where), describe_path(header, path, text, sizeof text));
    }
    // Finalizable objects outside any cycle but reached from one wait forever too.
    for (finalizer_record* r = s.registered.next; r != &s.registered; r = r->next) {
        object_header* header = header_of_record(r->object.get());
        if (header->mark.load(std::memory_order_relaxed)) continue;
        bool in_cycle = false;
        for (std::size_t i = 0; i < cyclic.size && !in_cycle; ++i) in_cycle = cyclic.data[i] == r;
        if (in_cycle) continue;
        for (std::size_t i = 0; i < cyclic.size; ++i) {
            object_header* from = header_of_record(cyclic.data[i]->object.get());
            explore_path path = explore(nullptr, nullptr, from, header, true);
            if (!path.length) continue;
            ++count;
            report(
                "lastword: finalizerleaks: '%s' (finalizer registered at %s) is unreachable but reached from a "
                "finalizable cycle: it will never be finalized; path: %s",
                r->type_name, site_text(r->site, where, sizeof where), describe_path(from, path, text, sizeof text));
            break;
        }
    }
    cyclic.clear();
    return count;
}

void report_slow_cleanups(long limit_ms) {
    finalization_state& s = state();
    std::lock_guard lock(s.lock);
    auto now = std::chrono::steady_clock::now();
    std::size_t queued = 0;
    for (cleanup_record* r = s.queued_cleanups.next; r != &s.queued_cleanups; r = r->next) ++queued;
    for (cleanup_record* r = s.running_cleanups.next; r != &s.running_cleanups; r = r->next) {
        auto running_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - r->started).count();
        if (r->slow_reported || running_for < limit_ms) continue;
        r->slow_reported = true;
        char where[256];
        report(
            "lastword: slowfinalizer: cleanup of '%s' (registered at %s) has been running for %lld ms (limit %ld "
            "ms); %zu of %zu cleanup workers busy, %zu cleanups queued",
            r->type_name, site_text(r->site, where, sizeof where), static_cast<long long>(running_for), limit_ms,
            s.cleanups_running, s.cleanup_workers, queued);
    }
}

std::size_t cleanup_worker_count() {
    finalization_state& s = state();
    std::lock_guard lock(s.lock);
    return s.cleanup_workers;
}

bool running_finalizer(const char*& type_name, std::source_location& site, std::chrono::milliseconds& running_for,
                       std::size_t& queued_behind, std::uint64_t& serial) {
    finalization_state& s = state();
    std::lock_guard lock(s.lock);
    if (!s.running) return false;
    type_name = s.running->type_name;
    site = s.running->site;
    running_for =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - s.running_since);
    queued_behind = s.queue_length;
    serial = s.running_serial;
    return true;
}

}  // namespace lastword::detail

bool lastword::wait_for_finalizers(std::chrono::milliseconds timeout) {
    auto& s = detail::state();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(s.lock);
    std::uint64_t finalizers_target = s.finalizers_queued;
    std::uint64_t ticket_target = s.next_ticket;
    return s.progress.wait_until(lock, deadline, [&] {
        return s.finalizers_completed >= finalizers_target &&
               (s.outstanding_tickets.empty() || *s.outstanding_tickets.begin() > ticket_target);
    });
}
