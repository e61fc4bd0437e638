"""Data preparation, as declared and ordered in the rule file: denominate, impute, screen,
treat outliers. Each step returns the new units × indicators matrix and records what it
changed, for which unit and indicator. Definitions follow COINr: Denominate, Impute
(i_mean, i_median, i_mean_grp, i_median_grp), Screen (by data availability), Treat
(winsorise while skew and kurtosis are beyond the thresholds, else log_CT)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ipscore.index.data import UnitData
from ipscore.spec.models.index import (
    Denominate,
    Impute,
    ImputeSpec,
    IndexRule,
    Screen,
    Step,
    TreatSpec,
)


@dataclass
class Prepared:
    values: np.ndarray  # units × indicators after every step
    screened: np.ndarray  # units screened out (bool)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _f(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _columns(rule: IndexRule, chosen: list[str] | None) -> list[int]:
    ids = [i.id for i in rule.indicators]
    return [ids.index(i) for i in chosen] if chosen else list(range(len(ids)))


def _record(out: Prepared, step: str, data: UnitData, before, after, cols=None) -> None:
    changed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    for u, i in np.argwhere(changed):
        out.changes.append(
            {
                "step": step,
                "unit": data.units[u],
                "indicator": data.indicators[cols[i] if cols else i],
                "before": _f(before[u, i]),
                "after": _f(after[u, i]),
            }
        )


def prepare(
    rule: IndexRule,
    data: UnitData,
    steps: list[Step] | None = None,
    record: bool = True,
) -> Prepared:
    """Run the declared steps in order (or `steps`, for sensitivity alternatives)."""
    out = Prepared(data.values.copy(), np.zeros(len(data.units), dtype=bool))
    for n, step in enumerate(rule.prepare if steps is None else steps, 1):
        before = out.values.copy()
        if isinstance(step, Denominate):
            name = f"{n}: denominate by {step.denominate.by}"
            out.values = denominate(rule, data, out.values, step)
        elif isinstance(step, Impute):
            name = f"{n}: impute {step.impute.method}"
            out.values = impute(rule, data, out.values, step.impute)
        elif isinstance(step, Screen):
            name = f"{n}: screen {step.screen.by} ≥ {step.screen.threshold:g}"
            dropped = screen(rule, out.values, step) & ~out.screened
            out.screened |= dropped
            out.values[dropped] = np.nan
            if record:
                out.changes += [
                    {"step": name, "unit": data.units[u], "indicator": None, "screened": True}
                    for u in np.flatnonzero(dropped)
                ]
            continue
        else:
            name = f"{n}: treat"
            out.values, notes = treat(rule, out.values, step.treat)
            if record:
                out.changes += [
                    {"step": name, "unit": None, "indicator": data.indicators[i], **note}
                    for i, note in notes
                ]
        out.values[out.screened] = np.nan  # a screened unit stays out of every later step
        if record:
            _record(out, name, data, before, out.values)
    return out


def denominate(rule: IndexRule, data: UnitData, values: np.ndarray, step: Denominate):
    spec = step.denominate
    by = data.fields[spec.by].astype(float)
    cols = _columns(rule, spec.indicators)
    out = values.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = values[:, cols] / by[:, None] * spec.per
    out[:, cols] = np.where(by[:, None] > 0, share, np.nan)
    return out


def impute(rule: IndexRule, data: UnitData, values: np.ndarray, spec: ImputeSpec) -> np.ndarray:
    cols = _columns(rule, spec.indicators)
    out = values.copy()
    part = out[:, cols]
    missing = np.isnan(part)
    if spec.method == "none" or not missing.any():
        return out
    with np.errstate(invalid="ignore"):
        if spec.method in ("mean", "median"):  # i_mean / i_median
            fill = (np.nanmean if spec.method == "mean" else np.nanmedian)(part, axis=0)
            fill = np.broadcast_to(fill, part.shape)
        elif spec.method == "previous-year":
            fill = data.previous[:, cols]
        else:  # i_mean_grp / i_median_grp: the statistic of the unit's own group
            how = np.nanmean if spec.method == "group-mean" else np.nanmedian
            groups = np.asarray(data.fields[spec.by], dtype=object)
            fill = np.full(part.shape, np.nan)
            for group in {g for g in groups if isinstance(g, str)}:
                members = groups == group
                fill[members] = how(part[members], axis=0)
    out[:, cols] = np.where(missing, fill, part)
    return out


def screen(rule: IndexRule, values: np.ndarray, step: Screen) -> np.ndarray:
    """Units whose data availability is below the threshold: overall, or in any group."""
    spec = step.screen
    present = np.isfinite(values)
    if spec.by == "overall":
        return present.mean(axis=1) < spec.threshold
    ids = [i.id for i in rule.indicators]
    failing = np.zeros(len(values), dtype=bool)
    for node in rule.nodes():
        if node.depth() + 1 != spec.level:  # level 2 holds indicators
            continue
        cols = [ids.index(i.id) for i in node.leaves()]
        failing |= present[:, cols].mean(axis=1) < spec.threshold
    return failing


# --- outliers: COINr's default Treat ------------------------------------------------------


def skew(x: np.ndarray) -> float:
    """COINr's skew() (e1071 type 2, as Excel's SKEW); NaN below 3 points."""
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 3:
        return np.nan
    d = x - x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5
    return y * np.sqrt(n * (n - 1)) / (n - 2)


def kurt(x: np.ndarray) -> float:
    """COINr's kurt() (e1071 type 2, as Excel's KURT); NaN below 4 points."""
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 4:
        return np.nan
    d = x - x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * (d**4).sum() / (d**2).sum() ** 2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def passes(x: np.ndarray, spec: TreatSpec) -> bool:
    """check_SkewKurt: |skew| < threshold OR kurtosis < threshold (unknown passes)."""
    s, k = skew(x), kurt(x)
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < spec.skew or k < spec.kurtosis)


def winsorise(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """COINr's winsorise(): while the check fails and fewer than winmax points are done,
    set the highest point(s) to the next highest (the lowest, when skew is negative)."""
    x = x.copy()
    done: dict[int, str] = {}  # each winsorised point once, however often it moved
    while not passes(x, spec) and len(done) < spec.winmax:
        high = skew(x) >= 0
        extreme = np.nanmax(x) if high else np.nanmin(x)
        at = np.flatnonzero(x == extreme)
        rest = np.delete(x, at)
        x[at] = np.nanmax(rest) if high else np.nanmin(rest)
        done.update({int(u): "winhi" if high else "winlo" for u in at})
    return x, sorted(done.items())


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's log_CT(): log(x − min + 0.01 (max − min))."""
    low, high = np.nanmin(x), np.nanmax(x)
    return np.log(x - low + 0.01 * (high - low))


def treat(rule: IndexRule, values: np.ndarray, spec: TreatSpec):
    """Per indicator: pass → untouched; else winsorise; still failing → log_CT of the
    original values (COINr's default, combine_treat = FALSE)."""
    out = values.copy()
    notes = []
    for i in _columns(rule, spec.indicators):
        x = values[:, i]
        if passes(x, spec):
            continue
        treated, points = winsorise(x, spec)
        if passes(treated, spec) or not spec.log:
            out[:, i] = treated
            notes.append(
                (i, {"treatment": "winsorise", "points": len(points), "skew": _f(skew(x))})
            )
        else:
            out[:, i] = log_ct(x)
            notes.append((i, {"treatment": "log_CT", "points": 0, "skew": _f(skew(x))}))
    return out, notes
