#!/usr/bin/env bash
# Builds everything if needed and runs the whole test suite: lit tests of the
# checks through the plugin and the driver, the same under ASan+UBSan, the
# runtime's GoogleTest suite (plain, ASan, TSan) and the validation programs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${LASTWORD_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j 2 "$@"
