#!/usr/bin/env bash
# tests/fault_test.sh EDICT SOURCE_DIR: the `edict` command when the machine
# misbehaves: unreadable, vanished and truncated-while-reading policy and table
# files, devices that never end, outputs that cannot be written (read-only, full
# disk), and running out of memory while compiling. Each must end in a clear
# error and exit status 2 (1 for a policy that reads as broken text), never a
# crash, a hang or a half-written table. Works as root (CI runs as root, who
# ignores file permissions): it uses /proc, /dev/full, FIFOs and rlimits.
set -u
edict=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc="$src/policies/contact_center.edict"

# Every command is bounded: a hang must fail the test, not stall it.
EXPECT_TIMEOUT=120
# shellcheck source=testing/expect.sh
source "$src/tests/testing/expect.sh"

"$edict" compile "$cc" -o "$tmp/cc.edictc" >/dev/null || { echo "FAIL: cannot compile the fixture"; exit 1; }
agent=(--tenant t1 --principal u1 --role agent --action answer --resource Call)

# ---- unreadable ------------------------------------------------------------------
# /proc/self/mem cannot be read from offset 0 (EIO), whoever reads it.
expect 2 "unreadable policy file" -- "$edict" check /proc/self/mem
contains err "cannot read" "says it cannot read the policy"
expect 2 "unreadable table file" -- "$edict" query --table /proc/self/mem "${agent[@]}"
contains err "cannot load" "says it cannot load the table"
expect 2 "a directory as the table" -- "$edict" query --table "$tmp" "${agent[@]}"
if [[ $(id -u) -ne 0 ]]; then  # root reads files whatever their mode
  cp "$cc" "$tmp/noperm.edict" && chmod 000 "$tmp/noperm.edict"
  expect 2 "policy without read permission" -- "$edict" check "$tmp/noperm.edict"
fi

# ---- vanished --------------------------------------------------------------------
cp "$cc" "$tmp/gone.edict" && ln -s "$tmp/gone.edict" "$tmp/link.edict" && rm "$tmp/gone.edict"
expect 2 "policy behind a dangling link" -- "$edict" check "$tmp/link.edict"
contains err "cannot read" "says it cannot read it"
cp "$tmp/cc.edictc" "$tmp/gone.edictc" && ln -s "$tmp/gone.edictc" "$tmp/link.edictc" && rm "$tmp/gone.edictc"
expect 2 "table behind a dangling link" -- "$edict" query --table "$tmp/link.edictc" "${agent[@]}"
printf 'include "vanished.edict";\nentity User;\n' >"$tmp/includer.edict"
expect 1 "an include that vanished" -- "$edict" check "$tmp/includer.edict"
contains err "cannot include \`vanished.edict\`" "names the include"

# ---- truncated while reading: a writer that stops half way (a FIFO) ---------------
half_policy=$(($(wc -c <"$cc") / 2))
mkfifo "$tmp/policy.fifo"
(head -c "$half_policy" "$cc" >"$tmp/policy.fifo" &)
expect 1 "a policy cut off while it is read" -- "$edict" check "$tmp/policy.fifo"
contains err "error" "reports the cut-off text as errors"
half_table=$(($(wc -c <"$tmp/cc.edictc") / 2))
mkfifo "$tmp/table.fifo"
(head -c "$half_table" "$tmp/cc.edictc" >"$tmp/table.fifo" &)
expect 2 "a table cut off while it is read" -- "$edict" query --table "$tmp/table.fifo" "${agent[@]}"
contains err "truncated" "says the table is truncated"
head -c "$half_table" "$tmp/cc.edictc" >"$tmp/half.edictc"
expect 2 "a truncated table file" -- "$edict" query --table "$tmp/half.edictc" "${agent[@]}"

# ---- input that never ends ---------------------------------------------------------
expect 2 "/dev/zero as a policy" -- "$edict" check /dev/zero
contains err "too large" "says the file is too large"
expect 2 "/dev/zero as a table" -- "$edict" query --table /dev/zero "${agent[@]}"
contains err "too large" "says the table is too large"
expect 2 "/dev/zero as a test file" -- "$edict" test /dev/zero
contains err "too large" "says the test file is too large"

# ---- outputs that cannot be written --------------------------------------------------
# Devices are named through /proc/self/fd, never /dev/...: a regression that
# renames a temporary file over the output must not replace a device of the
# machine running the tests (it cannot create a file in /proc/self/fd).
expect 2 "compile onto a full disk (/dev/full)" -- "$edict" compile "$cc" -o /proc/self/fd/3 3>/dev/full
contains err "No space left on device" "says the disk is full"
"$edict" compile "$cc" -o /proc/self/fd/3 3>&1 >/dev/null | head -c 4 >"$tmp/piped"
check_true "compile into a pipe writes the table into it" -- test "$(cat "$tmp/piped")" = "EDCT"
touch "$tmp/real.edictc" && ln -s "$tmp/real.edictc" "$tmp/link-out.edictc"
expect 0 "compile through a symbolic link" -- "$edict" compile "$cc" -o "$tmp/link-out.edictc"
check_true "the link is still a link" -- test -L "$tmp/link-out.edictc"
check_true "the file it names holds the table" -- test "$(head -c 4 "$tmp/real.edictc")" = "EDCT"
expect 2 "compile into a read-only file system (/proc)" -- "$edict" compile "$cc" -o /proc/edict-fault-test.edictc
contains err "cannot write" "says it cannot write"
check_true "nothing was created there" -- test ! -e /proc/edict-fault-test.edictc

# ---- out of memory -------------------------------------------------------------------
# A policy (150,000 rules, 17 MB) far larger than the address space allowed (150 MB): the compiler's allocations
# fail and the CLI reports it (exit 2) instead of crashing. Sanitizer builds
# reserve terabytes of shadow memory and cannot run under an address-space limit.
if ldd "$edict" 2>/dev/null | grep -qE 'libasan|libtsan' || nm "$edict" 2>/dev/null | grep -q '__asan_init\|__tsan_init'; then
  echo "ok: out of memory: skipped (sanitizer build)"
else
  python3 - "$tmp/big.edict" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("entity User { n: int };\naction view;\nresource Doc { level: int } actions view;\n")
    roles = 200
    for r in range(roles):
        f.write(f"role r{r};\n")
    for i in range(150000):
        f.write(f"rule{i}: grant r{i % roles} view on Doc when resource.level > {i} && principal.n < {i} || resource.level == {i};\n")
PY
  (ulimit -v 150000 && expect 2 "compile out of memory" -- "$edict" compile "$tmp/big.edict" -o "$tmp/big.edictc"
   contains err "out of memory" "says it ran out of memory"
   exit "$fails") || fails=$((fails + $?))
  check_true "no table was written" -- test ! -e "$tmp/big.edictc"
fi

echo "fault: $fails failed"
exit $((fails > 0))
