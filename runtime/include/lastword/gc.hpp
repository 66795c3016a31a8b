// The lastword collector: the finalizer API (reference: docs/api.md).
#pragma once
#include <cstddef>
#include <new>
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
