"""Access to the data files under policies/ (templates, schemas, vendor profiles, rules).

The folder lives at the top of the checkout; the wheel carries it as provisioner/policies.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from provisioner.errors import DataError

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def policies_dir() -> Path:
    """The policies/ folder: inside the installed package, else beside it in a checkout."""
    for candidate in (_PACKAGE_DIR / "policies", _PACKAGE_DIR.parent / "policies"):
        if (candidate / "schemas").is_dir():
            return candidate
    raise DataError(
        f"the policies/ data folder is missing (looked in {_PACKAGE_DIR / 'policies'} and "
        f"{_PACKAGE_DIR.parent / 'policies'}); reinstall provisioner"
    )


@cache
def load_json(relative: str) -> Any:
    """Parse one JSON file under policies/; cached, so treat the result as read-only."""
    path = policies_dir() / relative
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"policies/{relative} is missing; reinstall provisioner") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"policies/{relative} is not valid JSON: {exc}") from exc


def list_json(folder: str) -> list[str]:
    """Relative paths of the JSON files in one folder under policies/, sorted."""
    return sorted(f"{folder}/{p.name}" for p in (policies_dir() / folder).glob("*.json") if p.is_file())
