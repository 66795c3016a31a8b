#!/usr/bin/env python3
"""Runs one gc-* check over a test file and verifies its output with FileCheck.

In the spirit of clang-tidy's check_clang_tidy.py (written anew for lastword):
the test file is plain C++ with expectations in comments,

  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: ... [gc-collect-in-loop]
  // CHECK-MESSAGES: :[[@LINE-4]]:1: note: ...
  // CHECK-FIXES: set_finalizer(r, [](Res *self) { self->close(); });

and every file is run through both shells of the gc module: clang-tidy with
the plugin loaded, and the standalone lastword driver. Both must print the
same findings, notes included.

Every diagnostic is expected: a warning, error or note that no CHECK-MESSAGES
line matches fails the test (so a wrong call-path note fails it), and a file
without CHECK-MESSAGES must produce no diagnostic at all. Every run applies
the fix-its (on a copy): a file whose fixes change a line that no CHECK-FIXES
line describes fails, and CHECK-FIXES lines are matched, in order, against
the fixed copy.

usage: check_gc_tidy.py [runner options] <source> <check> <temp> [-- <tool args> [-- <compiler args>]]
"""
import argparse
import difflib
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


DIAGNOSTIC = re.compile(r"^.*:\d+:\d+: (warning|error|note):")


def filecheck_regex(pattern):
    """A CHECK line's pattern ({{regex}} parts, the rest literal) as a Python regex."""
    out, at = [], 0
    for m in re.finditer(r"\{\{(.*?)\}\}", pattern):
        out.append(re.escape(pattern[at:m.start()]))
        out.append("(?:%s)" % m.group(1))
        at = m.end()
    out.append(re.escape(pattern[at:]))
    return re.compile("".join(out))


def unexpected_fixes(before, after, fix_patterns):
    """Lines the fix-its changed that no CHECK-FIXES pattern describes."""
    old, new = before.splitlines(), after.splitlines()
    changed = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            changed += [(j + 1, new[j]) for j in range(j1, j2)]
        elif tag == "delete":
            changed.append((j1 + 1, "<lines deleted>"))
    return [(n, line) for n, line in changed
            if not any(p.search(line) for p in fix_patterns)]


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
    extension = os.path.splitext(args.source)[1] or ".cpp"
    if extension != ".c" and not any(a.startswith("-std=") for a in compiler_args):
        compiler_args.append("-std=c++20")
    compiler_args += ["-I" + d for d in args.includes]

    with open(args.source, encoding="utf-8") as f:
        original = f.read()
    suffixes = args.suffixes or [""]
    message_prefixes = ["CHECK-MESSAGES" + ("-" + s if s else "") for s in suffixes]
    fix_prefixes = ["CHECK-FIXES" + ("-" + s if s else "") for s in suffixes]
    has_messages = any(re.search(r"\b" + re.escape(p) + r":", original) for p in message_prefixes)
    fix_patterns = [filecheck_regex(m.group(1)) for m in re.finditer(
        r"\b(?:%s)(?:-NEXT)?:[ \t]?([^\r\n]*)" % "|".join(re.escape(p) for p in fix_prefixes),
        original)]
    has_fixes = bool(fix_patterns)
    # Keep line numbers, drop the expectation text so fixes are not matched against it.
    cleaned = re.sub(r"// *CHECK-[A-Z0-9\-]*:[^\r\n]*", "//", original)

    outputs = {}
    for tool in [t for t in args.tools.split(",") if t]:
        temp = "%s.%s%s" % (args.temp, tool, extension)
        with open(temp, "w", encoding="utf-8") as f:
            f.write(cleaned)
        checks = "--checks=-*," + args.check
        if tool == "plugin":
            cmd = [args.clang_tidy, "--load=" + args.plugin, checks]
        elif tool == "driver":
            cmd = [args.driver, checks]
        else:
            fail("unknown tool " + tool)
        cmd.append("--fix")
        cmd += tool_args + [temp, "--"] + compiler_args
        code, out, err = run(cmd)
        sys.stdout.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + out + err)
        if code != 0:
            fail("%s exited with %d" % (tool, code))
        # Diagnostics only: no progress lines, no source excerpts, and not the
        # "FIX-IT applied" notes --fix adds (CHECK-FIXES covers the fixes).
        diagnostics = "\n".join(l for l in out.splitlines() if DIAGNOSTIC.match(l)
                                and not l.endswith("note: FIX-IT applied suggested code changes"))
        outputs[tool] = diagnostics.replace(temp, "FILE")
        messages_file = temp + ".msg"
        with open(messages_file, "w", encoding="utf-8") as f:
            f.write(diagnostics + "\n")
        if has_messages:
            code, fc_out, fc_err = run([args.filecheck, "-input-file=" + messages_file, args.source,
                                        "--check-prefixes=" + ",".join(message_prefixes),
                                        "-implicit-check-not={{warning|error|note}}:"])
            if code != 0:
                sys.stdout.write(fc_out + fc_err)
                fail("%s: diagnostics did not match CHECK-MESSAGES (every warning and note "
                     "must be expected)" % tool)
        elif diagnostics:
            fail("%s: expected no diagnostics, got:\n%s" % (tool, diagnostics))
        with open(temp, encoding="utf-8") as f:
            fixed = f.read()
        stray = unexpected_fixes(cleaned, fixed, fix_patterns)
        if stray:
            fail("%s: fix-its changed lines no CHECK-FIXES describes:\n%s" % (
                tool, "\n".join("  line %d: %s" % (n, line) for n, line in stray)))
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
