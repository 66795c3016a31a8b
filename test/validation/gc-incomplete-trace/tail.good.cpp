// VALIDATION-ENV: LASTWORD_GCDEBUG=verify=1
// VALIDATION-STDERR: lastword: verify: use of freed object at 0x[0-9a-f]+ \(was 'Entry'
// The fixed queue: trace() visits both ends, so the tail entry stays alive
// as long as the queue does and verify=1 has nothing to report.
#include <lastword/gc.hpp>

#include <cstdio>

struct Entry {
  int value = 0;
};

struct Queue {
  lastword::member<Entry> head;
  lastword::member<Entry> tail;
  void trace(lastword::tracer &t) const {
    t.visit(head);
    t.visit(tail);
  }
};

// Fills the queue in a frame of its own, so that no copy of the tail's
// address stays in a live slot of main's frame.
__attribute__((noinline)) static void fill(Queue *queue) {
  queue->head = lastword::make<Entry>();
  queue->head->value = 1;
  queue->tail = lastword::make<Entry>();
  queue->tail->value = 2;
}

int main() {
  Queue *queue = lastword::make<Queue>();
  fill(queue);
  lastword::debug::scrub_stack();
  lastword::collect();
  if (!lastword::debug::check_pointer(queue->tail.get())) {
    std::puts("the queue's tail was freed while the queue still points to it");
    return 1;
  }
  std::printf("tail holds %d\n", queue->tail->value);
  lastword::keep_alive(queue);
  return 0;
}
