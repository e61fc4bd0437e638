"""Score units on a composite index, JRC/OECD style: normalise each indicator to 0–100,
weight and aggregate indicators into dimensions and dimensions into a total, add bonus
points, apply the gates (一票否决) and the qualification rule. All of it on numpy arrays:
units × indicators, and for the sensitivity analysis runs × units × indicators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, VectorEvaluator, ast, parse, walk
from ipscore.index.data import UnitData
from ipscore.spec.models import IndexRule

EPSILON = 1e-6  # a zero score under geometric aggregation is near zero, not minus infinity


@dataclass(frozen=True)
class Model:
    """The rule as arrays, indicator by indicator."""

    rule: IndexRule
    dimension_of: np.ndarray  # the dimension index of each indicator
    indicator_weights: np.ndarray
    dimension_weights: np.ndarray
    better: np.ndarray  # +1 higher is better, -1 lower

    @classmethod
    def of(cls, rule: IndexRule) -> Model:
        dims = [(d, i) for d, dim in enumerate(rule.dimensions) for i in dim.indicators]
        return cls(
            rule,
            np.array([d for d, _ in dims]),
            np.array([i.weight.value for _, i in dims], dtype=float),
            np.array([d.weight.value for d in rule.dimensions], dtype=float),
            np.array([1.0 if i.direction == "higher" else -1.0 for _, i in dims]),
        )


def normalise(values: np.ndarray, model: Model, methods: list[str] | None = None) -> np.ndarray:
    """0–100 per indicator (last axis); NaN stays NaN. Works on (…, units, indicators)."""
    out = np.full(values.shape, np.nan)
    for i, indicator in enumerate(model.rule.indicators):
        method = (methods or [None] * len(model.rule.indicators))[i] or indicator.normalise.method
        x = values[..., i] * model.better[i]
        spec = indicator.normalise
        with np.errstate(invalid="ignore", divide="ignore"):
            if method == "goalpost":
                low, high = sorted((spec.min * model.better[i], spec.max * model.better[i]))
                score = (x - low) / (high - low) * 100
            elif method == "distance-to-target":
                target = spec.target
                raw = values[..., i]
                score = (raw / target if model.better[i] > 0 else target / raw) * 100
            elif method == "z-score":  # 50 at the mean, ±10 a standard deviation
                mean = np.nanmean(x, axis=-1, keepdims=True)
                std = np.nanstd(x, axis=-1, keepdims=True)
                score = np.where(std > 0, 50 + 10 * (x - mean) / np.where(std > 0, std, 1), 50)
            elif method in ("rank", "percentile"):
                ranks = pd.DataFrame(np.atleast_2d(x)).rank(
                    axis=1, method="average", pct=method == "percentile"
                )
                counts = np.isfinite(np.atleast_2d(x)).sum(axis=1, keepdims=True)
                if method == "rank":
                    ranked = (ranks.to_numpy() - 1) / np.maximum(counts - 1, 1) * 100
                else:
                    ranked = ranks.to_numpy() * 100
                score = ranked.reshape(x.shape)
            else:  # min-max over the units compared
                low = np.nanmin(x, axis=-1, keepdims=True)
                high = np.nanmax(x, axis=-1, keepdims=True)
                score = np.where(
                    high > low, (x - low) / np.where(high > low, high - low, 1) * 100, 100.0
                )
        cap = indicator.cap if indicator.cap is not None else 100.0
        out[..., i] = np.where(np.isnan(x), np.nan, np.clip(score, 0, cap))
    return out


def _weighted(scores: np.ndarray, weights: np.ndarray, how: str) -> np.ndarray:
    """Aggregate the last axis with weights (already zero where a score is missing)."""
    total = weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = weights / total[..., None]
        filled = np.where(np.isnan(scores), 0.0, scores)
        if how == "geometric":
            logs = np.log(np.maximum(filled, EPSILON) / 100)
            value = 100 * np.exp((share * logs).sum(axis=-1))
        elif how == "minimum":
            value = np.where(weights > 0, filled, np.inf).min(axis=-1)
        else:
            value = (share * filled).sum(axis=-1)
    return np.where(total > 0, value, np.nan)


def aggregate(
    scores: np.ndarray,
    model: Model,
    indicator_weights: np.ndarray | None = None,
    dimension_weights: np.ndarray | None = None,
    how: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dimension scores (…, units, dims) and totals (…, units), weights re-normalised over
    the indicators a unit has."""
    how = how or model.rule.aggregation
    weights = model.indicator_weights if indicator_weights is None else indicator_weights
    available = ~np.isnan(scores)
    dims = []
    for d in range(len(model.rule.dimensions)):
        mask = model.dimension_of == d
        w = np.where(available[..., mask], weights[..., mask], 0.0)
        dims.append(_weighted(scores[..., mask], w, how.get("indicators", "arithmetic")))
    dimension_scores = np.stack(dims, axis=-1)
    dw = model.dimension_weights if dimension_weights is None else dimension_weights
    dw = np.broadcast_to(dw, dimension_scores.shape)
    dw = np.where(np.isnan(dimension_scores), 0.0, dw)
    return dimension_scores, _weighted(dimension_scores, dw, how.get("dimensions", "arithmetic"))


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
    cheapest: dict[str, Any] | None = None
    rank_interval: list[int] | None = None
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
    sensitivity: dict[str, Any] | None = field(default=None)

    def unit(self, name: str) -> UnitScore:
        for unit in self.units:
            if unit.unit == name:
                return unit
        from ipscore.expr.errors import did_you_mean

        raise LookupError(f"no unit {name!r}{did_you_mean(name, [u.unit for u in self.units])}")

    def to_json(self) -> dict[str, Any]:
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
            "sensitivity": self.sensitivity,
            "assumptions": assumptions(self.rule),
        }


def assumptions(rule: IndexRule) -> list[dict[str, Any]]:
    found = [
        {"name": f"{d.id}.weight", "value": d.weight.value}
        for d in rule.dimensions
        if d.weight.confidence == "assumption"
    ]
    for i in rule.indicators:
        if i.weight.confidence == "assumption":
            found.append({"name": f"{i.id}.weight", "value": i.weight.value})
        if i.normalise.confidence == "assumption" and i.normalise.method == "goalpost":
            found.append({"name": f"{i.id}.goalposts", "value": [i.normalise.min, i.normalise.max]})
    return found


def _frame(data: UnitData, values: np.ndarray) -> dict[str, pd.Series]:
    frame = {name: pd.Series(values[:, i]) for i, name in enumerate(data.indicators)}
    frame.update({k: pd.Series(v.astype(float)) for k, v in data.fields.items()})
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


def score(rule: IndexRule, data: UnitData, with_cheapest: bool = True) -> IndexResult:
    model = Model.of(rule)
    values = _imputed(data.values, rule)
    normalised = normalise(values, model)
    dims, totals = aggregate(normalised, model)
    coverage = np.isfinite(data.values).mean(axis=1)
    gate_ok, gate_rows = gates(rule, data, values)
    frame = _frame(data, values)
    n = len(data.units)
    bonus = {
        b.id: np.where(VectorEvaluator(frame, Env(), n).truth(parse(b.when)), b.points, 0.0)
        for b in rule.bonus
    }
    totals = totals + sum(bonus.values(), np.zeros(n))
    qualified = _qualified(rule, data, values, dims, totals, gate_ok)
    units = []
    for u, name in enumerate(data.units):
        unknown_gate = any(g["passed"] is None for g in gate_rows[u])
        if coverage[u] < rule.coverage or unknown_gate:
            status = "insufficient_data"
        elif not gate_ok[u]:
            status = "vetoed"
        else:
            status = "qualified" if qualified[u] else "not_qualified"
        scored = status != "insufficient_data"
        units.append(
            UnitScore(
                unit=name,
                status=status,
                score=_f(totals[u]) if scored else None,
                rank=None,
                dimensions={
                    d.id: _f(dims[u, k]) if scored else None for k, d in enumerate(rule.dimensions)
                },
                contributions=_contributions(model, normalised[u], scored),
                normalised={i: _f(normalised[u, k]) for k, i in enumerate(data.indicators)},
                values={i: _f(data.values[u, k]) for k, i in enumerate(data.indicators)},
                gates=gate_rows[u],
                bonus={k: float(v[u]) for k, v in bonus.items() if v[u]},
                coverage=float(coverage[u]),
                missing=[i for k, i in enumerate(data.indicators) if np.isnan(data.values[u, k])],
            )
        )
    _rank(units)
    result = IndexResult(rule, data, units)
    if with_cheapest:
        for u, unit in enumerate(units):
            if unit.score is not None:
                unit.cheapest = cheapest_point(rule, data, u)
    return result


def _f(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _imputed(values: np.ndarray, rule: IndexRule) -> np.ndarray:
    if rule.missing == "zero":
        return np.where(np.isnan(values), 0.0, values)
    if rule.missing == "mean":
        return np.where(np.isnan(values), np.nanmean(values, axis=0), values)
    return values


def _contributions(model: Model, scores: np.ndarray, scored: bool) -> dict[str, float | None]:
    """Points each indicator adds to the total under weighted arithmetic aggregation."""
    if not scored:
        return {i.id: None for i in model.rule.indicators}
    available = ~np.isnan(scores)
    out = {}
    dw = np.where(
        [available[model.dimension_of == d].any() for d in range(len(model.dimension_weights))],
        model.dimension_weights,
        0,
    )
    dw = dw / dw.sum()
    for d in range(len(dw)):
        mask = model.dimension_of == d
        w = np.where(available[mask], model.indicator_weights[mask], 0.0)
        share = w / w.sum() if w.sum() else w
        for k, idx in enumerate(np.flatnonzero(mask)):
            value = dw[d] * share[k] * scores[idx] if available[idx] else None
            out[model.rule.indicators[idx].id] = _f(value) if value is not None else None
    return out


def _qualified(rule, data, values, dims, totals, gate_ok) -> np.ndarray:
    frame = _frame(data, values)
    frame["total"] = pd.Series(totals)
    frame["gates_passed"] = pd.Series(gate_ok)
    for k, d in enumerate(rule.dimensions):
        frame[d.id] = pd.Series(dims[:, k])
    return VectorEvaluator(frame, Env(), len(data.units)).truth(parse(rule.qualify)) & gate_ok


def _rank(units: list[UnitScore]) -> None:
    scored = sorted((u for u in units if u.score is not None), key=lambda u: -u.score)
    for position, unit in enumerate(scored):
        tied = position > 0 and unit.score == scored[position - 1].score
        unit.rank = scored[position - 1].rank if tied else position + 1


def _step(indicator, column: np.ndarray) -> float:
    if indicator.step:
        return indicator.step
    spec = indicator.normalise
    if spec.method == "goalpost":
        return (spec.max - spec.min) / 20
    spread = np.nanmax(column) - np.nanmin(column) if np.isfinite(column).any() else 0
    return spread / 20 if spread > 0 else max(abs(np.nanmean(column)) / 20, 1e-9)


def cheapest_point(rule: IndexRule, data: UnitData, unit: int) -> dict[str, Any] | None:
    """The indicator whose next step of improvement buys this unit the most points."""
    model = Model.of(rule)
    values = _imputed(data.values, rule)
    base = aggregate(normalise(values, model), model)[1][unit]
    best = None
    for i, indicator in enumerate(rule.indicators):
        if np.isnan(values[unit, i]):
            continue
        step = _step(indicator, values[:, i])
        trial = values.copy()
        trial[unit, i] += step * model.better[i]
        gain = aggregate(normalise(trial, model), model)[1][unit] - base
        if best is None or gain > best["points"]:
            best = {
                "indicator": indicator.id,
                "name": indicator.name,
                "step": float(step * model.better[i]),
                "unit": indicator.unit,
                "points": float(gain),
            }
    return best
