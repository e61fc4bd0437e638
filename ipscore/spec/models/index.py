"""`kind: index`: a composite index (strong-city scoring). The tree (indicators → groups → …
→ index) may be of any depth; each level has its own weights and aggregation; data
preparation is a declared, ordered list of steps. Method names and parameters follow the
JRC's COINr (R package `COINr`), whose function is named beside each method."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ipscore.expr import check, parse
from ipscore.spec.models.common import (
    Confidence,
    Expression,
    Identifier,
    RuleId,
    Source,
    Strict,
    source_from_text,
)

Normalisation = Literal[
    "goalpost",  # COINr n_goalposts
    "min-max",  # COINr n_minmax
    "z-score",  # COINr n_zscore
    "distance-to-target",  # COINr n_dist2targ
    "ratio-to-target",  # ipscore's own: value / target × scale
    "rank",  # COINr n_rank
    "percentile",  # COINr n_prank
]
AggregationMethod = Literal[
    "arithmetic",  # COINr a_amean
    "geometric",  # COINr a_gmean
    "harmonic",  # COINr a_hmean
    "generalised",  # COINr a_genmean
    "minimum",  # no COINr function: the weakest child (weights only mark availability)
    "copeland",  # COINr a_copeland
]
Ties = Literal["min", "average", "max", "first"]


class Weight(Strict):
    value: float
    confidence: Confidence
    note: str | None = None
    source: Source | None = Field(None, description="its own source; else the rule file's")


class Normalise(Strict):
    method: Normalisation
    min: float | None = Field(None, description="goalpost: the worst-end post (low)")
    max: float | None = Field(None, description="goalpost: the high post")
    target: float | None = None
    scale: float = Field(100, gt=0, description="goalpost, distance/ratio to target, percentile")
    truncate: bool = Field(True, description="goalpost: clip to the posts (trunc2posts)")
    cap: bool = Field(False, description="distance-to-target: cap at the target (cap_max)")
    range: tuple[float, float] = Field((0, 100), description="min-max: l_u")
    mean: float = Field(0, description="z-score: m_sd[1]")
    sd: float = Field(1, gt=0, description="z-score: m_sd[2]")
    sd_of: Literal["sample", "population"] = "sample"
    clip: tuple[float, float] | None = Field(None, description="z-score: clip to [low, high]")
    ties: Ties = "min"
    confidence: Confidence = "assumption"
    source: Source | None = Field(None, description="its own source; else the indicator's")

    @model_validator(mode="after")
    def _needs(self) -> Normalise:
        if self.method == "goalpost" and (
            self.min is None or self.max is None or self.max <= self.min
        ):
            raise ValueError("goalpost needs min < max")
        if self.method in ("distance-to-target", "ratio-to-target") and not self.target:
            raise ValueError(f"{self.method} needs a non-zero target")
        if self.range[1] <= self.range[0]:
            raise ValueError("min-max range needs low < high")
        if self.clip and self.clip[1] <= self.clip[0]:
            raise ValueError("z-score clip needs low < high")
        return self


class Aggregate(Strict):
    method: AggregationMethod
    p: float | None = Field(None, description="generalised mean: the power, not 0")
    floor: float | None = Field(
        None, gt=0, description="geometric/harmonic: scores below it count as it"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"method": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _needs(self) -> Aggregate:
        if self.method == "generalised" and not self.p:
            raise ValueError("generalised mean needs a non-zero p (p = 0 is geometric)")
        return self

    def label(self) -> str:
        extra = f" p={self.p:g}" if self.p else ""
        extra += f" floor={self.floor:g}" if self.floor else ""
        return self.method + extra


class IndexIndicator(Strict):
    id: Identifier
    name: str
    unit: str
    direction: Literal["higher", "lower"] = "higher"
    normalise: Normalise
    weight: Weight
    cap: float | None = Field(None, description="the most points a normalised score gives")
    step: float | None = Field(None, gt=0, description="one step of improvement, in its unit")
    source: Source | None = Field(None, description="its own source; else the rule file's")

    _source_text = field_validator("source", mode="before")(source_from_text)


class Dimension(Strict):
    """A node of the tree: either indicators or further groups beneath it."""

    id: Identifier
    name: str
    weight: Weight
    aggregate: Aggregate | None = Field(None, description="how its children combine")
    indicators: list[IndexIndicator] = []
    dimensions: list[Dimension] = []

    @model_validator(mode="after")
    def _children(self) -> Dimension:
        if bool(self.indicators) == bool(self.dimensions):
            raise ValueError(f"{self.id}: give either indicators or dimensions beneath it")
        return self

    def depth(self) -> int:
        return 1 if self.indicators else 1 + self.dimensions[0].depth()

    def leaves(self) -> list[IndexIndicator]:
        return self.indicators or [i for d in self.dimensions for i in d.leaves()]


class Level(Strict):
    name: str
    aggregate: Aggregate = Aggregate(method="arithmetic")


class Gate(Strict):
    id: Identifier
    label: str
    when: Expression
    confidence: Confidence = Field("assumption", description="unless a source confirms it")
    note: str | None = None
    source: Source | None = Field(None, description="its own source; else the rule file's")


class Bonus(Gate):
    points: float = Field(ge=0)


class GateField(Strict):
    id: Identifier
    name: str
    kind: Literal["bool", "number", "text"] = "bool"
    table: str | None = Field(
        None, description="a unit, indicator, year, value file holding it (beside the rule)"
    )


# --- data preparation: declared, ordered steps ------------------------------------------


class DenominateSpec(Strict):
    indicators: list[Identifier] = Field(min_length=1)
    by: Identifier = Field(description="a number field: population, GDP, area …")
    per: float = Field(1, gt=0, description="value / denominator × per")


class ImputeSpec(Strict):
    method: Literal["mean", "median", "group-mean", "group-median", "previous-year", "none"]
    by: Identifier | None = Field(None, description="group-*: a text field of the units")
    indicators: list[Identifier] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"method": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _group(self) -> ImputeSpec:
        if self.method.startswith("group-") and not self.by:
            raise ValueError(f"{self.method} needs `by`, a text field naming each unit's group")
        return self


class ScreenSpec(Strict):
    threshold: float = Field(gt=0, le=1, description="the least share of indicators present")
    by: Literal["overall", "group"] = "overall"
    level: int = Field(2, ge=2, description="by group: the level whose groups are checked")


class TreatSpec(Strict):
    winmax: int = Field(5, ge=0)
    skew: float = Field(2, gt=0)
    kurtosis: float = Field(3.5, gt=0)
    log: bool = Field(True, description="log_CT when winsorising does not suffice")
    indicators: list[Identifier] | None = None


class Denominate(Strict):
    denominate: DenominateSpec


class Impute(Strict):
    impute: ImputeSpec


class Screen(Strict):
    screen: ScreenSpec


class Treat(Strict):
    treat: TreatSpec


Step = Denominate | Impute | Screen | Treat


# --- sensitivity -------------------------------------------------------------------------


class WeightNoise(Strict):
    method: Literal["dirichlet", "uniform"] = "dirichlet"
    concentration: float = Field(50, gt=0, description="dirichlet: around the weights")
    noise: float = Field(0.25, gt=0, le=1, description="uniform: ± this share of each weight")
    levels: list[int] | None = Field(None, description="levels whose weights vary (1 = indicators)")


class Sensitivity(Strict):
    concentration: float | None = Field(None, gt=0, description="legacy: weights.concentration")
    weights: WeightNoise | None = None
    normalisations: list[Normalisation] = []
    aggregations: list[Aggregate] = []
    imputations: list[ImputeSpec] = []
    treatment: bool = Field(False, description="treatment on/off as an uncertain choice")
    drop_indicator: bool = Field(False, description="dropping one indicator (or none)")

    def weight_noise(self) -> WeightNoise:
        if self.weights:
            return self.weights
        return WeightNoise(concentration=self.concentration or 50)


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
    aggregation: dict[Literal["indicators", "dimensions"], Aggregate] = {
        "indicators": Aggregate(method="arithmetic"),
        "dimensions": Aggregate(method="arithmetic"),
    }
    levels: list[Level] | None = Field(
        None, description="level 2 (groups of indicators) up to the index, each's aggregation"
    )
    data: str | None = Field(
        None, description="the default unit data: a file beside the rule or in ipscore/data"
    )
    coverage: float = Field(0.65, gt=0, le=1)
    missing: Literal["none", "zero", "mean"] = "none"
    prepare: list[Step] = []
    fields: list[GateField] = []
    gates: list[Gate] = []
    dimensions: list[Dimension] = Field(min_length=1)
    bonus: list[Bonus] = []
    qualify: Expression
    sensitivity: Sensitivity = Sensitivity()
    _origin: Path | None = PrivateAttr(None)

    @property
    def indicators(self) -> list[IndexIndicator]:
        return [i for d in self.dimensions for i in d.leaves()]

    @property
    def depth(self) -> int:
        """Levels in all: indicators are level 1, the index the top."""
        return self.dimensions[0].depth() + 2

    def nodes(self) -> list[Dimension]:
        found, todo = [], list(self.dimensions)
        while todo:
            node = todo.pop(0)
            found.append(node)
            todo.extend(node.dimensions)
        return found

    def level_aggregate(self, level: int) -> Aggregate:
        """How the children of a level-`level` node combine (2 … depth)."""
        if self.levels:
            return self.levels[level - 2].aggregate
        return self.aggregation.get("indicators" if level == 2 else "dimensions") or Aggregate(
            method="arithmetic"
        )

    @model_validator(mode="after")
    def _weights(self) -> IndexRule:
        if len({d.depth() for d in self.dimensions}) > 1 or any(
            len({c.depth() for c in n.dimensions}) > 1 for n in self.nodes()
        ):
            raise ValueError("every indicator must sit at the same depth of the tree")
        if self.levels is not None and len(self.levels) != self.depth - 1:
            raise ValueError(
                f"levels: {len(self.levels)} given, the tree has {self.depth - 1} above "
                "the indicators"
            )
        weights = [("dimensions", [d.weight.value for d in self.dimensions])]
        for node in self.nodes():
            children = node.indicators or node.dimensions
            weights.append((node.id, [c.weight.value for c in children]))
        for where, values in weights:
            if any(v < 0 for v in values):
                raise ValueError(f"negative weight in {where}")
            if self.weights == "strict" and abs(sum(values) - 1) > 1e-9:
                raise ValueError(
                    f"weights of {where} sum to {sum(values):g}, not 1 (weights: strict)"
                )
        ids = (
            [i.id for i in self.indicators]
            + [f.id for f in self.fields]
            + [n.id for n in self.nodes()]
        )
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"ids repeat: {', '.join(repeated)}")
        self._check_steps()
        return self

    def _check_steps(self) -> None:
        indicators = {i.id for i in self.indicators}
        kinds = {f.id: f.kind for f in self.fields}
        for n, step in enumerate(self.prepare, 1):
            spec = next(iter(step.model_dump().values()))
            unknown = [i for i in spec.get("indicators") or [] if i not in indicators]
            if unknown:
                raise ValueError(f"prepare step {n}: unknown indicator(s) {', '.join(unknown)}")
            if isinstance(step, Denominate) and kinds.get(step.denominate.by) != "number":
                raise ValueError(
                    f"prepare step {n}: denominate by {step.denominate.by!r}: "
                    "declare it under fields with kind: number"
                )
            if isinstance(step, Impute) and step.impute.by and kinds.get(step.impute.by) is None:
                raise ValueError(
                    f"prepare step {n}: group by {step.impute.by!r}: declare it under fields"
                )
            if isinstance(step, Screen) and step.screen.level > self.depth - 1:
                raise ValueError(f"prepare step {n}: screen level {step.screen.level} is the top")

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        data_names = [i.id for i in self.indicators] + [f.id for f in self.fields]
        scores = ["total", "gates_passed", *(d.id for d in self.nodes())]
        problems = []
        for group, items in (("gates", self.gates), ("bonus", self.bonus)):
            for position, gate in enumerate(items):
                for message in check(parse(gate.when), fields=data_names, params=()):
                    problems.append(((group, position, "when"), message))
        for message in check(parse(self.qualify), fields=[*data_names, *scores], params=()):
            problems.append((("qualify",), message))
        return problems
