#!/usr/bin/env bash
# tests/lint_sarif_test.sh EDICT SOURCE_DIR: `edict lint --format sarif` must pass
# Microsoft's SARIF Multitool `validate` (JSON schema + SARIF rules) with zero
# errors, on output with findings of every rule (tests/data/lint/*/bad.edict) and
# on clean output (policies/).
#
# The multitool comes from npm (@microsoft/sarif-multitool), installed by
# scripts/install-deps.sh into build-tools/sarif; EDICT_SARIF_MULTITOOL overrides
# the path. It exits 0 even when the file is invalid, so this script reads the
# SARIF log it writes and counts results at level error (a result without a level
# takes its rule's default, as the SARIF spec says). A missing validator fails
# the test: CI must not pass without it.
set -u
edict=$1
src=$2
tool=${EDICT_SARIF_MULTITOOL:-$src/build-tools/sarif/node_modules/.bin/sarif-multitool}
if [[ ! -x $tool ]]; then
  echo "FAIL: SARIF Multitool not found at $tool; run scripts/install-deps.sh (npm install of @microsoft/sarif-multitool)"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

validate() {  # validate NAME SARIF_FILE
  local name=$1 file=$2
  if ! "$tool" validate "$file" --output "$tmp/$name.validation.sarif" --log ForceOverwrite >"$tmp/$name.log" 2>&1; then
    echo "FAIL: $name: the validator did not run"; sed 's/^/  | /' "$tmp/$name.log" | head -20
    fails=$((fails + 1)); return
  fi
  if python3 - "$tmp/$name.validation.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
errors = warnings = 0
for run in log.get("runs", []):
    rules = run.get("tool", {}).get("driver", {}).get("rules", [])
    for r in run.get("results", []):
        level = r.get("level")
        if level is None:
            i = r.get("ruleIndex", -1)
            level = rules[i].get("defaultConfiguration", {}).get("level", "warning") if 0 <= i < len(rules) else "warning"
        if level == "error":
            errors += 1
            print("  |", r.get("ruleId"), json.dumps(r.get("message")))
        elif level == "warning":
            warnings += 1
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", []):
            if n.get("level", "warning") == "error":
                errors += 1
                print("  | tool error:", json.dumps(n.get("message")))
print(f"  validator: {errors} errors, {warnings} warnings")
sys.exit(1 if errors else 0)
PY
  then echo "ok: $name is valid SARIF 2.1.0"
  else echo "FAIL: $name has validation errors"; fails=$((fails + 1))
  fi
}

"$edict" lint --format sarif --fail-on never "$src"/tests/data/lint/*/bad.edict >"$tmp/findings.sarif" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 0 ]]; then echo "FAIL: edict lint exited $rc"; cat "$tmp/err"; exit 1; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=len(d["runs"][0]["results"]); assert n >= 18, n; print(f"ok: {n} results")' "$tmp/findings.sarif" || fails=$((fails + 1))
validate findings "$tmp/findings.sarif"

"$edict" lint --format sarif "$src/policies" >"$tmp/clean.sarif" 2>"$tmp/err" || { echo "FAIL: policies are not lint-clean"; fails=$((fails + 1)); }
validate clean "$tmp/clean.sarif"

if [[ $fails -ne 0 ]]; then echo "$fails failure(s)"; exit 1; fi
echo "all SARIF checks passed"
