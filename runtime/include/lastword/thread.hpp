// Attaching threads to the collector.
#pragma once

namespace lastword {

// RAII: attaches the current thread (its stack and registers become conservative roots).
// Nestable. The main thread, the finalizer thread and cleanup workers are attached already.
class mutator_scope {
public:
    mutator_scope();
    ~mutator_scope();
    mutator_scope(const mutator_scope&) = delete;
    mutator_scope& operator=(const mutator_scope&) = delete;
};

}  // namespace lastword
