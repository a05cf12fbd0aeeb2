#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what Edict needs, build it,
# check the bundled product policies, compile each to a decision table, and ask the
# tables a few of the questions their product documents answer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
edict=./build/edict
tables=build/tables
mkdir -p "$tables"

echo
echo "== edict check policies/"
"$edict" check policies/

echo
echo "== edict compile: one decision table per policy"
for policy in policies/*.edict; do
  "$edict" compile "$policy" -o "$tables/$(basename "$policy" .edict).edictc"
done

# ask EXPECTED QUESTION -- QUERY ARGS...: prints the question and the decision, and
# fails the script if the decision is not the expected one.
ask() {
  local expected=$1 question=$2
  shift 3
  echo
  echo "== $question"
  echo "   edict query $*"
  local answer
  answer=$("$edict" query "$@")
  echo "$answer" | sed 's/^/   /'
  if [[ $(echo "$answer" | head -1) != "$expected" ]]; then
    echo "quickstart: expected $expected" >&2
    exit 1
  fi
}

ask allow "contact center: may an agent answer a call in one of her queues?" -- \
  --table "$tables/contact_center.edictc" --tenant t1 --role agent --action answer --resource Call \
  --principal-attr queues=q1,q2 --resource-attr queue=q1
ask deny "contact center: may an administrator see billing? (only the Owner does)" -- \
  --table "$tables/contact_center.edictc" --tenant t1 --role administrator --action view --resource Billing
ask allow "contact center: may the owner see billing?" -- \
  --table "$tables/contact_center.edictc" --tenant t1 --role owner --action view --resource Billing
ask deny "dashboard: may an admin edit another admin? (only the superadministrator)" -- \
  --table "$tables/dashboard.edictc" --tenant t1 --role admin --action edit --resource Member \
  --resource-attr role=admin
ask allow "pbx: may a tenant user listen to the voicemail of his own extension?" -- \
  --table "$tables/pbx.edictc" --tenant acme --role tenant_user --action view --resource VoicemailBox \
  --principal-attr status=active --principal-attr email_verified=true --principal-attr extensions=x100 \
  --resource-attr extension=x100
ask deny "pbx: ... and of somebody else's?" -- \
  --table "$tables/pbx.edictc" --tenant acme --role tenant_user --action view --resource VoicemailBox \
  --principal-attr status=active --principal-attr email_verified=true --principal-attr extensions=x100 \
  --resource-attr extension=x200

echo
echo "== edict explain: why a supervisor cannot see the activity of a group outside her scope"
"$edict" explain --table "$tables/dashboard.edictc" --tenant t1 --role supervisor --action view \
  --resource Activity --principal-attr groups=g1,g2 --resource-attr group=g7 | sed 's/^/   /'

echo
echo "== edict test policies/: every can and cannot of the five product documents"
"$edict" test --coverage policies/
