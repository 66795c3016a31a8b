#!/usr/bin/env python3
"""Checks that the documentation stands on its own.

- Every relative link in a Markdown file (README.md, docs/, ...) names a file
  or directory of the repository, and every #anchor names a heading of the
  target page (GitHub's heading-to-anchor rule).
- No file of the repository points outside it: the developers' notes that
  live next to the repository are not shipped, so no committed file may refer
  to them.

usage: check-docs.py [REPO]      (default: the repository holding this script)
Exit status 0 when clean, 1 with one line per problem otherwise.
"""
import os
import re
import subprocess
import sys

# Built in pieces so that this file does not match itself.
OUTSIDE = re.compile(r"(\.\./)+" + "shared/|\\b" + "shared/(API\\.md|seeds)")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
SKIP_DIRS = {".git", "__pycache__", "Testing"}


def repository_files(root):
    """Tracked files when the tree is a git checkout, else every file outside build dirs."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        files = [f for f in out.decode("utf-8").split("\0") if f]
        if files:
            return [f for f in files if os.path.isfile(os.path.join(root, f))]
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
        for name in filenames:
            found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def anchors_of(path):
    """GitHub's anchors: lower case, punctuation dropped, spaces to '-', -1 -2 for repeats."""
    seen = {}
    anchors = set()
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            m = None if in_fence else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(2))
            slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else "%s-%d" % (slug, count))
    return anchors


def links_of(path):
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            # Inline code spans are not links.
            line = re.sub(r"`[^`]*`", "``", line)
            for m in LINK.finditer(line):
                yield number, m.group(1)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), os.pardir))
    problems = []
    files = repository_files(root)
    for rel in files:
        path = os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                problems.append("%s:%d: refers to notes outside the repository: %s"
                                % (rel, number, line.strip()))
        if not rel.endswith(".md"):
            continue
        for number, target in links_of(path):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) \
                if file_part else path
            if not os.path.realpath(dest).startswith(os.path.realpath(root) + os.sep):
                problems.append("%s:%d: link leaves the repository: %s" % (rel, number, target))
                continue
            if not os.path.exists(dest):
                problems.append("%s:%d: broken link: %s" % (rel, number, target))
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors_of(dest):
                problems.append("%s:%d: no heading for anchor: %s" % (rel, number, target))
    for p in problems:
        print(p)
    if problems:
        print("check-docs: %d problem(s)" % len(problems))
        return 1
    print("check-docs: %d files, links and references inside the repository" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
