#!/usr/bin/env bash
# Configures and builds Edict into ./build (or $EDICT_BUILD_DIR). Extra arguments
# go to CMake's configure step, e.g. -DEDICT_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${EDICT_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDICT_WERROR=ON "$@"
cmake --build "$build_dir" --parallel "$(nproc)"
