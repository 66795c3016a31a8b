namespace lastword { void collect(); } void process(int);
void run(int n) {
  for (int i = 0; i < n; ++i) {
  /* é😀 */ lastword::collect();
    process(i);
  }
}
