#!/usr/bin/env bash
# The whole flow an admin runs, against an embedded local AWS (moto's server on 127.0.0.1):
# no AWS account, nothing leaves this machine. validate, audit and manifest join as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PROVISION=$BIN/provision
step() { printf '\n\033[1m$ provision %s\033[0m\n' "${*:2}"; "$@"; }

PORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp)
$PROVISION sandbox --port "$PORT" > "$LOG" 2>&1 &
SANDBOX=$!
trap 'kill $SANDBOX 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 100); do
  grep -q '^export AWS_DEFAULT_REGION' "$LOG" && break
  kill -0 $SANDBOX 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.2
done
cat "$LOG"
eval "$(grep '^export ' "$LOG")"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

BUCKET=provisioner-demo-images
ID=ckdemo0000000000000000001
step $PROVISION vendors
step $PROVISION policy permissions --bucket $BUCKET --prefix alexa-devices/
step $PROVISION create-role --bucket $BUCKET --external-id $ID --dry-run
step $PROVISION create-role --bucket $BUCKET --external-id $ID
echo "# the same command again: nothing to change, no mutating call"
step $PROVISION create-role --bucket $BUCKET --external-id $ID
ROLE_ARN=arn:aws:iam::123456789012:role/LabelboxS3Access
step $PROVISION validate --role-arn $ROLE_ARN --external-id $ID --bucket $BUCKET
step $PROVISION validate --role-arn $ROLE_ARN --external-id $ID --bucket $BUCKET --live
echo
echo "# someone loosens the trust policy by hand (StringLike \"ckdemo*\": any ID with that prefix)..."
$BIN/python - <<'PY'
import json, boto3
boto3.client("iam").update_assume_role_policy(RoleName="LabelboxS3Access", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"},
    "Condition": {"StringLike": {"sts:ExternalId": "ckdemo*"}}}]}))
PY
echo "# ...validate says so (exit code 1 expected):"
step $PROVISION validate --role-arn $ROLE_ARN --external-id $ID --bucket $BUCKET || echo "(exit $?)"
echo "# create-role refuses to narrow the trust unasked (it would shut out IDs that work now):"
step $PROVISION create-role --bucket $BUCKET --external-id $ID || echo "(exit $?)"
echo "# ...and repairs the drift with --replace-external-id, as validate's remediation says:"
step $PROVISION create-role --bucket $BUCKET --external-id $ID --replace-external-id
step $PROVISION validate --role-arn $ROLE_ARN --external-id $ID --bucket $BUCKET
step $PROVISION rotate-external-id --role-name LabelboxS3Access --external-id ckdemo0000000000000000002 --keep-old
step $PROVISION rotate-external-id --role-name LabelboxS3Access --external-id ckdemo0000000000000000002 --yes
TMP=$(mktemp -d)
cat > "$TMP/handmade-trust.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::340636424752:root"}, "Action": "sts:AssumeRole",
  "Condition": {"StringLike": {"sts:ExternalId": "*"}}}]}
JSON
echo "# a hand-made trust policy, as found in old accounts (exit code 1 expected):"
step $PROVISION lint "$TMP/handmade-trust.json" || echo "(exit $?)"
rm -rf "$TMP"
echo "# roles made by hand years ago, and what audit makes of them:"
$BIN/python - <<'PY'
import json, boto3
iam = boto3.client("iam")
def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
iam.create_role(RoleName="OldLabelboxRole", AssumeRolePolicyDocument=trust({"AWS": "340636424752"}))
iam.put_role_policy(RoleName="OldLabelboxRole", PolicyName="all-s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
iam.create_role(RoleName="IsahitTest", AssumeRolePolicyDocument=trust(
    {"AWS": "arn:aws:iam::999888496268:root"}, {"StringLike": {"sts:ExternalId": "*"}}))
iam.create_role(RoleName="BuildServer", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
PY
step $PROVISION audit || echo "(exit $?)"
step $PROVISION delete-role --role-name LabelboxS3Access --dry-run
step $PROVISION delete-role --role-name LabelboxS3Access --yes
echo
echo "# the import files, labels from folder names:"
step $PROVISION manifest --bucket $BUCKET --prefix alexa-devices/ --format labelbox-ndjson
step $PROVISION manifest --bucket $BUCKET --prefix alexa-devices/ --format rekognition --upload s3://$BUCKET/manifests/alexa-devices.manifest
