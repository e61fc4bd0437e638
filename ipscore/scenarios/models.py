"""Scenario files: a base evaluation, a list of changes, and optionally a goal to solve."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Base(Strict):
    """What to evaluate. `patents` and `population` may be "demo" for the bundled files."""

    evaluate: Literal["classify", "monitor", "score"]
    rules: str = "cn-high-value-invention"
    patents: str | None = None
    as_of: dt.date | None = None
    population: str | None = None
    sei_table: str | None = None
    plan: str | None = None
    actuals: str | None = None
    region: str | None = None
    year: int | None = None
    index: str | None = None
    data: str | None = None

    @model_validator(mode="after")
    def _inputs(self) -> Base:
        if self.evaluate == "classify" and not self.patents:
            raise ValueError("a classify base needs `patents` (a file, or demo)")
        if self.evaluate == "monitor" and not self.plan:
            raise ValueError("a monitor base needs `plan`")
        if self.evaluate == "score" and not self.index:
            raise ValueError("a score base needs `index`")
        return self


class SetParameters(Strict):
    """Override rule parameters: {"<rule>.<parameter>": value}."""

    id: str | None = None
    set: dict[str, Any]
    effective: dt.date | None = Field(
        None, description="the rule version the overrides are written for"
    )


class DisableCriteria(Strict):
    """Switch criteria off: ["<rule>.<criterion>", …]."""

    id: str | None = None
    disable: list[str]


class PatentEdit(Strict):
    where: str = Field("true", description="an expression over patent fields")
    set: dict[str, Any] = {}
    add: dict[str, list[str] | str] = Field({}, description="codes appended to list fields")
    renew: bool = Field(False, description="keep in force: status valid, no lapse date")
    clone: int = Field(0, ge=0, description="add this many copies of each matched patent")


class EditPatents(Strict):
    id: str | None = None
    patents: PatentEdit


class Projection(Strict):
    to_year: int
    growth: float = Field(description="% a year, from the latest actual")


class ActualsEdit(Strict):
    indicator: str
    year: int | None = None
    set: float | None = None
    scale: float | None = None
    project: Projection | None = None

    @model_validator(mode="after")
    def _one_action(self) -> ActualsEdit:
        actions = [a for a in ("set", "scale", "project") if getattr(self, a) is not None]
        if len(actions) != 1:
            raise ValueError("an actuals edit does exactly one of set, scale or project")
        if self.set is not None and self.year is None:
            raise ValueError("`set` needs the `year` it is for")
        return self


class EditActuals(Strict):
    id: str | None = None
    actuals: ActualsEdit


class PopulationEdit(Strict):
    region: str
    year: int
    value: float = Field(gt=0, description="万人")


class EditPopulation(Strict):
    id: str | None = None
    population: PopulationEdit


Change = Annotated[
    SetParameters | DisableCriteria | EditPatents | EditActuals | EditPopulation,
    Field(union_mode="smart"),
]


class Goal(Strict):
    vary: str = Field(description="the knob to solve for, as in --set or --vary")
    low: float
    high: float
    metric: str = Field(description="a path into the result, e.g. regions[广州市].per_10k")
    at_least: float | None = None
    at_most: float | None = None
    tolerance: float = Field(1e-4, gt=0)

    @model_validator(mode="after")
    def _one_target(self) -> Goal:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a goal has exactly one of at_least or at_most")
        if self.high <= self.low:
            raise ValueError("goal range: high must be above low")
        return self


class Scenario(Strict):
    id: str
    title: str
    description: str | None = None
    base: Base
    changes: list[Change] = []
    goal: Goal | None = None
