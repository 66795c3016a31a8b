#!/usr/bin/env python3
"""Benchmark: what the gc-* checks cost over a plain parse, in time and memory.

In one run, on the same inputs, it measures (the least CPU time of N runs,
the tools taking turns run by run, and the median peak memory):
  parse     clang++-19 -fsyntax-only                     (what every tool pays)
  floor     clang-tidy-19 -checks=-*,readability-identifier-length
                                                         (clang-tidy's own cost)
  bugprone  clang-tidy-19 -checks=-*,bugprone-*          (a built-in module, for comparison)
  plugin    clang-tidy-19 --load=the plugin -checks=-*,gc-*
  lastword  the lastword driver with every gc-* check
over these inputs:
  examples      the bundled examples/*.cpp
  generated     one translation unit at 1x, 4x and 16x size: many collected
                types, finalizers, cleanups, handle uses, loops and helpers
  heavy         one translation unit that includes a large part of the
                standard library, with a little collector code
  registrations one function with 1, 100 and 1000 finalizer registrations
  cache         lastword --cache-dir on the generated 4x unit: the first run
                (empty cache) against a second run over the unchanged file
                (target: the second at least 10x faster)
and prints the ratios to the plain parse (and the plugin's to the floor),
whether the targets hold (lastword <= x1.15 time and <= x1.10 peak memory of
the parse; plugin <= x1.15 of the floor) and whether the checks' own cost
grows linearly from 1x to 16x.
A benchmark, not a test: it never fails on a number.

usage: bench-checks.py [--build-dir build] [--runs 3]
                       [--only examples,generated,heavy,registrations,cache] [files...]
Files named on the command line replace the bundled examples.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile

TIME_TARGET, MEMORY_TARGET, PLUGIN_TARGET = 1.15, 1.10, 1.15
GENERATED_SCALES = (1, 4, 16)
UNITS_PER_SCALE = 24
REGISTRATION_COUNTS = (1, 100, 1000)
TOOLS = ("parse", "floor", "bugprone", "plugin", "lastword")


def generated_source(units):
    """A translation unit of `units` modules, silent under every gc-* check."""
    out = [
        "#include <lastword/gc.hpp>",
        "#include <functional>",
        "#include <string>",
        "#include <vector>",
        "#include <unistd.h>",
        "int read_byte(int fd);",
        "void log_line(const std::string &);",
    ]
    for i in range(units):
        out += [
            "namespace m%d {" % i,
            "struct Node { lastword::member<Node> next; int value = 0;",
            "  void trace(lastword::tracer &t) const { t.visit(next); } };",
            "struct File { int fd = -1; std::string path; lastword::member<Node> head;",
            "  void trace(lastword::tracer &t) const { t.visit(head); }",
            "  void close() { if (fd >= 0) ::close(fd); fd = -1; } };",
            "struct Buffer { std::vector<char> bytes; };",
            "File *open_file(const std::string &path, int fd) {",
            "  File *f = lastword::make<File>();",
            "  f->fd = fd; f->path = path;",
            "  lastword::set_finalizer(f, [](File *self) { self->close(); });",
            "  return f;",
            "}",
            "Buffer *make_buffer(int n) {",
            "  Buffer *b = lastword::make<Buffer>();",
            "  b->bytes.resize(n);",
            "  lastword::add_cleanup(b, [](int fd) { if (fd >= 0) ::close(fd); }, n - 1);",
            "  return b;",
            "}",
            "int first_byte(File *f) {",
            "  int fd = f->fd;",
            "  int c = read_byte(fd);",
            "  lastword::keep_alive(f);",
            "  return c;",
            "}",
            "int sum(Node *n) { int s = 0; for (; n; n = n->next) s += n->value; return s; }",
            "void build(File *f, int count) {",
            "  for (int k = 0; k < count; ++k) {",
            "    Node *n = lastword::make<Node>();",
            "    n->value = k; n->next = f->head; f->head = n;",
            "    if (k % 1000 == 999) log_line(f->path);",
            "  }",
            "}",
            "struct Visitor { virtual ~Visitor() = default; virtual void on(File *) = 0; };",
            "struct Counter : Visitor { int seen = 0; void on(File *f) override { seen += f->fd >= 0; } };",
            "template <class T> T *make_named(const std::string &name) {",
            "  T *t = lastword::make<T>(); log_line(name); return t;",
            "}",
            "int run(const std::vector<std::string> &paths) {",
            "  Counter c; int total = 0;",
            "  for (const std::string &p : paths) {",
            "    File *f = open_file(p, static_cast<int>(p.size()));",
            "    build(f, 10); c.on(f); total += first_byte(f) + sum(f->head);",
            "  }",
            "  Node *n = make_named<Node>(\"n\"); (void)n;",
            "  lastword::collect();",
            "  return total + c.seen;",
            "}",
            "} // namespace m%d" % i,
        ]
    return "\n".join(out) + "\n"


HEAVY_HEADERS = ("algorithm", "any", "array", "atomic", "bitset", "chrono", "complex",
                 "condition_variable", "deque", "filesystem", "fstream", "functional",
                 "future", "iomanip", "iostream", "list", "map", "memory", "mutex",
                 "numeric", "optional", "queue", "random", "regex", "set", "shared_mutex",
                 "sstream", "stack", "string", "string_view", "thread", "tuple",
                 "unordered_map", "unordered_set", "valarray", "variant", "vector")


def heavy_source():
    out = ["#include <%s>" % h for h in HEAVY_HEADERS]
    out += ["#include <lastword/gc.hpp>",
            "struct Doc { std::map<std::string, std::vector<int>> index; std::regex pattern{\"a+\"}; };",
            "Doc *load(const std::string &text) {",
            "  Doc *d = lastword::make<Doc>();",
            "  std::istringstream in(text); std::string w; int k = 0;",
            "  while (in >> w) d->index[w].push_back(k++);",
            "  lastword::set_finalizer(d, [](Doc *self) { self->index.clear(); });",
            "  return d;",
            "}",
            "int main() { auto f = std::async([] { return load(\"a b a\")->index.size(); });",
            "  std::cout << f.get() << std::endl; }"]
    return "\n".join(out) + "\n"


def registrations_source(count):
    """One function with `count` registrations, silent under every gc-* check."""
    lines = [
        "#include <lastword/gc.hpp>",
        "#include <vector>",
        "void release(int fd);",
        "struct Res { int fd = -1; void close(); };",
        "struct Pool { lastword::member<Res> conn; std::vector<lastword::member<Res>> idle;",
        "  void trace(lastword::tracer &t) const { t.visit(conn); for (auto &m : idle) t.visit(m); } };",
        "void many(Res *other, int mode) {",
    ]
    for i in range(count):
        lines += [
            "  Res *r%d = lastword::make<Res>();" % i,
            "  Pool *p%d = lastword::make<Pool>();" % i,
            "  p%d->conn = other;" % i,
            "  if (mode & %d) p%d->idle.push_back(other);" % (1 << (i % 8), i),
            "  lastword::set_finalizer(r%d, [p%d, fd = r%d->fd](Res *self) {" % (i, i, i),
            "    (void)p%d; self->close(); release(fd);" % i,
            "  });",
            "  r%d->close();" % i,
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def measure_once(cmd):
    """CPU time (user + system) and peak memory (MiB) of one run.

    CPU time rather than wall time: the machines this runs on are shared, and
    waiting for a core is not the tool's cost."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def measure(commands, runs):
    """The least CPU time and the median peak memory of each command over
    `runs` runs. The commands take turns run by run, so a slow spell of a
    shared machine falls on all of them; and the least time, because other
    work on the machine only ever adds to a run's CPU time (cache misses,
    a descheduled core), never takes from it."""
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(measure_once(cmd))
    return {name: (min(t for t, _ in s), statistics.median(m for _, m in s))
            for name, s in samples.items()}


class Bench:
    def __init__(self, build_dir, flags, runs):
        driver = os.path.join(build_dir, "checks", "lastword")
        plugin = os.path.join(build_dir, "checks", "LastwordTidyModule.so")
        for path in (driver, plugin):
            if not os.path.exists(path):
                sys.exit("bench-checks: %s is missing; build first (bash scripts/build.sh)" % path)
        tidy = ["clang-tidy-19", "--quiet"]
        self.commands = {
            "parse": lambda f: ["clang++-19", "-fsyntax-only"] + flags + [f],
            "floor": lambda f: tidy + ["--checks=-*,readability-identifier-length", f, "--"] + flags,
            "bugprone": lambda f: tidy + ["--checks=-*,bugprone-*", f, "--"] + flags,
            "plugin": lambda f: tidy + ["--load=" + plugin, "--checks=-*,gc-*", f, "--"] + flags,
            "lastword": lambda f: [driver, "--quiet", f, "--"] + flags,
        }
        self.runs = runs
        self.verdicts = []

    def row(self, label, f):
        result = measure({tool: self.commands[tool](f) for tool in TOOLS}, self.runs)
        self.print_row(label, result)
        return result

    def cache_row(self, f, tmp):
        """The result cache: a first run fills it, a second replays it."""
        driver = self.commands["lastword"](f)
        cold, warm = [], []
        for i in range(self.runs):
            cache = os.path.join(tmp, "cache-%d" % i)
            with_cache = driver[:1] + ["--cache-dir=" + cache] + driver[1:]
            cold.append(measure_once(with_cache)[0])
            warm.append(measure_once(with_cache)[0])
        first, second = min(cold), min(warm)
        print("%-30s first run %.3f s, unchanged rerun %.3f s" % ("cache (generated 4x)", first, second))
        self.verdicts.append("cache                      x%.1f faster on an unchanged file: %s"
                             % (first / second, "meets the target" if first >= 10 * second else "MISSES"))

    @staticmethod
    def header():
        print("%-30s %7s %7s %7s %7s %7s | %6s %6s %6s %6s" % (
            "input", "parse", "floor", "bugpr.", "plugin", "lastw.",
            "lw/p", "lwmem", "pl/fl", "bp/p"))

    @staticmethod
    def print_row(label, r):
        print("%-30s %7.3f %7.3f %7.3f %7.3f %7.3f | %6.2f %6.2f %6.2f %6.2f" % (
            label[-30:], r["parse"][0], r["floor"][0], r["bugprone"][0], r["plugin"][0],
            r["lastword"][0], r["lastword"][0] / r["parse"][0],
            r["lastword"][1] / r["parse"][1], r["plugin"][0] / r["floor"][0],
            r["bugprone"][0] / r["parse"][0]))

    def judge(self, label, r):
        time = r["lastword"][0] / r["parse"][0]
        memory = r["lastword"][1] / r["parse"][1]
        plugin = r["plugin"][0] / r["floor"][0]
        ok = time <= TIME_TARGET and memory <= MEMORY_TARGET and plugin <= PLUGIN_TARGET
        self.verdicts.append("%-26s lastword x%.2f time, x%.2f memory; plugin x%.2f of the floor: %s"
                             % (label, time, memory, plugin, "meets the targets" if ok else "MISSES"))


def total(results):
    summed = {}
    for tool in TOOLS:
        summed[tool] = (sum(r[tool][0] for r in results), max(r[tool][1] for r in results))
    return summed


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description="The gc-* checks' cost over a plain parse.")
    p.add_argument("--build-dir", default=os.path.join(root, "build"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--only", default="examples,generated,heavy,registrations,cache",
                   help="comma-separated: examples, generated, heavy, registrations, cache")
    p.add_argument("files", nargs="*", help="replace the bundled examples")
    a = p.parse_args()
    parts = set(a.only.split(","))
    unknown = parts - {"examples", "generated", "heavy", "registrations", "cache"}
    if unknown:
        p.error("unknown --only part(s): " + ", ".join(sorted(unknown)))
    flags = ["-std=c++20", "-I" + os.path.join(root, "runtime", "include"),
             "-I" + os.path.join(root, "test", "checks", "Inputs")]
    bench = Bench(a.build_dir, flags, a.runs)
    print("least CPU seconds of %d runs; lw/p: lastword / parse time, lwmem: lastword / parse "
          "peak memory,\npl/fl: plugin / clang-tidy floor, bp/p: bugprone-* / parse" % a.runs)
    Bench.header()

    if "examples" in parts:
        files = a.files or sorted(glob.glob(os.path.join(root, "examples", "*.cpp")))
        results = [bench.row(os.path.relpath(f, root), f) for f in files]
        if results:
            summed = total(results)
            Bench.print_row("examples, total", summed)
            bench.judge("examples", summed)

    with tempfile.TemporaryDirectory() as tmp:
        def write(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w") as out:
                out.write(text)
            return path

        if "generated" in parts:
            extra = {}
            for scale in GENERATED_SCALES:
                units = scale * UNITS_PER_SCALE
                r = bench.row("generated %2dx (%d modules)" % (scale, units),
                              write("generated_%d.cpp" % scale, generated_source(units)))
                bench.judge("generated %dx" % scale, r)
                extra[scale] = (r["lastword"][0] - r["parse"][0], r["plugin"][0] - r["floor"][0])
            # The checks' own cost per module, 1x->4x against 4x->16x: about 1 when linear.
            lo, mid, hi = GENERATED_SCALES
            for i, who in ((0, "lastword - parse"), (1, "plugin - floor")):
                slope_low = (extra[mid][i] - extra[lo][i]) / (mid - lo)
                slope_high = (extra[hi][i] - extra[mid][i]) / (hi - mid)
                ratio = slope_high / slope_low if slope_low > 0 else float("inf")
                bench.verdicts.append(
                    "growth 1x->16x (%s): %.1f ms per module at 1x-4x, %.1f ms at 4x-16x: %s"
                    % (who, 1000 * slope_low / UNITS_PER_SCALE, 1000 * slope_high / UNITS_PER_SCALE,
                       "linear" if ratio <= 1.5 or slope_high <= 0.002 else "SUPERLINEAR (x%.1f)" % ratio))

        if "heavy" in parts:
            r = bench.row("heavy (std library)", write("heavy.cpp", heavy_source()))
            bench.judge("heavy", r)

        if "registrations" in parts:
            for count in REGISTRATION_COUNTS:
                r = bench.row("%d registrations in one fn" % count,
                              write("registrations_%d.cpp" % count, registrations_source(count)))
                bench.judge("%d registrations" % count, r)

        if "cache" in parts:
            bench.cache_row(write("cached.cpp", generated_source(4 * UNITS_PER_SCALE)), tmp)

    print()
    for line in bench.verdicts:
        print(line)


if __name__ == "__main__":
    main()
