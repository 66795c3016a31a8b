// The lastword collector: the finalizer API (reference: docs/api.md).
#pragma once
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include <lastword/debug.hpp>
#include <lastword/finalizer.hpp>
#include <lastword/member.hpp>
#include <lastword/persistent.hpp>
#include <lastword/thread.hpp>
#include <lastword/tracer.hpp>

namespace lastword {
namespace detail {
// Returns zeroed memory for an object of the given type, marked "under construction" so a
// collection meanwhile scans it conservatively instead of calling a half-built trace().
void* allocate(const type_descriptor* type);
void constructed(void* object) noexcept;
void abandon(void* object) noexcept;
}  // namespace detail

template <class T, class... A> T* make(A&&... args) {
    static_assert(!std::is_array_v<T>,
                  "lastword: make<T> does not allocate arrays (make<int[4]>): allocate a struct that holds a "
                  "std::array, or a std::vector of member<> that its trace() visits");
    static_assert(!std::is_void_v<T> && !std::is_function_v<T>, "lastword: make<T> needs an object type");
    static_assert(!std::is_abstract_v<T>, "lastword: make<T> cannot allocate an abstract class");
    static_assert(std::is_destructible_v<T>,
                  "lastword: make<T> needs a public, non-deleted destructor: the sweep destroys the object");
    static_assert(alignof(T) <= 16, "lastword: over-aligned types are not supported");
    void* memory = detail::allocate(detail::descriptor_of<T>());
    T* object;
    try {
        object = ::new (memory) T(std::forward<A>(args)...);
    } catch (...) {
        detail::abandon(memory);
        throw;
    }
    detail::constructed(memory);
    return object;
}

}  // namespace lastword
