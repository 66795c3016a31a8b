// The fixed batch import: one collection after the batch (or none at all:
// the collector paces itself).
#include <lastword/gc.hpp>

#include <cstdio>
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
    Record *record = lastword::make<Record>();
    record->name = name;
    record->next = index_head.get();
    index_head = record;
  }
  lastword::collect();
}

int main() {
  std::vector<std::string> names(300, "record");
  const auto before = lastword::get_stats().collections;
  import(names);
  const auto collections = lastword::get_stats().collections - before;
  std::printf("%zu records, %llu full collections\n", names.size(),
              static_cast<unsigned long long>(collections));
  return collections >= names.size() ? 1 : 0;
}
