"""What an expression can see besides the record: parameters, context and tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


class CodeTable(Protocol):
    """A lookup table an expression can test codes against, e.g. the SEI–IPC table."""

    name: str

    def matches(self, codes: np.ndarray) -> np.ndarray: ...

    def match_one(self, code: str) -> bool: ...


@dataclass(frozen=True)
class Env:
    params: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)  # e.g. as_of
    tables: Mapping[str, CodeTable] = field(default_factory=dict)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    try:
        import pandas as pd

        return value is pd.NaT
    except ImportError:  # pragma: no cover
        return False
