"""Parts every rule file shares: sources, parameters, conditions, versions by date."""

from __future__ import annotations

import datetime as dt
import os
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ipscore.expr import Node, parse, walk
from ipscore.expr import ast as expr_ast

Confidence = Literal["confirmed", "unconfirmed", "assumption"]
SourceConfidence = Literal["confirmed", "unconfirmed", "unknown"]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    document: str
    issuer: str | None = None
    number: str | None = None
    date: dt.date | None = None
    url: str | None = None
    file: str | None = Field(None, description="the source text the rule was read from")
    locator: str | None = Field(None, description="where in the document")
    confidence: SourceConfidence

    def cite(self) -> str:
        parts = [
            self.document,
            self.number,
            self.issuer,
            self.date and self.date.isoformat(),
            self.locator,
        ]
        return ", ".join(p for p in parts if p)


def provenance(own: Source | None, file_source: Source) -> dict[str, Any]:
    """Where a value comes from: its own source, else the rule file's (source_inherited)."""
    source = own or file_source
    return {
        "source": source.cite(),
        "source_confidence": source.confidence,
        "source_inherited": own is None,
    }


def source_from_text(value: Any) -> Any:
    """A bare string where a source is expected: a citation whose standing is unknown."""
    return {"document": value, "confidence": "unknown"} if isinstance(value, str) else value


class Parameter(Strict):
    value: Any
    unit: str | None = None
    confidence: Confidence
    note: str | None = None
    source: Source | None = Field(None, description="its own source; else the rule file's")


def _parsed(text: str) -> str:
    parse(text)  # ExprError is a ValueError: pydantic reports it at this key, with file:line
    return text


#: An expression of the rule language, parsed when the file is read.
Expression = Annotated[str, AfterValidator(_parsed)]


def check_versions_do_not_overlap(windows: list[Window]) -> None:
    """Versions by date: at most one in force on any day."""
    for earlier, later in pairwise(sorted(windows, key=lambda w: w.start)):
        if earlier.end is None or earlier.end >= later.start:
            raise ValueError(
                f"versions overlap: the one from {earlier.start} is still in force on "
                f"{later.start}; give it `to:` a day before"
            )


class Condition(Strict):
    id: Identifier
    label: str
    label_en: str | None = None
    when: Expression
    source: Source | None = None

    @property
    def node(self) -> Node:
        return parse(self.when)


class Window(Strict):
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class TableRef(Strict):
    file: str
    description: str
    sample: bool = Field(description="true when the file is a sample, not the official table")
    confidence: SourceConfidence
    source: Source | None = None


class Example(Strict):
    id: str
    description: str | None = None
    as_of: dt.date
    record: dict[str, Any]
    expect: dict[str, bool] = Field(description="eligible, high_value and/or condition ids")


# Every condition is a column of every verdict and a bit of a 64-bit criterion set (the
# overlap report, reason codes); real rules have fewer than a dozen. README, "Limits and
# bad input"; IPSCORE_MAX_CONDITIONS can lower the limit, not raise it past 64.
MAX_CONDITIONS = 64


def max_conditions() -> int:
    try:
        return min(int(os.environ.get("IPSCORE_MAX_CONDITIONS", MAX_CONDITIONS)), MAX_CONDITIONS)
    except ValueError:
        return MAX_CONDITIONS


class Version(Strict):
    effective: Window
    confidence: Confidence = "confirmed"
    note: str | None = None
    source: Source | None = Field(None, description="its own source; else the rule file's")
    parameters: dict[Identifier, Parameter] = {}
    eligibility: list[Condition]
    criteria: list[Condition]

    @model_validator(mode="after")
    def _unique_ids(self) -> Version:
        ids = [c.id for c in (*self.eligibility, *self.criteria)]
        if len(ids) > max_conditions():
            raise ValueError(
                f"{len(ids)} conditions, more than {max_conditions()} "
                "(limit conditions, IPSCORE_MAX_CONDITIONS)"
            )
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"condition ids repeat: {', '.join(repeated)}")
        return self

    @property
    def conditions(self) -> list[tuple[str, Condition]]:
        return [("eligibility", c) for c in self.eligibility] + [
            ("criterion", c) for c in self.criteria
        ]

    def used_parameters(self) -> set[str]:
        """Parameters the conditions read, directly or through field($name)."""
        return {
            node.name
            for c in (*self.eligibility, *self.criteria)
            for node in walk(c.node)
            if isinstance(node, expr_ast.Param)
        }
