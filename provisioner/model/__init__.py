"""The typed model every journey shares: the ARN type, statuses and severities, rule metadata.

Journey-specific specs, snapshots and results live beside their journey (role/model.py,
validate/model.py, audit/model.py); what several journeys use is here.
"""

from provisioner.model.arn import (
    Arn,
    account_of,
    bucket_arn,
    policy_arn,
    role_arn,
    root_arn,
    session_arn,
)
from provisioner.model.enums import SEVERITIES, Severity, Status
from provisioner.model.rules import Rule, load_rules

__all__ = [
    "SEVERITIES",
    "Arn",
    "Rule",
    "Severity",
    "Status",
    "account_of",
    "bucket_arn",
    "load_rules",
    "policy_arn",
    "role_arn",
    "root_arn",
    "session_arn",
]
