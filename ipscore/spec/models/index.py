"""`kind: index`: a composite index (strong-city scoring)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ipscore.expr import check, parse
from ipscore.spec.models.common import (
    Confidence,
    Identifier,
    RuleId,
    Source,
    Strict,
)

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

    @field_validator("qualify")
    @classmethod
    def _qualify_parses(cls, text: str) -> str:
        parse(text)  # ExprError is a ValueError: reported at this key with file:line
        return text

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
