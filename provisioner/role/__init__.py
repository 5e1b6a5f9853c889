"""The role journeys: create-role, rotate-external-id, delete-role.

Each is spec (role/spec.py: checked in one place, before any AWS call) -> gather
(role/gather.py, reads only) -> plan (pure: role/plan.py, rotate.py, delete.py) -> apply
(role/apply.py, writes only) -> a result the CLI renders. The functions below only chain them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from provisioner.aws import Aws
from provisioner.errors import InputError
from provisioner.iam import parse_document
from provisioner.role.apply import apply, settle
from provisioner.role.delete import plan_delete
from provisioner.role.gather import find_role, gather_delete, gather_role, owned_role, read_cors, role_exists
from provisioner.role.model import (
    ApplyError,
    Change,
    CreateResult,
    DeleteResult,
    DeleteSnapshot,
    DeleteSpec,
    Plan,
    RoleResult,
    RoleSnapshot,
    RoleSpec,
    RotateResult,
    RotateSpec,
    WantedRole,
)
from provisioner.role.plan import plan_role, trust_difference
from provisioner.role.rotate import plan_rotate
from provisioner.role.spec import check_delete_spec, check_rotate_spec, wanted_role

__all__ = [
    "ApplyError",
    "Change",
    "CreateResult",
    "DeleteResult",
    "DeleteSnapshot",
    "DeleteSpec",
    "Plan",
    "RoleResult",
    "RoleSnapshot",
    "RoleSpec",
    "RotateResult",
    "RotateSpec",
    "WantedRole",
    "apply",
    "check_delete_spec",
    "check_rotate_spec",
    "create_role",
    "delete_role",
    "find_role",
    "gather_delete",
    "gather_role",
    "plan_delete",
    "plan_role",
    "plan_rotate",
    "read_cors",
    "rotate_external_id",
    "trust_difference",
    "wanted_role",
]

OnPlan = Callable[[Plan], None] | None


Confirm = Callable[[Plan], bool] | None


def allowed(plan: Plan, dry_run: bool, confirm: Confirm, flag: str) -> bool:
    """May the plan be applied? A plan with destructive changes (Plan.destructive) needs
    `confirm` to say yes; without one it is refused, naming `flag` (the CLI's explicit yes), and
    nothing is changed."""
    if dry_run or not plan.destructive:
        return True
    if confirm is None:
        reasons = "; ".join(f"{c.target}: {c.destructive}" for c in plan.destructive)
        raise InputError(
            flag,
            None,
            f"this would change what works now ({reasons}); pass --{flag.replace('_', '-')} to do "
            "it (--dry-run shows the plan); nothing was changed",
        )
    return confirm(plan)


def create_role(
    aws: Aws,
    wanted: WantedRole,
    *,
    dry_run: bool = False,
    progress: Callable[[Change], None] | None = None,
    on_plan: OnPlan = None,
    confirm: Confirm = None,
) -> CreateResult:
    """Gather, plan, and (unless a dry run) apply the vendor role, its policy and CORS rule.
    Destructive changes (a working external ID or principal removed) need `confirm`."""
    before = gather_role(aws, wanted)
    plan = plan_role(wanted, before)
    if on_plan:
        on_plan(plan)
    # a trust change is confirmed by --replace-external-id; a read taken away, by --yes (its alias)
    trust_only = all(c.method != "create_policy_version" for c in plan.destructive)
    if not allowed(plan, dry_run, confirm, "replace_external_id" if trust_only else "yes"):
        return CreateResult(plan, [], True, wanted)
    applied = [] if dry_run else apply(aws, plan.changes, progress)
    if applied:
        cors_settled = any(c.cors_intent is not None for c in applied)  # apply read it back
        settle(
            lambda: _read_back(aws, wanted, before.role is None, cors_settled),
            f"role {plan.role_name}",
            wait_first=not cors_settled,  # CORS waited already
        )
    return CreateResult(plan, applied, dry_run, wanted)


def _read_back(aws: Aws, wanted: WantedRole, created: bool, cors_settled: bool) -> str:
    """What still differs from what the run wanted, read again after its writes ("" if none).

    After a fresh create only the role is read (one GetRole): CreateRole and CreatePolicy are
    refused rather than replace what another run made in the meantime, so the documents a rival
    could have replaced between this run's reads and writes are the ones an update rewrites
    (the trust, the policy's default version); here that is the trust. Otherwise everything is
    read again but the inline policies (they only warn) and, when apply read it back already,
    the bucket's CORS rules."""
    if created:
        role = find_role(aws.client("iam"), wanted.role_name)
        if role is None:
            return f"role {wanted.role_name} is not there yet"
        trust = parse_document(role["AssumeRolePolicyDocument"])
        if trust == wanted.trust:
            return ""
        return f"trust policy of role {role['RoleName']}: {trust_difference(trust, wanted.trust)}"
    if cors_settled:
        wanted = dataclasses.replace(wanted, cors_rule=None)
    return _still_to_do(plan_role(wanted, gather_role(aws, wanted, inline=False)))


def _still_to_do(plan: Plan) -> str:
    return "; ".join(" ".join(change.line().split()) for change in plan.changes)


def rotate_external_id(
    aws: Aws, spec: RotateSpec, *, dry_run: bool = False, on_plan: OnPlan = None, confirm: Confirm = None
) -> RotateResult:
    """Rewrite the trust's external ID; with spec.keep_old, accept the current ID(s) as well.
    Dropping the current ID (no keep_old) is destructive: it needs `confirm`."""
    check_rotate_spec(spec)  # bad input is refused before any AWS call
    plan, ids = plan_rotate(spec, owned_role(aws, spec.role_name, spec.force))
    if on_plan:
        on_plan(plan)
    if not allowed(plan, dry_run, confirm, "yes"):
        return RotateResult(plan, [], True, ids)
    applied = [] if dry_run else apply(aws, plan.changes)
    if applied:
        settle(
            lambda: _still_to_do(plan_rotate(spec, owned_role(aws, spec.role_name, spec.force))[0]),
            f"the trust policy of role {plan.role_name}",
        )
    return RotateResult(plan, applied, dry_run, ids)


def delete_role(
    aws: Aws,
    spec: DeleteSpec,
    *,
    dry_run: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    on_plan: OnPlan = None,
) -> DeleteResult:
    """Detach and delete our policies, delete inline policies and the role, remove our CORS rule.
    Deleting is never undone, so it needs `confirm(plan)` to say yes; without `confirm` it is
    refused before any AWS call (dry_run=True shows the plan without one)."""
    check_delete_spec(spec)
    if not dry_run and confirm is None:
        raise InputError(
            "yes",
            spec.role_name,
            "deleting a role needs a confirmation: give confirm= (the CLI's --yes), or dry_run=True "
            "to see the plan; nothing was changed",
        )
    plan = plan_delete(gather_delete(aws, owned_role(aws, spec.role_name, spec.force)))
    if on_plan:
        on_plan(plan)
    if dry_run or (confirm is not None and not confirm(plan)):
        return DeleteResult(plan, [], True)
    applied = apply(aws, plan.changes)
    settle(lambda: "it exists again" if role_exists(aws, plan.role_name) else "", f"role {plan.role_name}")
    return DeleteResult(plan, applied, False)
