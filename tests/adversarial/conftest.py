"""The adversarial suite runs against the e2e sandbox: its fixtures are the e2e ones."""

from tests.e2e.conftest import aws_env, box, customer, make_aws, quick_cors_settle, server  # noqa: F401
