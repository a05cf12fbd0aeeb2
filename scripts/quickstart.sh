#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what Edict needs, build it,
# then check the bundled product policies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo
echo "== edict check policies/"
./build/edict check policies/
