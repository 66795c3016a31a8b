// Roots: the registry of attached threads, stopping them (a signal whose handler parks the
// thread on a semaphore), conservative scans of their stacks and registers, persistents.
#include "internal.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <new>

namespace lastword::detail {

thread_local constinit mutator_state current_mutator{nullptr, 0, 0};
std::atomic<std::uint64_t> world_stop_epoch{0};  // odd while the world is stopped

namespace {
std::atomic<thread_record*> world_stopper{nullptr};  // the collecting thread never parks itself
// Allocation counts of threads that detached since the last sweep (registry lock).
std::size_t statistics_detached_objects = 0;
std::size_t statistics_detached_bytes = 0;
}  // namespace

namespace {

struct registry_state {
    std::mutex lock;
    thread_record* threads = nullptr;
    std::size_t count = 0;
    sem_t acknowledged;  // one post per parked / resumed thread
    int stop_signal = 0;
    std::mutex persistents_lock;
    persistent_node persistents;  // sentinel of a circular list
};

registry_state& registry() {
    static registry_state* state = [] {
        auto* s = new registry_state;
        sem_init(&s->acknowledged, 0, 0);
        s->persistents.previous = s->persistents.next = &s->persistents;
        return s;
    }();
    return *state;
}

void wait_semaphore(sem_t* semaphore) {
    while (sem_wait(semaphore) != 0 && errno == EINTR) {
    }
}

// A thread that never answers (it blocks the stop signal, or exited while attached) would
// hang the collector silently; say so once, then keep waiting.
void wait_for_acknowledgement(std::size_t outstanding) {
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    for (;;) {
        if (sem_timedwait(&registry().acknowledged, &deadline) == 0) return;
        if (errno == ETIMEDOUT) break;
    }
    report(
        "lastword: stop: %zu attached thread(s) did not stop within 10 s (is the stop signal blocked, or did a "
        "thread exit without leaving its mutator_scope?)",
        outstanding);
    wait_semaphore(&registry().acknowledged);
}

// Lowest address of the caller's live frame, give or take: the address of a local here.
__attribute__((noinline)) char* approximate_stack_pointer() { return static_cast<char*>(__builtin_frame_address(0)); }

// Parks the current thread until the collector resumes it. Callee-saved registers are
// spilled into this frame so the stack scan from here up sees them too: on the deferred and
// polling paths (a thread parking itself as it leaves a no-stop region) they may hold the
// only copy of a pointer. In the signal handler the kernel's frame above holds the rest.
__attribute__((noinline)) void park(thread_record* self, std::uint64_t epoch) {
    register_spill registers;
    spill_callee_saved_registers(registers);
    self->parked_epoch.store(epoch, std::memory_order_relaxed);
    self->parked_sp.store(approximate_stack_pointer(), std::memory_order_relaxed);
    sem_post(&registry().acknowledged);
    while (!self->resume_requested.load(std::memory_order_acquire)) wait_semaphore(&self->resume);
    self->resume_requested.store(false, std::memory_order_relaxed);
    sem_post(&registry().acknowledged);
    asm volatile("" : : "r"(registers.words) : "memory");  // the spill lives until here
}

void on_stop_signal(int) {
    int saved_errno = errno;
    if (current_mutator.record) {
        if (current_mutator.no_stop > 0)
            current_mutator.stop_pending = 1;
        else
            park_if_stop_requested();
    }
    errno = saved_errno;
}

void install_stop_handler() {
    registry_state& r = registry();
    r.stop_signal = SIGRTMIN + 4;  // clear of glibc's and Boehm's (SIGPWR/SIGXCPU) signals
    struct sigaction action{};
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(r.stop_signal, &action, nullptr);
}

// Installed by the main thread's attachment at start-up, so later callers never wait here.
void ensure_stop_handler() {
    static std::once_flag handler_installed;
    std::call_once(handler_installed, install_stop_handler);
}

char* stack_top_of_current_thread() {
    pthread_attr_t attributes;
    void* low = nullptr;
    std::size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) std::abort();
    pthread_attr_getstack(&attributes, &low, &size);
    pthread_attr_destroy(&attributes);
    return static_cast<char*>(low) + size;
}

}  // namespace

// Called when leaving a no-stop region with a stop pending or in progress, and from the
// signal handler. The check and the park form a no-stop region themselves: a stop signal
// landing between "this epoch is not parked yet" and park() would otherwise park the thread
// in the handler first and then once more, late, for an epoch already over.
void park_if_stop_requested() noexcept {
    thread_record* self = current_mutator.record;
    if (!self) {
        current_mutator.stop_pending = 0;
        return;
    }
    do {
        enter_no_stop();
        current_mutator.stop_pending = 0;
        std::uint64_t epoch = world_stop_epoch.load(std::memory_order_acquire);
        if ((epoch & 1) && self != world_stopper.load(std::memory_order_relaxed) &&
            self->parked_epoch.load(std::memory_order_relaxed) != epoch)
            park(self, epoch);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        --current_mutator.no_stop;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    } while (current_mutator.stop_pending);
}

void attach_current_thread() {
    if (thread_record* self = current_mutator.record) {
        ++self->attach_depth;
        return;
    }
    ensure_stop_handler();
    auto* self = new thread_record;
    self->handle = pthread_self();
    self->stack_top = stack_top_of_current_thread();
    self->attach_depth = 1;
    sem_init(&self->resume, 0, 0);
    registry_state& r = registry();
    std::lock_guard lock(r.lock);
    self->next = r.threads;
    r.threads = self;
    ++r.count;
    current_mutator.record = self;
}

void detach_current_thread() {
    thread_record* self = current_mutator.record;
    if (!self || --self->attach_depth > 0) return;
    registry_state& r = registry();
    {
        std::lock_guard lock(r.lock);
        // Leftover cache cells are free cells; the next sweep reclaims them.
        for (thread_record** link = &r.threads; *link; link = &(*link)->next) {
            if (*link == self) {
                *link = self->next;
                break;
            }
        }
        --r.count;
        statistics_detached_objects += self->allocated_objects.load(std::memory_order_relaxed);
        statistics_detached_bytes += self->allocated_bytes.load(std::memory_order_relaxed);
        current_mutator.record = nullptr;
    }
    sem_destroy(&self->resume);
    delete self;
}

void attach_implicitly() noexcept {
    attach_current_thread();
    // Detached when the thread exits (thread_local destructors run then), so the collector
    // never waits for a thread that is gone.
    static thread_local struct detach_at_exit {
        ~detach_at_exit() { detach_current_thread(); }
    } guard;
    (void)guard;
}

void attach_main_thread_at_startup() { attach_current_thread(); }

// A thread inherits its creator's signal mask; the runtime's threads must take the stop signal
// even when the thread that started them had it blocked.
void unblock_stop_signal() {
    ensure_stop_handler();
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, registry().stop_signal);
    pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
}

// Uninstrumented: a sanitizer's redzones in this frame would put never-written (stale) stack
// between the spill and the caller's frame, inside the scanned range.
__attribute__((noinline)) LASTWORD_NO_SANITIZE void run_as_collection_entry(void (*body)(void*), void* context) {
    register_spill registers;
    spill_callee_saved_registers(registers);
    thread_record* self = current_mutator.record;
    struct restore {
        thread_record* self;
        bool outermost;
        ~restore() {
            if (outermost) self->scan_from = nullptr;
        }
    } guard{self, self && !self->scan_from};
    // The spill holds the caller's callee-saved registers that this frame did not save
    // itself; those it did save lie above its locals (x86-64 and AArch64 alike), so the scan
    // from the spill up covers both, and the caller's frames.
    if (guard.outermost) self->scan_from = reinterpret_cast<char*>(registers.words);
    body(context);
    asm volatile("" : : "r"(registers.words) : "memory");
}

void lock_thread_registry() { registry().lock.lock(); }
void unlock_thread_registry() { registry().lock.unlock(); }

void stop_the_world() {
    registry_state& r = registry();
    world_stopper.store(current_mutator.record, std::memory_order_relaxed);
    world_stop_epoch.fetch_add(1, std::memory_order_acq_rel);  // now odd
    std::size_t signalled = 0;
    for (thread_record* t = r.threads; t; t = t->next) {
        if (t == current_mutator.record) continue;
        pthread_kill(t->handle, r.stop_signal);
        ++signalled;
    }
    for (std::size_t i = 0; i < signalled; ++i) wait_for_acknowledgement(signalled - i);
}

void resume_the_world() {
    registry_state& r = registry();
    world_stop_epoch.fetch_add(1, std::memory_order_acq_rel);  // even again
    std::size_t resumed = 0;
    for (thread_record* t = r.threads; t; t = t->next) {
        if (t == current_mutator.record) continue;
        t->resume_requested.store(true, std::memory_order_release);
        sem_post(&t->resume);
        ++resumed;
    }
    // Wait until every thread has left park(), so the next stop cannot find one still inside.
    for (std::size_t i = 0; i < resumed; ++i) wait_semaphore(&r.acknowledged);
}

namespace {
__attribute__((noinline)) LASTWORD_NO_SANITIZE void scan_own_stack(char* top) {
    register_spill registers;
    spill_callee_saved_registers(registers);
    char* low = approximate_stack_pointer();
    scan_conservatively(low, top);
    asm volatile("" : : "r"(registers.words) : "memory");
}
}  // namespace

void scan_thread_stacks() {
    registry_state& r = registry();
    for (thread_record* t = r.threads; t; t = t->next) {
        if (t == current_mutator.record) {
            if (t->scan_from)
                scan_conservatively(t->scan_from, t->stack_top);
            else
                scan_own_stack(t->stack_top);
        } else
            scan_conservatively(t->parked_sp.load(std::memory_order_relaxed), t->stack_top);
    }
}

void flush_thread_caches() {
    for (thread_record* t = registry().threads; t; t = t->next)
        for (void*& cache : t->cache) cache = nullptr;
}

void sum_thread_allocations(std::size_t& objects, std::size_t& bytes, bool reset) {
    registry_state& r = registry();
    for (thread_record* t = r.threads; t; t = t->next) {
        objects += t->allocated_objects.load(std::memory_order_relaxed);
        bytes += t->allocated_bytes.load(std::memory_order_relaxed);
        if (reset) {
            t->allocated_objects.store(0, std::memory_order_relaxed);
            t->allocated_bytes.store(0, std::memory_order_relaxed);
        }
    }
    objects += statistics_detached_objects;
    bytes += statistics_detached_bytes;
    if (reset) statistics_detached_objects = statistics_detached_bytes = 0;
}

std::size_t attached_thread_count() noexcept { return registry().count; }

void link_persistent(persistent_node* node) noexcept {
    registry_state& r = registry();
    std::lock_guard lock(r.persistents_lock);
    node->next = r.persistents.next;
    node->previous = &r.persistents;
    r.persistents.next->previous = node;
    r.persistents.next = node;
}

void unlink_persistent(persistent_node* node) noexcept {
    registry_state& r = registry();
    std::lock_guard lock(r.persistents_lock);
    node->previous->next = node->next;
    node->next->previous = node->previous;
}

void lock_persistents() { registry().persistents_lock.lock(); }
void unlock_persistents() { registry().persistents_lock.unlock(); }

void for_each_persistent_node(void (*fn)(persistent_node*, void*), void* context) noexcept {
    registry_state& r = registry();
    for (persistent_node* n = r.persistents.next; n != &r.persistents; n = n->next) fn(n, context);
}

void scan_persistents() {
    registry_state& r = registry();
    for (persistent_node* n = r.persistents.next; n != &r.persistents; n = n->next)
        if (const void* target = n->target.load(std::memory_order_acquire)) mark_pointer(target);
}

}  // namespace lastword::detail

lastword::mutator_scope::mutator_scope() { detail::attach_current_thread(); }
lastword::mutator_scope::~mutator_scope() { detail::detach_current_thread(); }
