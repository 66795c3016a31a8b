#!/usr/bin/env python3
"""One validation case: the program's behaviour on a real collector and
lastword's verdict on its source must agree.

  bad:  the program exits 1 (the bug happened) and lastword reports --check
  good: the program exits 0 (no bug) and lastword reports nothing for --check
and, when the source names them, the collector's own debug reports agree.
"""
import argparse
import os
import re
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--program", required=True)
    p.add_argument("--kind", choices=["bad", "good"], required=True)
    p.add_argument("--check", required=True)
    p.add_argument("--api", default="lastword")
    p.add_argument("--lastword", required=True)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--source", required=True)
    a = p.parse_args()
    # Read from the source at run time, so that editing them needs no reconfigure:
    # `VALIDATION-ENV: K=V` sets the program's environment; `VALIDATION-STDERR:
    # <regex>` is what the collector's own detector (a LASTWORD_GCDEBUG report)
    # must say for the bad program, and not for the good one.
    with open(a.source, encoding="utf-8") as f:
        lines = f.read().splitlines()
    def directives(name):
        return [line.split(name + ":", 1)[1].strip() for line in lines if name + ":" in line]
    env_assignments = directives("VALIDATION-ENV")
    stderr_patterns = directives("VALIDATION-STDERR")

    env = dict(os.environ)
    for assignment in env_assignments:
        key, _, value = assignment.partition("=")
        env[key.strip()] = value.strip()
    want_exit = 1 if a.kind == "bad" else 0
    try:
        run = subprocess.run([a.program], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=90)
        code, out, err = run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired as timeout:
        code, out, err = "timeout", timeout.stdout or "", timeout.stderr or ""
    sys.stdout.write("program exit: %s\n--- stdout\n%s--- stderr\n%s" % (code, out, err))
    failures = []
    if code != want_exit:
        failures.append("%s program exited %s, expected %d (%s)" % (
            a.kind, code, want_exit,
            "the bug did not show on the collector" if a.kind == "bad" else "the fixed code misbehaves"))

    for pattern in stderr_patterns:
        found = re.search(pattern, err) is not None
        if a.kind == "bad" and not found:
            failures.append("the collector did not report /%s/ on stderr" % pattern)
        if a.kind == "good" and found:
            failures.append("the collector reported /%s/ on the fixed program" % pattern)

    cmd = [a.lastword, "-p", a.build_dir, "--checks=-*," + a.check, "--quiet"]
    if a.api != "lastword":
        cmd.append("--config={CheckOptions: {Api: %s}}" % a.api)
    cmd.append(a.source)
    lint = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sys.stdout.write("$ %s\n%s%s" % (" ".join(cmd), lint.stdout, lint.stderr))
    if lint.returncode != 0:
        failures.append("lastword exited %d" % lint.returncode)
    reported = ("[%s]" % a.check) in lint.stdout
    if a.kind == "bad" and not reported:
        failures.append("lastword did not report %s on the buggy program" % a.check)
    if a.kind == "good" and reported:
        failures.append("lastword reported %s on the fixed program" % a.check)

    for failure in failures:
        sys.stdout.write("FAIL: %s\n" % failure)
    if failures:
        sys.exit(1)
    sys.stdout.write("ok: %s %s\n" % (a.check, a.kind))


if __name__ == "__main__":
    main()
