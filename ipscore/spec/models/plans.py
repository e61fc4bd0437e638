"""`kind: plan`: a plan's indicator table with baselines and targets."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ipscore.expr.errors import did_you_mean
from ipscore.plugins import load_one
from ipscore.spec.models.common import (
    Confidence,
    Identifier,
    RuleId,
    Source,
    Strict,
)

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
        return load_one("spec.plan_unit")(unit)


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
