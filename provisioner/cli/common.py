"""What several commands share: option types, output choices, warnings, progress, the plan."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

if TYPE_CHECKING:
    from provisioner.aws import Aws
    from provisioner.role import Plan, RoleResult, RoleSpec


def output_choices(command: str) -> Any:
    """The --output choices of a command, as an enum built from report.FORMATS (one table)."""
    from provisioner.report.render import FORMATS

    return StrEnum(f"{command.title()}Output", {name: name for name in FORMATS[command]})


if TYPE_CHECKING:
    Output: TypeAlias = Any  # an enum made at run time; its members are the table's names
else:
    Output = output_choices("result")


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    none = "none"


VendorOpt = Annotated[
    str | None,
    typer.Option("--vendor", help="A known vendor (see 'provision vendors'). Default: labelbox."),
]
PrincipalOpt = Annotated[
    str | None, typer.Option("--principal", help="The vendor's role ARN, for a vendor not in the list.")
]
OriginOpt = Annotated[
    list[str] | None, typer.Option("--origin", help="A web origin of the vendor (repeat for several).")
]
PrefixOpt = Annotated[str | None, typer.Option("--prefix", help="Limit the grant to keys under this prefix.")]
KmsKeyOpt = Annotated[
    str | None, typer.Option("--kms-key-arn", help="KMS key of SSE-KMS objects: adds kms:Decrypt via S3.")
]
RoleNameDefaultOpt = Annotated[str | None, typer.Option("--role-name", help="Default: the vendor's.")]
RoleNameOpt = Annotated[str, typer.Option("--role-name", help="The role provisioner created.")]
PolicyNameOpt = Annotated[str | None, typer.Option("--policy-name", help="Default: the vendor's.")]
PathOpt = Annotated[str | None, typer.Option("--path", help="IAM path, like /vendors/.")]
CorsOpt = Annotated[
    bool | None,
    typer.Option("--cors/--no-cors", help="Merge the vendor's CORS rule into the bucket's.", metavar=""),
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE (repeatable).")]
MaxSessionOpt = Annotated[int, typer.Option("--max-session-duration", help="Seconds, 3600-43200.")]
BoundaryOpt = Annotated[
    str | None,
    typer.Option(
        "--permissions-boundary", help="A managed policy ARN set as the role's permissions boundary."
    ),
]
MutelistOpt = Annotated[
    str | None,
    typer.Option("--mutelist", help="A TOML file of [[mute]] entries (beside those of .provisioner.toml)."),
]


_LEVELS = "One level each, root first (repeat); join files attached at one level with commas."
ScpFileOpt = Annotated[
    list[str] | None,
    typer.Option("--scp-file", help=f"An SCP as 'aws organizations describe-policy' prints it. {_LEVELS}"),
]
RcpFileOpt = Annotated[
    list[str] | None,
    typer.Option("--rcp-file", help=f"An RCP as 'aws organizations describe-policy' prints it. {_LEVELS}"),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.", metavar="")]
OutputOpt = Annotated[
    Output,
    typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
]
FailOnOpt = Annotated[
    FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="AWS profile (default: AWS_PROFILE / default).")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region (default: the profile's).")]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        envvar="AWS_ENDPOINT_URL",
        help="Send AWS calls to this endpoint (a sandbox). Also AWS_ENDPOINT_URL.",
    ),
]


def role_spec(
    vendor: str | None,
    principal: str | None,
    origin: list[str] | None,
    bucket: str,
    external_id: str,
    **options: Any,
) -> RoleSpec:
    """The RoleSpec create-role and export build from the options they share."""
    from provisioner import api
    from provisioner.role import RoleSpec

    tags = tuple(options.pop("tag", None) or ())
    return RoleSpec(api.vendor(vendor, principal, origin or ()), bucket, external_id, tags=tags, **options)


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


def connect(profile: str | None, region: str | None, endpoint_url: str | None) -> Aws:
    from provisioner import api

    return api.connect(profile, region, endpoint_url)


def show_plan(plan: Plan, dry_run: bool) -> None:
    """The plan on stderr before anything changes, like terraform plan."""
    warn(plan.warnings)
    if not plan.changes:
        typer.echo(f"no changes: role {plan.role_name} is as wanted", err=True)
        return
    verb = "would make" if dry_run else "will make"
    typer.echo(f"plan: {verb} {len(plan.changes)} change(s)", err=True)
    for change in plan.changes:
        typer.echo(f"  {change.line()}", err=True)


def show_role_result(result: RoleResult, output: Output) -> None:
    """What a role command did (on stderr), then its result: JSON or the form's fields."""
    from provisioner import report

    if result.dry_run and result.plan.changes:
        typer.echo("dry run: nothing was changed", err=True)
    elif result.applied:
        typer.echo(f"applied {len(result.applied)} change(s)", err=True)
    if output in (Output.json, Output.text):
        typer.echo(json_text(versioned(result.to_dict()), output))
    else:
        typer.echo(report.form_table(result.form_fields()))


def interactive() -> bool:
    """Can someone answer a question (stdin is a terminal)?"""
    return sys.stdin.isatty()


def confirmer(yes: bool, question: str) -> Callable[[Any], bool] | None:
    """How a command gets the admin's yes to a destructive plan: the flag; else a question on
    a terminal; else None, and the library refuses the plan naming the flag."""
    if yes:
        return lambda plan: True
    if not interactive():
        return None

    def ask(plan: Any) -> bool:
        for change in plan.destructive:
            typer.echo(f"{change.target}: {change.destructive}", err=True)
        return typer.confirm(question, err=True)

    return ask


def json_text(data: Any, output: str = "json") -> str:
    """A command's JSON (or, with output "text", the AWS CLI's tab-separated text) output,
    filtered by --query (JMESPath) when given."""
    from provisioner import report
    from provisioner.cli.app import QUERY

    query = QUERY.get()
    if output == "text" and query is None:
        data = unversioned(data)
    data = query.apply(data) if query is not None else data
    return report.to_text(data) if output == "text" else report.to_json(data)


def unversioned(data: Any) -> Any:
    """The text output keeps the lines it printed before reports carried schema_version
    (awk and cut scripts count columns): the version dropped, a wrapped list unwrapped."""
    if not isinstance(data, dict) or "schema_version" not in data:
        return data
    rest = {k: v for k, v in data.items() if k != "schema_version"}
    if len(rest) == 1 and isinstance(next(iter(rest.values())), list):
        return next(iter(rest.values()))
    return rest


def terminal() -> Any:
    """How tables are shown on stdout: colour on a colour terminal unless NO_COLOR is set
    (no-color.org) or TERM is dumb; fitted to its width. Plain and unbounded when piped."""
    import os
    import shutil

    from provisioner.report import Terminal

    if not sys.stdout.isatty():
        return Terminal()
    colour = "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    return Terminal(colour=colour, width=shutil.get_terminal_size().columns)


def now_text() -> str:
    """The time a report was made, for its header (UTC, to the second)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def versioned(data: Any, key: str = "items") -> dict[str, Any]:
    """A report's JSON with its "schema_version" (report.versioned)."""
    from provisioner.report.findings import versioned as add

    return add(data, key)


def out_format(ctx: typer.Context, output: str, out: str | None) -> str:
    """The format of a report: -o when given; else, with --out, its extension's (report.html
    is HTML); else -o's default. -o and an --out extension that disagree are bad input."""
    import os

    from provisioner.errors import InputError
    from provisioner.report.render import EXTENSIONS

    if out is not None and not out.strip():  # "" is not "not given": never a report lost
        raise InputError("--out", out, "empty: give a file name, '-' for stdout, or leave the option out")
    if not out or out == "-":  # '-' is stdout, as for lint's FILE
        return output
    extension = os.path.splitext(out)[1].lower()
    by_extension = EXTENSIONS.get(extension)
    given = getattr(ctx.get_parameter_source("output"), "name", "") == "COMMANDLINE"
    if by_extension is None and extension not in ("", ".txt", ".log", ".out") and not given:
        names = ", ".join(sorted(EXTENSIONS))
        raise InputError(
            "--out",
            out,
            f"{extension} names no report format: end the name with one of {names} (or .txt for "
            "the table), or give -o FORMAT",
        )
    if by_extension is None:
        return output
    if given and by_extension != output:
        suffix = next((ext for ext, name in EXTENSIONS.items() if name == output), "")
        name = f"a name ending {suffix}" if suffix else "another name"
        raise InputError(
            "--output",
            output,
            f"does not match --out {out} (a name for -o {by_extension}): drop -o (the "
            f"extension chooses the format) or give --out {name}",
        )
    return output if given else by_extension


def render_findings(view: Any, fmt: str, out: str | None) -> str:
    """lint's or audit's findings in `fmt`; JSON, text and SARIF through --query."""
    from provisioner import __version__, report
    from provisioner.report.sarif import findings_sarif

    if fmt in ("json", "text"):
        return json_text(view.document(), fmt)
    if fmt == "sarif":
        return json_text(findings_sarif(view, __version__))
    shown_on = terminal() if not out else report.Terminal()
    text = report.render(view, fmt, version=__version__, generated=now_text(), terminal=shown_on)
    return text.rstrip("\n") if fmt == "csv" else text


def print_data(text: str, fmt: str) -> None:
    """A report on stdout. JSON and SARIF are written as they are, not through typer.echo: they
    hold no ANSI colour code for it to strip when stdout is not a terminal, and its regex read
    every character of them (10 MB for an offline audit of 10,000 roles)."""
    if fmt not in ("json", "sarif"):
        typer.echo(text)
        return
    sys.stdout.write(text)
    sys.stdout.write("\n")
    sys.stdout.flush()


def write_out(path: str, text: str) -> None:
    """--out: the whole report or nothing (provisioner.atomic); '-' is stdout."""
    from provisioner.atomic import write_text

    if path == "-":
        typer.echo(text)
        return
    write_text(path, text + "\n", "--out")


class Counter:
    """What `progress` gives: call it to advance the main count; `extra(what, total)` adds a
    counter whose total is known (accounts of an organization, say)."""

    def __init__(self, advance: Callable[[int], None], extra: Callable[[str, int], Callable[[int], None]]):
        self.advance = advance
        self.extra = extra

    def __call__(self, n: int) -> None:
        self.advance(n)


class progress:
    """A rich progress counter on a terminal (stderr); nothing when stderr is not one."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar: Any = None

    def __enter__(self) -> Any:
        from provisioner.cli.app import QUIET

        if QUIET.get() or not sys.stderr.isatty():
            return Counter(lambda n: None, lambda what, total: lambda n: None)
        from rich.console import Console
        from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "")

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}: {task.completed:,}"),
            Rate(),
            TimeElapsedColumn(),
            transient=True,
            console=Console(stderr=True),
            # rich sends what is printed to stdout meanwhile to its own console (stderr), above
            # the bar: right when both are the terminal, but stdout sent to a file or a pipe
            # (`manifest > rows.ndjson`) must get the command's output, not the terminal
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        self.bar.start()
        task = self.bar.add_task(self.what, total=None)

        def extra(what: str, total: int) -> Callable[[int], None]:
            counted = self.bar.add_task(f"{what} (of {total})", total=total)
            return lambda n: self.bar.update(counted, advance=n)

        return Counter(lambda n: self.bar.update(task, advance=n), extra)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()


def mutes(ctx: typer.Context, mutelist: str | None) -> list[Any]:
    """The [[mute]] entries of the config file (.provisioner.toml) and of --mutelist."""
    found: list[Any] = []
    config = ctx.find_root().obj
    if config is not None and getattr(config, "mutes", None):
        from provisioner import mute

        found += mute.parse(config.mutes, config.path or "")
    if mutelist is not None and not mutelist.strip():  # "" is not "not given": said, not skipped
        from provisioner.errors import InputError

        raise InputError("--mutelist", mutelist, "empty: give the path of a file, or leave the option out")
    if mutelist:
        from provisioner import mute

        found += mute.load_file(mutelist)
    return found


KnownAccountsOpt = Annotated[
    str | None,
    typer.Option(
        "--known-accounts",
        help="Names for outside accounts: a file in fwd:cloudsec known_aws_accounts' format (YAML or JSON).",
        metavar="FILE",
    ),
]


def config_vendors(ctx: typer.Context) -> tuple[Any, ...]:
    """The [[vendor]] entries of the config file (.provisioner.toml): names, never accounts to read."""
    config = ctx.find_root().obj
    return tuple(getattr(config, "vendors", None) or ())
