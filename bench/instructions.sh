#!/usr/bin/env bash
# bench/instructions.sh: instructions per evaluate() call, for each seed case
# (callgrind; valgrind is not among the project's dependencies: apt-get
# install valgrind). Counts are exact and repeatable, where times on a shared
# machine are not: docs/performance.md gives both. Since the fourteenth
# session they count evaluate()'s out-of-line part, detail::decide(), and what
# it calls: evaluate() itself is inline, and its copy of the decision (about 5
# instructions in the caller) is not counted.
#
#   bench/instructions.sh [BUILD_DIR] [CASE...]     (default: build, every case)
set -euo pipefail
build="${1:-build}"
shift || true
driver="$build/bench/edict_seed_decisions"
[[ -x "$driver" ]] || { echo "no $driver: build the project first (scripts/build.sh)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then mapfile -t cases < <("$driver" --list); fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
n=1000
for c in "${cases[@]}"; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" --collect-atstart=no \
    "--toggle-collect=edict::runtime::detail::decide(*" "$driver" "$c" "$n" >/dev/null 2>&1
  total=$(callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen { gsub(",", "", $1); print $1; seen = 1 }')
  printf '%-34s %s\n' "$c" "$((total / n))"
done
