"""A StringLike pattern over a concatenation of constants and variables (the caller's ARN:
`arn:aws:iam::ACCOUNT:role/NAME`; a session's aws:userid: `ROLE-ID:SESSION`), split where each
variable starts and ends, so that the solver is asked about each variable on its own."""

from __future__ import annotations

import z3

from provisioner.analysis.encode import like
from provisioner.iam import wildcard_match

DIGIT_CHARS = "0123456789"
WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-"  # _WORD's


def splits(pattern: str) -> list[tuple[str, str]]:
    """Every way to cut a StringLike pattern in two whose languages concatenate to parts of its
    own: at each position, and across each `*` (kept on both sides)."""
    cuts = [(pattern[:i], pattern[i:]) for i in range(len(pattern) + 1)]
    cuts += [(pattern[: i + 1], pattern[i:]) for i, c in enumerate(pattern) if c == "*"]
    return list(dict.fromkeys(cuts))


def glob_over(pattern: str, segments: list[str | tuple[z3.SeqRef, str]]) -> z3.BoolRef:
    """Does the concatenation of `segments` (constants, and variables with the characters they
    may hold) match the StringLike `pattern`? Exact: a string a+b matches a pattern exactly when
    some cut of it (`_splits`) has a match a and b; a cut whose variable part names a character
    the variable cannot hold is dropped before the solver sees it."""
    memo: dict[tuple[str, int], z3.BoolRef] = {}

    def over(text: str, index: int) -> z3.BoolRef:
        if (text, index) in memo:
            return memo[(text, index)]
        if index == len(segments):
            found = z3.BoolVal(all(c == "*" for c in text))
        else:
            head = segments[index]
            options: list[z3.BoolRef] = []
            for left, right in splits(text):
                if isinstance(head, str) and not wildcard_match(left, head):
                    continue
                if not isinstance(head, str) and any(c not in head[1] + "*?" for c in left):
                    continue
                rest = over(right, index + 1)
                if z3.is_false(rest):
                    continue
                options.append(rest if isinstance(head, str) else z3.And(z3.InRe(head[0], like(left)), rest))
            found = z3.Or(*options) if options else z3.BoolVal(False)
        memo[(text, index)] = found
        return found

    return over(pattern, 0)
