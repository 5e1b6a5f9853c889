"""What STS accepts as an ExternalId: 2 to 1,224 characters of [\\w+=,.@:/-] (pure, shared by
the input checks and the evaluator)."""

from __future__ import annotations

import re

EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]+", re.ASCII)
MIN_LENGTH, MAX_LENGTH = 2, 1224


def is_external_id(value: str) -> bool:
    """Would STS accept this as an ExternalId (2 to 1,224 characters of [\\w+=,.@:/-])?"""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and EXTERNAL_ID.fullmatch(value) is not None
