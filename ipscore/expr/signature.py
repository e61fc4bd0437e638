"""What an expression function takes and gives, in the static types of ipscore.expr.types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["bool", "number", "date", "text", "list", "table", "null", "any"]


@dataclass(frozen=True)
class Signature:
    """Argument kinds and the result kind of a function."""

    args: tuple[Kind, ...]
    returns: Kind
    #: For string arguments with a closed set of values, e.g. ipc_scope's "any" | "main".
    choices: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    #: Arguments that must be known before running (a literal or a parameter), by position.
    constant: tuple[int, ...] = ()
