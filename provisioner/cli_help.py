"""The commands' help: plain text (no rich markup: `[labelbox]` stays), the root's commands
grouped by panel and followed by the global options, each option's value named (`--bucket
BUCKET`, not `--bucket TEXT`)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

from provisioner.cli_options import AWS_OPTIONS, NamedGroup


class HelpGroup(NamedGroup):
    """A group whose help is plain text (no rich markup: `[labelbox]` stays), its commands
    grouped by their rich_help_panel, and the root's ending with the global options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rich_markup_mode = None  # click's plain help: text as written, `[labelbox]` kept
        for command in self.commands.values():
            if not isinstance(command, TyperGroup):
                dress(command)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands under their panel's heading (PANELS first, in that order), not one list."""
        commands = [
            (name, command)
            for name, command in ((n, self.get_command(ctx, n)) for n in self.list_commands(ctx))
            if command is not None and not command.hidden
        ]
        if not commands:
            return
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, command in commands:  # the whole first sentence, wrapped, never cut with "..."
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((name, command.get_short_help_str(limit=1000)))
        for panel in sorted(panels, key=lambda p: PANELS.index(p) if p in PANELS else len(PANELS)):
            with formatter.section(panel):
                formatter.write_dl(panels[panel])

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if ctx.parent is None:
            with formatter.section("Global options (before or after the command name)"):
                formatter.write_dl(GLOBAL_HELP)
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(GLOBAL_NOTE)
        super().format_epilog(ctx, formatter)


# The root help's "Global options" section (the options themselves are parsed by
# cli_options and by each command that takes them).
GLOBAL_HELP = [
    ("--profile NAME", "AWS profile (default: AWS_PROFILE, else the default profile). AWS commands."),
    ("--region REGION", "AWS region (default: the profile's). AWS commands; policy permissions."),
    ("--endpoint-url URL", "Send AWS calls to this endpoint (a sandbox); also AWS_ENDPOINT_URL."),
    (
        "-o, --output FORMAT",
        "table, json, text, or another format the command lists in its help; "
        "AWS_DEFAULT_OUTPUT sets the default. Commands that print a result.",
    ),
    ("--query EXPR", "Filter JSON output with JMESPath; makes json the default. Every command."),
    ("--debug", "botocore's request log on stderr, secrets taken out. Every command."),
    ("-q, --quiet", "No progress, summary or notes on stderr; errors are still shown. Every command."),
]
GLOBAL_NOTE = (
    "A command that does not take one of --profile, --region, --endpoint-url or --output (the "
    "offline commands take no AWS option) accepts and ignores it, as the AWS CLI does. -h or "
    "--help after any command shows its help: 'provision create-role -h'."
)

# How the root help orders its command groups (each command's rich_help_panel).
PANELS = ["Role lifecycle", "Checks", "Labelbox and import files", "Offline (no AWS account needed)"]

# The value an option takes, by option name, in every command's help: `--bucket BUCKET`, not
# `--bucket TEXT`. An option's own metavar= wins; a test refuses TEXT, INTEGER and the like.
METAVARS = {
    "--accounts": "ID[,ID...]",
    "--api-key-file": "FILE",
    "--baseline": "FILE",
    "--batch-size": "N",
    "--bucket": "BUCKET",
    "--connect": "VENDOR",
    "--create-project": "NAME",
    "--dataset": "NAME",
    "--endpoint-url": "URL",
    "--external-id": "ID",
    "--from-file": "FILE",
    "--integration": "NAME|ID",
    "--key": "KEY",
    "--kms-key-arn": "ARN",
    "--label-attribute": "NAME",
    "--manifest": "FILE",
    "--max-session-duration": "SECONDS",
    "--member-role": "NAME",
    "--mutelist": "FILE",
    "--name": "NAME",
    "--origin": "URL",
    "--out": "FILE",
    "--path": "/PATH/",
    "--permissions-boundary": "ARN",
    "--policy-name": "NAME",
    "--port": "PORT",
    "--prefix": "PREFIX",
    "--principal": "ARN",
    "--profile": "NAME",
    "--project-arn": "ARN",
    "--rcp-file": "FILE",
    "--region": "REGION",
    "--role-arn": "ARN",
    "--role-name": "NAME",
    "--scp-file": "FILE",
    "--tag": "KEY=VALUE",
    "--unused-days": "DAYS",
    "--upload": "s3://BUCKET/KEY",
    "--vendor": "VENDOR",
    "--vendor-profile": "NAME",
    "--wait": "SECONDS",
}


def dress(command: Any) -> None:
    """A command's help: a metavar for each option that takes a value (METAVARS, or a choice's
    values: `-o table|json`), an argument's own metavar without typer's `<list[str]>` after it,
    and an epilog naming the global options its own list does not show."""
    command.rich_markup_mode = None
    names = set()
    for param in command.params:
        names.update(param.opts)
        if param.param_type_name == "argument":
            if param.metavar is not None:
                param.display_type_rich = _no_type
            continue
        if param.is_flag or param.count or param.metavar is not None:
            continue
        if param.type_descriptor.is_choice:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in param.type_descriptor.choices)
        else:
            param.metavar = next((METAVARS[o] for o in param.opts if o in METAVARS), None)
    if command.epilog:
        return
    ignored = [o for o in (*AWS_OPTIONS, "--output") if o not in names]
    note = "Global options: --query EXPR, --debug, -q/--quiet"
    if ignored:
        note += f"; {', '.join(ignored)} accepted and ignored"
    command.epilog = note + " (see 'provision -h')."


def _no_type(ctx: Any = None) -> None:
    """What an argument with a metavar of its own shows after it: nothing."""
    return None
