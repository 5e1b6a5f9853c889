"""Pure: a failing check's remediation, whose commands act on exactly what was checked.

The remediations are data (policies/checks.json); this fills their {placeholders}. A printed
`provision create-role` carries every option that selects what validate looked at: the vendor
(--vendor, or --principal and --origin for a vendor of no profile), --role-name and --path of
the role ARN, --bucket, --external-id, --prefix, the bucket's KMS key, a policy name other than
the vendor's default, a non-default session duration, --adopt for a role provisioner did not
create, and the account selection given on validate's command line (ValidateSpec.selection).
Values are quoted for a POSIX shell (shlex), so a copied command runs as printed.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from typing import Any

from provisioner.errors import ProvisionerError
from provisioner.evaluation import Hit, Policy
from provisioner.iam import strings
from provisioner.model import Arn, Status, bucket_arn
from provisioner.validate import causes
from provisioner.validate.least import read_policy_writes
from provisioner.validate.model import Check, Snapshot, ValidateSpec, fill_remedy, remediation_template
from provisioner.validate.others import other_policies, other_policy_commands
from provisioner.validate.rules import (
    DENIED_BY_ORGANIZATION,
    DEPENDS_ON_VENDOR,
    free_keys,
    s3_request,
)
from provisioner.vendors import CUSTOM

MANAGED_BY = ("managed-by", "provisioner")  # the tag create-role puts on what it owns (role/model.py)
DEFAULT_SESSION = 3600  # create-role's --max-session-duration default
# the placeholders that are commands to run (not remove_boundary: it widens what the role may do)
COMMANDS = ("create_role", "replace_trust", "tag_role")
# remediations of a cause other than the role's policies (policies/checks.json; validate/causes.py)
ROLE_TAG_MISSING = "ROLE_TAG_MISSING"
BOUNDARY_NOT_PRINCIPAL = "BOUNDARY_NOT_PRINCIPAL"
BOUNDARY_LIMITS = "BOUNDARY_LIMITS"  # checks.json: the boundary alone refuses the read
BUCKET_POLICY_DENIES = "BUCKET_POLICY_DENIES"
ORGANIZATION_EXEMPTS = "ORGANIZATION_EXEMPTS"
NOT_DECIDED = {"ORG_ID": "NOT_DECIDED_ORGANIZATION_ID", "ORG_PATHS": "NOT_DECIDED_ORGANIZATION_PATHS"}


def remediate(check: Check, spec: ValidateSpec, state: Snapshot | None = None) -> Check:
    """The check with its remediation filled (FAIL or WARN), or none (PASS or SKIP)."""
    if check.status not in (Status.FAIL, Status.WARN):
        return replace(check, remediation="", commands=())
    values = fix_values(check.name, spec, state)
    # a remedy of its own (the refusal's source) comes first, then a cause other than the role's
    # policies (a tag it lacks, its boundary, an organization not read), then the code's own
    key = (
        _exempting(check, spec, state, values)
        or check.remedy
        or _cause(check, spec, state, values)
        or check.code
    )
    template = remediation_template(check.name, key)
    commands = tuple(values[c] for c in COMMANDS if "{" + c + "}" in template)
    dropped = _trust_drops(state) if "{replace_trust}" in template and state is not None else ""
    if dropped:  # a trust replacement that drops a condition you wrote is never a command to run
        commands = tuple(c for c in commands if c != values["replace_trust"])
    narrow = True  # the read policy create-role rewrites is where the grant is
    if check.name == "AWSLeastPrivilege" and state is not None:
        commands += other_policy_commands(spec, state, _keep(spec, state))  # what fixes it: taking them off
        narrow = read_policy_writes(
            spec, state, _policy_name(spec, state)
        )  # create-role rewrites only that (trial 20q item 5)
        commands = commands if narrow else tuple(c for c in commands if c != values.get("create_role"))
    text = fill_remedy(check.name, values, key)
    if not narrow:
        said = f"Rewrite the role's read-only policy: {values.get('create_role', '')}"
        text = text.replace(
            said, "The role's read-only policy grants no write, so create-role would not change this"
        )
    elif "{create_role}" in template and state is not None:
        text += _rewrite_note(spec, state)
    text += dropped
    return replace(check, remediation=text, commands=commands)


def _trust_drops(state: Snapshot) -> str:
    """The conditions a trust replacement drops (every one but the external ID's), said so a
    condition the admin added is never lost unseen (trial 20h items 3, 4)."""
    from provisioner.iam import condition_entries, parse_document

    if state.role is None:
        return ""
    trust = Policy("trust", parse_document(state.role["AssumeRolePolicyDocument"]))
    dropped = [
        f"{operator} {key} {json.dumps(values)}"
        for statement in trust.statements
        if statement.is_allow
        for operator, key, values in condition_entries(statement.body.get("Condition")) or []
        if key.lower() != "sts:externalid"
    ]
    if not dropped:
        return ""
    if_exists = any(
        op.lower().endswith("ifexists") and key.lower() == "sts:externalid"
        for s in trust.statements
        for op, key, _ in condition_entries(s.body.get("Condition")) or []
    )
    hint = " (its ...IfExists on sts:ExternalId becomes StringEquals)" if if_exists else ""
    return (
        f". Note: --replace-external-id writes the vendor's plain trust: it drops {'; '.join(dropped)}; "
        f"so it is not among the commands: to keep them, edit the trust by hand instead{hint}"
    )


def _rewrite_note(spec: ValidateSpec, state: Snapshot) -> str:
    """What the printed create-role's rewrite of the role's policy takes away or adds beyond what
    it grants now (another bucket, a prefix dropped): said, so it is never run blind."""
    from provisioner.role import RoleSpec, wanted_role
    from provisioner.role.plan import lost_reads, shown_reads

    name = _policy_name(spec, state) or spec.vendor.policy_name or "VendorReadAccess"
    current = next((p.document for p in state.identity_policies if p.name == f"policy {name}"), None)
    if current is None:
        return ""
    try:
        key = state.kms_key if state.kms_key and ":key/" in state.kms_key else None
        ask = RoleSpec(spec.vendor, spec.bucket, spec.external_id, prefix=spec.prefix, kms_key_arn=key)
        wanted, _ = wanted_role(ask)
    except ProvisionerError:
        return ""
    lost, gained = lost_reads(current, wanted.permissions), lost_reads(wanted.permissions, current)
    said = [f"it takes away {shown_reads(lost)}"] if lost else []
    # within the same bucket, what it adds is a limit dropped (validate run without the role's --prefix)
    same = {r: a for r, a in gained.items() if f":::{spec.bucket}" in r}
    named_now = any(f":::{spec.bucket}" in r for r in _resources(current))
    said += [f"it widens the role's reads to {shown_reads(same)}"] if same and named_now else []
    if not said:
        return ""
    note = "; ".join(said)
    return f". Note: that create-role rewrites the role's policy: {note} (are --bucket and --prefix right?)"


def _resources(document: object) -> list[str]:
    return [r for s in Policy("policy", document).statements for r in strings(s.body.get("Resource"))]


def _exempting(
    check: Check, spec: ValidateSpec, state: Snapshot | None, values: dict[str, str]
) -> str | None:
    """For a refusal by an SCP or RCP, or a verdict that depends on what the vendor sends under
    one (a network perimeter): the tag its own exemption reads, when tagging the role makes the
    check pass (trial 20 items 6 and 20g 7: the remediation was a generic "exempt the role")."""
    if state is None or check.remedy not in (DENIED_BY_ORGANIZATION, DEPENDS_ON_VENDOR):
        return None
    if not (state.org.scps or state.org.rcps):
        return None
    tag = causes.organization_tag(check.name, spec, state)
    if tag is None:
        return None
    values["tag_key"], values["tag_value"] = tag
    values["tag_role"] = shlex.join(
        [
            "aws",
            "iam",
            "tag-role",
            "--role-name",
            spec.role_name,
            "--tags",
            json.dumps([{"Key": tag[0], "Value": tag[1]}]),
            *spec.selection,
        ]
    )
    return ORGANIZATION_EXEMPTS


def _limited(check: Check, spec: ValidateSpec, state: Snapshot, values: dict[str, str]) -> str | None:
    """BOUNDARY_LIMITS where the boundary alone refuses the check's reads."""
    limited = causes.boundary_limits(check.name, spec, state)
    if not limited or state.boundary is None:
        return None
    values["boundary"] = state.boundary.name.removeprefix("permissions boundary ")
    values["boundary_limits"] = ", ".join(limited)
    return BOUNDARY_LIMITS


def _cause(check: Check, spec: ValidateSpec, state: Snapshot | None, values: dict[str, str]) -> str | None:
    """The remediation of what the check turns on when it is not the role's policies, with its
    placeholders put in `values` (validate/causes.py); None when it is theirs."""
    if state is None:
        return None
    if check.status is Status.WARN:
        found = causes.organization_input(check, spec, state)
        return NOT_DECIDED[found] if found else None
    if check.code == "KMS_DECRYPT_DENIED":  # the boundary alone refuses S3's decrypt: trial 20z item 5
        return _limited(check, spec, state, values)
    if check.code not in ("BUCKET_ACCESS_DENIED", "OBJECT_READ_DENIED"):
        return None
    denies = causes.boundary_denies(check.name, spec, state)
    if denies and state.boundary is not None:
        values["boundary_deny"] = ", ".join(denies)
        values["boundary"] = state.boundary.name.removeprefix("permissions boundary ")
        values["spared"] = json.dumps(causes.spared_arns(state) or [spec.role_arn])
        values["remove_boundary"] = shlex.join(
            ["aws", "iam", "delete-role-permissions-boundary", "--role-name", spec.role_name, *spec.selection]
        )
        return BOUNDARY_NOT_PRINCIPAL
    limited = _limited(check, spec, state, values)
    if limited is not None:
        return limited
    tag = causes.missing_tag(check.name, spec, state)
    if tag is not None:
        tags = json.dumps([{"Key": tag[0], "Value": tag[1]}])
        values["tag_key"] = tag[0]
        values["tag_role"] = shlex.join(
            ["aws", "iam", "tag-role", "--role-name", spec.role_name, "--tags", tags, *spec.selection]
        )
        return ROLE_TAG_MISSING
    denying = causes.bucket_policy_denies(check.name, spec, state)
    if denying:
        values["denying"] = ", ".join(denying)
        return BUCKET_POLICY_DENIES
    return None


def vendor_options(spec: ValidateSpec) -> list[str]:
    """How the commands name the vendor: its profile, or its principal and web origins."""
    vendor = spec.vendor
    if vendor.name != CUSTOM:
        return ["--vendor", vendor.name]
    options = ["--principal", vendor.principal]
    for origin in vendor.cors_origins:
        options += ["--origin", origin]
    return options


def create_role_args(spec: ValidateSpec, state: Snapshot | None = None) -> list[str]:
    """`provision create-role` with every option that selects what was checked."""
    args = ["provision", "create-role", *vendor_options(spec), "--role-name", spec.role_name]
    path = _role_path(spec)
    if path != "/":
        args += ["--path", path]
    args += ["--bucket", spec.bucket, "--external-id", spec.external_id]
    if spec.prefix:
        args += ["--prefix", spec.prefix]
    if state is not None:
        key = state.kms_key
        if key and (arn := Arn.parse(key)) is not None and arn.resource.startswith("key/"):
            # create-role rewrites the policy: without the key it would drop kms:Decrypt
            args += ["--kms-key-arn", key]
        if (policy := _policy_name(spec, state)) is not None:
            args += ["--policy-name", policy]
        if state.role is not None:
            seconds = state.role.get("MaxSessionDuration")
            if isinstance(seconds, int) and seconds != DEFAULT_SESSION:
                args += ["--max-session-duration", str(seconds)]
            if not _managed(state.role.get("Tags")):
                args.append("--adopt")  # the remediation is to bring this role into line
    return args + list(spec.selection)


def fix_values(name: str, spec: ValidateSpec, state: Snapshot | None = None) -> dict[str, str]:
    """The {placeholders} of a remediation, for this check, this spec and what was read."""
    create = create_role_args(spec, state)
    values = {
        "bucket": spec.bucket,
        "external_id": spec.external_id,
        "role_name": spec.role_name,
        "role_arn": spec.role_arn,
        "prefix": spec.prefix or "",
        "create_role": shlex.join(create),
        "replace_trust": shlex.join([*create, "--replace-external-id"]),
        "bucket_policy_deny": "",
        "key_policy": "",
        "other_policies": "",
    }
    if state is None:
        return values
    actions = {
        "AWSBucketAccess": ("s3:ListBucket", "s3:GetBucketLocation"),
        "AWSObjectRead": ("s3:GetObject",),
    }.get(name, ())
    denies = _bucket_policy_denies(spec, state, actions)
    if denies:
        values["bucket_policy_deny"] = (
            f"; then remove the Deny for this role from the bucket policy of {spec.bucket} "
            f"({', '.join(denies)})"
        )
    if name == "AWSObjectRead" and state.kms_key:
        values["key_policy"] = (
            f"; the policy of KMS key {state.kms_key} must allow kms:Decrypt for the role or for IAM "
            "policies of the account"
        )
    if name == "AWSLeastPrivilege":
        values["other_policies"] = other_policies(spec, state, _keep(spec, state))
    return values


EXTERNAL_ID_VARIABLE = "LABELBOX_EXTERNAL_ID"
_SENTINEL = "provisioner-external-id-sentinel"


def labelbox_values(role_arn: str, bucket: str) -> dict[str, str]:
    """The placeholders for a check Labelbox failed and we did not run (labelbox connect): the
    external ID is Labelbox's, so the commands read it from $LABELBOX_EXTERNAL_ID (unset, the
    command is refused: an empty --external-id is bad input)."""
    from provisioner.vendors import get_vendor

    arn = Arn.parse(role_arn)
    if arn is None or not arn.is_role:
        role_arn = f"arn:aws:iam::000000000000:role/{role_arn}"
    spec = ValidateSpec(role_arn, _SENTINEL, bucket, get_vendor("labelbox"))
    values = fix_values("", spec)
    variable = f'"${EXTERNAL_ID_VARIABLE}"'
    values = {k: v.replace(_SENTINEL, variable) for k, v in values.items()}
    values["external_id"] = f"<the external ID on Labelbox's integration page, in ${EXTERNAL_ID_VARIABLE}>"
    return values


def _role_path(spec: ValidateSpec) -> str:
    resource = spec.arn.resource  # role/PATH/NAME
    return resource[len("role") : len(resource) - len(spec.role_name)] or "/"


def _managed(tags: object) -> bool:
    if not isinstance(tags, list):
        return False
    return any(isinstance(t, dict) and (t.get("Key"), t.get("Value")) == MANAGED_BY for t in tags)


def _provisioner_policies(state: Snapshot) -> list[str]:
    return [p["PolicyName"] for p in state.attached if p["Tags"].get(MANAGED_BY[0]) == MANAGED_BY[1]]


def _keep(spec: ValidateSpec, state: Snapshot) -> str:
    return _policy_name(spec, state) or spec.vendor.policy_name or "VendorReadAccess"


def _policy_name(spec: ValidateSpec, state: Snapshot) -> str | None:
    """The read-only policy create-role made for this role under another name than the vendor's
    default (create-role --policy-name): rewriting that one, not adding a second."""
    ours = _provisioner_policies(state)
    default = spec.vendor.policy_name or "VendorReadAccess"
    if default in ours or len(ours) != 1:
        return None
    return ours[0]


def _bucket_policy_denies(spec: ValidateSpec, state: Snapshot, actions: tuple[str, ...]) -> list[str]:
    """The bucket policy's Deny statements that refuse the role's session one of `actions` on the
    bucket (ListBucket, GetBucketLocation) or the sample object (GetObject)."""
    if not state.bucket_policy or not actions:
        return []
    from provisioner.analysis.decide import denies_for_some_value  # z3: loaded when asked

    bucket = bucket_arn(spec.bucket, spec.partition)
    policy = Policy("bucket policy", state.bucket_policy)
    free = free_keys(spec, state)
    found: list[str] = []
    for action in actions:
        resource = f"{bucket}/{spec.sample_key}" if action == "s3:GetObject" else bucket
        context: dict[str, Any] = {"s3:prefix": spec.prefix or ""} if action == "s3:ListBucket" else {}
        request = s3_request(spec, state, action, resource, **context)
        # at some value the vendor chooses (analysis/decide.py): a Deny of TLS 1.2 counts
        for statement in denies_for_some_value(policy, request, free):
            hit = Hit(policy.name, statement.path, statement.body.get("Sid"), "Deny").describe()
            found += [hit] if hit not in found else []
    return found
