void run(int n) {
  for (int i = 0; i < n; ++i
    this is not C++
}
