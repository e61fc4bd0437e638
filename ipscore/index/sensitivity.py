"""Uncertainty and sensitivity analysis (JRC/OECD step 8), as COINr's get_sensitivity does
it: every uncertain choice is one input drawn uniformly in [0, 1) — the weights of a level
(COINr-style ±x % uniform noise, or a Dirichlet around the declared weights), the
normalisation, the aggregation, the imputation, treatment on/off, dropping one indicator.
The sample is Saltelli's (COINr SA_sample: A, B and A with column i from B, N·(d+2) runs);
rank statistics use the 2N runs of A and B, with R's default (type 7) quantiles; first-order
and total Sobol indices (COINr SA_estimate) attribute the variance of the mean absolute
rank change to each input. Runs that share their discrete choices are scored as one array
of runs × units × nodes; the same seed gives the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, VectorEvaluator, parse
from ipscore.index.score import (
    IndexResult,
    Model,
    node_scores,
    normalise,
    prepared_values,
)
from ipscore.spec.models.index import Impute, ImputeSpec, Treat

CHUNK = 2000  # runs scored per array: bounds memory at runs × units × nodes


@dataclass(frozen=True)
class Input:
    name: str
    options: list[Any]  # what each choice means (weights: the drawn weight sets)


def _dirichlet(rng, weights: np.ndarray, concentration: float, runs: int) -> np.ndarray:
    share = (
        weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
    )
    if len(share) == 1:
        return np.ones((runs, 1))
    return rng.dirichlet(np.maximum(share * concentration, 1e-3), size=runs)


def weight_sets(model: Model, level: int, draws: int, rng) -> np.ndarray:
    """`draws` noisy weight vectors (draws × nodes) for the nodes at one level."""
    noise = model.rule.sensitivity.weight_noise()
    out = np.broadcast_to(model.weights, (draws, len(model.ids))).copy()
    parents = sorted({int(model.parent[k]) for k in np.flatnonzero(model.level == level)})
    for parent in parents:
        kids = model.children[parent]
        if noise.method == "uniform":  # COINr get_noisy_weights: w + U(-1, 1) · x · w
            wobble = (rng.random((draws, len(kids))) * 2 - 1) * noise.noise
            out[:, kids] = model.weights[kids] * (1 + wobble)
        else:
            out[:, kids] = _dirichlet(rng, model.weights[kids], noise.concentration, draws)
    return out


def inputs(model: Model, draws: int, rng) -> list[Input]:
    rule, options = model.rule, model.rule.sensitivity
    found = []
    noise = options.weight_noise()
    levels = noise.levels or list(range(1, rule.depth))
    for level in levels:  # the weights always vary: by default a Dirichlet, as before
        found.append(Input(f"weights level {level}", list(weight_sets(model, level, draws, rng))))
    if len(options.normalisations) > 1:
        found.append(Input("normalisation", list(options.normalisations)))
    if len(options.aggregations) > 1:
        found.append(Input("aggregation", list(options.aggregations)))
    if len(options.imputations) > 1:
        found.append(Input("imputation", list(options.imputations)))
    if options.treatment and any(isinstance(s, Treat) for s in rule.prepare):
        found.append(Input("treatment", ["on", "off"]))
    if options.drop_indicator:
        found.append(Input("drop indicator", [None, *(i.id for i in rule.indicators)]))
    return found


def saltelli(n: int, d: int, rng) -> np.ndarray:
    """COINr's SA_sample: rows A (N), B (N), then for each i, A with column i from B."""
    base = rng.random((n, 2 * d))
    a, b = base[:, :d], base[:, d:]
    blocks = [a, b]
    for i in range(d):
        mixed = a.copy()
        mixed[:, i] = b[:, i]
        blocks.append(mixed)
    return np.vstack(blocks)


def _methods(model: Model, method: str | None):
    if method is None:
        return None
    out = []
    for indicator in model.rule.indicators:
        spec = indicator.normalise
        usable = (method != "goalpost" or spec.min is not None) and (
            method not in ("distance-to-target", "ratio-to-target") or spec.target
        )
        out.append(spec.model_copy(update={"method": method}) if usable else None)
    return out


def _steps(model: Model, imputation: ImputeSpec | None, treatment: str | None):
    """The declared steps with the imputation alternative swapped in: it replaces the
    imputation step whose method is one of the alternatives (else the last imputation
    step; else it is added last), so a previous-year fill before denomination stays."""
    steps = list(model.rule.prepare)
    if imputation is not None:
        methods = {i.method for i in model.rule.sensitivity.imputations}
        places = [k for k, s in enumerate(steps) if isinstance(s, Impute)]
        matching = [k for k in places if steps[k].impute.method in methods]
        at = (matching or places or [len(steps)])[-1]
        steps[at : at + 1 if places else at] = [Impute(impute=imputation)]
    if treatment == "off":
        steps = [s for s in steps if not isinstance(s, Treat)]
    return steps


def run_scores(result: IndexResult, n: int, seed: int):
    """Totals (runs × units) and top-level scores (runs × units × top nodes) of every run
    of the Saltelli design, with the inputs and the sample."""
    model, data = result.model, result.data
    rng = np.random.default_rng(seed)
    found = inputs(model, 2 * n, rng)
    sample = saltelli(n, len(found), rng) if found else np.zeros((2 * n, 0))
    choice = np.floor(sample * np.array([len(i.options) for i in found])).astype(int)
    named = {i.name: k for k, i in enumerate(found)}

    def pick(name: str, row) -> Any:
        return found[named[name]].options[row[named[name]]] if name in named else None

    runs = len(choice)
    weights = np.broadcast_to(model.weights, (runs, len(model.ids))).copy()
    for k, item in enumerate(found):
        if item.name.startswith("weights level"):
            level = int(item.name.rsplit(" ", 1)[1])
            at = model.level == level
            weights[:, at] = np.stack(item.options)[choice[:, k]][:, at]
    if "drop indicator" in named:
        for r, dropped in enumerate(choice[:, named["drop indicator"]]):
            if dropped:
                weights[r, dropped - 1] = 0.0
    keys = [
        tuple(
            row[named[x]] if x in named else 0
            for x in ("normalisation", "aggregation", "imputation", "treatment")
        )
        for row in choice
    ]
    top = model.children[-1]
    totals = np.empty((runs, len(data.units)))
    tops = np.empty((runs, len(data.units), len(top)))
    cache: dict[tuple, np.ndarray] = {}
    for key in sorted(set(keys)):
        row = choice[keys.index(key)]
        prep_key = key[0], key[2], key[3]
        if prep_key not in cache:
            steps = _steps(model, pick("imputation", row), pick("treatment", row))
            values = prepared_values(model.rule, data, steps, record=False).values
            values[result.prepared.screened] = np.nan
            cache[prep_key] = normalise(values, model, _methods(model, pick("normalisation", row)))
        chosen = np.flatnonzero([k == key for k in keys])
        for start in range(0, len(chosen), CHUNK):
            part = chosen[start : start + CHUNK]
            scores = node_scores(
                np.broadcast_to(cache[prep_key], (len(part), *cache[prep_key].shape)),
                model,
                weights[part],
                pick("aggregation", row),
                data.units,
            )
            totals[part], tops[part] = scores[..., -1], scores[..., top]
    return totals, tops, found, sample


def _ranks(totals: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """Per run: rank 1 the highest, ties the best place (COINr rank_df, ties 'min')."""
    ranked = pd.DataFrame(np.where(scored, totals, np.nan))
    return ranked.rank(axis=1, method="min", ascending=False, na_option="keep").to_numpy()


def sobol(y: np.ndarray, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """COINr's SA_estimate: Si = mean(yB (yABi − yA)) / V, STi = Σ (yA − yABi)² / (2N V)."""
    y_a, y_b = y[:n], y[n : 2 * n]
    y_ab = y[2 * n :].reshape(d, n)
    variance = np.var(np.concatenate([y_a, y_b]), ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = (y_b * (y_ab - y_a)).mean(axis=1) / variance
        total = ((y_a - y_ab) ** 2).sum(axis=1) / (2 * n * variance)
    return first, total


def analyse(result: IndexResult, runs: int, seed: int) -> dict[str, Any]:
    """Median rank, 5–95 % rank interval, how often each unit qualifies, Sobol indices.
    `runs` is N of the Saltelli design: N·(d+2) runs are scored for d uncertain inputs."""
    model = result.model
    totals, tops, found, _ = run_scores(result, runs, seed)
    bonus = np.array([sum(u.bonus.values()) for u in result.units])
    totals = totals + bonus
    scored = np.array([u.score is not None for u in result.units])
    ranks = _ranks(totals, scored)
    nominal = np.array([u.rank if u.rank is not None else np.nan for u in result.units])
    plain = ranks[: 2 * runs]  # the A and B runs: independent draws (COINr uses these)
    median = np.median(plain, axis=0)
    low, high = np.quantile(plain, [0.05, 0.95], axis=0)  # R's type 7
    qualified = _qualified_runs(result, totals[: 2 * runs], tops[: 2 * runs])
    for u, unit in enumerate(result.units):
        if not scored[u]:
            continue
        unit.median_rank = float(median[u])
        unit.rank_interval = [float(low[u]), float(high[u])]
        unit.qualified_share = float(qualified[:, u].mean())
    shift = np.nanmean(np.abs(ranks - nominal)[:, scored], axis=1) if scored.any() else ranks[:, 0]
    attribution = []
    if found:
        first, total = sobol(shift, runs, len(found))
        attribution = [
            {"input": i.name, "first_order": _f(s), "total": _f(t)}
            for i, s, t in zip(found, first, total, strict=True)
        ]
    options = model.rule.sensitivity
    noise = options.weight_noise()
    result.sensitivity = {
        "runs": runs,
        "scored_runs": len(totals),
        "seed": seed,
        "weights": noise.model_dump(mode="json"),
        "inputs": [{"name": i.name, "choices": len(i.options)} for i in found],
        "normalisations": list(options.normalisations),
        "aggregations": [a.label() for a in options.aggregations],
        "output": "mean absolute rank change against the nominal ranks",
        "sobol": attribution,
        "quantiles": "R type 7 (linear), over the 2N runs of samples A and B",
    }
    return result.sensitivity


def _f(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _qualified_runs(result: IndexResult, totals: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """The qualification rule over every (run, unit) at once: one vectorized evaluation."""
    rule, data, model = result.rule, result.data, result.model
    runs, units = totals.shape
    gates = np.array([u.status not in ("vetoed", "insufficient_data") for u in result.units])
    values = result.prepared.values
    frame = {name: pd.Series(np.tile(values[:, i], runs)) for i, name in enumerate(data.indicators)}
    frame.update({k: pd.Series(np.tile(v, runs)) for k, v in data.fields.items()})
    frame["total"] = pd.Series(totals.ravel())
    frame["gates_passed"] = pd.Series(np.tile(gates, runs))
    nominal = result.scores
    for k, name in enumerate(model.ids[model.n_indicators : -1], model.n_indicators):
        frame[name] = pd.Series(np.tile(nominal[:, k], runs))
    for j, k in enumerate(model.children[-1]):
        frame[model.ids[k]] = pd.Series(tops[:, :, j].ravel())
    holds = VectorEvaluator(frame, Env(), runs * units).truth(parse(rule.qualify))
    return (holds & np.tile(gates, runs)).reshape(runs, units)
