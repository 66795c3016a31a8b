#!/usr/bin/env python3
"""The CI gate end to end (docs/ci.md) on a small CMake project that has a
baseline: configure and build it, run the gate as the docs show, then

  - the unchanged tree passes (exit 0, no finding reported, empty SARIF results);
  - an unrelated edit above a known finding still passes;
  - a newly introduced bug fails the gate (exit 1) with that finding only, in
    the text report and in the SARIF (which is valid against the 2.1.0 schema);
  - the same run as three shards, merged, is the same SARIF.

usage: run_gate_test.py --lastword L --source DIR --work DIR --cxx CXX
                        --include RUNTIME_INCLUDE --schema SCHEMA [--generator G] [--cmake CMAKE]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GATE = ["--baseline=lastword-baseline.json", "--warnings-as-errors=gc-*"]


def fail(message):
    sys.stderr.write("gate-test: FAIL: " + message + "\n")
    sys.exit(1)


def run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def gate(args, project, extra=()):
    return run([args.lastword, "-p", "build"] + GATE + list(extra), project)


def sarif_results(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["runs"][0]["results"]


def validate(args, path):
    code, out, err = run([sys.executable, os.path.join(os.path.dirname(HERE), "sarif", "validate_sarif.py"),
                          args.schema, path], HERE)
    if code != 0:
        fail("%s is not valid SARIF:\n%s%s" % (path, out, err))


def diagnostics(text):
    return [line for line in text.splitlines() if ": warning: " in line or ": error: " in line]


def main():
    parser = argparse.ArgumentParser()
    for name in ("--lastword", "--source", "--work", "--cxx", "--include", "--schema"):
        parser.add_argument(name, required=True)
    parser.add_argument("--generator", default="Ninja")
    parser.add_argument("--cmake", default="cmake")
    args = parser.parse_args()
    for name in ("lastword", "source", "work", "include", "schema"):
        setattr(args, name, os.path.abspath(getattr(args, name)))

    project = os.path.join(args.work, "sample")
    shutil.rmtree(args.work, ignore_errors=True)
    shutil.copytree(args.source, project)
    code, out, err = run([args.cmake, "-S", ".", "-B", "build", "-G", args.generator,
                          "-DCMAKE_CXX_COMPILER=" + args.cxx, "-DLASTWORD_INCLUDE=" + args.include], project)
    if code != 0:
        fail("the sample does not configure:\n" + out + err)
    code, out, err = run([args.cmake, "--build", "build"], project)
    if code != 0:
        fail("the sample does not build:\n" + out + err)

    # The unchanged tree passes.
    code, out, err = gate(args, project, ["--format=sarif", "--output=lastword.sarif"])
    if code != 0 or diagnostics(out):
        fail("the unchanged tree does not pass (exit %d):\n%s%s" % (code, out, err))
    if "0 new finding(s) in 3 file(s), 2 in the baseline" not in err:
        fail("the summary does not count the 2 known findings:\n" + err)
    validate(args, os.path.join(project, "lastword.sarif"))
    if sarif_results(os.path.join(project, "lastword.sarif")):
        fail("the unchanged tree's SARIF has results")
    print("ok: the unchanged tree passes the gate; its 2 known findings are in the baseline")

    # An unrelated edit moves a known finding down: still known.
    importer = os.path.join(project, "src", "importer.cpp")
    with open(importer, encoding="utf-8") as f:
        text = f.read()
    with open(importer, "w", encoding="utf-8") as f:
        f.write(text.replace("void parse_record", "#include <cstddef>\n\nstd::size_t records_seen();\nvoid parse_record"))
    code, out, err = gate(args, project)
    if code != 0 or diagnostics(out):
        fail("an unrelated edit fails the gate (exit %d):\n%s%s" % (code, out, err))
    print("ok: an unrelated edit above a known finding still passes")

    # A new bug fails the gate, alone.
    with open(os.path.join(project, "src", "cache.cpp"), "a", encoding="utf-8") as f:
        f.write("\n// New: a full collection per dropped entry.\n"
                "void drop_all(Entry **entries, int n) {\n"
                "  for (int i = 0; i < n; ++i) {\n"
                "    entries[i]->fd = -1;\n"
                "    lastword::collect();\n"
                "  }\n"
                "}\n")
    code, out, err = gate(args, project, ["--format=sarif", "--output=lastword.sarif"])
    found = diagnostics(out)
    if code != 1:
        fail("the new bug does not fail the gate (exit %d):\n%s%s" % (code, out, err))
    if len(found) != 1 or "cache.cpp:21:5: error: full collection on every iteration" not in found[0]:
        fail("the report is not the new finding only:\n" + out)
    validate(args, os.path.join(project, "lastword.sarif"))
    results = sarif_results(os.path.join(project, "lastword.sarif"))
    names = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results]
    if names != ["drop_all"] or results[0]["level"] != "error":
        fail("the SARIF is not the new finding only: %s" % json.dumps(results, indent=1))
    print("ok: a new bug fails the gate with exit 1, and only it is reported (text and SARIF)")

    # Three shards, merged: the same report.
    shards = []
    for k in (1, 2, 3):
        shard = "lastword-%d.sarif" % k
        code, out, err = gate(args, project, ["--shard=%d/3" % k, "--format=sarif", "--output=" + shard])
        if code not in (0, 1):
            fail("shard %d/3 did not run (exit %d):\n%s%s" % (k, code, out, err))
        shards.append(shard)
    code, out, err = run([args.lastword, "merge", "-o", "merged.sarif"] + shards, project)
    if code != 0:
        fail("merge failed:\n" + err)
    with open(os.path.join(project, "merged.sarif"), encoding="utf-8") as f:
        merged = f.read()
    with open(os.path.join(project, "lastword.sarif"), encoding="utf-8") as f:
        whole = f.read()
    if merged != whole:
        fail("the merged shards differ from the single run")
    print("ok: three shards merged are the single run's SARIF")


if __name__ == "__main__":
    main()
