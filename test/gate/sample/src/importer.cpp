#include <lastword/gc.hpp>
#include <string>
#include <vector>

void parse_record(const std::string &line);

// Known finding (in the baseline): a full collection per record.
void import_all(const std::vector<std::string> &lines) {
  for (const std::string &line : lines) {
    parse_record(line);
    lastword::collect();
  }
}
