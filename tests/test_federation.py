"""Federated trusts (Principal.Federated with sts:AssumeRoleWithWebIdentity / AssumeRoleWithSAML)
in audit: the role is one an outside party can assume, its grants are judged, and a provider
whose subject is not pinned is a finding. Pure: no server.

Sources: IAM User Guide, "Create a role for OpenID Connect federation" (condition on the
provider's sub); GitHub Docs, "Configuring OpenID Connect in Amazon Web Services" ("add the sub
field to the validation conditions": repo:octo-org/octo-repo:ref:refs/heads/octo-branch);
Amazon Cognito Developer Guide, "Role trust and permissions" (cognito-identity.amazonaws.com:aud
is the identity pool ID); IAM User Guide, "Create a role for a third-party identity provider
(SAML 2.0 federation)" (the trust conditions on SAML:aud; the IdP's assertion names the role)."""

from __future__ import annotations

import json

import pytest

from provisioner.audit import RoleDetail, judge_role
from provisioner.federation import federated_access
from provisioner.iam import statements

ACCOUNT = "111122223333"
GH = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
SUB = "token.actions.githubusercontent.com:sub"
WRITE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}],
}
FEDERATED_RULES = {"federated-any-subject", "federated-subject-not-pinned", "federated-not-decided"}


def _trust(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal: str = GH, condition: dict | None = None, action: str = "sts:AssumeRoleWithWebIdentity"):
    statement = {"Effect": "Allow", "Principal": {"Federated": principal}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _judge(trust: dict):
    role = RoleDetail(f"arn:aws:iam::{ACCOUNT}:role/ci", "ci", trust, raw_inline=(("write", WRITE),))
    return judge_role(role, ACCOUNT, {})


def _rules(verdict) -> dict[str, str]:
    return {f.rule: str(f.severity) for f in verdict.findings if f.rule in FEDERATED_RULES}


# (case, trust, federated findings, the party inventory and who-can show)
CASES = [
    (
        "github-aud-only",  # the user's report: any repository in the world gets in
        _trust(_allow(condition={"StringEquals": AUD})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository)",
    ),
    (
        "github-no-condition",
        _trust(_allow()),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository)",
    ),
    (
        "github-one-branch",  # GitHub's documented condition: pinned to one repository
        _trust(_allow(condition={"StringEquals": {**AUD, SUB: "repo:org/repo:ref:refs/heads/main"}})),
        {},
        "GitHub Actions: repo:org/repo:ref:refs/heads/main",
    ),
    (
        "github-any-ref-of-one-repo",
        _trust(_allow(condition={"StringEquals": AUD, "StringLike": {SUB: "repo:org/repo:*"}})),
        {},
        "GitHub Actions: repo:org/repo:*",
    ),
    (
        # pinned to one organization: every repository of an organization the customer owns, whose
        # owners decide who may push a workflow; GitHub documents repo:ORG/* as a subject filter.
        # No finding; inventory names the organization so an admin sees the scope.
        "github-one-organization",
        _trust(_allow(condition={"StringEquals": AUD, "StringLike": {SUB: "repo:org/*"}})),
        {},
        "GitHub Actions: repo:org/*",
    ),
    (
        "github-any-repository-pattern",
        _trust(_allow(condition={"StringEquals": AUD, "StringLike": {SUB: "repo:*"}})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository)",
    ),
    (
        # a prefix that is not a whole organization name: repo:org* admits the organization
        # orgevil. Worded as its pattern (issue 22 words, item 2; was "any repository"): IAM User
        # Guide, "Condition operators", StringLike: "The values can include multi-character match
        # wildcards (*) and single-character match wildcards (?) anywhere in the string": it
        # admits the repositories it matches, still critical
        "github-organization-prefix",
        _trust(_allow(condition={"StringLike": {SUB: "repo:org*"}})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository matching repo:org*)",
    ),
    (
        "github-one-pinned-value-among-broad",  # one of the values admits any repository
        _trust(_allow(condition={"StringLike": {SUB: ["repo:org/repo:*", "*"]}})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository)",
    ),
    (
        # a Deny guard pins it as well as the Allow's own condition ("Policy evaluation logic":
        # an explicit Deny overrides any Allow)
        "github-deny-guard-on-sub",
        _trust(
            _allow(condition={"StringEquals": AUD}),
            {
                "Effect": "Deny",
                "Principal": {"Federated": GH},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringNotLike": {SUB: "repo:org/repo:ref:refs/heads/*"}},
            },
        ),
        {},
        "GitHub Actions: repo:org/repo:ref:refs/heads/*",
    ),
    (
        "github-policy-variable",  # not decided: a WARN-level finding, never silence
        _trust(_allow(condition={"StringLike": {SUB: "repo:${aws:PrincipalTag/org}/*"}})),
        {"federated-not-decided": "medium"},
        "GitHub Actions (not decided: StringLike on token.actions.githubusercontent.com:sub holds "
        "a policy variable (repo:${aws:PrincipalTag/org}/*))",
    ),
    (
        # IAM User Guide, "IAM JSON policy elements: Condition operators", String condition
        # operators: "StringNotEquals | Negated matching"; the token always carries `sub`
        # (OpenID Connect Core 1.0, 2: REQUIRED), so the Allow admits every repository but the
        # one named: as open as no condition at all (issue 22 words, item 2; was "not decided")
        "github-negated-operator-in-allow",
        _trust(_allow(condition={"StringNotEquals": {SUB: "repo:evil/evil:ref:refs/heads/main"}})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository but repo:evil/evil:ref:refs/heads/main)",
    ),
    (
        # a StringLike pattern over one-character variants of the owner ("?" matches any one
        # character, IAM User Guide, "Condition operators", StringLike) pins no one repository:
        # worded as its pattern, never "any repository"
        "github-one-character-pattern",
        _trust(_allow(condition={"StringLike": {SUB: "repo:acm?/web:ref:refs/heads/main"}})),
        {"federated-any-subject": "critical"},
        "GitHub Actions (any repository matching repo:acm?/web:ref:refs/heads/main)",
    ),
    (
        # SAML: the IdP the account registered decides who gets an assertion naming the role
        # (the Role attribute), and AWS's own trust conditions on SAML:aud alone: listed, no finding
        "saml-aud-only",
        _trust(
            _allow(
                f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta",
                {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                "sts:AssumeRoleWithSAML",
            )
        ),
        {},
        "SAML provider Okta (any user its identity provider assigns the role)",
    ),
    (
        "cognito-without-identity-pool",  # any identity pool of any account
        _trust(_allow("cognito-identity.amazonaws.com")),
        {"federated-any-subject": "critical"},
        "Amazon Cognito identity pools (any identity pool of any account)",
    ),
    (
        "cognito-one-identity-pool",  # its signed-in users only (amr "authenticated")
        _trust(
            _allow(
                "cognito-identity.amazonaws.com",
                {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1234-abcd"},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            )
        ),
        {},
        "Amazon Cognito identity pools: us-east-1:1234-abcd",
    ),
    (
        # Amazon Cognito Developer Guide, "IAM roles": a guest's amr is "unauthenticated"; anyone
        # holding the pool ID gets a guest identity where the pool allows guests (not read):
        # not decided, never OK (trial 22p item 1)
        "cognito-guests-of-one-identity-pool",
        _trust(
            _allow(
                "cognito-identity.amazonaws.com",
                {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1234-abcd"},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"},
                },
            )
        ),
        {"federated-not-decided": "medium"},
        "Amazon Cognito identity pools (not decided: guest identities of us-east-1:1234-abcd too: "
        "anyone with the pool ID, where it allows guests (not read))",
    ),
    (
        "eks-cluster-without-sub",  # a provider of the customer's own: every identity it issues
        _trust(_allow(f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC")),
        {"federated-subject-not-pinned": "medium"},
        "OIDC provider oidc.eks.us-east-1.amazonaws.com/id/ABC (any identity it issues tokens to)",
    ),
    (
        "terraform-cloud-one-workspace",
        _trust(
            _allow(
                f"arn:aws:iam::{ACCOUNT}:oidc-provider/app.terraform.io",
                {
                    "StringLike": {
                        "app.terraform.io:sub": "organization:acme:project:p:workspace:w:run_phase:*"
                    }
                },
            )
        ),
        {},
        "HCP Terraform: organization:acme:project:p:workspace:w:run_phase:*",
    ),
]


@pytest.mark.parametrize(("trust", "rules", "party"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_federated_trust_is_listed_and_judged(trust, rules, party):
    verdict = _judge(trust)
    assert verdict.external, "a federated provider is an outside party: the role is listed"
    assert _rules(verdict) == rules
    assert verdict.reached_by == ("federated:" + party,)
    # its grants are judged like any outside role's
    assert "vendor-write-access" in {f.rule for f in verdict.findings}


def test_the_finding_shows_the_condition_to_add():
    verdict = _judge(_trust(_allow(condition={"StringEquals": AUD})))
    (finding,) = [f for f in verdict.findings if f.rule == "federated-any-subject"]
    assert (
        '"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:ORG/REPO:ref:refs/heads/main"}'
        in (finding.message)
    )
    assert "token.actions.githubusercontent.com:sub" in finding.remediation
    assert finding.evidence is not None  # the trust statement that lets it in


def test_a_negated_or_pattern_condition_is_worded_as_written():
    """Issue 22 words, item 2: the finding says which repositories get in, not "any repository"."""
    negated = _judge(_trust(_allow(condition={"StringNotEquals": {SUB: "repo:x/y:ref:refs/heads/main"}})))
    (finding,) = [f for f in negated.findings if f.rule == "federated-any-subject"]
    assert finding.message.startswith("any repository but repo:x/y:ref:refs/heads/main can assume the role")
    pattern = _judge(_trust(_allow(condition={"StringLike": {SUB: "repo:acm?/web:*"}})))
    (finding,) = [f for f in pattern.findings if f.rule == "federated-any-subject"]
    assert finding.message.startswith("any repository matching repo:acm?/web:* can assume the role")


def test_a_deny_without_condition_shuts_the_provider_out():
    deny = {"Effect": "Deny", "Principal": {"Federated": GH}, "Action": "sts:AssumeRoleWithWebIdentity"}
    verdict = _judge(_trust(_allow(), deny))
    assert not verdict.external and verdict.findings == []


def test_an_allow_for_another_action_lets_no_provider_in():
    """A Federated principal with sts:AssumeRole only: STS's web-identity call is not allowed."""
    assert federated_access(statements(_trust(_allow(action="sts:AssumeRole")))) == []
    assert not _judge(_trust(_allow(action="sts:AssumeRole"))).external


def test_a_wildcard_action_covers_web_identity():
    (access,) = federated_access(statements(_trust(_allow(action="sts:*"))))
    assert access.rule == "federated-any-subject"


def _lint(trust: dict) -> dict[str, str]:
    from provisioner import lint

    text = json.dumps(trust)
    source = lint.Source("trust.json", text=text, sized=text, document=trust, kind=lint.document_kind(trust))
    return {f.rule: str(f.severity) for f in lint.judge(source) if f.rule in FEDERATED_RULES}


@pytest.mark.parametrize(("trust", "rules"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_lint_says_what_audit_says_before_the_trust_is_deployed(trust, rules):
    """One decision (provisioner/federation.py) in both commands: the same rules and severities."""
    assert _lint(trust) == rules == _rules(_judge(trust))


def test_lint_points_at_the_statement_that_lets_the_provider_in():
    from provisioner import lint

    trust = _trust(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        _allow(),
    )
    text = json.dumps(trust)
    source = lint.Source("trust.json", text=text, sized=text, document=trust, kind=lint.document_kind(trust))
    [finding] = [f for f in lint.judge(source) if f.rule in FEDERATED_RULES]
    assert finding.location == "$.Statement[1]"


def test_a_subject_value_with_twelve_digits_is_shown_as_written():
    """audit's memo renames outside accounts to share one analysis; a Cognito identity pool ID
    may end in 12 digits that are no account, and the party shows it as the trust writes it."""
    pool = "us-east-1:12345678-1234-1234-1234-987654321098"
    condition = {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": pool},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }
    verdict = _judge(_trust(_allow("cognito-identity.amazonaws.com", condition)))
    assert verdict.reached_by == (f"federated:Amazon Cognito identity pools: {pool}",)
