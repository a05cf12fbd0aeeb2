#!/usr/bin/env bash
# Installs what Edict needs, builds it and runs every test with ctest (the summary
# is ctest's closing lines). This is exactly what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
