// batch.bad.cpp with the collection after a guard that skips blank names:
// the guard picks the records to import, it does not pace the collections,
// so the batch still pays one full collection per record it imports.
//
// The program fails on what the collector reports the collections cost (the
// runtime's own statistics): the import may stop the world at most `budget`
// times, or for at most `budget` times the pause of one full collection of
// the heap it builds; the bug exceeds both.
#include <lastword/gc.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

struct Record {
  std::string name;
  lastword::member<Record> next;
  void trace(lastword::tracer &t) const { t.visit(next); }
};

lastword::persistent<Record> index_head;

void import(const std::vector<std::string> &names) {
  for (const std::string &name : names) {
    // Blank lines of the export carry nothing to index.
    if (name.empty())
      continue;
    Record *record = lastword::make<Record>();
    record->name = name;
    record->next = index_head.get();
    index_head = record;
    lastword::collect();
  }
}

// The stop-the-world pause of one full collection of the current heap.
std::uint64_t pause_of_one_collection() {
  const std::uint64_t before = lastword::get_stats().total_pause_ns;
  lastword::collect();
  return lastword::get_stats().total_pause_ns - before;
}

int main() {
  constexpr std::uint64_t budget = 10;  // collections, and full collections' worth of pause
  std::vector<std::string> names(300, "record");
  lastword::collect();  // one-time start-up costs are not the import's
  const lastword::stats before = lastword::get_stats();
  import(names);
  const lastword::stats after = lastword::get_stats();
  const std::uint64_t collections = after.collections - before.collections;
  const std::uint64_t paused = after.total_pause_ns - before.total_pause_ns;
  // What one full collection of the heap the import built costs (median of three).
  std::uint64_t pauses[] = {pause_of_one_collection(), pause_of_one_collection(),
                            pause_of_one_collection()};
  std::sort(std::begin(pauses), std::end(pauses));
  const std::uint64_t one = std::max<std::uint64_t>(pauses[1], 1);
  std::printf("%zu records: %llu collections, %.3f ms stopped; one full collection %.3f ms "
              "(x%.1f, budget x%llu)\n",
              names.size(), static_cast<unsigned long long>(collections),
              paused / 1e6, one / 1e6, static_cast<double>(paused) / one,
              static_cast<unsigned long long>(budget));
  // The bug: the import stops the world for far longer than a few collections.
  return collections > budget && paused > budget * one ? 1 : 0;
}
