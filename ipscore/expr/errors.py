"""Errors of the expression language, with the column and close-match suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ExprError(ValueError):
    def __init__(self, message: str, text: str = "", column: int | None = None):
        self.text = text
        self.column = column
        pointer = ""
        if text and column is not None:
            pointer = f"\n    {text}\n    {' ' * (column - 1)}^"
        super().__init__(f"{message}{pointer}")
        self.reason = message


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
