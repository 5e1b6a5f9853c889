"""`provision vendors`: the vendor profiles provisioner knows, and every other named account."""

from __future__ import annotations

import typer

from provisioner.cli.app import app
from provisioner.cli.common import KnownAccountsOpt, Output, OutputOpt, config_vendors, json_text, versioned


@app.command("vendors", rich_help_panel="Offline (no AWS account needed)")
def vendors_command(
    ctx: typer.Context, output: OutputOpt = Output.table, known_accounts: KnownAccountsOpt = None
) -> None:
    """List the vendors provisioner knows (principal, CORS origins, default names), then the
    accounts audit and inventory name: yours ([[vendor]], --known-accounts), then fwd:cloudsec's."""
    from provisioner import api, report

    vendors = api.vendors()
    named, sources = api.named_accounts(config_vendors(ctx), known_accounts)
    others = [n for n in named if not n.source.startswith("profile ")]
    from provisioner.cli.reporting import say_notes
    from provisioner.naming import entry_warnings

    notes = entry_warnings(named, frozenset())  # an entry a profile or an earlier one names first
    if output in (Output.json, Output.text):
        data = versioned([report.vendor_dict(v) for v in vendors], "vendors")
        extra = {"named_accounts": [report.named_dict(n) for n in named], "sources": sources}
        from provisioner.cli.app import QUERY

        if output == Output.text and QUERY.get() is None:
            # the profiles' lines first, as before (scripts count their columns), then the others
            typer.echo(json_text(data, output) + "\n" + report.to_text(extra))
        else:
            typer.echo(json_text({**data, **extra}, output))
        say_notes(notes)  # on stderr, after the report, as inventory's (--quiet silences them)
        return
    lines = [report.vendors_table(vendors), ""]
    shown = "; ".join(
        f"{s['source']} ({_count(s['entries'])}, {s.get('where') or s.get('source')}"
        + (f" at {str(s['commit'])[:12]}" if s.get("commit") else "")
        + ")"
        for s in sources
    )
    lines.append(f"Named accounts, first source first: {shown}")
    lines.append(report.named_table(others))
    typer.echo("\n".join(lines))
    say_notes(notes)


def _count(entries: int) -> str:
    return f"{entries} {'entry' if entries == 1 else 'entries'}"
