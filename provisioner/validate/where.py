"""GetBucketLocation in a region other than the bucket's (trial 20w item 4). S3 API Reference,
GetBucketLocation: "In a bucket's home Region, calls to the GetBucketLocation operation are
governed by the bucket's policy. In other Regions, the bucket policy doesn't apply." The vendor
chooses the region it calls it in (an SDK client calls its own region's endpoint), and
aws:RequestedRegion is that region (IAM User Guide, "AWS global condition context keys"). So,
beside the home region's request, the request in each other region is asked of the chain
without the bucket policy: one region for each way the policies' aws:RequestedRegion values
tell regions apart (botocore's list of the partition's S3 regions). Pure."""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase
from functools import cache

from provisioner.evaluation import Request
from provisioner.evaluation.chain import Chain
from provisioner.evaluation.free import Outcome, chain_policies
from provisioner.iam import statements
from provisioner.validate.model import Snapshot, ValidateSpec
from provisioner.validate.rules import decide


def elsewhere(chain: Chain, request: Request, spec: ValidateSpec, state: Snapshot) -> str:
    """Why `request` (GetBucketLocation at home, allowed there) may be refused in another region:
    "" when it is allowed in every region."""
    home = state.bucket_region
    outside = replace(chain, resource=[])
    named = _region_values(outside)
    if not named and decide(outside, request, spec, state).always:
        return ""  # no policy tells regions apart, and the bucket policy is not needed
    allowed: list[str] = [home]
    denied: list[str] = []
    first: Outcome | None = None
    for regions in _classes(spec.partition, named):
        others = [r for r in regions if r != home]
        if not others:
            continue
        asked = Request(request.principal, request.action, request.resource,
                        {**request.context, "aws:RequestedRegion": others[0]})  # fmt: skip
        outcome = decide(outside, asked, spec, state)
        (allowed if outcome.always else denied).extend(others)
        first = first or (None if outcome.always else outcome)
    if first is None:
        return ""
    reason = first.denied.reason() if first.denied is not None else first.undecided or first.depends
    reason = "the role's own policies do not allow it" if reason.startswith("no statement allows") else reason
    vendor = f"; the vendor's own region, {spec.sts_region}, among them" if spec.sts_region in denied else ""
    return (
        f"depends on aws:RequestedRegion, the region the vendor calls it in (S3 answers it in any "
        f"region; the bucket policy applies only in the bucket's, {home}): allowed in "
        f"{_few(allowed)}; denied in {_few(denied)} ({reason}{vendor})"
    )


def _few(regions: list[str]) -> str:
    return ", ".join(regions[:3]) + (f" and {len(regions) - 3} other regions" if len(regions) > 3 else "")


def _region_values(chain: Chain) -> list[str]:
    """The values the chain's policies compare aws:RequestedRegion with."""
    values: list[str] = []
    for policy in chain_policies(chain):
        for statement in statements(policy.document):
            for _, key, given in statement.conditions():
                if key.lower() == "aws:requestedregion":
                    values += [str(v) for v in given if str(v) not in values]
    return values


def _classes(partition: str, values: list[str]) -> list[list[str]]:
    """The partition's S3 regions, grouped by which of `values` (globs) each matches: the
    policies tell no two regions of a group apart."""
    regions = _regions(partition)
    seen: dict[tuple[bool, ...], list[str]] = {}
    for region in regions:
        seen.setdefault(tuple(fnmatchcase(region, v.lower()) for v in values), []).append(region)
    return list(seen.values())


def regions_of(chain: Chain, partition: str, home: str) -> list[str]:
    """A region of each way the chain's aws:RequestedRegion values tell regions apart, `home`
    first: where a request that is not to this bucket (another bucket, DynamoDB, STS) may be sent,
    the vendor's choice. IAM is global: its requests are sent to us-east-1 (aws-global)."""
    found = [home]
    for regions in _classes(partition, _region_values(chain)):
        found += [] if home in regions else regions[:1]
    return found


def at_region(request: Request, region: str) -> Request:
    if request.action.lower().startswith("iam:"):
        region = "us-east-1"
    return Request(request.principal, request.action, request.resource,
                   {**request.context, "aws:RequestedRegion": region})  # fmt: skip


@cache
def _regions(partition: str) -> tuple[str, ...]:
    """The partition's S3 regions (botocore's endpoint data, read from disk once)."""
    import botocore.session

    return tuple(botocore.session.get_session().get_available_regions("s3", partition))
