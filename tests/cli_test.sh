#!/usr/bin/env bash
# tests/cli_test.sh EDICT SOURCE_DIR: the `edict` command as users run it:
# exit codes (0 clean, 1 policy errors, 2 usage or I/O), --help, --version, JSON;
# compile, query and explain on a bundled policy.
set -u
edict=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testing/expect.sh
source "$src/tests/testing/expect.sh"

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

# ---- compile, query, explain -------------------------------------------------
cc="$src/policies/contact_center.edict"
table="$tmp/cc.edictc"
expect 0 "--help lists compile, query and explain" -- "$edict" --help
contains out "compile" "--help lists compile"
contains out "query" "--help lists query"
contains out "explain" "--help lists explain"
expect 0 "compile --help" -- "$edict" compile --help
contains out "--no-debug" "compile --help lists --no-debug"
expect 2 "compile without -o" -- "$edict" compile "$cc"
expect 0 "compile a bundled policy" -- "$edict" compile "$cc" -o "$table"
contains out "compiled 1 file into" "compile says what it wrote"
if [[ -s "$table" ]]; then echo "ok: the table exists"; else echo "FAIL: no table written"; fails=$((fails + 1)); fi
if ls -A "$tmp" | grep -q '\.tmp\.'; then echo "FAIL: a temporary file was left behind"; fails=$((fails + 1)); else echo "ok: no temporary file left"; fi

agent=(--tenant t1 --principal u1 --role agent --action answer --resource Call --principal-attr queues=q1,q2)
expect 0 "query: an agent answers a call of their queue" -- "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q1
contains out "allow" "the answer is allow"
contains out "agent_answer_queue_calls" "with the deciding rule"
expect 0 "query: a call of another queue is denied (exit 0 without --exit-code)" -- \
  "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q9
contains out "deny" "the answer is deny"
contains out "no grant applies" "with the reason"
expect 1 "query --exit-code: deny exits 1" -- "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q9 --exit-code
expect 0 "query --exit-code: allow exits 0" -- "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q1 --exit-code
expect 0 "query: another tenant's call is denied" -- \
  "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q1 --resource-tenant t2
contains out "different tenants" "tenant isolation is the reason"
expect 0 "query: an administrator cannot view Billing" -- \
  "$edict" query --table "$table" --tenant t1 --role administrator --action view --resource Billing
contains out "forbid billing_owner_only" "the forbid decides"
expect 0 "query from policy files, compiled in memory" -- \
  "$edict" query "$cc" "${agent[@]}" --resource-attr queue=q1
contains out "allow" "policy files answer like the table"

expect 0 "query --format json" -- "$edict" query --table "$table" "${agent[@]}" --resource-attr queue=q1 --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["decision"]=="allow" and d["rule"]["name"]=="agent_answer_queue_calls" and d["reason"]=="granted", d' "$tmp/out"; then
  echo "ok: query JSON parses and names the rule"
else
  echo "FAIL: query JSON"; fails=$((fails + 1))
fi
cat > "$tmp/request.json" <<'JSON'
{"principal": {"id": "u1", "tenant": "t1", "roles": ["manager"], "attrs": {"queues": ["q1"]}},
 "action": "assign_role", "resource": {"type": "Member", "attrs": {"account": "u7", "role": "agent"}},
 "context": {"new_role": "agent"}}
JSON
expect 0 "query --request @file" -- "$edict" query --table "$table" --request "@$tmp/request.json" --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["decision"]=="allow", d' "$tmp/out"; then
  echo "ok: a manager may make an agent an agent"
else
  echo "FAIL: JSON request"; fails=$((fails + 1))
fi
expect 0 "flags add to --request" -- "$edict" query --table "$table" --request "@$tmp/request.json" --context new_role=manager
contains out "invite_below_own_rank" "a manager may not make a manager"
expect 2 "policy source given as --table" -- "$edict" query --table "$src/policies/pbx.edict" --tenant t1 --role tenant_admin --action view --resource UserExtension
contains err "that is policy source, not a compiled table: give it without --table" "says how to ask a policy"
expect 2 "a request file named without @" -- "$edict" query --table "$table" --request "$tmp/request.json"
contains err "is a file, not JSON; to read the request from it, write \`@$tmp/request.json\`" "says to write @FILE"
expect 2 "malformed --request JSON" -- "$edict" query --table "$table" --request '{"action": "view",'
contains err "malformed JSON" "says the JSON is malformed"
expect 2 "unknown key in --request" -- "$edict" query --table "$table" --request '{"principle": {}}'
contains err "unknown key \`principle\`" "names the unknown key"
# Found by fuzz/request_fuzzer: a number out of double's range escaped as an internal error.
expect 2 "a number out of range in --request" -- "$edict" query --table "$table" --request '{"context": {"n": 1e999}}'
contains err "request: malformed JSON" "says the JSON is malformed"
expect 0 "an unknown role denies with the reason" -- \
  "$edict" query --table "$table" --tenant t1 --role agnet --action answer --resource Call
contains out "unknown role \`agnet\`" "the reason names the role"
expect 1 "an unknown action denies (exit 1 with --exit-code)" -- \
  "$edict" query --table "$table" --tenant t1 --role agent --action frobnicate --resource Call --exit-code
contains out "unknown action \`frobnicate\`" "the reason names the action"
expect 2 "query without a table" -- "$edict" query --tenant t1 --action view --resource Call
expect 2 "query without an action" -- "$edict" query --table "$table" --tenant t1 --resource Call
expect 2 "query with a bad --principal-attr" -- "$edict" query --table "$table" "${agent[@]}" --resource-attr queue
expect 2 "query of a missing table" -- "$edict" query --table "$tmp/none.edictc" "${agent[@]}"
printf 'not a table' > "$tmp/garbage.edictc"
expect 2 "query of a file that is not a table" -- "$edict" query --table "$tmp/garbage.edictc" "${agent[@]}"
contains err "cannot load" "says the table cannot be loaded"
expect 2 "bad --custom-role syntax" -- "$edict" query --table "$table" "${agent[@]}" --custom-role nonsense
pbx_user=(--tenant t1 --role tenant_user --principal-attr status=active --principal-attr email_verified=true)
expect 0 "a custom role's allow names the role" -- "$edict" query "$src/policies/pbx.edict" "${pbx_user[@]}" \
  --action view --resource Billing --custom-role 'billing_person=custom_role:view/Billing'
contains out "rule: custom role \`billing_person\`" "query names the custom role"
expect 0 "explain says why a custom role did not apply" -- "$edict" explain "$src/policies/pbx.edict" \
  "${pbx_user[@]}" --action view --resource CallFlow --custom-role 'billing_person=custom_role:view/Billing'
contains out "custom role \`billing_person\` (catalog \`custom_role\`) did not apply: it does not grant \`view\` on \`CallFlow\`" \
  "explain names the custom role and what it lacks"
# A custom role names single actions on resource types. Over policy files an
# action group or a category there says what it stands for (as `edict test`
# does); a compiled table holds neither, and says so when nothing is close.
expect 0 "a custom role naming an action group, over policy files" -- "$edict" query "$src/policies/pbx.edict" \
  "${pbx_user[@]}" --action view --resource CallFlow --custom-role 'editor=custom_role:manage/CallFlow'
contains err "custom role \`editor\`: unknown action \`manage\`; \`manage\` is an action group; a custom role names single actions: \`view\`, \`create\`, \`edit\` or \`delete\`" \
  "the group's actions are listed"
contains out "unknown custom role \`editor\`" "the rejected custom role denies, as at a gateway"
expect 0 "a custom role naming a category, over policy files" -- "$edict" query "$src/policies/pbx.edict" \
  "${pbx_user[@]}" --action view --resource CallFlow --custom-role 'editor=custom_role:view/CallFlows'
contains err "unknown resource type \`CallFlows\`; \`CallFlows\` is a category; a custom role names resource types: \`CallFlow\`" \
  "the category's types are listed"
expect 0 "compile pbx" -- "$edict" compile "$src/policies/pbx.edict" -o "$tmp/pbx.edictc"
expect 0 "a custom role naming an action group, over a table" -- "$edict" query --table "$tmp/pbx.edictc" \
  "${pbx_user[@]}" --action view --resource CallFlow --custom-role 'editor=custom_role:manage/CallFlow'
contains err "unknown action \`manage\`; a compiled table holds single actions only: if \`manage\` is an action group, name its actions, or query the policy files" \
  "the table says what it cannot know"
expect 0 "a misspelt action, over a table" -- "$edict" query --table "$tmp/pbx.edictc" \
  "${pbx_user[@]}" --action view --resource CallFlow --custom-role 'editor=custom_role:veiw/CallFlow'
contains err "unknown action \`veiw\`; did you mean \`view\`?" "a near miss is suggested instead"

line=$(grep -n "^agent_answer_queue_calls:" "$cc" | cut -d: -f1)  # a rule starts at its label
expect 0 "explain" -- "$edict" explain --table "$table" "${agent[@]}" --resource-attr queue=q9
contains out "contact_center.edict:$line" "explain gives the rule's file:line"
contains out "resource.queue in principal.queues" "explain shows the failed condition"
contains out "not applied" "explain says which rules did not apply"
expect 0 "explain --format json" -- "$edict" explain --table "$table" "${agent[@]}" --resource-attr queue=q9 --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[x for x in d["rules"] if x["name"]=="agent_answer_queue_calls"]; assert d["decision"]=="deny" and r and not r[0]["applied"] and r[0]["location"].endswith(sys.argv[2]), d' "$tmp/out" "contact_center.edict:$line"; then
  echo "ok: explain JSON lists the rule with its location"
else
  echo "FAIL: explain JSON"; fails=$((fails + 1))
fi
expect 0 "compile --no-debug" -- "$edict" compile --no-debug "$cc" -o "$tmp/nodebug.edictc"
expect 0 "explain without debug info" -- "$edict" explain --table "$tmp/nodebug.edictc" "${agent[@]}" --resource-attr queue=q9
contains out "no debug section" "explain says the locations are missing"

# A failed compile leaves nothing behind, and never a half-written table.
expect 2 "compile into a missing directory" -- "$edict" compile "$cc" -o "$tmp/missing/cc.edictc"
contains err "cannot write" "says it cannot write"
if [[ -e "$tmp/missing" ]]; then echo "FAIL: the missing directory appeared"; fails=$((fails + 1)); else echo "ok: nothing created"; fi
expect 2 "compile into a path under a file" -- "$edict" compile "$cc" -o "$tmp/garbage.edictc/cc.edictc"
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
if [[ $(id -u) -ne 0 ]]; then  # root writes into read-only directories
  expect 2 "compile into a read-only directory" -- "$edict" compile "$cc" -o "$tmp/ro/cc.edictc"
  contains err "cannot write" "says it cannot write"
fi
if [[ -z $(ls -A "$tmp/ro") || $(id -u) -eq 0 ]]; then echo "ok: nothing left in the read-only directory"; else echo "FAIL: files left in $tmp/ro"; fails=$((fails + 1)); fi
chmod 755 "$tmp/ro"
printf 'old' > "$tmp/keep.edictc"
expect 1 "compile a policy with errors" -- "$edict" compile "$src/tests/golden/diag/name_unknown_role_typo.edict" -o "$tmp/keep.edictc"
contains err "unknown role \`supervsor\`" "with the diagnostics of check"
if [[ $(cat "$tmp/keep.edictc") == old ]]; then echo "ok: the old output is untouched"; else echo "FAIL: the old output was replaced"; fails=$((fails + 1)); fi
expect 1 "compile --format json with errors" -- "$edict" compile --format json "$src/tests/golden/diag/name_unknown_role_typo.edict" -o "$tmp/x.edictc"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"]==1 and d["output"] is None, d' "$tmp/out"; then
  echo "ok: compile JSON parses"
else
  echo "FAIL: compile JSON"; fails=$((fails + 1))
fi
if ls -A "$tmp" | grep -q '\.tmp\.'; then echo "FAIL: a temporary file was left behind"; fails=$((fails + 1)); else echo "ok: no temporary file left"; fi

# edict test: the runner as CI uses it.
kit="$src/tests/data/testkit"
expect 0 "test a passing file" -- "$edict" test "$kit/pass.edict-test"
contains out "11 passed, 0 failed" "prints the summary line"
expect 1 "test a failing file" -- "$edict" test "$kit/fail.edict-test"
contains out "FAIL:" "names each failing case"
contains out "expected: deny by inactive" "says what was expected"
expect 1 "test a file with unknown names" -- "$edict" test "$kit/errors.edict-test"
contains err "[E0402]" "reports unknown names as errors"
expect 2 "test a missing file" -- "$edict" test "$tmp/none.edict-test"
expect 1 "test --format json" -- "$edict" test --format json "$kit/fail.edict-test"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["failed"]==3 and d["coverage"], d' "$tmp/out"; then
  echo "ok: test JSON parses"
else
  echo "FAIL: test JSON"; fails=$((fails + 1))
fi
expect 1 "test --format junit" -- "$edict" test --format junit "$kit/fail.edict-test"
if python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); assert r.tag=="testsuites" and r.get("failures")=="3"' "$tmp/out"; then
  echo "ok: JUnit XML parses"
else
  echo "FAIL: JUnit XML"; fails=$((fails + 1))
fi
cat > "$tmp/partial.edict-test" <<EOT
policy "$kit/policy.edict";
tenant acme;
user ann in acme as agent { status: active };
deny ann view Call;
EOT
expect 0 "coverage below 100% passes without --min-coverage" -- "$edict" test --coverage "$tmp/partial.edict-test"
contains out "is not exercised by any case" "lists unexercised rules"
expect 1 "--min-coverage fails a partly covered policy" -- "$edict" test --min-coverage 100 "$tmp/partial.edict-test"
contains err "below --min-coverage" "says why"
expect 2 "--min-coverage out of range" -- "$edict" test --min-coverage 101 "$tmp/partial.edict-test"

# edict matrix: every format, on a bundled policy.
expect 0 "matrix text" -- "$edict" matrix "$src/policies/pbx.edict"
contains out "role tenant_admin" "text has a section per role"
expect 0 "matrix markdown" -- "$edict" matrix --format markdown "$src/policies/dashboard.edict"
contains out "| resource |" "markdown has a table header"
expect 0 "matrix csv" -- "$edict" matrix --format csv "$src/policies/contact_center.edict"
if python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); assert len(rows) > 10 and all(len(r)==len(rows[0]) for r in rows)' "$tmp/out"; then
  echo "ok: matrix CSV is rectangular"
else
  echo "FAIL: matrix CSV"; fails=$((fails + 1))
fi
expect 0 "matrix html" -- "$edict" matrix --format html "$src/policies/voice_workspace.edict"
contains out "<!DOCTYPE html>" "html is a whole page"
cat > "$tmp/unlabelled.edict" <<'EOF'
entity User { suspended: bool }
action view;
resource Doc actions view;
role viewer;
grant viewer view on Doc;
forbid view on Doc when principal.suspended;
EOF
expect 0 "matrix of unlabelled rules" -- "$edict" matrix "$tmp/unlabelled.edict"
contains out "[1] forbid when principal.suspended ($tmp/unlabelled.edict:6)" "an unlabelled rule is named by its place, once"
expect 2 "matrix bad format" -- "$edict" matrix --format pdf "$src/policies/pbx.edict"
expect 1 "matrix of a policy with errors" -- "$edict" matrix "$src/tests/golden/diag/name_unknown_role_typo.edict"

# ---- edict lint ----
lintdata="$src/tests/data/lint"
expect 0 "lint: bundled policies are clean" -- "$edict" lint "$src/policies"
contains out "0 errors, 0 warnings, 0 notes" "lint summary says clean"
expect 1 "lint: a finding at the default --fail-on (warning) exits 1" -- "$edict" lint "$lintdata/wildcard-grant/bad.edict"
contains out "warning: \`admin\` is granted every action on every resource type [wildcard-grant]" "lint text is compiler-style"
contains out "6 | grant admin * on *;" "lint text quotes the line"
expect 0 "lint: --fail-on error ignores warnings" -- "$edict" lint --fail-on error "$lintdata/wildcard-grant/bad.edict"
expect 1 "lint: --fail-on error fails on errors" -- "$edict" lint --fail-on error "$lintdata/bidi-control/bad.edict"
expect 0 "lint: --fail-on warning ignores notes" -- "$edict" lint "$lintdata/unused-enum-value/bad.edict"
expect 1 "lint: --fail-on note counts notes" -- "$edict" lint --fail-on note "$lintdata/unused-enum-value/bad.edict"
expect 0 "lint: --fail-on never" -- "$edict" lint --fail-on never "$lintdata/wildcard-grant/bad.edict"
expect 2 "lint: bad --fail-on" -- "$edict" lint --fail-on loud "$lintdata/wildcard-grant/bad.edict"
expect 2 "lint: bad --format" -- "$edict" lint --format xml "$src/policies"
expect 2 "lint: missing file" -- "$edict" lint "$tmp/missing.edict"
expect 2 "lint: no paths" -- "$edict" lint
expect 1 "lint: a policy with errors is not linted" -- "$edict" lint "$src/tests/golden/diag/name_unknown_role_typo.edict"
contains err "error: unknown role \`supervsor\`" "lint prints the check errors"
if [[ -s "$tmp/out" ]]; then echo "FAIL: lint printed findings for a broken policy"; fails=$((fails + 1)); else echo "ok: no findings for a broken policy"; fi
expect 0 "lint --explain" -- "$edict" lint --explain wildcard-grant
contains out "edict-lint: allow wildcard-grant" "explain says how to suppress"
expect 2 "lint --explain unknown" -- "$edict" lint --explain no-such-rule
expect 0 "lint --list-rules" -- "$edict" lint --list-rules
if [[ $(wc -l <"$tmp/out") -ge 12 ]]; then echo "ok: at least 12 rules"; else echo "FAIL: fewer than 12 rules"; fails=$((fails + 1)); fi
expect 1 "lint --format json" -- "$edict" lint --format json "$lintdata/wildcard-grant/bad.edict"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["findings"]; assert d["warnings"]>=1 and f[0]["rule"]=="wildcard-grant" and f[0]["location"]["line"]==6 and f[0]["fingerprint"], d' "$tmp/out"; then
  echo "ok: lint JSON"
else
  echo "FAIL: lint JSON"; fails=$((fails + 1))
fi
expect 1 "lint --format github" -- "$edict" lint --format github "$lintdata/wildcard-grant/bad.edict"
contains out "::warning file=$lintdata/wildcard-grant/bad.edict,line=6,col=13,endColumn=19,title=wildcard-grant::" "github workflow command"
expect 1 "lint --format junit" -- "$edict" lint --format junit "$lintdata/wildcard-grant/bad.edict"
if python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); assert r.tag=="testsuites" and int(r.get("failures"))>=1' "$tmp/out"; then
  echo "ok: lint JUnit parses"
else
  echo "FAIL: lint JUnit"; fails=$((fails + 1))
fi
expect 1 "lint --format sarif" -- "$edict" lint --format sarif "$lintdata/wildcard-grant/bad.edict"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]; assert d["version"]=="2.1.0" and r["results"][0]["ruleId"]=="wildcard-grant"' "$tmp/out"; then
  echo "ok: lint SARIF"
else
  echo "FAIL: lint SARIF"; fails=$((fails + 1))
fi
# Configuration: --config, and the nearest .edict-lint above the policy.
mkdir -p "$tmp/lintcfg/sub"
cp "$lintdata/wildcard-grant/bad.edict" "$tmp/lintcfg/sub/p.edict"
printf 'wildcard-grant = off\n' > "$tmp/lintcfg/.edict-lint"
expect 0 "lint: .edict-lint found walking up" -- "$edict" lint "$tmp/lintcfg/sub/p.edict"
printf 'wildcard-grant = error\n' > "$tmp/lint-error.cfg"
expect 1 "lint: --config raises a severity" -- "$edict" lint --fail-on error --config "$tmp/lint-error.cfg" "$tmp/lintcfg/sub/p.edict"
contains out "error: \`admin\` is granted" "the configured severity is shown"
printf 'wildcard-grant = loud\n' > "$tmp/lint-bad.cfg"
expect 2 "lint: bad configuration" -- "$edict" lint --config "$tmp/lint-bad.cfg" "$tmp/lintcfg/sub/p.edict"
contains err "lint-bad.cfg:1:" "configuration errors are located"
expect 2 "lint: missing --config" -- "$edict" lint --config "$tmp/nope.cfg" "$src/policies"

# ---- edict fmt ----
printf 'entity   User ;role b,a;grant a,b view on Doc;\naction view; resource Doc actions view; // c\n' > "$tmp/fmt.edict"
cp "$tmp/fmt.edict" "$tmp/fmt.orig"
expect 1 "fmt --check on an unformatted file" -- "$edict" fmt --check "$tmp/fmt.edict"
contains out "+++ $tmp/fmt.edict (formatted)" "fmt --check prints a unified diff"
contains out "+grant a, b view on Doc;" "the diff shows the canonical line"
if cmp -s "$tmp/fmt.edict" "$tmp/fmt.orig"; then echo "ok: fmt --check writes nothing"; else echo "FAIL: fmt --check wrote"; fails=$((fails + 1)); fi
expect 0 "fmt --stdout" -- "$edict" fmt --stdout "$tmp/fmt.edict"
contains out "role b, a;" "fmt keeps the order of declared names"
expect 0 "fmt - reads stdin" -- bash -c "\"$edict\" fmt - < \"$tmp/fmt.edict\""
contains out "entity User;" "fmt - writes stdout"
expect 0 "fmt rewrites in place" -- "$edict" fmt "$tmp/fmt.edict"
contains out "formatted $tmp/fmt.edict" "fmt names the files it changed"
expect 0 "fmt --check after fmt" -- "$edict" fmt --check "$tmp/fmt.edict"
printf 'entity User {\n' > "$tmp/fmt-bad.edict"
cp "$tmp/fmt-bad.edict" "$tmp/fmt-bad.orig"
expect 1 "fmt on a file that does not parse" -- "$edict" fmt "$tmp/fmt-bad.edict"
contains err "left unchanged" "fmt says the broken file is untouched"
if cmp -s "$tmp/fmt-bad.edict" "$tmp/fmt-bad.orig"; then echo "ok: fmt leaves a broken file alone"; else echo "FAIL: fmt touched a broken file"; fails=$((fails + 1)); fi
expect 2 "fmt on a missing file" -- "$edict" fmt "$tmp/missing.edict"
expect 2 "fmt without paths" -- "$edict" fmt
expect 0 "fmt --stdout on the bundled policies" -- "$edict" fmt --stdout "$src/policies"

# ---- edict diff ----
diffdata="$src/tests/data/diff"
expect 0 "diff: nothing changed" -- "$edict" diff "$diffdata/nothing_changed.old.edict" "$diffdata/nothing_changed.new.edict"
contains out "no decision changes" "diff says when nothing changed"
expect 1 "diff: a new grant exits 1" -- "$edict" diff "$diffdata/new_grant.old.edict" "$diffdata/new_grant.new.edict"
contains out "newly allowed" "diff names what is newly allowed"
expect 0 "diff: a new forbid exits 0" -- "$edict" diff "$diffdata/new_forbid.old.edict" "$diffdata/new_forbid.new.edict"
expect 1 "diff --format json" -- "$edict" diff --format json "$diffdata/new_grant.old.edict" "$diffdata/new_grant.new.edict"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["wider"] and d["changes"][0]["role"]=="accountant", d' "$tmp/out"; then
  echo "ok: diff JSON"
else
  echo "FAIL: diff JSON"; fails=$((fails + 1))
fi
expect 2 "diff: a policy with errors" -- "$edict" diff "$diffdata/base.edict" "$src/tests/golden/diag/name_unknown_role_typo.edict"
contains err "has errors" "diff says which side has errors"
expect 2 "diff: a missing file" -- "$edict" diff "$diffdata/base.edict" "$tmp/missing.edict"
expect 2 "diff: one argument" -- "$edict" diff "$diffdata/base.edict"

echo "cli: $fails failed"
exit $((fails > 0))
