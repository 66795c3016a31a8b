// RUN: %check_gc %s gc-collect-in-loop %t

#include <lastword/gc.hpp>
#include <vector>

struct Item { int payload; };
void process(Item &);
bool memory_pressure();

void batch(std::vector<Item> &items) {
  for (Item &item : items) {
    process(item);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'lastword::collect' stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
}

Item *next_item();
void counted(int n) {
  for (int i = 0; i < n; ++i) {
    process(*next_item());
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
  int k = 0;
  while (k++ < n) {
    Item *item = next_item();
    { lastword::collect(); }
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
    process(*item);
  }
  do {
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: the loop starts here
    (void)lastword::make<Item>();
  } while (--n > 0);
}

// Through functions of the translation unit.
void flush_heap() { lastword::collect(); }
void end_of_item(Item &item) { process(item); flush_heap(); }

void indirect(std::vector<Item> &items) {
  for (Item &item : items)
    end_of_item(item);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'end_of_item' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
  // CHECK-MESSAGES: :[[@LINE-6]]:47: note: 'flush_heap' is called here
  // CHECK-MESSAGES: :[[@LINE-8]]:21: note: 'lastword::collect' collects the whole heap here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the loop starts here
}

// Nested loops: reported once, at the innermost loop.
void nested(int n) {
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      process(*next_item());
      lastword::collect();
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: full collection on every iteration
      // CHECK-MESSAGES: :[[@LINE-4]]:5: note: the loop starts here
    }
  }
}

// A lambda called in the loop runs there.
void lambda_called(int n) {
  auto gc = [] { lastword::collect(); };
  for (int i = 0; i < n; ++i)
    gc();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'lambda' calls
  // CHECK-MESSAGES: :[[@LINE-4]]:18: note: 'lastword::collect' collects the whole heap here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
}

// A `continue` that belongs to an inner loop, or a guard after the
// collection, does not skip it.
void inner_skip(std::vector<std::vector<Item>> &batches) {
  for (auto &batch : batches) {
    for (Item &item : batch) {
      if (item.payload == 0)
        continue;
      process(item);
    }
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-8]]:3: note: the loop starts here
  }
}

void guard_after(std::vector<Item> &items) {
  for (Item &item : items) {
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: the loop starts here
    if (item.payload == 0)
      continue;
    process(item);
  }
}

// ---- Near misses: all silent. ----

// A checkpoint on a stride, written as a guard that skips the rest of the
// iteration: the same as `if (n % every == 0) collect();`.
void checkpoint(std::vector<Item> &items, unsigned every) {
  unsigned n = 0;
  for (Item &item : items) {
    process(item);
    if (++n % every != 0)
      continue;
    lastword::collect();
  }
}

void checkpoint_block(std::vector<Item> &items) {
  unsigned since = 0;
  for (Item &item : items) {
    process(item);
    if (++since < 4096) {
      continue;
    }
    since = 0;
    lastword::collect();
  }
}

// The guard inside a switch still skips the rest of the loop's body.
void checkpoint_switch(std::vector<Item> &items) {
  unsigned n = 0;
  for (Item &item : items) {
    switch (item.payload) {
    case 0:
      continue;
    default:
      process(item);
    }
    if (++n % 1000 != 0)
      continue;
    lastword::collect();
  }
}

void after_loop(std::vector<Item> &items) {
  for (Item &item : items)
    process(item);
  lastword::collect();
}

void periodic(std::vector<Item> &items) {
  int done = 0;
  for (Item &item : items) {
    process(item);
    if (++done % 10000 == 0)
      lastword::collect();
  }
}

void under_pressure(std::vector<Item> &items) {
  for (Item &item : items) {
    process(item);
    if (memory_pressure()) {
      lastword::collect();
    }
    memory_pressure() ? lastword::collect() : void();
  }
}

void retry_on_exhaustion(int attempts) {
  for (int i = 0; i < attempts; ++i) {
    try {
      lastword::make<Item>();
      break;
    } catch (...) {
      lastword::collect();
    }
  }
}

#define COLLECT_ONCE() do { lastword::collect(); } while (0)
void macro_once() { COLLECT_ONCE(); }

void never_loops() {
  while (false)
    lastword::collect();
}

// A lambda defined in the loop but only stored runs later, not per iteration.
std::vector<void (*)()> callbacks;
void stored_lambda(int n) {
  for (int i = 0; i < n; ++i)
    callbacks.push_back([] { lastword::collect(); });
}

// A function that collects only conditionally.
void maybe_collect() {
  if (memory_pressure())
    lastword::collect();
}
void conditional_callee(std::vector<Item> &items) {
  for (Item &item : items) {
    process(item);
    maybe_collect();
  }
}

// Something else called collect.
namespace other { void collect(); }
void other_collect(int n) {
  for (int i = 0; i < n; ++i)
    other::collect();
}

void suppressed(int n) {
  for (int i = 0; i < n; ++i)
    lastword::collect(); // NOLINT(gc-collect-in-loop)
}

// Templates are judged as written, once.
template <class T> void each(std::vector<T> &v) {
  for (T &x : v) {
    (void)lastword::make<T>(x);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
}
template void each<int>(std::vector<int> &);
template void each<Item>(std::vector<Item> &);

// A loop that waits between iterations is a periodic maintenance task.
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>
void background_collector(const bool &stop) {
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::seconds(30));
    lastword::collect();
  }
}
std::mutex m;
std::condition_variable wake;
void on_demand_collector(bool &stop) {
  std::unique_lock<std::mutex> lock(m);
  for (;;) {
    wake.wait_for(lock, std::chrono::minutes(1));
    if (stop)
      break;
    lastword::collect();
  }
}
void idle_collector() {
  for (;;) {
    ::sleep(10);
    lastword::collect();
  }
}

// Collecting a few fixed times lets finalizers run and their objects go.
void shutdown() {
  for (int round = 0; round < 3; ++round)
    lastword::collect();
}
// A drain loop: collect, then wait for what it queued.
void drain(bool &pending) {
  while (pending) {
    lastword::collect();
    pending = !lastword::wait_for_finalizers(std::chrono::milliseconds(100));
  }
}
// A retry loop: leaves as soon as the allocation succeeds.
Item *allocate_with_retry() {
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (Item *item = lastword::make<Item>())
      return item;
    lastword::collect();
  }
  return nullptr;
}
Item *allocate_until(bool (*ok)(Item *)) {
  while (true) {
    Item *item = lastword::make<Item>();
    if (ok(item))
      break;
    lastword::collect();
  }
  return nullptr;
}
// ...but many fixed iterations are a batch, and a range-for walks a batch
// even when it may return early.
void many_rounds() {
  for (int round = 0; round < 1000; ++round) {
    (void)lastword::make<Item>();
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
  }
}
bool import_or_fail(std::vector<Item> &items) {
  for (Item &item : items) {
    if (item.payload < 0)
      return false;
    process(item);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: the loop starts here
  }
  return true;
}
// A break after the collection does not make it a retry loop.
void until_done(bool (*done)()) {
  for (;;) {
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: the loop starts here
    if (done())
      break;
  }
}

// Algorithms that call a lambda per element are loops too.
#include <algorithm>
void per_element(std::vector<Item> &items) {
  std::for_each(items.begin(), items.end(), [](Item &item) {
    process(item);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection for every element: 'std::for_each' runs this lambda once per element: 'lastword::collect' stops the world and traces the whole heap each time [gc-collect-in-loop]
  });
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'std::for_each' is called here
  std::for_each(items.begin(), items.end(), [](Item &item) {
    if (item.payload == 0)
      lastword::collect();
  });
  std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) {
    return a.payload < b.payload;
  });
}

// Inside a macro, the warning lands on the use (where NOLINT goes).
#define END_OF_FRAME() lastword::collect()
void frames(int n) {
  for (int i = 0; i < n; ++i) {
    process(*next_item());
    END_OF_FRAME();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-6]]:24: note: expanded from macro 'END_OF_FRAME'
    // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the loop starts here
  }
  for (int i = 0; i < n; ++i) {
    process(*next_item());
    END_OF_FRAME(); // NOLINT(gc-collect-in-loop)
  }
}

// A loop that does nothing but collect, wait for finalizers and count is
// deliberate repeated collection (before a huge allocation, at shutdown),
// whatever its trip count.
void settle_before_huge_allocation(int rounds) {
  for (int i = 0; i < rounds; ++i)
    lastword::collect();
  for (int i = 0; i < 1000; ++i)
    lastword::collect();
  int k = 0;
  while (k++ < rounds) {
    { lastword::collect(); }
  }
  do {
    lastword::collect();
  } while (--rounds > 0);
}
struct Stats { int collections = 0; };
void shutdown_collections(Stats &stats, bool &pending) {
  int drained = 0;
  while (pending) {
    lastword::collect();
    ++stats.collections;
    if (lastword::wait_for_finalizers(std::chrono::milliseconds(10)))
      ++drained;
    else
      continue;
    pending = drained < 3;
  }
}
// A wrapper of the user's that only collects is collecting too.
static void full_collection() { lastword::collect(); }
void trim_caches();
static void collect_and_trim() {
  lastword::collect();
  trim_caches();
}
void drain_through_wrapper(int passes) {
  for (int i = 0; i < passes; ++i) {
    full_collection();
    if (!lastword::wait_for_finalizers(std::chrono::milliseconds(50)))
      break;
  }
  for (int i = 0; i < passes; ++i)
    collect_and_trim();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'collect_and_trim' calls 'lastword::collect'
  // CHECK-MESSAGES: :[[@LINE-12]]:3: note: 'lastword::collect' collects the whole heap here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the loop starts here
}
// ...but one piece of real work per iteration makes it a batch again.
void collect_and_log(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: the loop starts here
    process(*next_item());
  }
}

// ---- Recall: the ordinary layers of real code. ----

// An RAII guard declared in the body collects in its destructor, at the end
// of every iteration.
struct CollectOnExit {
  ~CollectOnExit() { lastword::collect(); }
};
void guarded_batch(std::vector<Item> &items) {
  for (Item &item : items) {
    CollectOnExit scope;
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: full collection on every iteration of this loop: 'CollectOnExit::~CollectOnExit' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-2]]:19: note: 'scope' is destroyed at the end of its scope
    // CHECK-MESSAGES: :[[@LINE-7]]:22: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the loop starts here
    process(item);
  }
}

// A virtual call follows every override the translation unit shows.
struct Stage {
  virtual void finish() = 0;
  virtual ~Stage() = default;
};
struct CompactingStage : Stage {
  void finish() override { lastword::collect(); }
};
void run_stages(std::vector<Stage *> &stages) {
  for (Stage *stage : stages)
    stage->finish();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'CompactingStage::finish' calls 'lastword::collect', which stops the world
  // CHECK-MESSAGES: :[[@LINE-2]]:5: note: a virtual call to 'Stage::finish' may run this override
  // CHECK-MESSAGES: :[[@LINE-7]]:28: note: 'lastword::collect' collects the whole heap here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the loop starts here
}

// A loop that walks a work source and leaves when it runs dry is a batch.
#include <deque>
#include <optional>
#include <istream>
#include <string>
struct Jobs {
  std::deque<Item> items;
  std::optional<Item> pop() {
    if (items.empty())
      return std::nullopt;
    Item front = items.front();
    items.pop_front();
    return front;
  }
};
void drain_jobs(Jobs &jobs) {
  for (;;) {
    std::optional<Item> job = jobs.pop();
    if (!job)
      break;
    process(*job);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
  }
  while (true) {
    if (jobs.items.empty())
      break;
    process(jobs.items.front());
    jobs.items.pop_front();
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
  }
}
void read_commands(std::istream &in) {
  std::string line;
  while (std::getline(in, line)) {
    if (line == "quit")
      break;
    process(*next_item());
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: the loop starts here
  }
}
// ...a retry repeats the same failed attempt: silent.
bool try_reserve(int bytes);
void reserve_with_retry(int bytes) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (try_reserve(bytes))
      break;
    (void)lastword::make<Item>();
    lastword::collect();
  }
}

// A hand-written visitor that calls its callable in a loop runs the lambda
// once per element, like the standard algorithms.
struct Sheet {
  std::vector<Item *> rows;
  template <class Fn> void for_each_row(Fn &&fn) {
    for (size_t i = 0; i < rows.size(); ++i)
      fn(rows[i]);
  }
  template <class Fn> void find_row(int payload, Fn &&fn) {
    for (Item *row : rows)
      if (row->payload == payload) {
        fn(row);
        return;
      }
  }
  template <class Fn> void timed(Fn &&fn) { fn(rows.front()); }
};
void recalculate(Sheet &sheet) {
  sheet.for_each_row([](Item *row) {
    process(*row);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection for every element: 'Sheet::for_each_row' runs this lambda once per element: 'lastword::collect' stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'Sheet::for_each_row' is called here
    // CHECK-MESSAGES: :[[@LINE-18]]:5: note: 'Sheet::for_each_row' calls the lambda on every iteration of this loop
  });
  // Called once, or once on a match: silent.
  sheet.find_row(7, [](Item *row) { process(*row); lastword::collect(); });
  sheet.timed([](Item *row) { process(*row); lastword::collect(); });
}

// The ranges algorithms are loops too.
#include <ranges>
void per_element_ranges(std::vector<Item> &items) {
  std::ranges::for_each(items, [](Item &item) {
    process(item);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection for every element: 'std::ranges::for_each' runs this lambda once per element
  });
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'std::ranges::for_each' is called here
}

// A std::unique_ptr declared in the body runs its deleter every iteration.
#include <memory>
struct Scratch { int bytes; };
struct ReleaseScratch {
  void operator()(Scratch *s) const { delete s; lastword::collect(); }
};
void render_pages(int pages) {
  for (int page = 0; page < pages; ++page) {
    std::unique_ptr<Scratch, ReleaseScratch> scratch(new Scratch{page});
    // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: full collection on every iteration of this loop: 'ReleaseScratch::operator()' calls 'lastword::collect', which stops the world
    // CHECK-MESSAGES: :[[@LINE-2]]:46: note: 'scratch' is destroyed at the end of its scope
    // CHECK-MESSAGES: :[[@LINE-7]]:49: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the loop starts here
    process(*next_item());
  }
  // The default deleter does not collect.
  for (int page = 0; page < pages; ++page) {
    std::unique_ptr<Scratch> plain(new Scratch{page});
    process(*next_item());
  }
}

// A visitor taking a std::function, calling it for the elements a filter
// picks: once per picked element.
#include <functional>
static void for_each_dirty(std::vector<Item *> &items, const std::function<void(Item *)> &fn) {
  for (Item *item : items)
    if (item->payload > 0)
      fn(item);
}
// Near misses: the visitor paces its calls (`%`, a counter), or stops at the
// first match.
static void every_hundredth(std::vector<Item *> &items, const std::function<void(Item *)> &fn) {
  for (size_t i = 0; i < items.size(); ++i)
    if (i % 100 == 0)
      fn(items[i]);
}
static void in_batches(std::vector<Item *> &items, const std::function<void(Item *)> &fn) {
  int since = 0;
  for (Item *item : items) {
    ++since;
    if (since >= 64) {
      fn(item);
      since = 0;
    }
  }
}
static void first_dirty(std::vector<Item *> &items, const std::function<void(Item *)> &fn) {
  for (Item *item : items)
    if (item->payload > 0) {
      fn(item);
      break;
    }
}
void flush(std::vector<Item *> &items) {
  for_each_dirty(items, [](Item *item) {
    process(*item);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection for every element: 'for_each_dirty' runs this lambda once per element
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'for_each_dirty' is called here
    // CHECK-MESSAGES: :[[@LINE-34]]:3: note: 'for_each_dirty' calls the lambda on every iteration of this loop
  });
  every_hundredth(items, [](Item *item) { process(*item); lastword::collect(); });
  in_batches(items, [](Item *item) { process(*item); lastword::collect(); });
  first_dirty(items, [](Item *item) { process(*item); lastword::collect(); });
}

// Element filters in the loop itself: the work, collection included, runs
// for every element the condition picks.
struct Tile {
  bool dirty = false;
  long bytes = 0;
};
void redraw(Tile &);
void redraw_dirty(std::vector<Tile *> &tiles) {
  for (Tile *tile : tiles) {
    if (!tile->dirty)
      continue;
    redraw(*tile);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop
    // CHECK-MESSAGES: :[[@LINE-5]]:9: note: the collection runs for every element this condition lets through
    // CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
  }
}
void redraw_dirty_indexed(std::vector<Tile> &tiles) {
  for (size_t i = 0; i < tiles.size(); ++i) {
    Tile &tile = tiles[i];
    if (tile.dirty) {
      redraw(tile);
      lastword::collect();
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: full collection on every iteration of this loop
      // CHECK-MESSAGES: :[[@LINE-4]]:9: note: the collection runs for every element this condition lets through
      // CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
    }
  }
}
void redraw_each_dirty(std::vector<Tile> &tiles) {
  std::for_each(tiles.begin(), tiles.end(), [](Tile &tile) {
    if (!tile.dirty)
      return;
    redraw(tile);
    lastword::collect();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection for every element: 'std::for_each' runs this lambda once per element
  });
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'std::for_each' is called here
}
// Near misses: the condition decides only whether to collect, counts, looks
// at something other than the element, or ends the loop.
bool heap_is_large();
void redraw_checked(std::vector<Tile *> &tiles) {
  for (Tile *tile : tiles) {
    redraw(*tile);
    if (tile->bytes > (1L << 24))
      lastword::collect();
  }
  unsigned since = 0;
  for (Tile *tile : tiles) {
    if (!tile->dirty || ++since < 100)
      continue;
    since = 0;
    redraw(*tile);
    lastword::collect();
  }
  for (Tile *tile : tiles) {
    if (!heap_is_large())
      continue;
    redraw(*tile);
    lastword::collect();
  }
  for (Tile *tile : tiles) {
    if (tile->dirty) {
      redraw(*tile);
      lastword::collect();
      return;
    }
  }
}

// Waiting for the finalizers after each item's collection does not pace the
// batch: it makes every item pay a collection and a wait.
#include <optional>
struct PrintJob {
  int pages = 0;
};
std::optional<PrintJob> next_job();
bool render(const PrintJob &);
static void release_buffers() {
  lastword::collect();
  lastword::wait_for_finalizers(std::chrono::milliseconds(200));
}
int drain_jobs() {
  int printed = 0;
  while (auto job = next_job()) {
    if (!render(*job))
      continue;
    ++printed;
    release_buffers();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'release_buffers' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-11]]:3: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-6]]:9: note: the collection runs for every element this condition lets through
    // CHECK-MESSAGES: :[[@LINE-8]]:3: note: the loop starts here
  }
  return printed;
}

// A callable kept in a field runs what the code stores there: a tick that
// collects, called for every element.
struct Ticker {
  std::function<void()> tick;
  std::function<void()> idle;
};
void install_ticks(Ticker &t) {
  t.tick = [] { lastword::collect(); };
  t.idle = [] {};
}
void tick_all(Ticker &t, std::vector<Item *> &items) {
  for (Item *item : items) {
    process(*item);
    t.idle();
    t.tick();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: full collection on every iteration of this loop: 'lambda' calls 'lastword::collect', which stops the world and traces the whole heap each time [gc-collect-in-loop]
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the call runs a callable the code stores in 'tick'
    // CHECK-MESSAGES: :[[@LINE-10]]:17: note: 'lastword::collect' collects the whole heap here
    // CHECK-MESSAGES: :[[@LINE-7]]:3: note: the loop starts here
  }
}
