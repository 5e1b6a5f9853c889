"""`provision validate`: the checks the vendor runs, answered first and with reasons.

spec (model.ValidateSpec, checked in spec.py) -> gather (gather.py, reads only) -> static
checks (static.py, pure, one registered function per check of policies/checks.json, in rules.py,
trust.py and access.py) -> with
--live, observe as the vendor (live.py: I/O) and judge (live.py: pure) -> combine (combine.py,
pure) -> Report.
"""

from __future__ import annotations

from provisioner.aws import Aws
from provisioner.model import Status
from provisioner.organization import OrgPolicies, load_files
from provisioner.validate.combine import combine
from provisioner.validate.fixes import remediate
from provisioner.validate.gather import gather
from provisioner.validate.live import Observations, http_fetch, live_checks, live_verdicts, observe
from provisioner.validate.model import Check, LiveOptions, Report, Snapshot, ValidateSpec, check_names
from provisioner.validate.spec import check_spec
from provisioner.validate.static import CHECKS, kms_decrypt, static_checks

__all__ = [
    "CHECKS",
    "Check",
    "LiveOptions",
    "Observations",
    "Report",
    "Snapshot",
    "ValidateSpec",
    "check_names",
    "check_spec",
    "combine",
    "gather",
    "http_fetch",
    "kms_decrypt",
    "live_checks",
    "live_verdicts",
    "observe",
    "remediate",
    "static_checks",
    "validate",
]


def validate(
    aws: Aws, spec: ValidateSpec, live: LiveOptions | None = None, org: OrgPolicies | None = None
) -> Report:
    """Gather once, decide every check; with `live`, also act as the vendor and combine.
    The spec, then the SCP/RCP files (or `org`, read by the caller before its own AWS calls),
    are checked first: bad input is refused before any AWS call."""
    spec = check_spec(spec)
    if org is None:
        org = read_org_files(spec)
    state = gather(aws, spec, org)  # applies the files to the role's account (gather)
    checks = static_checks(state, spec)
    if live is not None:
        assumable = checks[0].status is Status.PASS
        found = live_checks(spec, live, assumable)
        checks = [remediate(combine(c, found.get(c.name)), spec, state) for c in checks]
    return Report(spec.role_arn, checks)


def read_org_files(spec: ValidateSpec) -> OrgPolicies | None:
    """The --scp-file/--rcp-file policies, each file read once (a pipe can be read only once)."""
    if not spec.scp_files and not spec.rcp_files:
        return None
    return load_files(spec.scp_files, spec.rcp_files)
