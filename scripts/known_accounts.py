"""Refresh policies/known_accounts/accounts.json from a local copy of fwd:cloudsec's
known_aws_accounts `accounts.yaml` (machines here cannot reach GitHub: copy the file first).

    python scripts/known_accounts.py PATH/accounts.yaml --commit SHA [--date YYYY-MM-DD]
    python scripts/known_accounts.py PATH/accounts.yaml --commit SHA --out OTHER.json

The YAML is checked against the list's format (provisioner.naming.parse_list: the rules of its
schema.json) and written as JSON, entries in the file's order, with its source, commit, date and
licence, so that audit and inventory read it with no YAML parser. PyYAML is needed here only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "policies" / "known_accounts" / "accounts.json"
SOURCE = "https://github.com/fwdcloudsec/known_aws_accounts"


def convert(text: str, commit: str, date: str = "") -> dict[str, Any]:
    """The JSON document for the YAML text (raises InputError on an entry out of format)."""
    import yaml

    sys.path.insert(0, str(ROOT))
    from provisioner.naming import parse_list

    raw = yaml.safe_load(text)
    parse_list(raw, "accounts.yaml")  # refuses what the schema refuses
    return {
        "source": SOURCE,
        "file": "accounts.yaml",
        "commit": commit,
        "date": date,
        "license": "Apache-2.0 (LICENSE beside this file)",
        "accounts": raw,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("yaml", help="a local copy of known_aws_accounts' accounts.yaml")
    parser.add_argument("--commit", required=True, help="the commit of known_aws_accounts it is from")
    parser.add_argument("--date", default="", help="that commit's date (YYYY-MM-DD)")
    parser.add_argument("--out", default=str(TARGET), help="where to write (default: the shipped file)")
    args = parser.parse_args(argv)
    try:
        text = Path(args.yaml).read_text("utf-8")
    except OSError as exc:
        print(f"error: {args.yaml}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    from provisioner.errors import ProvisionerError

    try:
        document = convert(text, args.commit, args.date)
    except ProvisionerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    Path(args.out).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
    entries = document["accounts"]
    services = sum(1 for e in entries if e.get("type") == "aws")
    accounts = len({a for e in entries for a in e["accounts"]})
    vendors = len(entries) - services
    counted = f"{len(entries)} entries ({vendors} vendors, {services} AWS services), {accounts} accounts"
    print(f"{args.out}: {counted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
