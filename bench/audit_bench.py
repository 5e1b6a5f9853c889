"""audit speed, in one run against one moto server (in this process, on 127.0.0.1):

- the floor: the bare GetAccountAuthorizationDetails download of the account;
- our audit: the same download plus every rule;
- a per-role reader doing what per-role auditors do (list_roles, then per role
  list_attached_role_policies, list_role_policies, get_role_policy, get_role, list_role_tags);
- offline: a 10,000-role GAAD file audited, against json.load of the same file.
Peak memory with tracemalloc. Figures only; never a timed assertion in tests.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc

os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")

from provisioner import audit, sandbox
from provisioner.aws import Aws

ROLES = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5000
FILE_ROLES = 10000
RUNS = 11  # interleaved runs of each, for the medians (single runs swing by ±25 % here)
AWS_MANAGED = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
]


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        }
    ],
}
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def mix(n: int) -> tuple[dict, dict | None]:
    """A realistic mix: mostly service roles, vendor roles with and without external IDs, a few
    wildcard trusts."""
    kind = n % 20
    if kind < 12:
        return trust(
            {
                "Service": random.choice(
                    ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
                )
            }
        ), None
    if kind < 16:
        return trust(
            {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"},
            {"StringEquals": {"sts:ExternalId": f"ck{n:020d}"}},
        ), READ
    if kind < 19:
        return trust({"AWS": f"arn:aws:iam::{100000000000 + n % 50}:root"}), WIDE
    return trust("*"), None


def timed(label, fn, memory=False):
    """Wall time of fn(); with memory=True a second run under tracemalloc gives its peak
    (tracemalloc slows Python down, so time and memory are never measured in the same run)."""
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    peak = ""
    if memory:
        tracemalloc.start()
        fn()
        peak = f"   peak {tracemalloc.get_traced_memory()[1] / 2**20:7.1f} MiB"
        tracemalloc.stop()
    print(f"{label:<34} {seconds:8.2f} s{peak}")
    return value, seconds


def per_role_reader(aws: Aws) -> int:
    iam = aws.client("iam")
    count = 0
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            iam.list_attached_role_policies(RoleName=name)
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.get_role_policy(RoleName=name, PolicyName=policy)
            iam.get_role(RoleName=name)
            iam.list_role_tags(RoleName=name)
            count += 1
    return count


def main() -> None:
    random.seed(7)
    if "--offline-only" not in sys.argv:
        online()
    offline_file()


def online() -> None:
    box = sandbox.start(0, seed_demo=False)
    try:
        session = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT)
        iam = session.client("iam", endpoint_url=box.endpoint)
        start = time.perf_counter()
        for n in range(ROLES):
            document, policy = mix(n)
            iam.create_role(RoleName=f"role-{n:05d}", AssumeRolePolicyDocument=json.dumps(document))
            if policy:
                iam.put_role_policy(
                    RoleName=f"role-{n:05d}", PolicyName="p", PolicyDocument=json.dumps(policy)
                )
            if policy and n % 10 == 0:  # some vendor roles carry AWS-managed policies, read once each
                iam.attach_role_policy(RoleName=f"role-{n:05d}", PolicyArn=AWS_MANAGED[n % 3])
        print(f"populated {ROLES} roles in {time.perf_counter() - start:.1f} s")

        def aws() -> Aws:
            return Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)

        def bare():
            client = aws().client("iam")
            pages = client.get_paginator("get_account_authorization_details").paginate(
                Filter=["Role", "LocalManagedPolicy"], PaginationConfig={"PageSize": 1000}
            )
            return sum(len(p["RoleDetailList"]) for p in pages)

        def ours():
            # the whole journey, as `provision audit` runs it: the download, the AWS-managed
            # policies, the organization's SCPs/RCPs (none here), every rule
            return audit.run(audit.AuditSpec(), aws)

        # small and noisy on a shared machine: RUNS interleaved runs each, the median of the ratios
        floors, audits = [], []
        for _ in range(RUNS):
            for fn, samples in ((bare, floors), (ours, audits)):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
        floor, ours_s = statistics.median(floors), statistics.median(audits)
        ratio = statistics.median(a / f for a, f in zip(audits, floors, strict=True))
        print(f"bare GAAD download (the floor)     {floor:8.2f} s (median of {RUNS})")
        print(f"provision audit                    {ours_s:8.2f} s (median of {RUNS})")
        result, _ = timed("provision audit, memory pass", ours, memory=True)
        if "--skip-reader" in sys.argv:
            print(f"audit / floor = {ratio:.2f}x (median of per-run ratios); {len(result.findings)} findings")
            return
        _, reader = timed("per-role reader", lambda: per_role_reader(aws()))
        print(
            f"audit / floor = {ratio:.2f}x (median of per-run ratios); per-role reader / audit = "
            f"{reader / ours_s:.1f}x; {len(result.findings)} findings"
        )
    finally:
        box.stop()


def offline_file() -> None:
    roles = []
    for n in range(FILE_ROLES):
        document, policy = mix(n)
        roles.append(
            {
                "RoleName": f"role-{n:05d}",
                "Arn": f"arn:aws:iam::123456789012:role/role-{n:05d}",
                "AssumeRolePolicyDocument": document,
                "AttachedManagedPolicies": [],
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}] if policy else [],
                "RoleLastUsed": {},
            }
        )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"RoleDetailList": roles, "Policies": []}, handle)
        path = handle.name
    try:

        def load():
            with open(path) as f:
                return json.load(f)

        def ours():
            return audit.audit([audit.load_file(path)])

        # small and noisy: the median of 5 interleaved runs each
        loads, audits = [], []
        for _ in range(5):
            for fn, samples in ((load, loads), (ours, audits)):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
        loaded, offline = statistics.median(loads), statistics.median(audits)
        print(f"json.load of {FILE_ROLES} roles {'':13} {loaded:8.2f} s (median of 5)")
        print(f"audit --from-file {FILE_ROLES} roles {'':6} {offline:8.2f} s (median of 5)")
        timed("audit --from-file, memory pass", ours, memory=True)
        print(f"offline audit / json.load = {offline / loaded:.2f}x (in-process)")
        whole_process(path)
    finally:
        os.unlink(path)


def whole_process(path: str) -> None:
    """`provision audit --from-file` (JSON output, to /dev/null) against a `python -c json.load`
    process on the same file, whole process, RUNS interleaved runs each (bytecode written first,
    as an installed package has it)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "python -c json.load(F)": [sys.executable, "-c", f"import json; json.load(open({path!r}))"],
        "provision audit --from-file F -o json": [
            *(sys.executable, "-m", "provisioner", "audit", "--from-file", path, "-o", "json", "-q")
        ],
    }

    def run(argv: list[str]) -> tuple[float, float]:
        """Wall time, and CPU time (user + system: steadier than wall time on a busy machine)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

    for argv in commands.values():
        run(argv)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, argv in commands.items():
            samples[name].append(run(argv))
    base, ours = samples.values()
    for name, times in samples.items():
        wall, cpu = (statistics.median(t[i] for t in times) for i in (0, 1))
        print(f"{name:<38} {wall:8.2f} s wall, {cpu:.2f} s CPU (medians of {RUNS}, whole process)")
    for index, kind in ((0, "wall"), (1, "CPU")):
        ratio = statistics.median(o[index] / b[index] for o, b in zip(ours, base, strict=True))
        print(f"offline audit / json.load = {ratio:.2f}x {kind} (whole process, median of per-run ratios)")


if __name__ == "__main__":
    main()
