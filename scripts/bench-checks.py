#!/usr/bin/env python3
"""Benchmark: the cost of the gc-* checks over a plain parse.

For each file it times (best of N runs) and measures the peak memory of
  parse:    clang++-19 -fsyntax-only (what any clang-tidy run pays)
  tidy:     clang-tidy-19 with one trivial built-in check (the framework's own cost)
  lastword: the lastword driver with every gc-* check
  plugin:   clang-tidy-19 --load=the plugin with every gc-* check
and prints the ratios to the plain parse. A benchmark, not a test: it never
fails on a number.

usage: bench-checks.py [--build-dir build] [--runs 3] [files...]
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import time


def measure(cmd, runs):
    best, peak = None, 0
    for _ in range(runs):
        pid_start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - pid_start
        best = elapsed if best is None else min(best, elapsed)
        peak = max(peak, usage.ru_maxrss)
    return best, peak / 1024.0


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser()
    p.add_argument("--build-dir", default=os.path.join(root, "build"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(root, "examples", "*.cpp")) +
                              glob.glob(os.path.join(root, "runtime", "src", "*.cpp")) +
                              glob.glob(os.path.join(root, "test", "checks", "gc-*.cpp")))
    flags = ["-std=c++20", "-I" + os.path.join(root, "runtime", "include"),
             "-I" + os.path.join(root, "test", "checks", "Inputs")]
    driver = os.path.join(a.build_dir, "checks", "lastword")
    plugin = os.path.join(a.build_dir, "checks", "LastwordTidyModule.so")
    totals = {"parse": [0, 0], "tidy": [0, 0], "lastword": [0, 0], "plugin": [0, 0]}
    print("%-40s %8s %8s %8s %8s %8s %8s" % ("file", "parse s", "tidy s", "lastword", "plugin",
                                             "/parse", "mem x"))
    for f in files:
        parse = measure(["clang++-19", "-fsyntax-only"] + flags + [f], a.runs)
        tidy = measure(["clang-tidy-19", "--checks=-*,misc-unused-alias-decls", "--quiet", f, "--"]
                       + flags, a.runs)
        lint = measure([driver, "--quiet", f, "--"] + flags, a.runs)
        plug = measure(["clang-tidy-19", "--load=" + plugin, "--checks=-*,gc-*", "--quiet", f, "--"] + flags,
                       a.runs)
        for key, value in (("parse", parse), ("tidy", tidy), ("lastword", lint), ("plugin", plug)):
            totals[key][0] += value[0]
            totals[key][1] = max(totals[key][1], value[1])
        print("%-40s %8.3f %8.3f %8.3f %8.3f %8.2f %8.2f" % (
            os.path.relpath(f, root)[-40:], parse[0], tidy[0], lint[0], plug[0],
            lint[0] / parse[0], lint[1] / parse[1]))
    print()
    print("total: parse %.2f s, clang-tidy alone %.2f s (x%.2f), lastword %.2f s (x%.2f), "
          "plugin %.2f s (x%.2f)" % (
              totals["parse"][0], totals["tidy"][0], totals["tidy"][0] / totals["parse"][0],
              totals["lastword"][0], totals["lastword"][0] / totals["parse"][0],
              totals["plugin"][0], totals["plugin"][0] / totals["parse"][0]))
    print("the gc-* checks themselves: x%.2f over clang-tidy alone" % (
        totals["lastword"][0] / totals["tidy"][0]))
    print("peak memory: parse %.0f MiB, lastword %.0f MiB (x%.2f)" % (
        totals["parse"][1], totals["lastword"][1], totals["lastword"][1] / totals["parse"][1]))


if __name__ == "__main__":
    main()
