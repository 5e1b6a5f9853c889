"""Rules on condition values: a value of a key with a fixed format that it is outside of can
never match (provisioner/condition_values.py), so the statement does not do what it says."""

from __future__ import annotations

from collections.abc import Iterator

from provisioner.condition_values import never_matching
from provisioner.lint.model import LINT_RULES, Source
from provisioner.model.rules import Hit


@LINT_RULES.register("condition-value-malformed")
def condition_value_malformed(source: Source) -> Iterator[Hit]:
    for where, message in never_matching(source.document):
        yield Hit("condition-value-malformed", message, where)
