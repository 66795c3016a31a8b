#!/usr/bin/env python3
"""Tests scripts/new-check.py end to end, on a copy of the source tree.

1. It refuses, writing nothing, a check that exists and names that are not
   check names.
2. It creates a check; the result registers, builds and passes its own lit
   test through both shells. To keep the cost to two compilations, the
   generated check and the updated module are compiled with the exact flags
   the build used for the module (from compile_commands.json) and linked,
   with the build's other check objects, into a plugin that clang-tidy loads
   and into a lastword driver.
3. The generated lit test can fail: without its NOLINT comment it must.

usage: new_check_test.py --source-dir S --build-dir B --lit LIT --clang-tidy CT
                         --driver-link LIB...   (the libraries the driver links)
"""
import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

NAME = "scaffold-probe"
CHECK = "gc-" + NAME
CLASS = "ScaffoldProbeCheck"


class Failure(Exception):
    pass


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kwargs)
    return proc.returncode, proc.stdout


def expect(condition, message):
    if not condition:
        raise Failure(message)


def source_files(source_dir):
    """The tracked files (a git checkout), else every file outside build trees."""
    code, out = run(["git", "-C", source_dir, "ls-files", "--cached", "--others",
                     "--exclude-standard"])
    if code == 0 and out.strip():
        return [f for f in out.splitlines() if os.path.isfile(os.path.join(source_dir, f))]
    found = []
    for dirpath, dirnames, filenames in os.walk(source_dir):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith("build")]
        found += [os.path.relpath(os.path.join(dirpath, n), source_dir) for n in filenames]
    return found


def copy_tree(source_dir, dest):
    for rel in source_files(source_dir):
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(source_dir, rel), target)


def snapshot(root):
    digest = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "build"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                digest[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return digest


def new_check(tree, *args):
    script = os.path.join(tree, "scripts", "new-check.py")
    return run([sys.executable, script, "--root", tree, "--"] + list(args))


def test_refusals(tree):
    before = snapshot(tree)
    for name in ["collect-in-loop", "gc-collect-in-loop"]:
        code, out = new_check(tree, name)
        expect(code == 1 and "already exists" in out and "nothing written" in out,
               "an existing check must be refused with status 1, got %d:\n%s" % (code, out))
    bad_names = ["Bad_Name", "gc-", "-leading", "trailing-", "double--dash", "9lives",
                 "with space", "gc-Upper", "dots.in.name", ""]
    for name in bad_names:
        code, out = new_check(tree, name)
        expect(code == 2 and "invalid check name" in out,
               "name %r must be refused with status 2, got %d:\n%s" % (name, code, out))
    empty = os.path.join(tree, "build", "not-a-tree")
    os.makedirs(empty, exist_ok=True)
    code, out = run([sys.executable, os.path.join(tree, "scripts", "new-check.py"),
                     "--root", empty, "fine-name"])
    expect(code == 1 and "not found" in out and os.listdir(empty) == [],
           "a directory that is not a lastword tree must be refused, got %d:\n%s" % (code, out))
    expect(snapshot(tree) == before, "a refused run changed the tree")
    print("ok: refusals (existing checks, %d bad names, not a tree) wrote nothing"
          % len(bad_names))


def test_creation(tree):
    code, out = new_check(tree, CHECK)
    expect(code == 0, "creating %s failed (%d):\n%s" % (CHECK, code, out))
    for rel in ["checks/gc/%s.h" % CLASS, "checks/gc/%s.cpp" % CLASS,
                "docs/checks/%s.md" % CHECK, "test/checks/%s.cpp" % CHECK]:
        expect(os.path.isfile(os.path.join(tree, rel)), "%s was not created" % rel)

    def read(rel):
        with open(os.path.join(tree, rel), encoding="utf-8") as f:
            return f.read()

    module = read("checks/gc/GcTidyModule.cpp")
    expect('#include "gc/%s.h"' % CLASS in module, "the module does not include the check")
    expect('registerCheck<%s>("%s");' % (CLASS, CHECK) in module,
           "the module does not register the check")
    expect(re.search(r"^\s+gc/%s\.cpp$" % CLASS, read("checks/CMakeLists.txt"), re.M),
           "checks/CMakeLists.txt does not build the check")
    expect("[`%s`](docs/checks/%s.md)" % (CHECK, CHECK) in read("README.md"),
           "README.md does not list the check")
    code, out = run([sys.executable, os.path.join(tree, "scripts", "check-docs.py"), tree])
    expect(code == 0, "the generated docs have broken links:\n" + out)

    before = snapshot(tree)
    code, out = new_check(tree, NAME)
    expect(code == 1 and "already exists" in out and snapshot(tree) == before,
           "creating the same check twice must be refused, got %d:\n%s" % (code, out))
    print("ok: %s created, registered, listed, documented; a second run is refused" % CHECK)


def command_of(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def output_of(args):
    return args[args.index("-o") + 1] if "-o" in args else None


def build_shells(tree, source_dir, build_dir, driver_libraries):
    with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
        database = json.load(f)
    real_checks = os.path.join(os.path.realpath(source_dir), "checks")
    module_entry, main_object, objects, driver_objects = None, None, [], []
    for entry in database:
        args = command_of(entry)
        out = output_of(args)
        if not out:
            continue
        out = os.path.join(entry["directory"], out)
        source = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        if source == os.path.join(real_checks, "gc", "GcTidyModule.cpp"):
            module_entry = entry
        elif source == os.path.join(real_checks, "plugin", "PluginMain.cpp"):
            main_object = out
        elif os.path.dirname(source) == os.path.join(real_checks, "driver"):
            driver_objects.append(out)
        elif "lastword_gc_checks.dir" in out:
            objects.append(out)
    expect(module_entry and main_object and driver_objects and objects,
           "compile_commands.json does not describe the gc module, the plugin and the driver")
    missing = [o for o in objects + [main_object] + driver_objects if not os.path.isfile(o)]
    expect(not missing, "build the checks first; missing: %s" % ", ".join(missing))

    # The module's own flags, with the copy's checks/ for includes.
    template = command_of(module_entry)
    flags, skip = [], False
    for arg in template[1:]:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-c", "-MT", "-MF", "-MQ"):
            skip = True
            continue
        if arg in ("-MD", "-MMD") or os.path.realpath(os.path.join(
                module_entry["directory"], arg)) == os.path.realpath(
                    os.path.join(module_entry["directory"], module_entry["file"])):
            continue
        flags.append(arg.replace(real_checks, os.path.join(tree, "checks")))
    compiler = template[0]
    out_dir = os.path.join(tree, "build")
    new_objects = []
    for rel in ["checks/gc/%s.cpp" % CLASS, "checks/gc/GcTidyModule.cpp"]:
        obj = os.path.join(out_dir, os.path.basename(rel) + ".o")
        code, out = run([compiler] + flags + ["-c", os.path.join(tree, rel), "-o", obj],
                        cwd=module_entry["directory"])
        expect(code == 0, "%s does not compile with the project's flags:\n%s" % (rel, out))
        expect("warning:" not in out, "%s compiles with warnings:\n%s" % (rel, out))
        new_objects.append(obj)
    plugin = os.path.join(out_dir, "LastwordTidyModule.so")
    code, out = run([compiler, "-shared", "-o", plugin] + objects + new_objects + [main_object])
    expect(code == 0, "linking the plugin failed:\n" + out)
    driver = os.path.join(out_dir, "lastword")
    rpaths = sorted({"-Wl,-rpath," + os.path.dirname(lib) for lib in driver_libraries
                     if ".so" in os.path.basename(lib)})
    code, out = run([compiler, "-o", driver] + objects + new_objects + driver_objects +
                    driver_libraries + rpaths)
    expect(code == 0, "linking the driver failed:\n" + out)
    print("ok: the generated check compiles without warnings with the project's flags, "
          "and links into the plugin and the driver")
    return plugin, driver


def test_shells(tree, plugin, driver, clang_tidy):
    code, out = run([clang_tidy, "--load=" + plugin, "--list-checks", "--checks=-*,gc-*"])
    expect(code == 0 and re.search(r"^\s+%s$" % CHECK, out, re.M),
           "clang-tidy does not list %s:\n%s" % (CHECK, out))
    code, out = run([driver, "--list-checks"])
    expect(code == 0 and re.search(r"^\s+%s$" % CHECK, out, re.M),
           "the driver does not list %s:\n%s" % (CHECK, out))
    code, out = run([clang_tidy, "--load=" + plugin, "--dump-config",
                     "--checks=-*," + CHECK, "--", "-x", "c++"])
    expect(code == 0 and "%s.FinalizerFunctions" % CHECK in out,
           "--dump-config does not show the check's options:\n" + out)
    code, out = run([sys.executable, os.path.join(tree, "scripts", "check-docs.py"),
                     "--driver", driver, tree])
    expect(code == 0, "the generated page does not document the options the check reads:\n"
           + out)
    print("ok: clang-tidy and the driver list %s; its page documents the options it reads"
          % CHECK)


def run_lit(tree, build_dir, plugin, driver, lit):
    site = os.path.join(build_dir, "test", "lit.site.cfg.py")
    with open(site, encoding="utf-8") as f:
        text = f.read()
    replacements = {
        "config.lastword_plugin": plugin,
        "config.lastword_driver": driver,
        "config.lastword_binary_dir": os.path.join(tree, "build"),
        "config.lastword_tools": "plugin,driver",
    }
    for key, value in replacements.items():
        text, n = re.subn(r"^%s = .*$" % re.escape(key), "%s = %r" % (key, value), text,
                          flags=re.M)
        expect(n == 1, "%s: no line for %s" % (site, key))
    text, n = re.subn(r"load_config\(config, .*\)$",
                      "load_config(config, %r)" % os.path.join(tree, "test", "lit.cfg.py"),
                      text, flags=re.M)
    expect(n == 1, "%s: no load_config line" % site)
    site_dir = os.path.join(tree, "build", "test")
    os.makedirs(site_dir, exist_ok=True)
    with open(os.path.join(site_dir, "lit.site.cfg.py"), "w", encoding="utf-8") as f:
        f.write(text)
    return run([sys.executable, lit, "-sva", os.path.join(site_dir, "checks", CHECK + ".cpp")])


def test_lit(tree, build_dir, plugin, driver, lit):
    code, out = run_lit(tree, build_dir, plugin, driver, lit)
    expect(code == 0, "the generated lit test fails:\n" + out)
    expect("--load=" + plugin in out and "$ %s " % driver in out,
           "the generated lit test did not run through both shells:\n" + out)
    print("ok: the generated lit test passes through the plugin and the driver")
    test = os.path.join(tree, "test", "checks", CHECK + ".cpp")
    with open(test, encoding="utf-8") as f:
        original = f.read()
    expect("// NOLINT(%s)" % CHECK in original, "the generated test has no NOLINT case")
    with open(test, "w", encoding="utf-8") as f:
        f.write(original.replace("// NOLINT(%s)" % CHECK, ""))
    code, out = run_lit(tree, build_dir, plugin, driver, lit)
    with open(test, "w", encoding="utf-8") as f:
        f.write(original)
    expect(code != 0, "the generated lit test passes with an unexpected warning:\n" + out)
    print("ok: the generated lit test fails on an unexpected warning")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--lit", required=True)
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--driver-link", action="append", default=[],
                        help="a library the lastword driver links (repeat)")
    args = parser.parse_args()
    work = os.path.join(os.path.abspath(args.build_dir), "test", "new-check-work")
    shutil.rmtree(work, ignore_errors=True)
    tree = os.path.join(work, "tree")
    try:
        copy_tree(os.path.abspath(args.source_dir), tree)
        test_refusals(tree)
        test_creation(tree)
        plugin, driver = build_shells(tree, args.source_dir, os.path.abspath(args.build_dir),
                                      args.driver_link)
        test_shells(tree, plugin, driver, args.clang_tidy)
        test_lit(tree, os.path.abspath(args.build_dir), plugin, driver, args.lit)
    except Failure as failure:
        print("FAIL: %s\n(work tree kept in %s)" % (failure, work))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
