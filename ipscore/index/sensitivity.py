"""Uncertainty and sensitivity (JRC/OECD step 8): Monte Carlo over the weights (Dirichlet
around the declared ones), the normalisation and the aggregation. Every run is scored at
once as arrays of runs × units × indicators; the same seed gives the same answer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, VectorEvaluator, parse
from ipscore.index.data import UnitData
from ipscore.index.score import IndexResult, Model, _imputed, aggregate, normalise


def _usable(indicator, method: str) -> bool:
    spec = indicator.normalise
    return (method != "goalpost" or spec.min is not None) and (
        method != "distance-to-target" or spec.target
    )


def _dirichlet(rng, weights: np.ndarray, concentration: float, runs: int) -> np.ndarray:
    share = (
        weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
    )
    if len(share) == 1:
        return np.ones((runs, 1))
    return rng.dirichlet(np.maximum(share * concentration, 1e-3), size=runs)


def draw(model: Model, runs: int, seed: int) -> dict[str, np.ndarray]:
    """The random choices of every run: weights, normalisation and aggregation."""
    rng = np.random.default_rng(seed)
    options = model.rule.sensitivity
    indicator_weights = np.empty((runs, len(model.indicator_weights)))
    for d in range(len(model.dimension_weights)):
        mask = model.dimension_of == d
        indicator_weights[:, mask] = _dirichlet(
            rng, model.indicator_weights[mask], options.concentration, runs
        )
    return {
        "indicator_weights": indicator_weights,
        "dimension_weights": _dirichlet(rng, model.dimension_weights, options.concentration, runs),
        "normalisation": rng.integers(len(options.normalisations), size=runs),
        "aggregation": rng.integers(len(options.aggregations), size=runs),
    }


def totals_of_runs(model: Model, data: UnitData, runs: int, seed: int):
    """Totals (runs × units) and dimension scores (runs × units × dims) of every run."""
    options = model.rule.sensitivity
    values = _imputed(data.values, model.rule)
    normalised = [
        normalise(values, model, [m if _usable(i, m) else None for i in model.rule.indicators])
        for m in options.normalisations
    ]
    choice = draw(model, runs, seed)
    units, dims = len(data.units), len(model.dimension_weights)
    totals = np.empty((runs, units))
    dimension_scores = np.empty((runs, units, dims))
    for m, scores in enumerate(normalised):
        for a, how in enumerate(options.aggregations):
            chosen = np.flatnonzero((choice["normalisation"] == m) & (choice["aggregation"] == a))
            if not len(chosen):
                continue
            d, t = aggregate(
                np.broadcast_to(scores, (len(chosen), *scores.shape)),
                model,
                choice["indicator_weights"][chosen][:, None, :],
                choice["dimension_weights"][chosen][:, None, :],
                {"indicators": how, "dimensions": how},
            )
            totals[chosen], dimension_scores[chosen] = t, d
    return totals, dimension_scores, choice


def analyse(result: IndexResult, runs: int, seed: int) -> dict[str, Any]:
    """Median rank, 5–95 % rank interval and how often each unit qualifies."""
    rule, data = result.rule, result.data
    model = Model.of(rule)
    totals, dimension_scores, _ = totals_of_runs(model, data, runs, seed)
    bonus = np.array([sum(u.bonus.values()) for u in result.units])
    totals = totals + bonus
    scored = np.array([u.score is not None for u in result.units])
    ranked = np.where(scored, totals, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(data.units) + 1)[None, :], axis=1)
    qualified = _qualified_runs(result, totals, dimension_scores)
    for u, unit in enumerate(result.units):
        if not scored[u]:
            continue
        unit.median_rank = float(np.median(ranks[:, u]))
        unit.rank_interval = [
            int(np.percentile(ranks[:, u], 5, method="lower")),
            int(np.percentile(ranks[:, u], 95, method="higher")),
        ]
        unit.qualified_share = float(qualified[:, u].mean())
    options = rule.sensitivity
    result.sensitivity = {
        "runs": runs,
        "seed": seed,
        "concentration": options.concentration,
        "normalisations": options.normalisations,
        "aggregations": options.aggregations,
    }
    return result.sensitivity


def _qualified_runs(result: IndexResult, totals: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """The qualification rule over every (run, unit) at once: one vectorized evaluation."""
    rule, data = result.rule, result.data
    runs, units = totals.shape
    gates = np.array(
        [u.status != "vetoed" and u.status != "insufficient_data" for u in result.units]
    )
    frame = {
        name: pd.Series(np.tile(data.values[:, i], runs)) for i, name in enumerate(data.indicators)
    }
    frame.update({k: pd.Series(np.tile(v, runs)) for k, v in data.fields.items()})
    frame["total"] = pd.Series(totals.ravel())
    frame["gates_passed"] = pd.Series(np.tile(gates, runs))
    for k, d in enumerate(rule.dimensions):
        frame[d.id] = pd.Series(dims[:, :, k].ravel())
    holds = VectorEvaluator(frame, Env(), runs * units).truth(parse(rule.qualify))
    return (holds & np.tile(gates, runs)).reshape(runs, units)
