// Declarations of the lastword API (shared/API.md) for the check tests.
// The checks recognise the API by name; they never see the runtime's code.
// Templates have (empty) bodies so that lambdas can be passed to them.
#pragma once
#include <chrono>
#include <cstddef>

namespace lastword {

class tracer {
public:
  template <class T> void visit(const T &) {}
};

template <class T> class member {
public:
  member() = default;
  member(T *p) : ptr_(p) {}
  member &operator=(T *p) { ptr_ = p; return *this; }
  T *get() const { return ptr_; }
  T *operator->() const { return ptr_; }
  T &operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  operator T *() const { return ptr_; }
private:
  T *ptr_ = nullptr;
};

template <class T> class persistent {
public:
  persistent() = default;
  persistent(T *p) : ptr_(p) {}
  persistent &operator=(T *p) { ptr_ = p; return *this; }
  T *get() const { return ptr_; }
  T *operator->() const { return ptr_; }
private:
  T *ptr_ = nullptr;
};

class mutator_scope {
public:
  mutator_scope();
  ~mutator_scope();
};

template <class T, class... A> T *make(A &&...args) { return new T(static_cast<A &&>(args)...); }

template <class T, class F> void set_finalizer(T *obj, F fn) { (void)obj; (void)fn; }

class cleanup {
public:
  void stop();
};
template <class T, class F, class S> cleanup add_cleanup(T *ptr, F fn, S arg) {
  (void)ptr; (void)fn; (void)arg;
  return cleanup();
}

template <class T> void keep_alive(const T *p) noexcept { (void)p; }

void collect();
bool wait_for_finalizers(std::chrono::milliseconds timeout);

} // namespace lastword
