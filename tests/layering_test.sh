#!/usr/bin/env bash
# tests/layering_test.sh SOURCE_DIR: the dependency direction of docs/architecture.md.
# The runtime (and the table format it shares with the compiler) must never include
# the grammar, the compiler, PEGTL or SQLite; the grammar must not include the compiler.
set -u
src=$1
fails=0
check() {  # check DESCRIPTION DIR PATTERN
  local hits
  hits=$(grep -rnE "$3" "$src/$2" --include='*.h' --include='*.cc' --include='*.c' 2>/dev/null)
  if [[ -n $hits ]]; then
    echo "FAIL: $1"
    echo "$hits" | sed 's/^/  | /'
    fails=$((fails + 1))
  else
    echo "ok: $1"
  fi
}
check "runtime includes no grammar, compiler, PEGTL or SQLite" runtime '#include [<"](grammar/|compiler/|tao/pegtl|sqlite3)'
check "grammar includes no compiler or runtime" grammar '#include [<"](compiler/|runtime/)'
check "the table format header is std-only" runtime/format '#include [<"](grammar/|compiler/|runtime/(eval|table|request)|boost|fmt)'
echo "layering: $fails failed"
exit $((fails > 0))
