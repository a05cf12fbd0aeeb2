#!/usr/bin/env python3
"""bench/loads.py: instructions, memory reads and taken branches per evaluate()
call, for each seed case, from callgrind's per-instruction counts and
objdump's disassembly of the driver.

Since the seventeenth session, reads predict a decision's time on the Zen 5
machine better than instructions do: dropping 2 instructions that kept their
reads changed nothing, dropping 6 reads gave 0.94 of the time
(docs/performance.md). A read is any instruction with a memory source operand
(cmp and test with one included), a ret, or an indirect jump through memory;
lea and nop are not. As bench/instructions.sh, it counts detail::decide() and
what it calls.

    bench/loads.py [BUILD_DIR] [CASE...]       (default: build, every case)
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

CALLS = 1000


def per_instruction_counts(profile):
    """Executions of each instruction address, from a --dump-instr=yes profile."""
    counts, taken = collections.Counter(), collections.Counter()
    last, jumps, skip = 0, None, False
    for line in open(profile):
        line = line.rstrip("\n")
        m = re.match(r"(jcnd|jump)=(\d+)(?:/\d+)? ", line)
        if m:
            jumps = int(m.group(2))
            continue
        if line.startswith("calls="):
            skip = True  # the next line is the call's cost, not an instruction's
            continue
        if not line or line[0] not in "0123456789+-*":
            continue
        parts = line.split()
        tok = parts[0]
        if tok.startswith("0x"):
            addr = int(tok, 16)
        elif tok[0] in "+-":
            addr = last + int(tok)
        elif tok == "*":
            addr = last
        else:
            addr = int(tok)
        last = addr
        if skip:
            skip = False
        elif jumps is not None:
            taken[addr] += jumps
            jumps = None
        elif len(parts) >= 3:
            counts[addr] += int(parts[-1])
    return counts, taken


def reads_memory(text):
    mnemonic, _, operands = text.partition(" ")
    operands = operands.strip()
    if mnemonic.startswith(("lea", "nop")) or not mnemonic:
        return False
    if mnemonic.startswith("ret"):
        return True
    if "(" not in operands:
        return False
    args = re.split(r",(?![^(]*\))", operands)
    if len(args) == 1:  # one memory operand: read (jmp *, push, cmp, inc ...)
        return True
    if any("(" in a for a in args[:-1]):
        return True
    # AT&T: the destination is last; only mov-like stores write without reading
    return not mnemonic.startswith("mov")


def main():
    args = sys.argv[1:]
    build = args.pop(0) if args and os.path.isdir(args[0]) else "build"
    driver = os.path.join(build, "bench", "edict_seed_decisions")
    if not os.access(driver, os.X_OK):
        sys.exit(f"no {driver}: build the project first (scripts/build.sh)")
    for tool in ("valgrind", "objdump"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install {'valgrind' if tool == 'valgrind' else 'binutils'})")
    cases = args or subprocess.run([driver, "--list"], capture_output=True, text=True, check=True).stdout.split()
    disassembly = {}
    for line in subprocess.run(["objdump", "-d", "--no-show-raw-insn", driver], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s*(.*)", line)
        if m:
            disassembly[int(m.group(1), 16)] = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", m.group(2))).strip()
    with tempfile.TemporaryDirectory() as out:
        profile = os.path.join(out, "cg")
        print(f"{'case':34} {'instr':>6} {'reads':>6} {'taken':>6}")
        for case in cases:
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", "--dump-instr=yes",
                            "--collect-jumps=yes", "--collect-atstart=no",
                            "--toggle-collect=edict::runtime::detail::decide(*", driver, case, str(CALLS)],
                           capture_output=True, check=True)
            counts, taken = per_instruction_counts(profile)
            instructions = sum(counts.values()) / CALLS
            reads = sum(n for a, n in counts.items() if reads_memory(disassembly.get(a, ""))) / CALLS
            print(f"{case:34} {instructions:6.0f} {reads:6.0f} {sum(taken.values()) / CALLS:6.0f}")


if __name__ == "__main__":
    main()
