#!/usr/bin/env bash
# Installs what Edict needs, builds it and runs every test with ctest. This is
# exactly what CI runs (.ci/run). Stages, each failing the script on any failure:
#   1. main build (g++, -Werror) + the full ctest suite              ./build
#   2. ASan+UBSan build + the full ctest suite (smaller random sizes) ./build-asan
#   3. TSan build + the concurrency tests (hot reload under load)     ./build-tsan
#   4. fuzz smoke: every libFuzzer target for a few seconds           ./build-fuzz
# Set EDICT_TEST_STAGES to a subset (e.g. "main asan") to run fewer. The closing
# lines are each stage's time and ctest summary, the main suite's last.
set -euo pipefail
cd "$(dirname "$0")/.."
stages=${EDICT_TEST_STAGES:-main asan tsan fuzz}
jobs=$(nproc)
summary_dir=$(mktemp -d)
trap 'rm -rf "$summary_dir"' EXIT
declare -a timings=()

# Runs ctest in a build directory, keeping its closing summary for the end.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && ctest --output-on-failure --parallel "$jobs" --timeout 600 "$@") | tee "$summary_dir/$name.log"
  grep -E 'tests passed|tests failed|Total Test time' "$summary_dir/$name.log" >"$summary_dir/$name.summary" || true
}

stage() {
  local name=$1 start=$SECONDS
  echo "==== stage: $name ===="
  "stage_$name"
  timings+=("$(printf '%-6s %4d s' "$name" $((SECONDS - start)))")
}

stage_main() {
  bash scripts/build.sh
  run_ctest main build
}

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer. The
# differential test's random sizes are lowered (it already runs a tenth of them
# under sanitizers); every other test runs as in the main build.
stage_asan() {
  EDICT_BUILD_DIR=build-asan bash scripts/build.sh -DEDICT_SANITIZE=ON -DEDICT_BENCH=OFF
  EDICT_DIFF_POLICIES=${EDICT_DIFF_POLICIES:-60} EDICT_DIFF_REQUESTS=${EDICT_DIFF_REQUESTS:-100} \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest asan build-asan
}

# The concurrency tests under ThreadSanitizer: the Engine's hot swap while
# threads evaluate (runtime_test) and the C ABI's swap test (capi_test), which
# needs its two tables compiled by the CLI.
stage_tsan() {
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDICT_WERROR=ON -DEDICT_TSAN=ON \
    -DEDICT_BENCH=OFF >/dev/null
  cmake --build build-tsan --parallel "$jobs" --target edict runtime_test capi_test
  # No suppressions: Engine and the C ABI share runtime/table_slot.h, whose load()
  # is ordered (libstdc++ 12's atomic<shared_ptr> is not, and TSan said so).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" run_ctest tsan build-tsan -R 'RuntimeEngine\.|^capi'
}

# Every fuzz target for 10 s, two at a time (about a minute for all six).
stage_fuzz() {
  EDICT_FUZZ_BUILD_DIR=build-fuzz bash scripts/fuzz.sh "${EDICT_FUZZ_SMOKE_SECONDS:-10}"
}

bash scripts/install-deps.sh
for s in $stages; do stage "$s"; done

echo "==== summary ===="
for t in "${timings[@]}"; do echo "stage $t"; done
for s in $stages; do
  [[ $s == main || ! -f $summary_dir/$s.summary ]] && continue
  echo "-- $s ctest:"
  cat "$summary_dir/$s.summary"
done
if [[ -f $summary_dir/main.summary ]]; then
  echo "-- main ctest:"
  cat "$summary_dir/main.summary"
fi
