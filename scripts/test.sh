#!/usr/bin/env bash
# Installs what Edict needs, builds it and runs every test with ctest. This is
# exactly what CI runs (.ci/run). Stages, each failing the script on any failure:
#   1. main build (g++, -Werror) + the full ctest suite              ./build
#   2. ASan+UBSan build + the full ctest suite (smaller random sizes) ./build-asan
#   3. TSan build of the C ABI + its hot-swap-under-load test          ./build-tsan
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
  # -O1 -g1: sanitizer reports keep function names and lines, and the build takes
  # markedly less time than -O2 -g on CI's two cores.
  EDICT_BUILD_DIR=build-asan bash scripts/build.sh -DEDICT_SANITIZE=ON -DEDICT_BENCH=OFF \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
  EDICT_DIFF_POLICIES=${EDICT_DIFF_POLICIES:-60} EDICT_DIFF_REQUESTS=${EDICT_DIFF_REQUESTS:-100} \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest asan build-asan
}

# The concurrency test under ThreadSanitizer: the C ABI's hot swap while threads
# evaluate (tests/capi_test.c). Engine and the C ABI share one swap mechanism
# (runtime/table_slot.h), so this covers both; only the runtime and the C ABI are
# built (the tables come from the main build), which keeps the stage short.
# RuntimeEngine.* under TSan: build runtime_test in build-tsan and run it.
stage_tsan() {
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDICT_WERROR=ON -DEDICT_TSAN=ON \
    -DEDICT_BENCH=OFF >/dev/null
  cmake --build build-tsan --parallel "$jobs" --target capi_test
  if [[ ! -f build/tests/capi.edictc || ! -f build/tests/capi_v2.edictc ]]; then
    echo "stage tsan: run the main stage first (it compiles build/tests/capi*.edictc)" >&2
    return 1
  fi
  # No suppressions: the swap's load() is ordered (libstdc++ 12's atomic<shared_ptr>
  # is not, and TSan said so; see runtime/table_slot.h).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    build-tsan/tests/capi_test build/tests/capi.edictc build/tests/capi_v2.edictc | tee "$summary_dir/tsan.log"
  echo "capi_test (TSan): passed" >"$summary_dir/tsan.summary"
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
