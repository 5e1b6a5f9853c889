"""The role journeys' decisions, pure: plans from hand-made snapshots, no endpoint."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from provisioner.errors import InputError
from provisioner.role import (
    DeleteSnapshot,
    RoleSnapshot,
    RoleSpec,
    RotateSpec,
    plan_delete,
    plan_role,
    plan_rotate,
    wanted_role,
)
from provisioner.vendors import get_vendor

ACCOUNT = "123456789012"
ID = "ckx5y2w9q0001abcd1234"
LABELBOX = get_vendor("labelbox")
WANTED, _ = wanted_role(RoleSpec(LABELBOX, "images", ID))
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/LabelboxReadAccess"
OURS = [{"Key": k, "Value": v} for k, v in WANTED.tags.items()]
CUSTOMER_RULE = {
    "ID": "customer",
    "AllowedOrigins": ["https://intranet.example.com"],
    "AllowedMethods": ["GET"],
}


def as_wanted(**changes) -> RoleSnapshot:
    """The account exactly as create-role leaves it, with `changes` applied."""
    snapshot = RoleSnapshot(
        account=ACCOUNT,
        partition="aws",
        role={
            "RoleName": "LabelboxS3Access",
            "Path": "/",
            "Arn": ROLE_ARN,
            "AssumeRolePolicyDocument": WANTED.trust,
            "MaxSessionDuration": 3600,
            "Tags": OURS,
        },
        attached=[{"PolicyName": "LabelboxReadAccess", "PolicyArn": POLICY_ARN}],
        policy={"Arn": POLICY_ARN, "PolicyName": "LabelboxReadAccess", "AttachmentCount": 1, "Tags": OURS},
        policy_document=WANTED.permissions,
        cors_rules=[WANTED.cors_rule],
    )
    return replace(snapshot, **changes)


def methods(plan) -> list[str]:
    return [c.method for c in plan.changes]


def test_an_empty_account_gets_policy_role_attachment_and_cors_in_that_order():
    plan = plan_role(WANTED, RoleSnapshot(ACCOUNT, "aws", cors_rules=[]))
    assert methods(plan) == ["create_policy", "create_role", "attach_role_policy", "put_bucket_cors"]
    assert [c.permission for c in plan.changes] == [
        "iam:CreatePolicy",
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "s3:PutBucketCORS",
    ]
    trust = json.loads(plan.changes[1].params["AssumeRolePolicyDocument"])
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": ID}}
    assert (plan.role_arn, plan.policy_arn) == (ROLE_ARN, POLICY_ARN)


def test_the_wanted_state_plans_nothing():
    plan = plan_role(WANTED, as_wanted())
    assert plan.changes == [] and plan.warnings == []


def test_a_different_external_id_is_one_trust_update_that_names_both_ids():
    old = json.loads(json.dumps(WANTED.trust).replace(ID, "ckold0000000000000001"))
    plan = plan_role(WANTED, as_wanted(role={**as_wanted().role, "AssumeRolePolicyDocument": old}))
    assert methods(plan) == ["update_assume_role_policy"]
    # issue 21: the plan shows the semantic difference first, then the IDs that differ
    assert plan.changes[0].detail == (
        f"newly admits account 340636424752 with exactly {ID}; no longer admits account "
        f"340636424752 with exactly ckold0000000000000001 (external ID ckold0000000000000001 -> {ID})"
    )


def test_a_sixth_policy_version_first_deletes_the_oldest_non_default():
    versions = [
        {"VersionId": f"v{n}", "IsDefaultVersion": n == 5, "CreateDate": f"2026-01-0{n}T00:00:00Z"}
        for n in range(1, 6)
    ]
    plan = plan_role(
        WANTED,
        as_wanted(policy_document={"Version": "2012-10-17", "Statement": []}, policy_versions=versions),
    )
    assert methods(plan) == ["delete_policy_version", "create_policy_version"]
    assert plan.changes[0].params["VersionId"] == "v1"


def test_the_customers_cors_rules_are_kept_after_ours():
    plan = plan_role(WANTED, as_wanted(cors_rules=[CUSTOMER_RULE]))
    (change,) = plan.changes
    rules = change.params["CORSConfiguration"]["CORSRules"]
    assert [r["ID"] for r in rules] == [WANTED.cors_rule["ID"], "customer"]
    assert "1 other rule(s) kept" in change.detail


def test_a_role_provisioner_did_not_make_is_refused_unless_adopted():
    foreign = as_wanted(role={**as_wanted().role, "Tags": []})
    with pytest.raises(InputError) as err:
        plan_role(WANTED, foreign)
    assert err.value.field == "role_name" and "--adopt" in err.value.rule
    assert plan_role(replace(WANTED, adopt=True), foreign).changes  # adopting tags it


def test_a_policy_other_principals_use_is_never_rewritten():
    shared = as_wanted(
        policy={**as_wanted().policy, "AttachmentCount": 3},
        policy_document={"Version": "2012-10-17", "Statement": []},
    )
    with pytest.raises(InputError) as err:
        plan_role(WANTED, shared)
    assert err.value.field == "policy_name" and "2 other" in err.value.rule


def test_extra_policies_are_left_alone_with_a_warning():
    extra = {"PolicyName": "Admin", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    plan = plan_role(WANTED, as_wanted(attached=[*as_wanted().attached, extra], inline=["more"]))
    assert plan.changes == []
    assert any("AdministratorAccess" in w for w in plan.warnings) and any("more" in w for w in plan.warnings)


# --- rotate ---------------------------------------------------------------------------------


def test_rotate_with_keep_old_accepts_both_ids_and_without_it_only_the_new():
    role = as_wanted().role
    plan, ids = plan_rotate(RotateSpec("LabelboxS3Access", "cknew0000000000000009", keep_old=True), role)
    assert ids == [ID, "cknew0000000000000009"] and methods(plan) == ["update_assume_role_policy"]
    assert any("several external IDs" in w for w in plan.warnings)
    plan, ids = plan_rotate(RotateSpec("LabelboxS3Access", "cknew0000000000000009"), role)
    assert ids == ["cknew0000000000000009"]
    written = json.loads(plan.changes[0].params["PolicyDocument"])
    assert written["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == "cknew0000000000000009"


def test_rotate_refuses_a_trust_it_cannot_read_as_one_vendor():
    two = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": p}, "Action": "sts:AssumeRole"}
            for p in ("arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root")
        ],
    }
    with pytest.raises(InputError, match="one vendor principal"):
        plan_rotate(
            RotateSpec("R", "cknew0000000000000009"), {**as_wanted().role, "AssumeRolePolicyDocument": two}
        )


def test_rotate_reads_a_notaction_allow_as_one_that_lets_in():
    """IAM User Guide, "IAM JSON policy elements: NotAction": an Allow with NotAction "allows
    access to all of the listed AWS service's actions, except for the actions specified". A
    second statement whose NotAction leaves sts:AssumeRole allowed lets its principal in too:
    rotate must not read the trust as the vendor's alone (it was taken for one vendor statement)."""
    pinned = as_wanted().role["AssumeRolePolicyDocument"]
    document = json.loads(pinned) if isinstance(pinned, str) else json.loads(json.dumps(pinned))
    document["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "NotAction": "iam:*"}
    )
    with pytest.raises(InputError, match="one vendor principal"):
        plan_rotate(
            RotateSpec("R", "cknew0000000000000009"),
            {**as_wanted().role, "AssumeRolePolicyDocument": document},
        )


# --- delete ---------------------------------------------------------------------------------


def delete_snapshot(attachment_count: int = 1, cors=None, bucket_gone: bool = False) -> DeleteSnapshot:
    return DeleteSnapshot(
        role=as_wanted().role,
        attached=as_wanted().attached,
        inline=["extra"],
        policies={POLICY_ARN: {**as_wanted().policy, "AttachmentCount": attachment_count}},
        versions={
            POLICY_ARN: [
                {"VersionId": "v1", "IsDefaultVersion": False},
                {"VersionId": "v2", "IsDefaultVersion": True},
            ]
        },
        cors_rules=[WANTED.cors_rule] if cors is None else cors,
        bucket_gone=bucket_gone,
    )


def test_delete_removes_ours_in_an_order_iam_accepts_and_the_role_last():
    """The role goes last (issue 12): a run stopped half-way leaves the role, so running the
    same command again finds it and finishes; before, a run stopped after DeleteRole left the
    CORS rule behind with no role to find it from."""
    plan = plan_delete(delete_snapshot())
    assert methods(plan) == [
        "detach_role_policy",
        "delete_policy_version",
        "delete_policy",
        "delete_role_policy",
        "delete_bucket_cors",  # our rule was the only one
        "delete_role",
    ]


def test_delete_finishes_a_policy_an_interrupted_delete_left_detached():
    snapshot = delete_snapshot(attachment_count=0)
    snapshot.attached = []
    snapshot.left_behind = [POLICY_ARN]
    plan = plan_delete(snapshot)
    assert methods(plan) == [
        "delete_policy_version",
        "delete_policy",
        "delete_role_policy",
        "delete_bucket_cors",
        "delete_role",
    ]
    assert "stopped half-way" in plan.changes[1].detail


def test_delete_keeps_a_shared_policy_and_the_cors_rule_its_other_roles_need():
    plan = plan_delete(delete_snapshot(attachment_count=2))
    assert methods(plan) == ["detach_role_policy", "delete_role_policy", "delete_role"]
    assert any("attached to other roles" in w for w in plan.warnings)


def test_delete_keeps_the_customers_cors_rules():
    plan = plan_delete(delete_snapshot(cors=[WANTED.cors_rule, CUSTOMER_RULE]))
    assert plan.changes[-2].method == "put_bucket_cors"
    assert plan.changes[-2].params["CORSConfiguration"]["CORSRules"] == [CUSTOMER_RULE]


def test_delete_with_the_bucket_gone_warns_and_plans_no_cors_change():
    plan = plan_delete(delete_snapshot(bucket_gone=True))
    assert "cors" not in [c.action for c in plan.changes]
    assert any("no longer exists" in w for w in plan.warnings)


def test_delete_only_detaches_policies_that_are_not_ours():
    snapshot = delete_snapshot()
    snapshot.policies[POLICY_ARN]["Tags"] = []
    assert methods(plan_delete(snapshot))[:2] == ["detach_role_policy", "delete_role_policy"]


# --- permissions boundaries (many organizations deny iam:CreateRole without one)

BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/VendorBoundary"
BOUNDED, _ = wanted_role(RoleSpec(LABELBOX, "images", ID, permissions_boundary=BOUNDARY))


class _NoAws:
    """Fails the test on any use: the journey must refuse before it reaches AWS."""

    def __getattr__(self, name):
        raise AssertionError(f"AWS was reached ({name}) before the refusal")


def test_delete_role_in_the_library_refuses_without_a_confirmation_before_any_aws_call():
    from provisioner import role

    with pytest.raises(InputError, match=r"needs a confirmation.*nothing was changed") as refused:
        role.delete_role(_NoAws(), role.DeleteSpec("LabelboxS3Access"))
    assert refused.value.field == "yes"


def test_a_new_role_is_created_with_its_boundary():
    plan = plan_role(BOUNDED, RoleSnapshot(ACCOUNT, "aws", cors_rules=[]))
    create = next(c for c in plan.changes if c.method == "create_role")
    assert create.params["PermissionsBoundary"] == BOUNDARY and BOUNDARY in create.detail


def test_a_boundary_is_set_on_an_existing_role_and_never_removed():
    plan = plan_role(BOUNDED, as_wanted())
    assert methods(plan) == ["put_role_permissions_boundary"]
    assert plan.changes[0].permission == "iam:PutRolePermissionsBoundary"
    bounded_role = {**as_wanted().role, "PermissionsBoundary": {"PermissionsBoundaryArn": BOUNDARY}}
    assert plan_role(BOUNDED, as_wanted(role=bounded_role)).changes == []
    assert plan_role(WANTED, as_wanted(role=bounded_role)).changes == []  # not asked: left as it is


@pytest.mark.parametrize(
    "value", ["arn:aws:iam::123456789012:role/NotAPolicy", "VendorBoundary", "arn:aws:s3:::bucket"]
)
def test_a_boundary_that_is_not_a_managed_policy_arn_is_refused(value):
    with pytest.raises(InputError) as err:
        wanted_role(RoleSpec(LABELBOX, "images", ID, permissions_boundary=value))
    assert err.value.field == "permissions_boundary"


# --- destructive changes (issue 12) -------------------------------------------------------------


def _trust(principal, ids=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if ids is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": ids}}
    return {"Version": "2012-10-17", "Statement": [statement]}


LB = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"


@pytest.mark.parametrize(
    ("current", "wanted", "lost"),
    [
        (_trust(LB), _trust(LB, "ckid0000000000001"), ""),  # an ID added to an open trust: tighter
        (_trust(LB, "ckid0000000000001"), _trust(LB, ["ckid0000000000001", "ckid0000000000002"]), ""),
        (_trust(LB, "ckid0000000000001"), _trust(LB, "ckid0000000000002"),
         "removes external ID ckid0000000000001"),
        (_trust(LB, ["ckid0000000000001", "ckid0000000000002"]), _trust(LB, "ckid0000000000002"),
         "removes external ID ckid0000000000001"),
        (_trust("arn:aws:iam::111122223333:root"), _trust(LB, "ckid0000000000001"),
         "stops trusting arn:aws:iam::111122223333:root"),
        (_trust(LB, "ckid0000000000001"), _trust(LB, "ckid0000000000001"), ""),
    ],
    ids=["add-id", "keep-old", "replace-id", "drop-old", "replace-principal", "same"],
)  # fmt: skip
def test_trust_loss_names_what_a_rewrite_takes_away(current, wanted, lost):
    from provisioner.role.plan import trust_loss

    found = trust_loss(current, wanted)
    assert (found == "") if not lost else (lost in found), found


# --- CORS: verify after every write (issue 12) ---------------------------------------------------


class _Bucket:
    """An S3 stand-in whose rules a hostile writer replaces after each of ours (`rival`)."""

    def __init__(self, rules, rival=None):
        self.rules = rules
        self.rival = rival
        self.writes = 0

    def client(self, service, region=None):
        return self

    def get_bucket_cors(self, Bucket):
        return {"CORSRules": [dict(r) for r in self.rules]}

    def put_bucket_cors(self, Bucket, CORSConfiguration):
        self.writes += 1
        self.rules = CORSConfiguration["CORSRules"]
        if self.rival:
            self.rules = self.rival(self.rules)

    def delete_bucket_cors(self, Bucket):
        self.rules = []


CORS_OURS = {
    "ID": "provisioner-labelbox",
    "AllowedOrigins": ["https://app.labelbox.com"],
    "AllowedMethods": ["GET"],
}
CORS_THEIRS = {
    "ID": "provisioner-isahit",
    "AllowedOrigins": ["https://lab.isahit.com"],
    "AllowedMethods": ["GET"],
}


def _change(rules):
    from provisioner.role.model import Change

    params = {"Bucket": "b", "CORSConfiguration": {"CORSRules": rules}}
    return Change("cors", "bucket b", "put_bucket_cors", params, cors_intent={"add": CORS_OURS})


def test_a_rule_dropped_by_a_concurrent_writer_is_merged_back():
    from provisioner.role.apply import settle_cors

    bucket = _Bucket([CORS_THEIRS])  # the other run wrote [theirs] over our [ours]
    assert settle_cors(bucket, _change([CORS_OURS]), sleep=lambda s: None) == 1
    assert [r["ID"] for r in bucket.rules] == ["provisioner-labelbox", "provisioner-isahit"]
    settled = _Bucket([CORS_OURS, CORS_THEIRS])
    assert settle_cors(settled, _change([CORS_OURS]), sleep=lambda s: None) == 0 and settled.writes == 0


def test_a_bucket_that_never_settles_stops_the_run_with_a_clear_line():
    from provisioner.role.apply import CORS_TRIES, CorsNotSettled, settle_cors

    bucket = _Bucket([CORS_THEIRS], rival=lambda rules: [CORS_THEIRS])  # every write of ours is undone
    with pytest.raises(CorsNotSettled, match="did not settle after 5 writes"):
        settle_cors(bucket, _change([CORS_OURS]), sleep=lambda s: None)
    assert bucket.writes == CORS_TRIES


# --- trust and policy: read back after the writes (issue 12) --------------------------------------


def test_settle_waits_out_eventual_consistency_and_reports_a_rival():
    from provisioner.errors import ProvisionerError
    from provisioner.role.apply import SETTLE_TRIES, NotSettled, settle

    answers = iter(["update role R trust: external ID old -> new", ""])  # stale once, then ours
    waits: list[float] = []
    settle(lambda: next(answers), "role R", sleep=waits.append)
    assert len(waits) == 2  # a wait before each read

    reads = []
    rival = "update role R trust: external ID theirs -> ours  [DESTRUCTIVE: …]"
    with pytest.raises(NotSettled, match=r"role R is not as this run left it: another.*theirs -> ours"):
        settle(lambda: reads.append(1) or rival, "role R", sleep=lambda s: None)
    assert len(reads) == SETTLE_TRIES

    def expired() -> str:
        raise ProvisionerError("the AWS credentials have expired (ExpiredToken)")

    with pytest.raises(NotSettled, match="the changes were made, but reading role R back failed: the AWS"):
        settle(expired, "role R", sleep=lambda s: None)


class _Iam:
    """An IAM stand-in whose deletions find the thing already gone."""

    def client(self, service, region=None):
        return self

    def detach_role_policy(self, **_):
        raise _no_such_entity("DetachRolePolicy")

    def delete_role(self, **_):
        raise _no_such_entity("DeleteRole")

    def update_assume_role_policy(self, **_):
        raise _no_such_entity("UpdateAssumeRolePolicy")


def _no_such_entity(operation):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": "NoSuchEntity", "Message": "gone"}}, operation)


def test_a_deletion_that_finds_it_gone_counts_as_done_but_an_update_does_not():
    from provisioner.role.apply import apply
    from provisioner.role.model import ApplyError, Change

    deletions = [
        Change("detach", "policy P from role R", "detach_role_policy", {"RoleName": "R", "PolicyArn": "a"}),
        Change("delete", "role R", "delete_role", {"RoleName": "R"}),
    ]
    assert apply(_Iam(), deletions) == deletions  # another delete-role got there first
    update = Change("update", "role R trust", "update_assume_role_policy", {"RoleName": "R"})
    with pytest.raises(ApplyError, match=r"step 1 of 1 failed .*NoSuchEntity"):
        apply(_Iam(), [update])  # the role was deleted under us: a create cannot count it done


# --- the plan's trust difference, from the semantic diff (issue 21) ------------------------------

ROOT = "arn:aws:iam::340636424752:root"


def test_a_rewrite_to_the_same_access_says_so_and_needs_no_yes():
    from provisioner.role.plan import trust_rewrite

    guarded = _trust(LB)
    guarded["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"StringNotEquals": {"sts:ExternalId": "ckid0000000000001"}},
        }
    )
    detail, destructive = trust_rewrite(
        guarded, _trust(LB, "ckid0000000000001"), "arn:aws:iam::123456789012:role/r"
    )
    assert detail.startswith("the same access") and destructive == ""


def test_narrowing_the_account_root_to_the_vendors_role_shows_who_is_no_longer_admitted():
    # the vendor's own principal keeps its ID: nothing it uses is taken away, no yes needed
    from provisioner.role.plan import trust_rewrite

    detail, destructive = trust_rewrite(
        _trust(ROOT, "ckid0000000000001"), _trust(LB, "ckid0000000000001"), "arn:aws:iam::123456789012:role/r"
    )
    assert detail.startswith("no longer admits account 340636424752 with exactly ckid0000000000001")
    assert "newly admits" not in detail
    assert destructive == ""


def test_a_rewrite_that_admits_more_than_asked_needs_a_yes():
    from provisioner.role.plan import trust_rewrite

    wider = _trust(LB, "ckid0000000000001")
    wider["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ckid0000000000001"}},
        }
    )
    detail, destructive = trust_rewrite(
        _trust(LB, "ckid0000000000001"), wider, "arn:aws:iam::123456789012:role/r"
    )
    assert "newly admits any other account with exactly ckid0000000000001" in detail
    assert "newly admits any other account" in destructive


def test_rotating_without_keep_old_is_destructive_from_the_vendors_principal_losing_its_id():
    from provisioner.role.model import RotateSpec
    from provisioner.role.rotate import plan_rotate

    role = {
        "RoleName": "LabelboxS3Access",
        "Arn": "arn:aws:iam::123456789012:role/LabelboxS3Access",
        "AssumeRolePolicyDocument": _trust(LB, "ckid0000000000001"),
        "Tags": [],
    }
    plan, _ = plan_rotate(RotateSpec("LabelboxS3Access", "ckid0000000000002"), role)
    (change,) = plan.changes
    assert change.detail.startswith(
        "newly admits account 340636424752 with exactly ckid0000000000002; "
        "no longer admits account 340636424752 with exactly ckid0000000000001"
    )
    assert change.destructive == f"removes external ID ckid0000000000001: AssumeRole by {LB} with it fails"
    kept, _ = plan_rotate(RotateSpec("LabelboxS3Access", "ckid0000000000002", keep_old=True), role)
    assert kept.changes[0].destructive == ""
    assert kept.changes[0].detail.startswith(
        "newly admits account 340636424752 with exactly ckid0000000000002 ("
    )


# Found by a first-time user (issue 21's trial): rewrites the semantic diff called harmless that
# took away what works now, applied with no yes.
VENDOR_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"


def _document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _vendor(condition: dict | None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"AWS": VENDOR_ROLE}, "Action": "sts:AssumeRole"}
    return {**statement, "Condition": condition} if condition else statement


OLD_ID, NEW_ID = "ckdemo0000000000000000001", "ckdemo0000000000000000002"
GITHUB = {
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
}


@pytest.mark.parametrize(
    ("current", "says"),
    [
        # IfExists: the vendor's ID works now, and is gone after the rewrite
        (_document(_vendor({"StringEqualsIfExists": {"sts:ExternalId": OLD_ID}})), OLD_ID),
        # a pattern: the vendor's ID (some ckdemo…) works now, and only NEW_ID after
        (_document(_vendor({"StringLike": {"sts:ExternalId": "ckdemo*"}})), "ckdemo*"),
        # a statement the analysis does not model (a federated provider) is dropped
        (
            _document(_vendor({"StringEquals": {"sts:ExternalId": NEW_ID}}), GITHUB),
            "token.actions.githubusercontent.com",
        ),
    ],
    ids=["ifexists", "pattern", "federated"],
)  # fmt: skip
def test_a_rewrite_that_takes_away_a_way_in_that_works_now_needs_a_yes(current, says):
    from provisioner.role.plan import trust_rewrite

    wanted = _document(_vendor({"StringEquals": {"sts:ExternalId": NEW_ID}}))
    _, destructive = trust_rewrite(current, wanted, ROLE_ARN)
    assert destructive and says in destructive, destructive


def test_rotate_keep_old_keeps_an_id_pinned_with_ifexists():
    role = {
        "RoleName": "LabelboxS3Access",
        "Arn": ROLE_ARN,
        "AssumeRolePolicyDocument": _document(_vendor({"StringEqualsIfExists": {"sts:ExternalId": OLD_ID}})),
        "Tags": OURS,
    }
    _, ids = plan_rotate(RotateSpec("LabelboxS3Access", NEW_ID, keep_old=True), role)
    assert ids == [OLD_ID, NEW_ID]
