// Finalizers (ordered, resurrecting, one thread) and cleanups (unordered, no resurrection, pool).
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <source_location>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <lastword/tracer.hpp>

namespace lastword {
namespace detail {

// The registered object as the registry stores it: complemented, so that the conservative
// scan of a callable's malloc'ed storage, should a stale word lead it into the registry's own
// memory, never finds the object there (the object is not a root; only its callable is).
class hidden_pointer {
public:
    hidden_pointer() noexcept = default;
    hidden_pointer(const void* pointer) noexcept : bits_(~reinterpret_cast<std::uintptr_t>(pointer)) {}
    void* get() const noexcept { return reinterpret_cast<void*>(~bits_); }

private:
    std::uintptr_t bits_ = ~std::uintptr_t{0};
};

// The registration of a finalizer. The callable lives right after this base in the same
// allocation; its bytes [callable_begin, callable_end) are scanned conservatively as a root,
// with the malloc'ed blocks they lead to.
struct finalizer_record {
    // A record sits 16 bytes into its malloc'ed block: the registry links records by their
    // own addresses, never the start of a block, so the scan of a callable's storage (which
    // follows pointers to block starts only) cannot wander from a stale word into one record
    // and from there through the whole registry.
    static void* operator new(std::size_t size) { return static_cast<char*>(::operator new(size + 16)) + 16; }
    static void* operator new(std::size_t size, std::align_val_t align) {
        auto offset = std::max<std::size_t>(16, static_cast<std::size_t>(align));
        return static_cast<char*>(::operator new(size + offset, align)) + offset;
    }
    static void operator delete(void* p) noexcept { ::operator delete(static_cast<char*>(p) - 16); }
    static void operator delete(void* p, std::align_val_t align) noexcept {
        auto offset = std::max<std::size_t>(16, static_cast<std::size_t>(align));
        ::operator delete(static_cast<char*>(p) - offset, align);
    }

    finalizer_record* previous = nullptr;
    finalizer_record* next = nullptr;
    hidden_pointer object;  // start of the collected object (its body)
    hidden_pointer argument;  // the T* handed to the callable (may differ under inheritance)
    const char* type_name = nullptr;
    std::source_location site;
    const char* callable_begin = nullptr;
    const char* callable_end = nullptr;
    bool self_reach_reported = false;
    void (*invoke)(finalizer_record*) = nullptr;
    void (*destroy)(finalizer_record*) noexcept = nullptr;
};

struct cleanup_record {
    cleanup_record* previous = nullptr;
    cleanup_record* next = nullptr;
    hidden_pointer object;
    const char* type_name = nullptr;
    std::source_location site;
    const char* payload_begin = nullptr;  // callable and argument, scanned as a root
    const char* payload_end = nullptr;
    int state = 0;  // see finalization.cpp
    unsigned long long ticket = 0;
    bool self_reach_reported = false;
    bool slow_reported = false;  // slowfinalizer
    std::chrono::steady_clock::time_point started;  // while running
    std::shared_ptr<cleanup_record> keep;  // the registry's own reference while pending
    void (*invoke)(cleanup_record*) = nullptr;
    virtual ~cleanup_record() = default;
};

void* object_start(const void* pointer) noexcept;  // null if not inside a collected object
const type_descriptor* type_of_object(const void* object_start) noexcept;
void register_finalizer(finalizer_record* record);  // takes ownership; throws logic_error
void clear_finalizer(void* object) noexcept;
void register_cleanup(const std::shared_ptr<cleanup_record>& record);
void stop_cleanup(const std::shared_ptr<cleanup_record>& record) noexcept;
// Debug mode keepalive: clears the dead stack below the caller, where the registration's
// frames left copies of the object's address.
void after_registration() noexcept;

template <class T, class F> struct finalizer_with : finalizer_record {
    F fn;
    explicit finalizer_with(F&& f) : fn(std::move(f)) {
        callable_begin = reinterpret_cast<const char*>(&fn);
        callable_end = callable_begin + sizeof(F);
        invoke = [](finalizer_record* self) {
            auto* me = static_cast<finalizer_with*>(self);
            me->fn(static_cast<T*>(me->argument.get()));
        };
        destroy = [](finalizer_record* self) noexcept { delete static_cast<finalizer_with*>(self); };
    }
};

template <class F, class S> struct cleanup_with : cleanup_record {
    struct payload_t {
        F fn;
        S arg;
    } payload;
    cleanup_with(F&& f, S&& s) : payload{std::move(f), std::move(s)} {
        payload_begin = reinterpret_cast<const char*>(&payload);
        payload_end = payload_begin + sizeof(payload);
        invoke = [](cleanup_record* self) {
            auto* me = static_cast<cleanup_with*>(self);
            me->payload.fn(me->payload.arg);
        };
    }
};

inline void* require_collected(const void* pointer) {
    void* start = object_start(pointer);
    if (!start) throw std::invalid_argument("lastword: pointer is not a collected object");
    return start;
}

}  // namespace detail

// Registers fn(obj) to run once obj becomes unreachable (ordering: docs/api.md).
template <class T, class F>
void set_finalizer(T* obj, F fn, std::source_location site = std::source_location::current()) {
    static_assert(std::is_invocable_v<F&, T*>, "a finalizer must be invocable as fn(T*)");
    void* start = detail::require_collected(obj);
    auto* record = new detail::finalizer_with<T, F>(std::move(fn));
    record->object = start;
    record->argument = const_cast<void*>(static_cast<const void*>(obj));
    record->type_name = detail::type_of_object(start)->name;
    record->site = site;
    detail::register_finalizer(record);
    detail::after_registration();
}

// set_finalizer(obj, nullptr) clears the finalizer of obj.
template <class T> void set_finalizer(T* obj, std::nullptr_t, std::source_location = std::source_location::current()) {
    detail::clear_finalizer(detail::require_collected(obj));
}

// Handle to a registered cleanup.
class cleanup {
public:
    cleanup() = default;
    explicit cleanup(std::shared_ptr<detail::cleanup_record> record) : record_(std::move(record)) {}
    // Cancels the cleanup if it has not started yet.
    void stop() noexcept {
        if (record_) detail::stop_cleanup(record_);
    }

private:
    std::shared_ptr<detail::cleanup_record> record_;
};

template <class T, class F, class S>
cleanup add_cleanup(T* ptr, F fn, S arg, std::source_location site = std::source_location::current()) {
    static_assert(std::is_invocable_v<F&, S&>, "a cleanup must be invocable as fn(arg)");
    if constexpr (std::is_pointer_v<S>) {
        if (static_cast<const volatile void*>(arg) == static_cast<const volatile void*>(ptr))
            throw std::invalid_argument("lastword: add_cleanup: arg must not be the object itself");
    }
    void* start = detail::require_collected(ptr);
    auto record = std::make_shared<detail::cleanup_with<F, S>>(std::move(fn), std::move(arg));
    record->object = start;
    record->type_name = detail::type_of_object(start)->name;
    record->site = site;
    detail::register_cleanup(record);
    detail::after_registration();
    return cleanup(std::move(record));
}

// Guarantees p is reachable at this point: the compiler must materialise it.
template <class T> inline void keep_alive(const T* p) noexcept { asm volatile("" : : "r"(p) : "memory"); }

// Full blocking collection; queues finalizers and cleanups but does not wait for them.
void collect();

// Waits for every finalizer and cleanup queued so far; false on timeout.
bool wait_for_finalizers(std::chrono::milliseconds timeout);

}  // namespace lastword
