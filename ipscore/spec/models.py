"""Pydantic models of rule files. A rule file is data; these models are its schema."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ipscore.expr import Node, check, parse, walk
from ipscore.expr import ast as expr_ast
from ipscore.expr.errors import did_you_mean

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
    file: str | None = Field(None, description="the text in ../shared/sources")
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


class Parameter(Strict):
    value: Any
    unit: str | None = None
    confidence: Confidence
    note: str | None = None


class Condition(Strict):
    id: Identifier
    label: str
    label_en: str | None = None
    when: str
    source: Source | None = None

    @field_validator("when")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse(text)  # ExprError is a ValueError: pydantic reports it at this key
        return text

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


class Version(Strict):
    effective: Window
    confidence: Confidence = "confirmed"
    note: str | None = None
    parameters: dict[Identifier, Parameter] = {}
    eligibility: list[Condition]
    criteria: list[Condition]

    @model_validator(mode="after")
    def _unique_ids(self) -> Version:
        ids = [c.id for c in (*self.eligibility, *self.criteria)]
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


class PatentRule(Strict):
    id: RuleId
    title: str
    title_en: str
    kind: Literal["patent-classification"]
    description: str | None = None
    source: Source
    tables: dict[str, TableRef] = {}
    versions: list[Version] = Field(min_length=1)
    examples: list[Example] = []
    _origin: Path | None = PrivateAttr(None)

    def table_path(self, name: str) -> Path:
        base = self._origin.parent if self._origin else Path.cwd()
        return base / self.tables[name].file

    @model_validator(mode="after")
    def _windows_do_not_overlap(self) -> PatentRule:
        windows = sorted((v.effective for v in self.versions), key=lambda w: w.start)
        for earlier, later in pairwise(windows):
            if earlier.end is None or earlier.end >= later.start:
                raise ValueError(
                    f"versions overlap: the one from {earlier.start} is still in force on "
                    f"{later.start}; give it `to:` a day before"
                )
        return self

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names an expression or example uses that the rule does not provide."""
        from ipscore.patents.schema import CONTEXT_NAMES, FIELD_NAMES

        problems = []
        for index, version in enumerate(self.versions):
            for group in ("eligibility", "criteria"):
                for position, condition in enumerate(getattr(version, group)):
                    for message in check(
                        condition.node,
                        fields=(*FIELD_NAMES, *CONTEXT_NAMES),
                        params=version.parameters,
                        tables=self.tables,
                    ):
                        problems.append((("versions", index, group, position, "when"), message))
        for index, example in enumerate(self.examples):
            known = {"eligible", "high_value"} | {
                c.id for _, c in self.version_for(example.as_of).conditions
            }
            for key in example.expect:
                if key not in known:
                    problems.append(
                        (
                            ("examples", index, "expect", key),
                            f"unknown condition {key!r}{did_you_mean(key, known)}",
                        )
                    )
        return problems

    def version_for(self, as_of: dt.date) -> Version:
        for version in self.versions:
            if version.effective.contains(as_of):
                return version
        spans = ", ".join(f"{v.effective.start}…{v.effective.end or ''}" for v in self.versions)
        raise LookupError(f"rule {self.id} has no version in force on {as_of} (versions: {spans})")


# --- plans -----------------------------------------------------------------------------

Comparator = Literal[">=", "<=", "="]
IndicatorKind = Literal["level", "cumulative", "growth_rate", "share"]


class Baseline(Strict):
    value: float
    year: int
    confidence: Confidence | None = Field(None, description="when it differs from the indicator's")
    note: str | None = None


class Target(Strict):
    value: float
    year: int
    comparator: Comparator = ">="
    confidence: Confidence | None = Field(None, description="when it differs from the indicator's")
    note: str | None = None


class Series(Strict):
    """A data series a growth-rate indicator grows, with no target of its own."""

    id: Identifier
    name: str
    unit: str

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        from ipscore.plans.units import check_unit

        return check_unit(unit)


class Indicator(Series):
    name_en: str
    category: str
    kind: IndicatorKind
    baseline: Baseline | None = None
    target: Target
    attribute: Literal["预期性", "约束性"] | None = Field(
        None, description="None where the source does not say"
    )
    confidence: Confidence
    grows: Identifier | None = Field(
        None, description="growth_rate only: the level series or indicator it grows"
    )
    from_patents: bool = Field(
        False, description="can be derived from a patent classification (per-10k count)"
    )
    note: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.grows and self.kind != "growth_rate":
            raise ValueError("`grows` is for growth_rate indicators")
        if self.kind == "growth_rate" and self.unit != "%":
            raise ValueError("a growth_rate indicator is in %")
        return self


class PlanRule(Strict):
    id: RuleId
    title: str
    title_en: str
    kind: Literal["plan"]
    region: str
    description: str | None = None
    source: Source
    base_year: int
    target_year: int
    categories: list[str]
    indicators: list[Indicator] = Field(min_length=1)
    series: list[Series] = []
    _origin: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _years_and_names(self) -> PlanRule:
        if self.target_year <= self.base_year:
            raise ValueError(
                f"target_year {self.target_year} is not after base_year {self.base_year}"
            )
        ids = [i.id for i in (*self.indicators, *self.series)]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"indicator ids repeat: {', '.join(repeated)}")
        return self

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        problems = []
        known = {i.id for i in (*self.indicators, *self.series)}
        for index, indicator in enumerate(self.indicators):
            here = ("indicators", index)
            if indicator.category not in self.categories:
                problems.append(
                    (
                        (*here, "category"),
                        f"unknown category "
                        f"{indicator.category!r}; declared: {', '.join(self.categories)}",
                    )
                )
            if indicator.target.year < self.base_year:
                problems.append(
                    (
                        (*here, "target", "year"),
                        f"target year {indicator.target.year} is before the plan's "
                        f"base year {self.base_year}",
                    )
                )
            if indicator.baseline and indicator.baseline.year > indicator.target.year:
                problems.append(((*here, "baseline", "year"), "baseline after the target"))
            if indicator.grows and indicator.grows not in known:
                problems.append(
                    (
                        (*here, "grows"),
                        f"unknown series {indicator.grows!r}{did_you_mean(indicator.grows, known)}",
                    )
                )
        return problems

    def indicator(self, key: str) -> Indicator | None:
        """By id or by exact Chinese name, as analysts' spreadsheets carry them."""
        for indicator in self.indicators:
            if key in (indicator.id, indicator.name):
                return indicator
        return None

    def series_for(self, key: str) -> Series | None:
        return next((s for s in self.series if key in (s.id, s.name)), None)


# --- composite indices -----------------------------------------------------------------

Normalisation = Literal[
    "goalpost", "min-max", "distance-to-target", "z-score", "rank", "percentile"
]
Aggregation = Literal["arithmetic", "geometric", "minimum"]


class Weight(Strict):
    value: float
    confidence: Confidence
    note: str | None = None


class Normalise(Strict):
    method: Normalisation
    min: float | None = None
    max: float | None = None
    target: float | None = None
    confidence: Confidence = "assumption"

    @model_validator(mode="after")
    def _needs(self) -> Normalise:
        if self.method == "goalpost" and (
            self.min is None or self.max is None or self.max <= self.min
        ):
            raise ValueError("goalpost needs min < max")
        if self.method == "distance-to-target" and not self.target:
            raise ValueError("distance-to-target needs a non-zero target")
        return self


class IndexIndicator(Strict):
    id: Identifier
    name: str
    unit: str
    direction: Literal["higher", "lower"] = "higher"
    normalise: Normalise
    weight: Weight
    cap: float | None = Field(None, description="the most points a normalised score gives")
    step: float | None = Field(None, gt=0, description="one step of improvement, in its unit")
    source: str | None = None


class Dimension(Strict):
    id: Identifier
    name: str
    weight: Weight
    indicators: list[IndexIndicator] = Field(min_length=1)


class Gate(Strict):
    id: Identifier
    label: str
    when: str

    @field_validator("when")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse(text)
        return text


class Bonus(Gate):
    points: float = Field(ge=0)


class GateField(Strict):
    id: Identifier
    name: str
    kind: Literal["bool", "number"] = "bool"


class Sensitivity(Strict):
    concentration: float = Field(50, gt=0, description="Dirichlet concentration around weights")
    normalisations: list[Normalisation] = ["goalpost", "min-max"]
    aggregations: list[Aggregation] = ["arithmetic", "geometric"]


class IndexRule(Strict):
    id: RuleId
    title: str
    title_en: str
    kind: Literal["index"]
    official: bool
    notice: str
    source: Source
    weights: Literal["normalise", "strict"] = Field(
        "normalise", description="weights that do not sum to 1: rescale, or reject the file"
    )
    aggregation: dict[Literal["indicators", "dimensions"], Aggregation] = {
        "indicators": "arithmetic",
        "dimensions": "arithmetic",
    }
    coverage: float = Field(0.65, gt=0, le=1)
    missing: Literal["none", "zero", "mean"] = "none"
    fields: list[GateField] = []
    gates: list[Gate] = []
    dimensions: list[Dimension] = Field(min_length=1)
    bonus: list[Bonus] = []
    qualify: str
    sensitivity: Sensitivity = Sensitivity()
    _origin: Path | None = PrivateAttr(None)

    @property
    def indicators(self) -> list[IndexIndicator]:
        return [i for d in self.dimensions for i in d.indicators]

    @model_validator(mode="after")
    def _weights(self) -> IndexRule:
        weights = [("dimensions", [d.weight.value for d in self.dimensions])]
        weights += [(d.id, [i.weight.value for i in d.indicators]) for d in self.dimensions]
        for where, values in weights:
            if any(v < 0 for v in values):
                raise ValueError(f"negative weight in {where}")
            if self.weights == "strict" and abs(sum(values) - 1) > 1e-9:
                raise ValueError(
                    f"weights of {where} sum to {sum(values):g}, not 1 (weights: strict)"
                )
        ids = [i.id for i in self.indicators] + [f.id for f in self.fields]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"ids repeat: {', '.join(repeated)}")
        return self

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        data_names = [i.id for i in self.indicators] + [f.id for f in self.fields]
        scores = ["total", "gates_passed", *(d.id for d in self.dimensions)]
        problems = []
        for group, items in (("gates", self.gates), ("bonus", self.bonus)):
            for position, gate in enumerate(items):
                for message in check(parse(gate.when), fields=data_names, params=()):
                    problems.append(((group, position, "when"), message))
        for message in check(parse(self.qualify), fields=[*data_names, *scores], params=()):
            problems.append((("qualify",), message))
        return problems


RuleFile = Annotated[PatentRule | PlanRule | IndexRule, Field(discriminator="kind")]
