#!/usr/bin/env python3
"""Checks that the documentation stands on its own.

- Every relative link in a Markdown file (README.md, docs/, ...) names a file
  or directory of the repository, and every #anchor names a heading of the
  target page (GitHub's heading-to-anchor rule).
- No file of the repository points outside it: the developers' notes that
  live next to the repository are not shipped, so no committed file may refer
  to them.

- With --driver (a built lastword): the options table of every check page
  (docs/checks/gc-*.md) has the one format (option, type, default, meaning),
  names every option the check reads (as --dump-config prints them), either
  as a row or in the text right after the table, names no option the check
  does not read, and states single-value defaults as the check has them.

usage: check-docs.py [--driver LASTWORD] [REPO]   (default: the repository holding this script)
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


OPTIONS_HEADER = "| option | type | default | meaning |"


def dumped_options(driver, check):
    """{option: value} as the check stores them (--dump-config)."""
    out = subprocess.run([driver, "--dump-config", "--checks=-*," + check, "--"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s --dump-config failed:\n%s" % (driver, out.stdout))
    options = {}
    for line in out.stdout.splitlines():
        m = re.match(r"^\s+%s\.(\w+):\s*(.*)$" % re.escape(check), line)
        if m:
            value = m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] == "'":
                value = value[1:-1].replace("''", "'")
            options[m.group(1)] = value
    return options


def check_options_page(rel, path, driver):
    """Problems of one check page's options section against what the check reads."""
    check = os.path.basename(path)[:-len(".md")]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Options\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        return ["%s: no '## Options' section" % rel]
    section = m.group(1)
    lines = section.splitlines()
    if OPTIONS_HEADER not in lines:
        return ["%s: the options table must start with '%s'" % (rel, OPTIONS_HEADER)]
    start = lines.index(OPTIONS_HEADER)
    rows, end = [], start + 2
    while end < len(lines) and lines[end].startswith("|"):
        rows.append(lines[end])
        end += 1
    after = "\n".join(lines[end:])
    documented, problems = {}, []
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
        name = re.match(r"^`(\w+)`", cells[0])
        if len(cells) != 4 or not name:
            problems.append("%s: options row is not 'option | type | default | meaning': %s"
                            % (rel, row))
            continue
        documented[name.group(1)] = cells[2]
    mentioned = set(re.findall(r"`([A-Z]\w+)`", after))
    dumped = dumped_options(driver, check)
    for option in sorted(dumped):
        if option not in documented and option not in mentioned:
            problems.append("%s: option %s is read by %s but not documented" % (rel, option, check))
    for option, default in documented.items():
        if option not in dumped:
            problems.append("%s: option %s is documented but %s does not read it"
                            % (rel, option, check))
            continue
        single = re.match(r"^`([^`]*)`(; `bdwgc`:.*)?$", default)
        expected = "" if default == "(empty)" else single.group(1) if single else None
        if expected is not None and expected != dumped[option]:
            problems.append("%s: option %s: documented default '%s', the check has '%s'"
                            % (rel, option, expected, dumped[option]))
    return problems


def main():
    args = sys.argv[1:]
    driver = None
    if args[:1] == ["--driver"] and len(args) >= 2:
        driver, args = args[1], args[2:]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), os.pardir))
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
        if driver and re.match(r"^docs/checks/gc-[a-z0-9-]+\.md$", rel.replace(os.sep, "/")):
            problems += check_options_page(rel, path, driver)
    for p in problems:
        print(p)
    if problems:
        print("check-docs: %d problem(s)" % len(problems))
        return 1
    print("check-docs: %d files, links and references inside the repository" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
