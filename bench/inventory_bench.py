# ruff: noqa: E501  (the arrangement reads best one call a line)
"""inventory speed against the plain reads it needs, in one moto server (in this process, on
127.0.0.1): an organization of ACCOUNTS accounts x ROLES roles x BUCKETS buckets (issue 22's
target is 200 x 50 x 5; the machine decides what is honest to run).

- reads: the organization's accounts read as inventory reads them, with the same pool
  (audit.collect: GetAccountAuthorizationDetails of each, through the member role, four at a
  time; then each account's buckets with their policies and CORS rules, and its KMS keys with
  their key policies, four at a time);
- inventory: the same reads, then every rule, naming, scope, power and use.

Interleaved runs; medians and their ratio. Peak Python memory (tracemalloc) of one inventory run.
Figures only; never a timed assertion in tests.

    python bench/inventory_bench.py [ACCOUNTS] [ROLES] [BUCKETS] [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")

from provisioner import api, sandbox
from provisioner.audit import AuditSpec, collect, member_aws
from provisioner.aws import Aws
from provisioner.inventory import InventorySpec
from provisioner.inventory.gather import gather_buckets, gather_keys

ARGS = [int(a) for a in sys.argv[1:] if a.isdigit()]
ACCOUNTS, ROLES, BUCKETS, RUNS = (ARGS + [20, 50, 5, 5][len(ARGS) :])[:4]
VENDORS = ["340636424752", "464622532012", "454464851268", "210987654321"]


def trust(account: str, external_id: str | None) -> str:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def populate(box: sandbox.Sandbox) -> list[str]:
    org = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("organizations", endpoint_url=box.endpoint)
    org.create_organization(FeatureSet="ALL")
    accounts = [sandbox.CUSTOMER_ACCOUNT]
    for n in range(ACCOUNTS - 1):
        accounts.append(
            org.create_account(Email=f"m{n}@example.com", AccountName=f"m{n}")["CreateAccountStatus"][
                "AccountId"
            ]
        )
    service = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    for index, account in enumerate(accounts):
        session = sandbox.session_for(account)
        iam = session.client("iam", endpoint_url=box.endpoint)
        s3 = session.client("s3", endpoint_url=box.endpoint)
        names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
        if account != sandbox.CUSTOMER_ACCOUNT and "OrganizationAccountAccessRole" not in names:
            iam.create_role(
                RoleName="OrganizationAccountAccessRole",
                AssumeRolePolicyDocument=trust(sandbox.CUSTOMER_ACCOUNT, None),
            )
        for b in range(BUCKETS):
            bucket = f"bench-{index}-{b}"
            s3.create_bucket(Bucket=bucket)
            if b % 2 == 0:
                deny = {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
                s3.put_bucket_policy(
                    Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
                )
            if b % 3 == 0:
                rule = {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.labelbox.com"]}
                s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
        for r in range(ROLES):
            name = f"role-{r}"
            if r % 5:  # four in five are service roles
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=service)
                continue
            vendor = VENDORS[(r // 5) % len(VENDORS)]
            iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=trust(vendor, f"id-{index:04d}-{r:04d}-abcdefgh")
            )
            action = "*" if r % 25 == 0 else ["s3:GetObject", "s3:PutObject"]
            grant = {
                "Effect": "Allow",
                "Action": action,
                "Resource": f"arn:aws:s3:::bench-{index}-{r % BUCKETS}/data/*",
            }
            iam.put_role_policy(
                RoleName=name,
                PolicyName="p",
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [grant]}),
            )
    return accounts


def main() -> None:
    box = sandbox.start(0, seed_demo=False, aws_managed_policies=False)
    try:
        started = time.perf_counter()
        populate(box)
        print(
            f"{ACCOUNTS} accounts x {ROLES} roles x {BUCKETS} buckets in moto: set up in {time.perf_counter() - started:.1f} s"
        )

        def connect() -> Aws:
            return Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)

        def reads() -> None:
            bases: list[Aws] = []
            data, _ = collect(AuditSpec(organization=True), connect, bases=bases)
            member = member_aws(bases[0], "OrganizationAccountAccessRole")
            accounts = [d.account for d in data]
            gather_buckets(member, accounts, bases[0].account_id())
            gather_keys(member, accounts, bases[0].account_id())

        def inventory() -> None:
            api.inventory(InventorySpec(organization=True), connect)

        times: dict[str, list[float]] = {"reads": [], "inventory": []}
        for _ in range(RUNS):
            for label, run in (("reads", reads), ("inventory", inventory)):
                began = time.perf_counter()
                run()
                times[label].append(time.perf_counter() - began)
        medians = {k: statistics.median(v) for k, v in times.items()}
        print(
            f"reads      median {medians['reads']:.2f} s  ({', '.join(f'{t:.2f}' for t in times['reads'])})"
        )
        print(
            f"inventory  median {medians['inventory']:.2f} s  ({', '.join(f'{t:.2f}' for t in times['inventory'])})"
        )
        print(f"ratio inventory / reads: {medians['inventory'] / medians['reads']:.2f} (target: at most 1.5)")
        tracemalloc.start()
        inventory()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak Python memory of one inventory run: {peak / 1e6:.1f} MB")
    finally:
        box.stop()


if __name__ == "__main__":
    main()
