#!/usr/bin/env python3
"""bench/ab_compare.py: two builds of edict_eval_bench, timed in turn.

    bench/ab_compare.py OLD_BENCH NEW_BENCH ROUNDS [FILTER]

Runs both binaries ROUNDS times, alternating, so that a machine that speeds up
or slows down during the run affects both alike. For each benchmark it prints
the median and the fastest CPU time of each binary, their ratios new / old,
and the fastest time over the fastest BM_FloorCall of the same binary (the
3x target's ratio). The fastest times are the steadier figure on a shared
machine, where a neighbour's load only ever adds time. FILTER defaults to the
floor and the seed decisions.
"""
import json
import statistics
import subprocess
import sys


def run(exe, flt):
    out = subprocess.run([exe, "--benchmark_filter=" + flt, "--benchmark_format=json", "--benchmark_min_time=0.1"],
                         capture_output=True, text=True, check=True).stdout
    return {b["name"]: b["cpu_time"] for b in json.loads(out)["benchmarks"]}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    old, new, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    flt = sys.argv[4] if len(sys.argv) > 4 else "BM_FloorCall|BM_Decision/|BM_DecisionMix"
    times = {"old": {}, "new": {}}
    for _ in range(rounds):
        for tag, exe in (("old", old), ("new", new)):
            for name, t in run(exe, flt).items():
                times[tag].setdefault(name, []).append(t)
    if "BM_FloorCall" not in times["new"]:
        sys.exit("the filter must include BM_FloorCall")
    floor = {tag: min(times[tag]["BM_FloorCall"]) for tag in times}
    print(f"{'benchmark':45s} {'med old':>8s} {'med new':>8s} {'min old':>8s} {'min new':>8s} "
          f"{'med n/o':>8s} {'min n/o':>8s} {'x old':>6s} {'x new':>6s}")
    for name, new_t in times["new"].items():
        old_t = times["old"].get(name)
        if not old_t:
            continue
        mo, mn = statistics.median(old_t), statistics.median(new_t)
        lo, ln = min(old_t), min(new_t)
        print(f"{name:45s} {mo:8.2f} {mn:8.2f} {lo:8.2f} {ln:8.2f} {mn / mo:8.2f} {ln / lo:8.2f} "
              f"{lo / floor['old']:6.2f} {ln / floor['new']:6.2f}")


if __name__ == "__main__":
    main()
