"""Score units on a composite index, JRC/OECD (COINr) style: prepare the data as declared,
normalise each indicator, aggregate up a tree of any depth (each level with its own weights
and aggregation), add bonus points, apply the gates (一票否决) and the qualification rule.
All of it on numpy arrays: units × nodes, and for the sensitivity analysis runs × units ×
nodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ipscore.assumptions import index_assumptions, index_sources
from ipscore.expr import Env, VectorEvaluator, ast, parse, walk
from ipscore.index.data import UnitData
from ipscore.index.methods import aggregate, normalise_column
from ipscore.index.prepare import Prepared, prepare
from ipscore.spec.models import IndexRule
from ipscore.spec.models.index import Aggregate, Impute, ImputeSpec, Normalise

ROOT = "index"


@dataclass(frozen=True)
class Model:
    """The rule as arrays. Nodes: the indicators first (rule order), then the groups level
    by level upwards, the index last. Level 1 is the indicators, as in COINr."""

    rule: IndexRule
    ids: list[str]
    names: list[str]
    level: np.ndarray
    parent: np.ndarray  # -1 for the index
    weights: np.ndarray  # as declared (the index: 1)
    children: list[list[int]]
    aggregates: list[Aggregate | None]  # how each node's children combine
    better: np.ndarray  # +1 higher is better, -1 lower, for the indicators

    @property
    def n_indicators(self) -> int:
        return len(self.better)

    @property
    def indicator_weights(self) -> np.ndarray:
        return self.weights[: self.n_indicators]

    @classmethod
    def of(cls, rule: IndexRule) -> Model:
        groups = sorted(rule.nodes(), key=lambda n: n.depth())
        ids = [i.id for i in rule.indicators] + [g.id for g in groups] + [ROOT]
        position = {name: k for k, name in enumerate(ids)}
        parent = np.full(len(ids), -1)
        children: list[list[int]] = [[] for _ in ids]
        for g in groups:
            for child in g.indicators or g.dimensions:
                parent[position[child.id]] = position[g.id]
                children[position[g.id]].append(position[child.id])
        for d in rule.dimensions:
            parent[position[d.id]] = len(ids) - 1
            children[-1].append(position[d.id])
        return cls(
            rule,
            ids,
            [i.name for i in rule.indicators] + [g.name for g in groups] + [rule.title],
            np.array([1] * len(rule.indicators) + [g.depth() + 1 for g in groups] + [rule.depth]),
            parent,
            np.array(
                [i.weight.value for i in rule.indicators]
                + [g.weight.value for g in groups]
                + [1.0],
                dtype=float,
            ),
            children,
            [None] * len(rule.indicators)
            + [g.aggregate or rule.level_aggregate(g.depth() + 1) for g in groups]
            + [rule.level_aggregate(rule.depth)],
            np.array([1.0 if i.direction == "higher" else -1.0 for i in rule.indicators]),
        )

    def effective_weights(self) -> np.ndarray:
        """Each node's share of the index: its weight over its siblings', times its
        parent's share. The indicators' shares sum to 1."""
        out = np.ones(len(self.ids))
        for node in reversed(range(len(self.ids) - 1)):
            siblings = self.children[self.parent[node]]
            total = self.weights[siblings].sum()
            share = self.weights[node] / total if total > 0 else 1 / len(siblings)
            out[node] = share * out[self.parent[node]]
        return out

    def additive(self) -> np.ndarray:
        """Nodes whose every ancestor aggregates arithmetically: their points add up."""
        out = np.ones(len(self.ids), dtype=bool)
        for node in reversed(range(len(self.ids) - 1)):
            above = self.parent[node]
            out[node] = out[above] and self.aggregates[above].method == "arithmetic"
        return out


def normalise(
    values: np.ndarray,
    model: Model,
    methods: list[Normalise | None] | None = None,
    missing: np.ndarray | None = None,
) -> np.ndarray:
    """Per indicator (last axis) over the units (axis -2); NaN stays NaN unless the rule
    says `missing: zero`, which gives a missing value zero points after normalising, so it
    never moves another unit's score and never earns the best one."""
    out = np.full(values.shape, np.nan)
    for i, indicator in enumerate(model.rule.indicators):
        spec = (methods[i] if methods else None) or indicator.normalise
        score = normalise_column(values[..., i], spec, model.better[i])
        if indicator.cap is not None:
            score = np.minimum(score, indicator.cap)
        out[..., i] = np.where(np.isnan(values[..., i]), np.nan, score)
    if model.rule.missing == "zero":
        out = np.where(np.isnan(values) if missing is None else missing, 0.0, out)
    return out


def node_scores(
    normalised: np.ndarray,
    model: Model,
    weights: np.ndarray | None = None,
    how: Aggregate | None = None,
    units: list[str] | None = None,
) -> np.ndarray:
    """Every node's score: (…, units, nodes). `weights` (…, nodes) replaces the declared
    ones; `how` replaces every aggregation (a sensitivity alternative)."""
    weights = model.weights if weights is None else weights
    shape = (*normalised.shape[:-1], len(model.ids))
    out = np.full(shape, np.nan)
    out[..., : model.n_indicators] = normalised
    for node in range(model.n_indicators, len(model.ids)):
        kids = model.children[node]
        w = weights[..., kids]
        out[..., node] = aggregate(
            out[..., kids],
            w[..., None, :],
            how or model.aggregates[node],
            f"{model.rule.id}: node {model.ids[node]}",
            units,
        )
    return out


@dataclass
class UnitScore:
    unit: str
    status: str  # qualified | not_qualified | vetoed | insufficient_data
    score: float | None
    rank: int | None
    dimensions: dict[str, float | None]
    contributions: dict[str, float | None]
    normalised: dict[str, float | None]
    values: dict[str, float | None]
    gates: list[dict[str, Any]]
    bonus: dict[str, float]
    coverage: float
    missing: list[str]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    prepared: dict[str, float | None] = field(default_factory=dict)
    cheapest: dict[str, Any] | None = None
    rank_interval: list[float] | None = None
    median_rank: float | None = None
    qualified_share: float | None = None

    @property
    def qualified(self) -> bool:
        return self.status == "qualified"


@dataclass
class IndexResult:
    rule: IndexRule
    data: UnitData
    units: list[UnitScore]
    model: Model | None = None
    scores: np.ndarray | None = None  # units × nodes
    prepared: Prepared | None = None
    sensitivity: dict[str, Any] | None = field(default=None)

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        return assumptions(self.rule)

    def unit(self, name: str) -> UnitScore:
        for unit in self.units:
            if unit.unit == name:
                return unit
        from ipscore.expr.errors import did_you_mean

        raise LookupError(f"no unit {name!r}{did_you_mean(name, [u.unit for u in self.units])}")

    def levels(self) -> list[dict[str, Any]]:
        """Every node of every level with its score and rank per unit."""
        model = self.model
        effective = model.effective_weights()
        out = []
        for level in range(1, self.rule.depth + 1):
            nodes = []
            for k in np.flatnonzero(model.level == level):
                nodes.append(
                    {
                        "id": model.ids[k],
                        "name": model.names[k],
                        "parent": model.ids[model.parent[k]] if model.parent[k] >= 0 else None,
                        "weight": float(model.weights[k]),
                        "effective_weight": float(effective[k]),
                        "aggregation": model.aggregates[k].label() if model.aggregates[k] else None,
                        "scores": {u.unit: u.nodes[model.ids[k]]["score"] for u in self.units},
                        "ranks": {u.unit: u.nodes[model.ids[k]]["rank"] for u in self.units},
                    }
                )
            out.append({"level": level, "name": self._level_name(level), "nodes": nodes})
        return out

    def _level_name(self, level: int) -> str:
        if level == 1:
            return "indicators"
        if self.rule.levels:
            return self.rule.levels[level - 2].name
        return ROOT if level == self.rule.depth else f"level {level}"

    def to_json(self) -> dict[str, Any]:
        effective = self.model.effective_weights()
        return {
            "index": self.rule.id,
            "title": self.rule.title,
            "official": self.rule.official,
            "notice": self.rule.notice,
            "year": self.data.year,
            "units": [
                {
                    "unit": u.unit,
                    "score": u.score,
                    "rank": u.rank,
                    "qualified": u.qualified,
                    "status": u.status,
                    "gates": u.gates,
                    "dimensions": u.dimensions,
                    "contributions": u.contributions,
                    "nodes": u.nodes,
                    "bonus": u.bonus,
                    "coverage": u.coverage,
                    "missing": u.missing,
                    "cheapest_next_point": u.cheapest,
                    "rank_interval": u.rank_interval,
                    "median_rank": u.median_rank,
                    "qualified_share": u.qualified_share,
                }
                for u in self.units
            ],
            "levels": self.levels(),
            "effective_weights": {
                i: float(effective[k])
                for k, i in enumerate(self.model.ids[: self.model.n_indicators])
            },
            "preparation": self.prepared.changes if self.prepared else [],
            "sensitivity": self.sensitivity,
            "assumptions": self.assumptions,
            "rule_sources": index_sources(self.rule),
        }


def assumptions(rule: IndexRule) -> list[dict[str, Any]]:
    """Weights, normalisations, gates and bonus points that no source confirms."""
    return index_assumptions(rule)


def _frame(data: UnitData, values: np.ndarray) -> dict[str, pd.Series]:
    frame = {name: pd.Series(values[:, i]) for i, name in enumerate(data.indicators)}
    frame.update({k: pd.Series(v) for k, v in data.fields.items()})
    return frame


def _reads(text: str) -> set[str]:
    return {n.name for n in walk(parse(text)) if isinstance(n, ast.Field)}


def gates(rule: IndexRule, data: UnitData, values: np.ndarray) -> tuple[np.ndarray, list]:
    """Per unit: passed all gates, and each gate's outcome (None where data is missing)."""
    frame = _frame(data, values)
    n = len(data.units)
    passed = np.ones(n, dtype=bool)
    outcomes = [[] for _ in range(n)]
    for gate in rule.gates:
        holds = VectorEvaluator(frame, Env(), n).truth(parse(gate.when))
        unknown = np.zeros(n, dtype=bool)
        for name in _reads(gate.when):
            unknown |= frame[name].isna().to_numpy()
        for u in range(n):
            outcomes[u].append(
                {
                    "id": gate.id,
                    "label": gate.label,
                    "passed": None if unknown[u] else bool(holds[u]),
                }
            )
        passed &= holds & ~unknown
    return passed, outcomes


def prepared_values(rule: IndexRule, data: UnitData, steps=None, record: bool = True) -> Prepared:
    """The declared preparation, then the legacy `missing: mean` (an indicator-mean
    imputation, COINr's i_mean)."""
    done = prepare(rule, data, steps, record)
    if rule.missing == "mean":
        legacy = Impute(impute=ImputeSpec(method="mean"))
        more = prepare(rule, _with_values(data, done.values), [legacy], record)
        done.values = more.values
        done.changes += [{**c, "step": "missing: mean"} for c in more.changes]
    return done


def _with_values(data: UnitData, values: np.ndarray) -> UnitData:
    return UnitData(
        data.units, data.indicators, values, data.fields, data.year, data.source, data.previous
    )


def score(
    rule: IndexRule, data: UnitData, with_cheapest: bool = False, cheapest_for: str | None = None
) -> IndexResult:
    """Score every unit. The cheapest next point is costly, so only on request: for every
    unit (`with_cheapest`) or one (`cheapest_for`)."""
    model = Model.of(rule)
    prepared = prepared_values(rule, data)
    values = prepared.values
    normalised = normalise(values, model)
    scores = node_scores(normalised, model, units=data.units)
    n = len(data.units)
    coverage = np.isfinite(data.values).mean(axis=1) if data.values.size else np.zeros(n)
    gate_ok, gate_rows = gates(rule, data, values)
    frame = _frame(data, values)
    bonus = {
        b.id: np.where(VectorEvaluator(frame, Env(), n).truth(parse(b.when)), b.points, 0.0)
        for b in rule.bonus
    }
    totals = scores[:, -1] + sum(bonus.values(), np.zeros(n))
    qualified = _qualified(rule, model, data, values, scores, totals, gate_ok)
    unknown_gate = np.array([any(g["passed"] is None for g in rows) for rows in gate_rows])
    insufficient = (coverage < rule.coverage) | unknown_gate | prepared.screened
    insufficient |= ~np.isfinite(totals)
    status = np.where(
        insufficient,
        "insufficient_data",
        np.where(~gate_ok, "vetoed", np.where(qualified, "qualified", "not_qualified")),
    )
    ranks = _ranks(np.column_stack([scores[:, :-1], totals]), ~insufficient)
    contributions = _contributions(model, scores)
    units = [
        _unit_score(model, data, u, status[u], totals, scores, ranks, contributions, normalised)
        for u in range(n)
    ]
    for u, unit in enumerate(units):
        unit.gates = gate_rows[u]
        unit.bonus = {k: float(v[u]) for k, v in bonus.items() if v[u]}
        unit.coverage = float(coverage[u])
        unit.prepared = {i: _f(values[u, k]) for k, i in enumerate(data.indicators)}
    result = IndexResult(rule, data, units, model, scores, prepared)
    for u, unit in enumerate(units):
        if unit.score is not None and (with_cheapest or cheapest_for == unit.unit):
            unit.cheapest = cheapest_point(result, u)
    return result


def _unit_score(model, data, u, status, totals, scores, ranks, contributions, normalised):
    scored = status != "insufficient_data"
    ids = model.ids
    top = [k for k in model.children[-1]]
    return UnitScore(
        unit=data.units[u],
        status=str(status),
        score=_f(totals[u]) if scored else None,
        rank=int(ranks[u, -1]) if scored else None,
        dimensions={ids[k]: _f(scores[u, k]) if scored else None for k in top},
        contributions={
            i: _f(contributions[u, k]) if scored else None
            for k, i in enumerate(ids[: model.n_indicators])
        },
        normalised={i: _f(normalised[u, k]) for k, i in enumerate(data.indicators)},
        values={i: _f(data.values[u, k]) for k, i in enumerate(data.indicators)},
        gates=[],
        bonus={},
        coverage=0.0,
        missing=[i for k, i in enumerate(data.indicators) if np.isnan(data.values[u, k])],
        nodes={
            name: {
                "score": _f(scores[u, k]) if scored else None,
                "rank": int(ranks[u, k]) if scored and np.isfinite(ranks[u, k]) else None,
                "contribution": _f(contributions[u, k]) if scored else None,
            }
            for k, name in enumerate(ids)
        },
    )


def _ranks(scores: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score among the scored units, ties sharing the best place."""
    ranked = pd.DataFrame(np.where(scored[:, None], scores, np.nan))
    return ranked.rank(axis=0, method="min", ascending=False, na_option="keep").to_numpy()


def _contributions(model: Model, scores: np.ndarray) -> np.ndarray:
    """Points each node adds to the index (units × nodes), where every aggregation above
    it is arithmetic: its score × its weight's share among the siblings the unit has, down
    the tree. NaN where the points do not add up (a non-arithmetic aggregation above)."""
    share = np.ones(scores.shape)
    for node in range(len(model.ids) - 2, -1, -1):  # parents come after their children
        above = model.parent[node]
        siblings = model.children[above]
        present = np.isfinite(scores[:, siblings])
        total = (model.weights[siblings] * present).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            own = model.weights[node] * np.isfinite(scores[:, node]) / total
        share[:, node] = own * share[:, above]
    return np.where(model.additive(), share * scores, np.nan)


def _f(value) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _qualified(rule, model, data, values, scores, totals, gate_ok) -> np.ndarray:
    frame = _frame(data, values)
    frame["total"] = pd.Series(totals)
    frame["gates_passed"] = pd.Series(gate_ok)
    for k, name in enumerate(model.ids[model.n_indicators : -1], model.n_indicators):
        frame[name] = pd.Series(scores[:, k])
    return VectorEvaluator(frame, Env(), len(data.units)).truth(parse(rule.qualify)) & gate_ok


def _step(indicator, column: np.ndarray) -> float:
    if indicator.step:
        return indicator.step
    spec = indicator.normalise
    if spec.method == "goalpost":
        return (spec.max - spec.min) / 20
    spread = np.nanmax(column) - np.nanmin(column) if np.isfinite(column).any() else 0
    return spread / 20 if spread > 0 else max(abs(np.nanmean(column)), 1) / 20


def cheapest_point(result: IndexResult, unit: int) -> dict[str, Any] | None:
    """The indicator whose next step of improvement (on the prepared value) buys this unit
    the most points: every indicator's step tried at once, as one batch."""
    model, values = result.model, result.prepared.values
    present = np.flatnonzero(np.isfinite(values[unit]))
    if not len(present):
        return None
    steps = np.array([_step(model.rule.indicators[i], values[:, i]) for i in present])
    trials = np.broadcast_to(values, (len(present), *values.shape)).copy()
    trials[np.arange(len(present)), unit, present] += steps * model.better[present]
    missing = np.isnan(values)
    totals = node_scores(normalise(trials, model, missing=missing), model)[:, unit, -1]
    gains = totals - result.scores[unit, -1]
    best = int(np.nanargmax(np.where(np.isfinite(gains), gains, -np.inf)))
    indicator = model.rule.indicators[present[best]]
    return {
        "indicator": indicator.id,
        "name": indicator.name,
        "step": float(steps[best] * model.better[present[best]]),
        "unit": indicator.unit,
        "points": float(gains[best]),
    }
