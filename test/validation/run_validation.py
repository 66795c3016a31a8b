#!/usr/bin/env python3
"""One validation case: the program's behaviour on a real collector and
lastword's verdict on its source must agree.

  bad:  the program exits 1 (the bug happened) and lastword reports --check
  good: the program exits 0 (no bug) and lastword reports nothing for --check
and, when the source names them, the collector's own debug reports agree.
With `VALIDATION-RUNS: N` in the source the program runs N times: the bad one
must misbehave in at least 95% of the runs, the good one in none. --no-lint
checks the program's behaviour only (a demonstration of the runtime).
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
    p.add_argument("--lastword")
    p.add_argument("--no-lint", action="store_true")
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
    runs = int(directives("VALIDATION-RUNS")[0]) if directives("VALIDATION-RUNS") else 1

    env = dict(os.environ)
    for assignment in env_assignments:
        key, _, value = assignment.partition("=")
        env[key.strip()] = value.strip()
    want_exit = 1 if a.kind == "bad" else 0
    failures = []
    as_wanted = 0
    for run_index in range(runs):
        try:
            run = subprocess.run([a.program], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, timeout=90)
            code, out, err = run.returncode, run.stdout, run.stderr
        except subprocess.TimeoutExpired as timeout:
            code, out, err = "timeout", timeout.stdout or "", timeout.stderr or ""
        if code == want_exit:
            as_wanted += 1
        elif a.kind == "good" or runs == 1:
            failures.append("%s program exited %s, expected %d (%s)" % (
                a.kind, code, want_exit,
                "the bug did not show on the collector" if a.kind == "bad" else "the fixed code misbehaves"))
        if run_index == 0 or code != want_exit:
            sys.stdout.write("run %d: program exit: %s\n--- stdout\n%s--- stderr\n%s" % (run_index + 1, code, out, err))
        for pattern in stderr_patterns:
            found = re.search(pattern, err) is not None
            if a.kind == "bad" and not found and (runs == 1 or code == want_exit):
                failures.append("the collector did not report /%s/ on stderr" % pattern)
            if a.kind == "good" and found:
                failures.append("the collector reported /%s/ on the fixed program" % pattern)
    if runs > 1:
        sys.stdout.write("%s program behaved as expected in %d of %d runs\n" % (a.kind, as_wanted, runs))
        if a.kind == "bad" and as_wanted * 100 < 95 * runs:
            failures.append("the bug showed in %d of %d runs, fewer than 95%%" % (as_wanted, runs))

    failures = list(dict.fromkeys(failures))
    if a.no_lint:
        for failure in failures:
            sys.stdout.write("FAIL: %s\n" % failure)
        if failures:
            sys.exit(1)
        sys.stdout.write("ok: %s %s (runtime only)\n" % (a.check, a.kind))
        return

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

    failures = list(dict.fromkeys(failures))
    for failure in failures:
        sys.stdout.write("FAIL: %s\n" % failure)
    if failures:
        sys.exit(1)
    sys.stdout.write("ok: %s %s\n" % (a.check, a.kind))


if __name__ == "__main__":
    main()
