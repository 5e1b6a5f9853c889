"""The role's other policies, which create-role leaves alone: the AWS CLI commands that take off
those that grant something beyond reading (AWSLeastPrivilege's remediation), and the words for
those that also deny (taken off, their Deny would go too). Pure."""

from __future__ import annotations

import shlex

from provisioner.validate.least import grants_beyond
from provisioner.validate.model import Snapshot, ValidateSpec


def other_policy_commands(spec: ValidateSpec, state: Snapshot, keep: str) -> tuple[str, ...]:
    """The AWS CLI commands that take the role's other policies off (create-role leaves them),
    but for a policy that also denies: its Deny may be what keeps data safe."""
    role = ["--role-name", spec.role_name]
    denying = _denying(state)
    # only a policy that grants something beyond reading (taking off one that grants kms:Decrypt
    # alone breaks the read and fixes nothing: trial 20z item 4)
    broad = {p.name for p in state.identity_policies if grants_beyond(p, spec, state)}
    commands = [
        shlex.join(
            ["aws", "iam", "detach-role-policy", *role, "--policy-arn", p["PolicyArn"], *spec.selection]
        )
        for p in state.attached
        if p["PolicyName"] != keep and f"policy {p['PolicyName']}" in broad - denying
    ]
    commands += [
        shlex.join(["aws", "iam", "delete-role-policy", *role, "--policy-name", name, *spec.selection])
        for name in state.inline
        if f"inline policy {name}" in broad - denying
    ]
    return tuple(commands)


def _denying(state: Snapshot) -> set[str]:
    return {p.name for p in state.identity_policies if any(not st.is_allow for st in p.statements)}


def other_policies(spec: ValidateSpec, state: Snapshot, keep: str) -> str:
    """The remediation's words for the role's other policies: the commands that take them off,
    and those that also deny, to edit by hand."""
    commands = other_policy_commands(spec, state, keep)
    # a policy that also denies is not taken off whole: its Deny may be what keeps data safe
    kept = sorted(n for n in _denying(state) if n != f"policy {keep}")
    said = "; then take off the role's other policies, which create-role leaves alone: " + "; ".join(commands)
    said = said if commands else ""
    if kept:
        said += (
            f"; {', '.join(kept)} also deny: take out only their Allow statements, by hand "
            "(taking them off drops the Deny)"
        )
    return said
