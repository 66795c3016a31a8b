#!/usr/bin/env bash
# A git pre-commit hook: runs the gc-* checks on the staged C and C++ files and
# blocks the commit on any finding. Install it with
#   ln -s ../../scripts/pre-commit-hook.sh .git/hooks/pre-commit
# Settings (environment): LASTWORD (the driver, default: build/checks/lastword
# or lastword on PATH), LASTWORD_BUILD_DIR (holding compile_commands.json,
# default: build).
set -euo pipefail
top=$(git rev-parse --show-toplevel)
cd "$top"
build_dir=${LASTWORD_BUILD_DIR:-build}
driver=${LASTWORD:-}
if [ -z "$driver" ]; then
  if [ -x "$build_dir/checks/lastword" ]; then driver="$build_dir/checks/lastword"
  else driver=$(command -v lastword || true); fi
fi
if [ -z "$driver" ]; then
  echo "pre-commit: lastword not found (build it with scripts/build.sh or set LASTWORD)" >&2
  exit 1
fi
mapfile -t files < <(git diff --cached --name-only --diff-filter=ACMR -- '*.c' '*.cc' '*.cpp' '*.cxx')
((${#files[@]})) || exit 0
if [ -f "$build_dir/compile_commands.json" ]; then
  exec "$driver" --quiet -p "$build_dir" --warnings-as-errors='gc-*' "${files[@]}"
fi
exec "$driver" --quiet --warnings-as-errors='gc-*' "${files[@]}" -- -std=c++20
