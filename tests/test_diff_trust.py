"""`provision diff OLD NEW` on trust policies (issue 21): the (caller class, external-ID set)
pairs NEW admits that OLD did not, each with a concrete request that the concrete evaluator
allows under NEW and refuses under OLD; exit 1 on new access, 0 otherwise, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.diff import NEW, REMOVED, diff_documents
from provisioner.diff.trust import DIFF_ROLE
from provisioner.evaluation import Policy, assume_role_request, evaluate

VENDOR = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
ID = "lbx-5e8d0001"


def trust(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal=VENDOR, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    return {**statement, "Condition": condition} if condition else statement


PIN = allow(condition={"StringEquals": {"sts:ExternalId": ID}})
PATTERN = allow(condition={"StringLike": {"sts:ExternalId": "lbx-*"}})
# "Deny ... StringNotEquals": a request without the key is denied too (IAM User Guide, "Condition
# operators": a negated operator matches when the key is missing)
GUARD = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sts:AssumeRole",
    "Condition": {"StringNotEquals": {"sts:ExternalId": ID}},
}


def allowed(document, door):
    """The concrete evaluator's word on a difference's example request."""
    example = door.detail["example"]
    request = assume_role_request(example["caller"], DIFF_ROLE, example["external_id"])
    return evaluate([Policy("trust", document)], request).allowed


def new_access(old, new):
    result = diff_documents(old, new)
    assert result.kind == "trust"
    return result, [d for d in result.differences if d.direction == NEW]


def test_a_narrowing_gives_nothing_new_and_says_what_is_no_longer_admitted():
    old, new = trust(PATTERN), trust(PIN)
    result, gained = new_access(old, new)
    assert gained == [] and not result.fails
    (lost,) = result.differences
    assert lost.direction == REMOVED and lost.detail["account"] == "340636424752"
    assert lost.message.startswith("no longer admits account 340636424752 with ")
    # its example: allowed by OLD, refused by NEW, an ID that starts with lbx- and is not ours
    assert allowed(old, lost) and not allowed(new, lost)
    assert lost.detail["example"]["external_id"].startswith("lbx-")
    assert lost.detail["example"]["external_id"] != ID


def test_an_allow_pin_rewritten_as_a_deny_guard_is_the_same_access():
    result = diff_documents(trust(PIN), trust(allow(), GUARD))
    assert result.differences == [] and not result.fails
    assert result.summary().startswith("no difference in access")


def test_a_trust_that_newly_lets_the_vendor_tag_its_sessions_is_new_access():
    """sts:TagSession in a trust lets the caller pass session tags, which take the place of the
    role's tags in aws:PrincipalTag (IAM User Guide, "Pass session tags in AWS STS"): a bucket
    policy keyed on a role tag may then be met by the vendor's choice. Not "no difference"."""
    old = trust(PIN)
    tagging = {**PIN, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    result, gained = new_access(old, trust(tagging))
    (tags,) = gained
    assert result.fails and tags.detail["actions"] == ["sts:TagSession"]
    assert tags.message.startswith("newly admits account 340636424752 to sts:TagSession (session tags")
    example = tags.detail["example"]
    assert example["context"] == {"sts:ExternalId": ID}  # with the issued ID: the vendor itself
    # the way back: no longer allowed, nothing new; "sts:*" gives sts:SetSourceIdentity too
    back = diff_documents(trust(tagging), old)
    assert not back.fails and [d.direction for d in back.differences] == [REMOVED]
    everything = diff_documents(old, trust({**PIN, "Action": "sts:*"}))
    assert sorted(a for d in everything.widened for a in d.detail["actions"]) == [
        "sts:SetSourceIdentity",
        "sts:TagSession",
    ]


def test_a_widening_by_a_pattern_admits_the_vendor_with_ids_that_are_not_issued():
    old, new = trust(PIN), trust(PATTERN)
    result, (gained,) = new_access(old, new)
    assert result.fails
    assert gained.decided and gained.checked and gained.path == "$.Statement[0]"
    assert gained.detail["caller_class"] == "party" and gained.detail["without_id"] is False
    example_id = gained.detail["example"]["external_id"]
    assert example_id.startswith("lbx-") and example_id != ID
    assert allowed(new, gained) and not allowed(old, gained)


def test_a_widening_by_a_second_statement_admits_the_account_it_names():
    stranger = "arn:aws:iam::444455556666:root"
    old = trust(PIN)
    new = trust(PIN, allow(stranger, {"StringEquals": {"sts:ExternalId": ID}}))
    _, (gained,) = new_access(old, new)
    assert gained.detail["account"] == "444455556666"
    assert gained.detail["external_ids"] == f"exactly {ID}"
    assert gained.message.startswith(f"newly admits account 444455556666 with exactly {ID}: for example ")
    assert gained.path == "$.Statement[1]"
    assert allowed(new, gained) and not allowed(old, gained)


def test_a_widening_by_a_removed_deny_admits_the_vendor_with_any_id_or_none():
    old, new = trust(allow(), GUARD), trust(allow())
    result, (gained,) = new_access(old, new)
    assert gained.detail["without_id"] is True
    assert gained.detail["example"]["external_id"] != ID
    assert allowed(new, gained) and not allowed(old, gained)
    assert not result.narrowed


def test_anyone_newly_admitted_is_any_other_account():
    _, gained = new_access(trust(PIN), trust(PIN, allow("*", {"StringEquals": {"sts:ExternalId": ID}})))
    classes = {d.detail["caller_class"] for d in gained}
    assert "other" in classes
    other = next(d for d in gained if d.detail["caller_class"] == "other")
    assert other.detail["example"]["caller"].split(":")[4] not in ("340636424752",)


def test_an_unmodelled_condition_is_not_decided_and_counts_as_new():
    # the caller's unique ID is not known here (the examples were aws:CurrentTime, now asked at
    # any time from now on, trial 20q item 3, and aws:TokenIssueTime, now decided)
    dated = allow(
        condition={
            "StringEquals": {"sts:ExternalId": ID},
            "StringLike": {"aws:userid": "AROAEXAMPLEUNIQUEID01:*"},
        }
    )
    result, gained = new_access(trust(dated), trust(PIN))
    assert gained and result.fails
    assert all(not d.decided and "aws:userid" in d.why for d in gained)
    assert "not decided" in gained[0].message


def test_a_widening_under_the_same_unmodelled_condition_is_shown_and_not_decided():
    # the vendor with any ID, where it had only the issued one, but only where the ID condition
    # holds in NEW: it depends on the caller's unique ID, so it is not decided (and counts as new)
    date = {"StringLike": {"aws:userid": "AROAEXAMPLEUNIQUEID01:*"}}
    old = trust(allow(condition={"StringEquals": {"sts:ExternalId": ID}, **date}))
    new = trust(allow(condition=date))
    result, (gained,) = new_access(old, new)
    assert result.fails and not gained.decided
    assert gained.detail["example"]["external_id"] != ID


# --- the command -------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    def write(name, document):
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=2))
        return str(path)

    return write


@pytest.mark.slow  # the solver over several documents through the CLI: make test runs it
def test_cli_exit_codes_and_formats(cli, files):
    pin, pattern = files("pin.json", trust(PIN)), files("pattern.json", trust(PATTERN))
    widened = cli("diff", pin, pattern)
    assert widened.code == 1, widened.stderr
    assert "newly admits account 340636424752" in widened.stdout
    narrowed = cli("diff", pattern, pin)
    assert narrowed.code == 0 and "no longer admits account 340636424752" in narrowed.stdout
    data = cli("diff", pin, pattern, "-o", "json")
    assert data.code == 1
    document = json.loads(data.stdout)
    assert document["schema_version"] == 1 and document["widens"] is True
    assert document["differences"][0]["example"]["caller"].startswith("arn:aws:sts::340636424752:")
    markdown = cli("diff", pin, pattern, "-o", "markdown")
    assert markdown.stdout.startswith("**provision diff**:") and "| high | new |" in markdown.stdout
    # -o text (or AWS_DEFAULT_OUTPUT=text, as the AWS CLI's users have it): the JSON, tab-separated
    text = cli("diff", pin, pattern, "-o", "text")
    rows = [line.split("\t") for line in text.stdout.splitlines()]
    assert text.code == 1 and rows[0][-2:] == ["trust", "True"], text.stdout
    assert any(r[0] == "DIFFERENCES" and r[1] == "new" for r in rows)


def test_sarif_points_at_the_new_files_statement_line(cli, files):
    pin = files("pin.json", trust(PIN))
    wider = files("wider.json", trust(PIN, allow("arn:aws:iam::444455556666:root")))
    sarif = json.loads(cli("diff", pin, wider, "-o", "sarif").stdout)
    (result,) = sarif["runs"][0]["results"]
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"].endswith("wider.json")
    lines = Path(wider).read_text().splitlines()
    # the second statement's opening brace: the Allow that lets the new request in
    assert lines[where["region"]["startLine"] - 1].strip() == "{"
    assert where["region"]["startLine"] > 10
    assert result["ruleId"] == "new-access"


def test_bad_input_is_one_line_and_exit_2(cli, files, tmp_path):
    pin = files("pin.json", trust(PIN))
    missing = cli("diff", str(tmp_path / "nope.json"), pin)
    assert missing.code == 2 and missing.stderr.startswith("error: OLD ") and "no such file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    bad = cli("diff", pin, str(broken))
    assert bad.code == 2 and bad.stderr.startswith("error: NEW ") and "not JSON" in bad.stderr
    perms = files(
        "perms.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )
    mixed = cli("diff", pin, perms)
    assert mixed.code == 2 and "one kind" in mixed.stderr
    assert len(mixed.stderr.strip().splitlines()) == 1
    # an empty --external-id is not "no ID issued": refused (the trial's diff took it silently)
    empty_id = cli("diff", pin, pin, "--external-id", "")
    assert empty_id.code == 2 and empty_id.stderr.startswith("error: --external-id ''"), empty_id.stderr


def test_a_kind_given_that_a_document_is_not_is_bad_input(cli, files):
    pin = files("pin.json", trust(PIN))
    forced = cli("diff", "--kind", "permissions", pin, pin)
    assert forced.code == 2 and "is a trust policy, not a permission policy" in forced.stderr
    # an empty side (a file added or emptied) takes the other side's kind
    empty = files("empty.json", {"Version": "2012-10-17", "Statement": []})
    added = cli("diff", empty, pin, "-o", "json")
    assert added.code == 1 and json.loads(added.stdout)["kind"] == "trust"


# Federated callers (found by issue 21's trial: an open GitHub Actions trust added to a file was
# "no difference", and the hook let it through). The solver does not model web identity: each
# difference is "not decided" and a new one counts as new access.
APP = "repo:acme/app:*"


def github(sub: str | None) -> dict:
    condition = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    if sub is not None:
        condition["StringLike"] = {"token.actions.githubusercontent.com:sub": sub}
    return {
        "Effect": "Allow",
        "Principal": {
            "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
        },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


@pytest.mark.parametrize(
    ("old", "new", "widened", "narrowed"),
    [
        (trust(PIN), trust(PIN, github(None)), ["GitHub Actions (any repository)"], []),
        (trust(PIN, github(APP)), trust(PIN, github("repo:acme/*")), ["repo:acme/*"], [APP]),
        (trust(PIN, github(APP)), trust(PIN, github("repo:other/app:*")), ["repo:other/app:*"], [APP]),
        (trust(PIN, github(None)), trust(PIN, github(APP)), [], ["GitHub Actions (any repository)"]),
        (trust(PIN, github(APP)), trust(github(APP), PIN), [], []),
    ],
    ids=["added-open", "widened-to-the-owner", "another-repository", "pinned", "reordered"],
)  # fmt: skip
def test_a_federated_provider_let_in_further_is_new_access(old, new, widened, narrowed):
    result = diff_documents(old, new)
    federated = [d for d in result.differences if d.detail.get("caller_class") == "federated"]
    assert [d.direction for d in federated] == [NEW] * len(widened) + [REMOVED] * len(narrowed)
    for difference, words in zip(federated, [*widened, *narrowed], strict=True):
        assert words in difference.subject and not difference.decided, difference.subject
    assert result.fails == bool(widened)


def test_a_notaction_trust_or_a_deny_of_everything_is_still_a_trust():
    """A trust policy has no Resource (IAM refuses one), a resource policy needs one: a NotAction
    trust and a Deny of "*" were taken for bucket policies, and diff refused to compare them
    (found by issue 21's trial)."""
    not_action = {**PIN, "NotAction": "sts:AssumeRoleWithWebIdentity"}
    del not_action["Action"]
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "*"}
    assert diff_documents(trust(PIN), trust(not_action)).kind == "trust"
    shut = diff_documents(trust(PIN), trust(PIN, deny_all))
    assert shut.kind == "trust" and [d.direction for d in shut.differences] == [REMOVED]
