#!/usr/bin/env bash
# tests/cli_test.sh EDICT SOURCE_DIR: the `edict` command as users run it:
# exit codes (0 clean, 1 policy errors, 2 usage or I/O), --help, --version, JSON.
set -u
edict=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
    fails=$((fails + 1))
  else
    echo "ok: $what"
  fi
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$tmp/$1"; then echo "ok: $3"; else echo "FAIL: $3: '$2' not in $1"; fails=$((fails + 1)); fi
}

expect 0 "--help" -- "$edict" --help
contains out "check" "--help lists the check command"
contains out "Exit status" "--help documents exit codes"
expect 0 "--version" -- "$edict" --version
contains out "edict 0." "--version prints the version"
expect 0 "check --help" -- "$edict" check --help
contains out "--format" "check --help lists --format"
expect 2 "no subcommand is a usage error" -- "$edict"
expect 2 "unknown subcommand" -- "$edict" frobnicate
expect 2 "check without files" -- "$edict" check
expect 2 "bad --format value" -- "$edict" check --format xml "$src/policies"
expect 2 "missing file is an I/O error" -- "$edict" check "$tmp/missing.edict"
contains err "cannot read" "I/O error says what failed"
mkdir "$tmp/empty-dir"
expect 2 "directory without policies" -- "$edict" check "$tmp/empty-dir"

expect 0 "bundled policies check clean" -- "$edict" check "$src/policies"
contains out "checked, no errors" "clean check says so"
expect 1 "a policy with errors exits 1" -- "$edict" check "$src/tests/golden/diag/name_unknown_role_typo.edict"
contains err "error: unknown role \`supervsor\`" "errors go to stderr in gcc style"
contains err "did you mean \`supervisor\`?" "with a suggestion"

expect 1 "--format json" -- "$edict" check --format json "$src/tests/golden/diag/multi_names.edict"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"]==3 and len(d["diagnostics"])==3, d' "$tmp/out"; then
  echo "ok: JSON output parses and counts 3 errors"
else
  echo "FAIL: JSON output"; fails=$((fails + 1))
fi
expect 0 "--format json on clean policies" -- "$edict" check --format json "$src/policies"
contains out '"errors": 0' "clean JSON has zero errors"

printf 'entity User;\n' > "$tmp/ok.edict"
printf 'include "ok.edict";\nrole a;\naction v;\nresource R actions v;\ngrant a v on R;\n' > "$tmp/root.edict"
expect 0 "a directory with an included file is one policy" -- "$edict" check "$tmp/root.edict" "$tmp/ok.edict"
contains out "1 policy (2 files)" "the included file is not a root"

echo "cli: $fails failed"
exit $((fails > 0))
