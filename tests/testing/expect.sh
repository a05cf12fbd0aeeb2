# tests/testing/expect.sh: the assertions shared by the shell tests (cli_test.sh,
# fault_test.sh). Source it after setting `tmp` (a scratch directory) and
# `fails=0`. Each assertion prints "ok: ..." or "FAIL: ..." and counts failures.
# EXPECT_TIMEOUT (seconds), when set, bounds every command `expect` runs, so a
# hang fails the test instead of stalling it.

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want=$1 what=$2
  shift 3
  if [[ -n ${EXPECT_TIMEOUT:-} ]]; then
    timeout "$EXPECT_TIMEOUT" "$@" >"$tmp/out" 2>"$tmp/err"
  else
    "$@" >"$tmp/out" 2>"$tmp/err"
  fi
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
    fails=$((fails + 1))
  else
    echo "ok: $what"
  fi
}

contains() {  # contains FILE TEXT DESCRIPTION (FILE relative to $tmp)
  if grep -qF -- "$2" "$tmp/$1"; then echo "ok: $3"; else echo "FAIL: $3: '$2' not in $1"; fails=$((fails + 1)); fi
}

check_true() {  # check_true DESCRIPTION -- COMMAND...
  local what=$1
  shift 2
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
