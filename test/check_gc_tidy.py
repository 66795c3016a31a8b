#!/usr/bin/env python3
"""Runs one gc-* check over a test file and verifies its output with FileCheck.

In the spirit of clang-tidy's check_clang_tidy.py (written anew for lastword):
the test file is plain C++ with expectations in comments,

  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: ... [gc-collect-in-loop]
  // CHECK-MESSAGES: :[[@LINE-4]]:1: note: ...
  // CHECK-FIXES: set_finalizer(r, [](Res *self) { self->close(); });

and every file is run through both shells of the gc module: clang-tidy with
the plugin loaded, and the standalone lastword driver. Both must print the
same findings. A file without CHECK-MESSAGES must produce no warning at all;
with them, any warning not expected fails the test.

usage: check_gc_tidy.py [runner options] <source> <check> <temp> [-- <tool args> [-- <compiler args>]]
"""
import argparse
import os
import re
import shlex
import subprocess
import sys


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    return proc.returncode, proc.stdout, proc.stderr


def fail(message):
    sys.stderr.write("check_gc_tidy: " + message + "\n")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", help="LastwordTidyModule.so")
    parser.add_argument("--clang-tidy", dest="clang_tidy")
    parser.add_argument("--driver", help="the lastword executable")
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("--tools", default="plugin,driver")
    parser.add_argument("--check-suffix", dest="suffixes", action="append", default=[])
    parser.add_argument("--include", dest="includes", action="append", default=[],
                        help="include directory passed to the compiler")
    parser.add_argument("source")
    parser.add_argument("check")
    parser.add_argument("temp")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    args = parser.parse_args(argv)
    tool_args, compiler_args = extra, []
    if "--" in extra:
        at = extra.index("--")
        tool_args, compiler_args = extra[:at], extra[at + 1:]
    if not any(a.startswith("-std=") for a in compiler_args):
        compiler_args.append("-std=c++20")
    compiler_args += ["-I" + d for d in args.includes]

    with open(args.source, encoding="utf-8") as f:
        original = f.read()
    suffixes = args.suffixes or [""]
    message_prefixes = ["CHECK-MESSAGES" + ("-" + s if s else "") for s in suffixes]
    fix_prefixes = ["CHECK-FIXES" + ("-" + s if s else "") for s in suffixes]
    has_messages = any(re.search(r"\b" + re.escape(p) + r":", original) for p in message_prefixes)
    has_fixes = any(re.search(r"\b" + re.escape(p) + r":", original) for p in fix_prefixes)
    # Keep line numbers, drop the expectation text so fixes are not matched against it.
    cleaned = re.sub(r"// *CHECK-[A-Z0-9\-]*:[^\r\n]*", "//", original)

    outputs = {}
    for tool in [t for t in args.tools.split(",") if t]:
        temp = "%s.%s.cpp" % (args.temp, tool)
        with open(temp, "w", encoding="utf-8") as f:
            f.write(cleaned)
        checks = "--checks=-*," + args.check
        if tool == "plugin":
            cmd = [args.clang_tidy, "--load=" + args.plugin, checks]
        elif tool == "driver":
            cmd = [args.driver, checks]
        else:
            fail("unknown tool " + tool)
        if has_fixes:
            cmd.append("--fix")
        cmd += tool_args + [temp, "--"] + compiler_args
        code, out, err = run(cmd)
        sys.stdout.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + out + err)
        if code != 0:
            fail("%s exited with %d" % (tool, code))
        # Diagnostics only: drop clang-tidy's progress lines.
        diagnostics = "\n".join(l for l in out.splitlines()
                                if re.match(r"^.*:\d+:\d+: (warning|error|note):", l))
        outputs[tool] = diagnostics.replace(temp, "FILE")
        messages_file = temp + ".msg"
        with open(messages_file, "w", encoding="utf-8") as f:
            f.write(out)
        if has_messages:
            code, fc_out, fc_err = run([args.filecheck, "-input-file=" + messages_file, args.source,
                                        "--check-prefixes=" + ",".join(message_prefixes),
                                        "-implicit-check-not={{warning|error}}:"])
            if code != 0:
                sys.stdout.write(fc_out + fc_err)
                fail("%s: messages did not match CHECK-MESSAGES" % tool)
        elif re.search(r": (warning|error):", out):
            fail("%s: expected no findings, got:\n%s" % (tool, out))
        if has_fixes:
            code, fc_out, fc_err = run([args.filecheck, "-input-file=" + temp, args.source,
                                        "--check-prefixes=" + ",".join(fix_prefixes),
                                        "-strict-whitespace"])
            if code != 0:
                sys.stdout.write(fc_out + fc_err)
                fail("%s: fixed code did not match CHECK-FIXES" % tool)

    tools = list(outputs)
    for other in tools[1:]:
        if outputs[other] != outputs[tools[0]]:
            fail("%s and %s disagree:\n--- %s\n%s\n--- %s\n%s" % (
                tools[0], other, tools[0], outputs[tools[0]], other, outputs[other]))


if __name__ == "__main__":
    main()
