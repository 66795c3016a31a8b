// persistent<T>: a root held outside the collected heap.
#pragma once
#include <atomic>
#include <cstddef>

namespace lastword {
namespace detail {
// Persistent handles form an intrusive list the collector walks during the root scan.
struct persistent_node {
    persistent_node* previous = nullptr;
    persistent_node* next = nullptr;
    std::atomic<const void*> target{nullptr};
};
void link_persistent(persistent_node* node) noexcept;
void unlink_persistent(persistent_node* node) noexcept;
}  // namespace detail

template <class T> class persistent {
public:
    persistent() noexcept { detail::link_persistent(&node_); }
    persistent(std::nullptr_t) noexcept : persistent() {}
    persistent(T* target) noexcept : persistent() { reset(target); }
    persistent(const persistent& other) noexcept : persistent(other.get()) {}
    ~persistent() { detail::unlink_persistent(&node_); }

    persistent& operator=(T* target) noexcept {
        reset(target);
        return *this;
    }
    persistent& operator=(std::nullptr_t) noexcept {
        reset(nullptr);
        return *this;
    }
    persistent& operator=(const persistent& other) noexcept {
        reset(other.get());
        return *this;
    }

    void reset(T* target = nullptr) noexcept {
        node_.target.store(static_cast<const void*>(target), std::memory_order_release);
    }
    T* get() const noexcept { return static_cast<T*>(const_cast<void*>(node_.target.load(std::memory_order_acquire))); }
    T* operator->() const noexcept { return get(); }
    T& operator*() const noexcept { return *get(); }
    explicit operator bool() const noexcept { return get() != nullptr; }

    friend bool operator==(const persistent& a, const persistent& b) noexcept { return a.get() == b.get(); }
    friend bool operator==(const persistent& a, const T* b) noexcept { return a.get() == b; }

private:
    detail::persistent_node node_;
};

}  // namespace lastword
