// The write barrier: a snapshot-at-the-beginning (Yuasa deletion) barrier. While marking is
// active, the pointer a store overwrites is shaded, so everything reachable when the cycle
// began stays reachable for the marker. Stacks are then never rescanned, which matters
// because they are scanned conservatively and stopping threads is the costly part.
#include "internal.hpp"

namespace lastword::detail {
namespace {
std::atomic_flag buffer_lock = ATOMIC_FLAG_INIT;
page_vector<object_header*> shaded_by_mutators;
}  // namespace

void push_shaded(object_header* header) noexcept {
    // Only ever held inside a no-stop region, so a stopped thread never owns it.
    while (buffer_lock.test_and_set(std::memory_order_acquire)) {
    }
    shaded_by_mutators.push(header);
    buffer_lock.clear(std::memory_order_release);
}

void take_barrier_buffer() noexcept {
    while (buffer_lock.test_and_set(std::memory_order_acquire)) {
    }
    for (std::size_t i = 0; i < shaded_by_mutators.size; ++i) push_gray(shaded_by_mutators.data[i]);
    shaded_by_mutators.clear();
    buffer_lock.clear(std::memory_order_release);
}

namespace {
void shade(const void* old) noexcept {
    if (object_header* header = find_object(old)) {
        if (header->mark.exchange(1, std::memory_order_relaxed) == 0 &&
            (header->type->trace || header->constructing.load(std::memory_order_acquire)))
            push_shaded(header);
    }
}
}  // namespace

void shade_deleted(const void* pointer) noexcept {
    if (!pointer) return;
    if (!current_mutator.record) [[unlikely]]
        attach_implicitly();
    enter_no_stop();
    if (marking_active.load(std::memory_order_relaxed)) shade(pointer);
    leave_no_stop();
}

namespace {
// The rare paths, out of line: the common path of write_barrier saves no registers.
__attribute__((noinline)) void store_while_marking(void** slot, void* value) noexcept {
    if (void* old = *slot) shade(old);
    *slot = value;
    leave_no_stop();
}
__attribute__((noinline)) void store_attaching(void** slot, void* value) noexcept {
    attach_implicitly();
    write_barrier(slot, value);
}
}  // namespace

void write_barrier(void** slot, void* value) noexcept {
    // No stop may fall between reading the marking flag and the store: otherwise a cycle
    // could start in between and the overwritten pointer would escape the snapshot. A thread
    // that is not attached would never stop at all: it is attached first.
    if (!current_mutator.record) [[unlikely]]
        return store_attaching(slot, value);
    enter_no_stop();
    if (marking_active.load(std::memory_order_relaxed)) [[unlikely]]
        return store_while_marking(slot, value);
    *slot = value;
    leave_no_stop();
}

}  // namespace lastword::detail
