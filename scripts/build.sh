#!/usr/bin/env bash
# Builds everything (installing missing packages first), then runs lastword
# over the bundled examples and prints what it finds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${LASTWORD_BUILD_DIR:-build}
echo
echo "== lastword on examples/ (a program on the lastword runtime with real bugs) =="
"$build_dir/checks/lastword" -p "$build_dir" examples/*.cpp || status=$?
echo
echo "== the same checks through clang-tidy-19 and the plugin, Boehm profile, on examples/bdwgc =="
clang-tidy-19 --load="$build_dir/checks/LastwordTidyModule.so" --checks='-*,gc-*' \
  --config="{CheckOptions: {Api: bdwgc}}" -p "$build_dir" examples/bdwgc/*.cpp || true
exit "${status:-0}"
