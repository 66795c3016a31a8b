#include "collect_api.h"
void batch(int n) {
  for (int i = 0; i < n; ++i) {
    lastword::collect();
    process(i);
  }
}
