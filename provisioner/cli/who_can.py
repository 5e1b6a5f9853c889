"""`provision who-can read|write s3://BUCKET[/PREFIX]`: options -> spec -> api.who_can -> table, json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.accounts import AccountsOpt, FromFileOpt, MemberRoleOpt, OrganizationOpt, account_list
from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    KnownAccountsOpt,
    ProfileOpt,
    RcpFileOpt,
    RegionOpt,
    ScpFileOpt,
    config_vendors,
    connect,
    json_text,
    output_choices,
    print_data,
    progress,
)
from provisioner.cli.reporting import say_notes

if TYPE_CHECKING:
    WhoCanOutput: TypeAlias = Any  # an enum of report.FORMATS["who-can"], made at run time
else:
    WhoCanOutput = output_choices("who-can")


@app.command("who-can", rich_help_panel="Checks")
def who_can_command(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="read or write", metavar="read|write")],
    target: Annotated[
        str, typer.Argument(help="s3://BUCKET or s3://BUCKET/PREFIX", metavar="s3://BUCKET[/PREFIX]")
    ],
    from_file: FromFileOpt = None,
    bucket_policy: Annotated[
        list[str] | None,
        typer.Option(
            "--bucket-policy",
            help="With --from-file: BUCKET=FILE, the bucket's policy.",
            metavar="BUCKET=FILE",
        ),
    ] = None,
    organization: OrganizationOpt = False,
    accounts: AccountsOpt = None,
    member_role: MemberRoleOpt = "OrganizationAccountAccessRole",
    output: Annotated[
        WhoCanOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = WhoCanOutput.table,
    scp_file: ScpFileOpt = None,
    rcp_file: RcpFileOpt = None,
    known_accounts: KnownAccountsOpt = None,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Every outside principal that can read (or write) objects at an S3 location, with its route.

    read counts s3:GetObject and s3:GetObjectVersion (an earlier version is the data too). write
    counts s3:PutObject, s3:DeleteObject, s3:DeleteObjectVersion (a version deleted for good),
    s3:PutObjectAcl and s3:PutObjectVersionAcl (an ACL can hand an object, or a version, to
    anyone), and s3:ReplicateObject and s3:ReplicateDelete (replication from another account
    writes or hides objects). inventory counts the same actions. Not counted: s3:AbortMultipartUpload
    (it discards an upload in progress, never a stored object), object tagging, retention and legal
    hold. Each route lists the counted actions it allows. read and write also list an outside
    party that may change the bucket's policy or ACL (s3:PutBucketPolicy, s3:PutBucketAcl): it can
    grant itself either ("can take control of the bucket"), and write lists one that may set the
    bucket's lifecycle rules (s3:PutLifecycleConfiguration: an expiration rule deletes every object).
    """
    from provisioner import api
    from provisioner.inventory import InventorySpec, parse_target
    from provisioner.report.inventory import who_can_table

    parse_target(action, target)  # before any AWS call
    listed = account_list(accounts)
    spec = InventorySpec(
        from_file=from_file,
        organization=organization,
        accounts=listed,
        member_role=member_role,
        scp_files=tuple(scp_file or ()),
        rcp_files=tuple(rcp_file or ()),
        vendors=config_vendors(ctx),
        known_accounts=known_accounts,
        bucket_policies=tuple(bucket_policy or ()),
        profile=profile,
    )
    with progress("reading roles") as advance:
        result = api.who_can(
            spec, action, target, lambda: connect(profile, region, endpoint_url), progress=advance
        )
    if output in ("json", "text"):
        document = result.to_dict()
        print_data(json_text(document, output), output)  # text: the records, without the version
    else:
        print_data(who_can_table(result), "table")
    say_notes(result.notes)  # on stderr in every format (--quiet silences them), as inventory's
