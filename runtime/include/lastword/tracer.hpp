// Precise heap tracing: the tracer handed to T::trace and the per-type descriptor.
#pragma once
#include <cstddef>
#include <type_traits>
#include <typeinfo>

namespace lastword {

template <class T> class member;
class tracer;

namespace detail {

// One per collected type: how to trace, destroy and name its objects.
struct type_descriptor {
    void (*trace)(const void* object, tracer& t);  // null: the type holds no traced pointers
    void (*destroy)(void* object);  // null: trivially destructible
    std::size_t size;
    const char* name;  // demangled, computed once, never freed
};

const char* demangle(const char* mangled) noexcept;

template <class T>
concept traceable = requires(const T& object, tracer& t) { object.trace(t); };

template <class T>
concept traceable_if_mutable = requires(T& object, tracer& t) { object.trace(t); };

template <class T> const type_descriptor* descriptor_of() noexcept {
    static_assert(traceable<T> || !traceable_if_mutable<T>,
                  "lastword: T::trace must be declared `void trace(lastword::tracer&) const`");
    static const type_descriptor descriptor{
        [] {
            if constexpr (traceable<T>)
                return +[](const void* object, tracer& t) { static_cast<const T*>(object)->trace(t); };
            else
                return static_cast<void (*)(const void*, tracer&)>(nullptr);
        }(),
        [] {
            if constexpr (std::is_trivially_destructible_v<T>)
                return static_cast<void (*)(void*)>(nullptr);
            else
                return +[](void* object) { static_cast<T*>(object)->~T(); };
        }(),
        sizeof(T),
        demangle(typeid(T).name()),
    };
    return &descriptor;
}

}  // namespace detail

// Handed to T::trace; every member<U> the object owns must be passed to visit().
class tracer {
public:
    using visit_fn = void (*)(void* context, const void* pointer);
    tracer(visit_fn fn, void* context) noexcept : fn_(fn), context_(context) {}
    tracer(const tracer&) = delete;
    tracer& operator=(const tracer&) = delete;

    template <class U> void visit(const member<U>& field) { visit_pointer(field.get()); }
    // For the rare collected pointer not held in a member<U> (e.g. a tagged pointer the
    // type decodes itself). The pointer must point into a collected object or be null.
    void visit_pointer(const void* pointer) {
        if (pointer) fn_(context_, pointer);
    }

private:
    visit_fn fn_;
    void* context_;
};

}  // namespace lastword
