#!/usr/bin/env bash
# Installs what lastword needs on Debian 12 (only what is missing), then
# configures and builds everything into build/ (or $LASTWORD_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(clang-19 clang-tidy-19 libclang-19-dev llvm-19-dev llvm-19-tools libclang-rt-19-dev
          libgc-dev libgtest-dev clang-format-19 cmake ninja-build python3 git pre-commit python3-jsonschema)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The cppgc profile's tests parse against the cppgc (Oilpan) headers; they are
# skipped without them. Any package that installs them will do (a NodeSource
# nodejs does), so libnode-dev is only asked for when none is there.
if [ ! -f /usr/include/node/cppgc/garbage-collected.h ]; then
  missing+=(libnode-dev)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

build_dir=${LASTWORD_BUILD_DIR:-build}
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 \
        -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build_dir" -j "$(nproc)"
