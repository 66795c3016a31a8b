#!/usr/bin/env python3
"""Applies or checks the project's clang-format styles.

The C++ sources of checks/, runtime/ and the C++ test programs that are not
lit inputs (lit tests match diagnostics by line, so their layout is part of
the test) follow .clang-format: LLVM style for the checks, the runtime's own
style under runtime/.

  scripts/format.py           rewrite the files in place
  scripts/format.py --check   list the files that are not formatted; exit 1 if any
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMATTED_DIRS = ["checks", "runtime", "test/analysis", "test/plugin_host"]
EXTENSIONS = (".cpp", ".h", ".hpp")


def tracked_sources():
    out = subprocess.run(["git", "ls-files", "--", *FORMATTED_DIRS], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        # Not a git checkout (an unpacked release): walk the directories.
        files = []
        for d in FORMATTED_DIRS:
            for base, _, names in os.walk(os.path.join(ROOT, d)):
                files += [os.path.relpath(os.path.join(base, n), ROOT) for n in names]
    else:
        files = out.stdout.split()
    return sorted(f for f in files if f.endswith(EXTENSIONS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    parser.add_argument("--clang-format", default=shutil.which("clang-format-19") or "clang-format-19")
    args = parser.parse_args()
    if not shutil.which(args.clang_format):
        print(f"format.py: {args.clang_format} not found (Debian package clang-format-19)",
              file=sys.stderr)
        return 2
    files = tracked_sources()
    if args.check:
        bad = []
        for f in files:
            r = subprocess.run([args.clang_format, "--dry-run", "-Werror", f], cwd=ROOT,
                               capture_output=True, text=True)
            if r.returncode != 0:
                bad.append(f)
        for f in bad:
            print(f"not formatted: {f}")
        if bad:
            print(f"{len(bad)} of {len(files)} files differ from .clang-format; "
                  "run scripts/format.py to fix them", file=sys.stderr)
            return 1
        print(f"{len(files)} files formatted")
        return 0
    subprocess.run([args.clang_format, "-i", *files], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
