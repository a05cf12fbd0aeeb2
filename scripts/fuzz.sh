#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ for SECONDS each (default 60), all of them
# or the TARGETs named, as many at a time as there are cores.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds with clang into $EDICT_FUZZ_BUILD_DIR (default ./build-fuzz). Each target
# starts from fuzz/corpus/TARGET and fuzz/regressions/TARGET and grows a working
# corpus in BUILD/fuzz-work/TARGET (the checked-in corpus is not touched; to
# refresh it, merge: see docs/reliability.md). Crashes are saved under
# BUILD/fuzz-work/TARGET/crash-*; the script then fails and names them (until they
# are moved away: fix, then keep them in fuzz/regressions/TARGET/). The last
# libFuzzer status line of each target (execs, cov, ft, exec/s) is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
seconds=${1:-60}
shift || true
build=$(realpath -m "${EDICT_FUZZ_BUILD_DIR:-build-fuzz}")  # absolute: targets chdir to a private directory
all_targets=(policy_fuzzer table_fuzzer differential_fuzzer request_fuzzer testfile_fuzzer roundtrip_fuzzer)
targets=("$@")
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi
jobs=${EDICT_FUZZ_JOBS:-$(nproc)}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDICT_FUZZ=ON \
    -DEDICT_WERROR=ON -DEDICT_BENCH=OFF >/dev/null
fi
cmake --build "$build" --parallel "$jobs" --target "${targets[@]}"

work=$build/fuzz-work
mkdir -p "$work"
run_target() {
  local t=$1 dir=$work/$1 dict=()
  mkdir -p "$dir/corpus"
  case $t in
    policy_fuzzer | roundtrip_fuzzer | testfile_fuzzer) dict=(-dict="$src/fuzz/edict.dict") ;;
  esac
  local seeds=() corpus=$t
  [[ $t == roundtrip_fuzzer ]] && corpus=policy_fuzzer  # same input: policy text
  for d in "$src/fuzz/corpus/$corpus" "$src/fuzz/regressions/$t"; do [[ -d $d ]] && seeds+=("$d"); done
  # The first directory is where libFuzzer adds new inputs; the seeds are read only.
  "$build/fuzz/$t" "$dir/corpus" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -close_fd_mask=1 -artifact_prefix="$dir/" \
    >"$dir/log" 2>&1
}

status=0
declare -A pids
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  echo "fuzz: $t for ${seconds}s"
  run_target "$t" &
  pids[$t]=$!
done
for t in "${targets[@]}"; do
  if ! wait "${pids[$t]}"; then status=1; fi
done

echo "fuzz: results (${seconds}s per target)"
for t in "${targets[@]}"; do
  dir=$work/$t
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1 || true)
  rate=$(grep -E '^stat::average_exec_per_sec' "$dir/log" | awk '{print $2}' || true)
  printf '  %-20s %s  (exec/s %s)\n' "$t" "${last:-no status line}" "${rate:-?}"
  found=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  if [[ -n $found ]]; then
    echo "  FAIL: $t found inputs that break it (move them to fuzz/regressions/$t once fixed):"
    echo "$found" | sed 's/^/    /'
    tail -n 40 "$dir/log"
    status=1
  fi
done
exit "$status"
