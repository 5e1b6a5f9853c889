"""Property-based: whatever a user types, the CLI renders a schema-valid document or exits 2
with one line; never a traceback, never a document that lint flags."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provisioner.documents import schema_errors
from provisioner.lint import lint_document

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Plain text, plus text built from the characters the rules care about, so that both
# accepted and refused values come up often.
BUCKETISH = st.text(alphabet="abcz09.-_A/ xn", min_size=0, max_size=70)
IDISH = st.text(alphabet="aZ9_+=,.@:/- ;*'\"\\\n\u00e9\u5199", min_size=0, max_size=40)
ARNISH = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda p, a, r: f"arn:{p}:iam::{a}:{r}",
        st.sampled_from(["aws", "aws-cn", "aws-us-gov", "awz", ""]),
        st.text(alphabet="0123456789*", min_size=0, max_size=13),
        st.one_of(
            st.sampled_from(["root", "role/Vendor", "user/u", "role/*", "group/g"]),
            st.text(max_size=20),
        ),
    ),
)


def _check(result, schema: str) -> None:
    assert "Traceback" not in result.stderr
    if result.code == 0:
        document = json.loads(result.stdout)
        assert schema_errors(document, schema) == []
        if schema != "cors":  # a CORS configuration is not an IAM policy
            _, findings = lint_document(document)
            assert [f for f in findings if f.severity in ("critical", "high")] == []
    else:
        assert result.code == 2, result.stderr
        assert result.stdout == ""
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1


@pytest.mark.slow  # 200 runs of the CLI
@PROPERTY_SETTINGS
@given(bucket=st.one_of(BUCKETISH, st.text(max_size=70)))
def test_any_bucket(cli, bucket):
    _check(cli("policy", "permissions", f"--bucket={bucket}"), "permissions")


@pytest.mark.slow  # 200 runs of the CLI
@PROPERTY_SETTINGS
@given(prefix=st.one_of(st.text(max_size=40), st.text(alphabet="ab/*?$ {}\x00é", max_size=20)))
def test_any_prefix(cli, prefix):
    _check(cli("policy", "permissions", "--bucket=my-bucket", f"--prefix={prefix}"), "permissions")


@pytest.mark.slow  # 200 runs of the CLI
@PROPERTY_SETTINGS
@given(external_id=st.one_of(IDISH, st.text(max_size=40)))
def test_any_external_id(cli, external_id):
    _check(cli("policy", "trust", f"--external-id={external_id}"), "trust")


@pytest.mark.slow  # 200 runs of the CLI
@PROPERTY_SETTINGS
@given(principal=ARNISH)
def test_any_principal(cli, principal):
    result = cli("policy", "trust", "--external-id=ckx5y2abcd0001zz", f"--principal={principal}")
    _check(result, "trust")
    if result.code == 0:
        assert json.loads(result.stdout)["Statement"][0]["Principal"]["AWS"] != "*"


@pytest.mark.slow  # 200 runs of the CLI
@PROPERTY_SETTINGS
@given(
    origin=st.one_of(
        st.text(max_size=40),
        st.builds(lambda h: f"https://{h}", st.text(alphabet="ab.-:9/*A", max_size=15)),
    )
)
def test_any_origin(cli, origin):
    _check(cli("policy", "cors", f"--origin={origin}"), "cors")


@PROPERTY_SETTINGS
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "Version",
                        "Statement",
                        "Effect",
                        "Action",
                        "NotAction",
                        "Resource",
                        "Principal",
                        "NotPrincipal",
                        "Condition",
                        "AWS",
                        "StringLike",
                        "sts:ExternalId",
                        "Sid",
                        "x",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_lint_never_crashes_on_any_json(document):
    kind, findings = lint_document(document)
    assert kind in ("trust", "permissions", "resource")
    for finding in findings:
        assert finding.severity in ("critical", "high", "medium", "low", "info")
