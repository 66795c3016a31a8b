#!/usr/bin/env python3
"""End-to-end test of the pre-commit hook with the real pre-commit tool.

A scratch hook repository holds this tree's .pre-commit-hooks.yaml and hook
script; a scratch project uses it from its .pre-commit-config.yaml. A staged
buggy file must block the commit with the diagnostic, and the fixed file must
commit: once for a file in the compile database, once for a file that only
the hook's fallback flags can parse.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

BUGGY = """#include <lastword/gc.hpp>
void release(int fd);
struct Res { int fd = -1; };
void open_res() {
  Res *r = lastword::make<Res>();
  lastword::set_finalizer(r, [r](Res *self) { release(r->fd); });
}
"""
FIXED = BUGGY.replace("[r](Res *self) { release(r->fd); }", "[](Res *self) { release(self->fd); }")
DIAGNOSTIC = "finalizer captures 'r', which keeps the object alive"


def run(cmd, cwd, env, check=True):
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        sys.exit("FAIL: %s exited %d:\n%s" % (" ".join(cmd), proc.returncode, proc.stdout))
    return proc


def expect_commit(project, env, path, content, blocked):
    with open(os.path.join(project, path), "w") as f:
        f.write(content)
    run(["git", "add", path], project, env)
    proc = run(["git", "commit", "-q", "-m", "change " + path], project, env, check=False)
    if blocked:
        if proc.returncode == 0:
            sys.exit("FAIL: the buggy %s was committed:\n%s" % (path, proc.stdout))
        if DIAGNOSTIC not in proc.stdout or path.split("/")[-1] not in proc.stdout:
            sys.exit("FAIL: the commit of %s was blocked without the diagnostic:\n%s"
                     % (path, proc.stdout))
    elif proc.returncode != 0:
        sys.exit("FAIL: the fixed %s did not commit:\n%s" % (path, proc.stdout))
    print("ok: %s %s" % (path, "blocked" if blocked else "committed"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source-dir", required=True)
    p.add_argument("--driver", required=True)
    p.add_argument("--runtime-include", required=True)
    a = p.parse_args()
    a.driver, a.runtime_include = os.path.abspath(a.driver), os.path.abspath(a.runtime_include)
    if not shutil.which("pre-commit"):
        sys.exit("FAIL: pre-commit is not installed (scripts/setup.sh installs it)")

    work = tempfile.mkdtemp(prefix="lastword-pre-commit-")
    env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(work, "cache"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    try:
        hooks = os.path.join(work, "hooks")
        os.makedirs(os.path.join(hooks, "scripts"))
        shutil.copy(os.path.join(a.source_dir, ".pre-commit-hooks.yaml"), hooks)
        shutil.copy2(os.path.join(a.source_dir, "scripts", "lastword-pre-commit"),
                     os.path.join(hooks, "scripts"))
        run(["git", "init", "-q", "-b", "main"], hooks, env)
        run(["git", "add", "-A"], hooks, env)
        run(["git", "commit", "-q", "-m", "hooks"], hooks, env)
        rev = run(["git", "rev-parse", "HEAD"], hooks, env).stdout.strip()

        project = os.path.join(work, "project")
        os.makedirs(os.path.join(project, "src"))
        os.makedirs(os.path.join(project, "build"))
        with open(os.path.join(project, "build", "compile_commands.json"), "w") as f:
            json.dump([{"directory": project, "file": "src/in_db.cpp",
                        "arguments": ["c++", "-std=c++20", "-I" + a.runtime_include,
                                      "-c", "src/in_db.cpp"]}], f)
        with open(os.path.join(project, ".pre-commit-config.yaml"), "w") as f:
            f.write("repos:\n- repo: %s\n  rev: %s\n  hooks:\n  - id: lastword\n"
                    "    args: [--lastword=%s, -p, build, '--fallback-flags=-std=c++20 -I%s']\n"
                    % (hooks, rev, a.driver, a.runtime_include))
        with open(os.path.join(project, ".gitignore"), "w") as f:
            f.write("build/\n")
        run(["git", "init", "-q", "-b", "main"], project, env)
        run(["git", "add", ".pre-commit-config.yaml", ".gitignore"], project, env)
        run(["git", "commit", "-q", "-m", "config"], project, env)
        run(["pre-commit", "install"], project, env)

        expect_commit(project, env, "src/in_db.cpp", BUGGY, blocked=True)
        expect_commit(project, env, "src/in_db.cpp", FIXED, blocked=False)
        expect_commit(project, env, "src/not_in_db.cpp", BUGGY, blocked=True)
        expect_commit(project, env, "src/not_in_db.cpp", FIXED, blocked=False)
        log = run(["git", "log", "--format=%s"], project, env).stdout.split()
        if log.count("src/in_db.cpp") != 1 or log.count("src/not_in_db.cpp") != 1:
            sys.exit("FAIL: unexpected history: %s" % log)
        print("PASS")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
