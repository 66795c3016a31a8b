// RUN: %check_gc %s gc-collect-in-loop %t
// Conversion operators, overloaded operators and constructors as callees that
// collect, and loops inside operators and constructors (names that are not identifiers).

#include <lastword/gc.hpp>
#include <vector>

struct Item {
  int payload = 0;
};

// A heap handle whose operators and conversion collect.
struct Heap {
  Heap &operator+=(const Item &) { lastword::collect(); return *this; }
  explicit operator bool() const { lastword::collect(); return true; }
  void operator()() const { lastword::collect(); }
  Heap &operator<<(int n) { return n ? *this : *this; }
};

// Constructing and destroying a scope collects.
struct Compacting {
  Compacting() { lastword::collect(); }
};

void operator_collects(Heap &heap, std::vector<Item> &items) {
  for (const Item &item : items)
    heap += item;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'Heap::operator+=' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-15]]:36: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
}

void conversion_collects(Heap &heap, int n) {
  for (int i = 0; i < n; ++i)
    if (heap)
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: full collection on every iteration of this loop: 'Heap::operator bool' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-22]]:36: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
      continue;
}

void call_operator_collects(const Heap &heap, int n) {
  for (int i = 0; i < n; ++i)
    heap();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'Heap::operator()' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-30]]:29: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
}

void constructor_collects(int n) {
  for (int i = 0; i < n; ++i) {
    Compacting scope;
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: full collection on every iteration of this loop: 'Compacting' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-32]]:18: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
    (void)scope;
  }
}

// The loop is inside an operator and a constructor.
struct Batch {
  std::vector<Item> items;
  Batch(int n) {
    for (int i = 0; i < n; ++i) {
      items.push_back(Item{i});
      lastword::collect();
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: full collection on every iteration of this loop: 'lastword::collect' stops the world and traces the whole heap each time [gc-collect-in-loop]
      // CHECK-MESSAGES: :[[@LINE-4]]:5: note: the loop starts here
    }
  }
  Batch &operator--() {
    for (Item &item : items) {
      item.payload = 0;
      lastword::collect();
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: full collection on every iteration of this loop: 'lastword::collect' stops the world and traces the whole heap each time [gc-collect-in-loop]
      // CHECK-MESSAGES: :[[@LINE-4]]:5: note: the loop starts here
    }
    return *this;
  }
};

// Near misses: operators, conversions and constructors that do not collect.
struct Node {
  lastword::member<Node> next;
  int value = 0;
  void trace(lastword::tracer &t) const { t.visit(next); }
};
int sum(Node *head, Heap &heap) {
  int total = 0;
  for (Node *n = head; n; n = n->next)    // member<Node>::operator Node *()
    total += n->value;
  for (int i = 0; i < total; ++i)
    heap << i;
  Item copy;
  for (int i = 0; i < total; ++i)
    copy = Item{i};
  lastword::collect();
  return total;
}
