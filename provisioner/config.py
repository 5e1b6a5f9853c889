"""Defaults from a file: `.provisioner.toml` in the current folder or a parent, or the
`[tool.provisioner]` table of a `pyproject.toml` there (the first folder that has either wins;
`PROVISIONER_CONFIG` names a file instead).

One table per command, keyed by the option's long name, `[[mute]]` entries, and `[[vendor]]`
entries that name outside accounts in audit and inventory (provisioner.naming):

    [audit]
    fail-on = "critical"

    [create-role]
    vendor = "labelbox"

    [[mute]]
    rule = "role-unused"
    role = "arn:aws:iam::*:role/legacy-*"
    reason = "legacy integrations, removed in Q1"
    expires = 2027-03-31

    [[vendor]]
    name = "Acme Labeling"
    accounts = ["111122223333"]
    principals = ["arn:aws:iam::111122223333:role/acme-*"]  # optional
    origins = ["https://app.acme.example"]  # optional: its browser access

The values are defaults: the environment (AWS_DEFAULT_OUTPUT, …) and the flags win over them.
The command line checks them against the commands' own options (`defaults`), so a misspelt key or a
bad value is one line naming the file, the line and the key.

Account selection and where requests go (profile, region, endpoint URL, credentials, the accounts
and roles audit or validate reach) come only from flags and the environment, as in the AWS CLI and
Terraform: a file is found by walking up from the current folder, so it may be anyone's (a cloned
repository's). A file that names one of them is refused whole (`refuse_account_selection`), in any
table, before any value of it is used.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provisioner.errors import EXIT_BAD_INPUT, ProvisionerError

FILE_NAME = ".provisioner.toml"
ENV = "PROVISIONER_CONFIG"

# Keys a file may never hold (in any table, under any spelling: `endpoint_url`, `AWS_REGION`…),
# and what to use instead. The options of the commands that choose the AWS account, the role that
# is assumed or the host that signed requests go to, and credentials of any kind.
_USE_INSTEAD = {
    "profile": "--profile or AWS_PROFILE",
    "region": "--region or AWS_REGION",
    "default-region": "--region or AWS_REGION",
    "endpoint-url": "--endpoint-url or AWS_ENDPOINT_URL",
    "endpoint": "--endpoint-url or AWS_ENDPOINT_URL",
    "vendor-profile": "--vendor-profile",  # validate --live: the credentials that act as the vendor
    "role-arn": "--role-arn",  # validate --live assumes it; labelbox connect has Labelbox assume it
    "organization": "--organization",  # audit: every account of the organization
    "accounts": "--accounts",  # audit: these accounts
    "member-role": "--member-role",  # audit: the role assumed in each of them
    "api-key-file": "--api-key-file or LABELBOX_API_KEY",  # a Labelbox credential
    "api-key": "LABELBOX_API_KEY",
    "labelbox-api-key": "LABELBOX_API_KEY",
    "labelbox-endpoint": "LABELBOX_ENDPOINT",
    "access-key-id": "AWS_ACCESS_KEY_ID or --profile",
    "secret-access-key": "AWS_SECRET_ACCESS_KEY or --profile",
    "session-token": "AWS_SESSION_TOKEN or --profile",
    "credentials": "--profile or the AWS_* credential variables",
    "config-file": "AWS_CONFIG_FILE",
    "shared-credentials-file": "AWS_SHARED_CREDENTIALS_FILE",
    "ca-bundle": "AWS_CA_BUNDLE",
}
ACCOUNT_SELECTION = frozenset(_USE_INSTEAD)


@dataclass(frozen=True)
class Setting:
    """One value of the file: the command's table, the option's long name, where it is."""

    command: str
    key: str
    value: Any
    line: int
    table_line: int = 0  # the [command] header's line


@dataclass
class Config:
    path: str | None = None  # None: no file found
    settings: list[Setting] = field(default_factory=list)
    mutes: list[dict[str, Any]] = field(default_factory=list)  # raw [[mute]] entries, with "line"
    # [[vendor]] entries (provisioner.naming): names for outside accounts, never accounts to reach
    vendors: list[Any] = field(default_factory=list)

    def where(self, setting: Setting) -> str:
        return f"{self.path}:{setting.line}"


class ConfigError(ProvisionerError):
    """A config file that cannot be used: one line naming the file, the line and the key."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, path: str, line: int | None, key: str, rule: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {rule}" if key else f"{where}: {rule}")


def find(start: str | None = None) -> tuple[Path, bool] | None:
    """The config file (and whether it is a pyproject.toml), from PROVISIONER_CONFIG or the
    nearest folder upward from `start` (the current folder)."""
    named = os.environ.get(ENV)
    if named:
        path = Path(named)
        if not path.exists():
            raise ConfigError(named, None, "", f"no such file (named by {ENV})")
        if path.is_dir():
            raise ConfigError(named, None, "", f"a folder, not a file (named by {ENV})")
        return path, path.name == "pyproject.toml"
    folder = Path(start or os.getcwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / FILE_NAME
        if own.is_file():
            return own, False
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject, True
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return re.search(r"^\s*\[\[?\s*tool\.provisioner[\].]", path.read_text("utf-8"), re.M) is not None
    except (OSError, UnicodeDecodeError):
        return False


ENTRIES = ("mute", "vendor")  # the kinds of [[entry]] a file may hold


def load(start: str | None = None) -> Config:
    """The nearest config file, parsed; an empty Config when there is none."""
    found = find(start)
    if found is None:
        return Config()
    return load_path(str(found[0]), pyproject=found[1])


def load_path(shown: str, *, pyproject: bool | None = None) -> Config:
    """One config (or mutelist) file, parsed."""
    path = Path(shown)
    is_pyproject = path.name == "pyproject.toml" if pyproject is None else pyproject
    if not path.exists():
        raise ConfigError(shown, None, "", "no such file")
    if path.is_dir():
        raise ConfigError(shown, None, "", "a folder, not a file")
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, None, "", f"cannot be read ({exc})") from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise ConfigError(shown, int(match.group(1)) if match else None, "", f"not TOML: {message}") from None
    if is_pyproject:
        data = data.get("tool", {}).get("provisioner", {})
        if not isinstance(data, dict):
            raise ConfigError(shown, None, "tool.provisioner", "must be a table")
    prefix = "tool.provisioner." if is_pyproject else ""
    lines = text.splitlines()
    refuse_account_selection(shown, lines, data, prefix)
    config = Config(path=shown)
    for command, table in data.items():
        if command in ("mute", "vendor"):
            entries = table if isinstance(table, list) else [table]
            raw: list[dict[str, Any]] = []
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    raise ConfigError(
                        shown, None, f"{prefix}{command}", f"each entry is a table ([[{command}]])"
                    )
                raw.append({**entry, "line": _line_of_entry(lines, f"{prefix}{command}", index)})
            if command == "mute":
                config.mutes += raw
            else:
                from provisioner.naming import EntryError, parse_config_entries

                try:
                    config.vendors += parse_config_entries(raw, shown)
                except EntryError as exc:
                    line = _key_line(lines, exc.line, exc.key.rsplit(" ", 1)[-1])
                    raise ConfigError(shown, line, exc.key, exc.rule) from None
            continue
        if isinstance(table, list) and table and all(isinstance(t, dict) for t in table):
            line = _line_of_entry(lines, f"{prefix}{command}", 0)
            raise ConfigError(shown, line, *_unknown_entry(command, prefix))
        if not isinstance(table, dict):
            raise ConfigError(
                shown, _line_of(lines, command), f"{prefix}{command}", "must be a table: [COMMAND]"
            )
        start_line = _line_of(lines, f"[{prefix}{command}]") or 0
        for key, value in table.items():
            line = _line_of(lines, key, start_line) or start_line
            config.settings.append(Setting(command, key, value, line, start_line))
    return config


def _unknown_entry(name: str, prefix: str = "") -> tuple[str, str]:
    """The key and rule for an array of tables that is not a kind of entry, with the nearest one."""
    import difflib

    known = ", ".join(f"[[{prefix}{e}]]" for e in ENTRIES)
    near = difflib.get_close_matches(name.lower(), ENTRIES, n=1, cutoff=0.6)
    hint = f"; did you mean [[{prefix}{near[0]}]]?" if near else ""
    return f"[[{prefix}{name}]]", f"not a kind of entry (known: {known}){hint}"


def account_key(key: str) -> str | None:
    """The account-selection name `key` spells (`endpoint_url`, `AWS_REGION`, `--profile`), or
    None when the key is not one."""
    name = key.strip().lstrip("-").lower().replace("_", "-")
    for candidate in (name, name.removeprefix("aws-").removeprefix("default-")):
        if candidate in ACCOUNT_SELECTION:
            return candidate
    return None


def refuse_account_selection(shown: str, lines: list[str], data: dict[str, Any], prefix: str) -> None:
    """A ConfigError for the first key of the file, in any table (nested, inline, [[mute]]
    entries), that selects the account, the role or where requests go, or is a credential."""
    for path, key in _keys(data, ()):
        name = account_key(key)
        if name is None or (path == ("vendor",) and key == "accounts"):
            # a [[vendor]] entry's accounts are the vendor's own: they name an outside account
            # in a report and never select one to read (provisioner.naming)
            continue
        unknown_entry = len(path) == 1 and path[0] not in ENTRIES and isinstance(data[path[0]], list)
        if unknown_entry and key == "accounts":
            continue  # an unknown [[entry]] (`[[vendors]]`): load_path names it as such, no command reads it
        table = ".".join(path)
        full = (prefix + table).strip(".")  # as written in the file: [tool.provisioner.audit]
        shown_key = f"[{full}] {key}" if full else key
        raise ConfigError(
            shown,
            _locate(lines, full, key),
            shown_key,
            "selects the AWS account, a role or where requests go, or is a credential: these come "
            f"only from flags and the environment, never from a file; remove it and use {_USE_INSTEAD[name]}",
        )


def _keys(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """(table path, key) for every key of `data`, depth first, in the file's order."""
    for key, value in data.items():
        yield path, key
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                yield from _keys(item, (*path, key))


def _locate(lines: list[str], table: str, key: str) -> int:
    """The line of `key` in `table` (dotted, with the pyproject prefix): after the table's
    header when there is one, written bare, quoted, dotted or inline; else the header's line."""
    header = 0
    if table:
        parts = r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in table.split("."))
        pattern = re.compile(rf"^\s*\[\[?\s*{parts}\s*\]")
        header = next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 0)
    assignment = re.compile(rf"(?:^|[\s{{,.])[\"']?{re.escape(key)}[\"']?\s*=")
    for start in (header, 0):
        for number, line in enumerate(lines[start:], start + 1):
            if assignment.search(line.split("#", 1)[0]):
                return number
    return header or 1


def _line_of(lines: list[str], text: str, after: int = 0) -> int | None:
    """The 1-based line at or after `after` that starts with `text` (a key or a table header)."""
    for number, line in enumerate(lines[after:], after + 1):
        stripped = line.strip()
        if stripped.startswith(text) and (text.startswith("[") or stripped[len(text) :].lstrip()[:1] == "="):
            return number
    return None


def _key_line(lines: list[str], entry: int | None, key: str) -> int | None:
    """The line of `key` within the [[…]] entry that starts at line `entry`, else the entry's."""
    if entry is None:
        return None
    assignment = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(lines[entry:], entry + 1):
        if line.strip().startswith("["):  # the next table or entry: the key is not written
            break
        if assignment.match(line):
            return number
    return entry


def _line_of_entry(lines: list[str], name: str, index: int) -> int | None:
    seen = -1
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]", line) or re.match(
            rf"\s*\[\s*{re.escape(name)}\s*\]", line
        ):
            seen += 1
            if seen == index:
                return number
    return None


def defaults(config: Config, group: Any) -> dict[str, dict[str, Any]]:
    """Click's default_map for `group` (the `provision` command): each setting checked against
    its command's options, converted the way the option converts a flag's value."""
    import typer

    found: dict[str, dict[str, Any]] = {}
    path = config.path or ""
    for setting in config.settings:
        command = group.load(setting.command)  # imports that command's module (cli/app.py _Root)
        if command is None:
            raise ConfigError(
                path,
                setting.table_line or setting.line,
                f"[{setting.command}]",
                f"no such command (one of: {', '.join(sorted(group.names()))})",
            )
        option = next(
            (p for p in command.params if p.param_type_name == "option" and f"--{setting.key}" in p.opts),
            None,
        )
        if option is None or option.name is None:
            raise ConfigError(
                path,
                setting.line,
                f"[{setting.command}] {setting.key}",
                f"not an option of '{setting.command}' (see 'provision {setting.command} --help')",
            )
        try:
            option.process_value(typer.Context(command), setting.value)
        except typer.BadParameter as exc:
            rule = re.sub(r"^Invalid value for '[^']*': (Value error, )?", "", exc.format_message())
            raise ConfigError(path, setting.line, f"[{setting.command}] {setting.key}", rule) from None
        found.setdefault(setting.command, {})[option.name] = setting.value
    return found
