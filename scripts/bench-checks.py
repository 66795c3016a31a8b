#!/usr/bin/env python3
"""Benchmark: the cost of the gc-* checks over a plain parse.

For each file it times (best CPU time of N runs) and measures the peak memory of
  parse:    clang++-19 -fsyntax-only (what any clang-tidy run pays)
  tidy:     clang-tidy-19 with one trivial built-in check (the framework's own cost)
  lastword: the lastword driver with every gc-* check
  plugin:   clang-tidy-19 --load=the plugin with every gc-* check
and prints the ratios to the plain parse. Then, unless --no-scaling, it
generates one function with 1, 100 and 1000 finalizer registrations (each
with its own object, a holder filled with another object and a capture the
check must judge) and prints the same ratios for each size: the checks'
per-function layer must stay linear in the registrations of a function.
A benchmark, not a test: it never fails on a number.

usage: bench-checks.py [--build-dir build] [--runs 3] [--no-scaling | --scaling-only] [files...]
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import tempfile

SCALING_SIZES = (1, 100, 1000)


def registrations_source(count):
    """One function with `count` registrations, silent under every gc-* check."""
    lines = [
        "#include <lastword/gc.hpp>",
        "#include <vector>",
        "void release(int fd);",
        "struct Res { int fd = -1; void close(); };",
        "struct Pool { lastword::member<Res> conn; std::vector<Res *> idle; };",
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
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def measure(cmd, runs):
    """Best CPU time (user + system) of `runs` runs, and peak memory in MiB.

    CPU time rather than wall time: the machines this runs on are shared,
    and waiting for a core is not the checks' cost."""
    best, peak = None, 0
    for _ in range(runs):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = usage.ru_utime + usage.ru_stime
        best = elapsed if best is None else min(best, elapsed)
        peak = max(peak, usage.ru_maxrss)
    return best, peak / 1024.0


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser()
    p.add_argument("--build-dir", default=os.path.join(root, "build"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-scaling", action="store_true",
                   help="skip the generated 1/100/1000-registration case")
    p.add_argument("--scaling-only", action="store_true",
                   help="run only the generated 1/100/1000-registration case")
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(root, "examples", "*.cpp")) +
                              glob.glob(os.path.join(root, "runtime", "src", "*.cpp")) +
                              glob.glob(os.path.join(root, "test", "checks", "gc-*.cpp")))
    flags = ["-std=c++20", "-I" + os.path.join(root, "runtime", "include"),
             "-I" + os.path.join(root, "test", "checks", "Inputs")]
    driver = os.path.join(a.build_dir, "checks", "lastword")
    plugin = os.path.join(a.build_dir, "checks", "LastwordTidyModule.so")
    if not a.scaling_only:
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
    if a.no_scaling:
        return
    print()
    print("registrations in one function (generated):")
    with tempfile.TemporaryDirectory() as tmp:
        for count in SCALING_SIZES:
            f = os.path.join(tmp, "registrations_%d.cpp" % count)
            with open(f, "w") as out:
                out.write(registrations_source(count))
            parse = measure(["clang++-19", "-fsyntax-only"] + flags + [f], a.runs)
            lint = measure([driver, "--quiet", f, "--"] + flags, a.runs)
            plug = measure(["clang-tidy-19", "--load=" + plugin, "--checks=-*,gc-*", "--quiet", f,
                            "--"] + flags, a.runs)
            print("  %5d registrations: parse %.3f s, lastword %.3f s (x%.2f), plugin %.3f s (x%.2f)"
                  % (count, parse[0], lint[0], lint[0] / parse[0], plug[0], plug[0] / parse[0]))


if __name__ == "__main__":
    main()
