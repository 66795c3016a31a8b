// member<T>: a collected pointer stored inside a collected object, behind the write barrier.
#pragma once
#include <atomic>
#include <cstddef>

namespace lastword {
namespace detail {
// Stores value into *slot, shading the overwritten pointer while marking is active.
void write_barrier(void** slot, void* value) noexcept;
// A destroyed member deletes its edge too (std::vector::pop_back, erase, clear...).
extern std::atomic<bool> marking_active;
void shade_deleted(const void* pointer) noexcept;
// verify=1: reports a dereference of a pointer to a freed object.
extern std::atomic<bool> check_dereferences;
void check_dereference(const void* pointer) noexcept;
}  // namespace detail

template <class T> class member {
public:
    member() noexcept = default;
    member(std::nullptr_t) noexcept {}
    // Initialisation writes into memory nobody traced yet, so it needs no barrier.
    member(T* pointer) noexcept : pointer_(pointer) {}
    member(const member& other) noexcept : pointer_(other.pointer_) {}
    template <class U> member(const member<U>& other) noexcept : pointer_(other.get()) {}
    ~member() {
        if (detail::marking_active.load(std::memory_order_relaxed)) [[unlikely]]
            detail::shade_deleted(pointer_);
    }

    member& operator=(T* pointer) noexcept {
        detail::write_barrier(slot(), const_cast<void*>(static_cast<const void*>(pointer)));
        return *this;
    }
    member& operator=(std::nullptr_t) noexcept { return *this = static_cast<T*>(nullptr); }
    member& operator=(const member& other) noexcept { return *this = other.get(); }
    template <class U> member& operator=(const member<U>& other) noexcept { return *this = other.get(); }

    T* get() const noexcept { return pointer_; }
    T* operator->() const noexcept { return checked(); }
    T& operator*() const noexcept { return *checked(); }
    explicit operator bool() const noexcept { return pointer_ != nullptr; }
    operator T*() const noexcept { return pointer_; }

    // Comparisons (with members, pointers, nullptr) go through the conversion to T*.

private:
    void** slot() noexcept { return reinterpret_cast<void**>(&pointer_); }
    T* checked() const noexcept {
        if (detail::check_dereferences.load(std::memory_order_relaxed)) [[unlikely]]
            detail::check_dereference(pointer_);
        return pointer_;
    }
    T* pointer_ = nullptr;
};

}  // namespace lastword
