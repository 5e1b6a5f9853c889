#!/usr/bin/env bash
# The whole flow an admin runs, on this machine. Today: the offline documents and lint.
# (create-role, validate, audit and manifest join here, against an embedded local AWS, as
# they land.)
set -euo pipefail
cd "$(dirname "$0")/.."
PROVISION=.venv/bin/provision
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step $PROVISION vendors
step $PROVISION policy permissions --bucket demo-images --prefix alexa-devices/
step $PROVISION policy trust --external-id ckdemo0000000000000000001
step $PROVISION policy cors
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
$PROVISION policy trust --external-id ckdemo0000000000000000001 > "$TMP/trust.json"
cat > "$TMP/handmade-trust.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::340636424752:root"}, "Action": "sts:AssumeRole",
  "Condition": {"StringLike": {"sts:ExternalId": "*"}}}]}
JSON
step $PROVISION lint "$TMP/trust.json"
echo
echo "# a hand-made trust policy, as found in old accounts (exit code 1 expected):"
step $PROVISION lint "$TMP/handmade-trust.json" || echo "(exit $?)"
