"""lint's types: the subject every rule reads (`Source`), the finding, and the registry.

Rule ids, severities, titles and remediations live in policies/lint-rules.json; each rule is a
function `rule(source) -> hits` in a module of its family, registered under the ids it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.model import Rule, load_rules
from provisioner.model.findings import FilePosition, Finding
from provisioner.model.rules import Hit, Rules


def rules() -> dict[str, Rule]:
    return load_rules("lint-rules.json")


# Each rule function is registered under the rule ids it may report (policies/lint-rules.json);
# `mute-expired` is the finding set's (provisioner.mute).
LINT_RULES: Rules[Source] = Rules("lint rule", "lint-rules.json")
OWNED_ELSEWHERE = ("mute-expired",)


@dataclass(frozen=True)
class ParseError:
    """Why a text is not JSON (or YAML), and where: 1-based, 0 when not known."""

    message: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Source:
    """What lint's rules judge: a file's text, or one policy document in it.

    A policy file is one source with all of it; a template is one source for its text (the
    characters IAM refuses) and one per policy document it holds (`text` None: its document
    sized as compact JSON). A file that is not JSON, or cannot be read, is a source that says so.
    """

    file: str
    text: str | None = None  # where to look for characters IAM refuses
    sized: str | None = None  # what IAM's size quota counts
    document: Any = None  # the parsed policy (None: no policy to judge)
    kind: str = "permissions"  # trust, permissions or resource
    problem: ParseError | None = None  # not JSON (or YAML): why and where
    unreadable: str | None = None  # why the file's text could not be had


def finding(file: str, hit: Hit) -> Finding:
    """The finding of a hit, its severity and remediation from the data file."""
    rule = rules()[hit.rule]
    return Finding(rule.id, rule.severity, hit.message, FilePosition(file, hit.where), rule.remediation)


def judge(source: Source) -> list[Finding]:
    """Every lint rule on one source, in the data file's order."""
    return [finding(source.file, hit) for hit in LINT_RULES.run(source)]
