"""Normalisation and aggregation methods, as COINr (the JRC's R package) defines them.

Every function works on numpy arrays with the units on a fixed axis and any batch axes in
front, so one call scores every Monte Carlo run at once. NaN is missing and stays missing.
Direction is applied as COINr does: lower-is-better values are multiplied by -1 first,
except goalposts and distance-to-target, whose formulas take the direction themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.spec.models.index import Aggregate, Normalise


def _ranks(x: np.ndarray, ties: str) -> np.ndarray:
    """R's rank(x, ties.method, na.last = "keep") along the last axis."""
    flat = pd.DataFrame(x.reshape(-1, x.shape[-1]))
    return flat.rank(axis=1, method=ties, na_option="keep").to_numpy().reshape(x.shape)


def _stat(x: np.ndarray, how) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return how(x, axis=-1, keepdims=True)


def normalise_column(x: np.ndarray, spec: Normalise, better: float) -> np.ndarray:
    """One indicator over the units (last axis). `better` is +1 or -1."""
    raw = x
    x = x * better
    with np.errstate(invalid="ignore", divide="ignore"):
        if spec.method == "goalpost":  # n_goalposts(x, c(min, max, scale), direction)
            if better > 0:
                y = (raw - spec.min) / (spec.max - spec.min)
            else:
                y = (raw - spec.max) / (spec.min - spec.max)
            if spec.truncate:
                y = np.clip(y, 0, 1)
            return y * spec.scale
        if spec.method == "min-max":  # n_minmax(x, l_u)
            low, high = _stat(x, np.nanmin), _stat(x, np.nanmax)
            lo, hi = spec.range
            return (x - low) / (high - low) * (hi - lo) + lo
        if spec.method == "z-score":  # n_zscore(x, m_sd), sd() is the sample SD
            mean = _stat(x, np.nanmean)
            ddof = 1 if spec.sd_of == "sample" else 0
            sd = np.nanstd(x, axis=-1, keepdims=True, ddof=ddof)
            y = (x - mean) / sd * spec.sd + spec.mean
            return np.clip(y, *spec.clip) if spec.clip else y
        if spec.method == "distance-to-target":  # n_dist2targ(x, targ × direction, 1, cap)
            target = spec.target * better
            low = _stat(x, np.nanmin)
            y = (x - low) / (target - low)
            return (np.minimum(y, 1) if spec.cap else y) * spec.scale
        if spec.method == "ratio-to-target":  # ipscore's own, clipped to [0, scale]
            y = raw / spec.target if better > 0 else spec.target / raw
            return np.clip(y * spec.scale, 0, spec.scale)
        if spec.method == "rank":  # n_rank(x, ties.method)
            return _ranks(x, spec.ties)
        # percentile: n_prank(x, ties.method) = (rank - 1) / (n - 1)
        counts = np.isfinite(x).sum(axis=-1, keepdims=True)
        return (_ranks(x, spec.ties) - 1) / (counts - 1) * spec.scale


def _shares(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return w / total[..., None], total


def _floored(
    x: np.ndarray, w: np.ndarray, spec: Aggregate, where: str, units: list[str] | None
) -> np.ndarray:
    """Geometric/harmonic means need positive scores: an error, or the declared floor."""
    if spec.floor is not None:
        return np.maximum(x, spec.floor)
    bad = (w > 0) & (x <= 0)
    if bad.any():
        found = np.argwhere(bad)[0]
        unit = units[found[-2]] if units else f"unit #{found[-2] + 1}"
        raise InputError(
            f"{where}: {spec.method} mean of a score {x[tuple(found)]:g} ({unit}, child "
            f"#{found[-1] + 1}): zero or negative scores have no {spec.method} mean; "
            "declare `floor:` on the aggregation or normalise to positive values"
        )
    return x


def aggregate(
    x: np.ndarray,
    w: np.ndarray,
    spec: Aggregate,
    where: str = "",
    units: list[str] | None = None,
) -> np.ndarray:
    """Children (last axis) into one score per unit (axis -2 of x). `w` broadcasts to x and
    must be zero where x is missing: weights are re-normalised over what a unit has, as
    COINr's a_amean does."""
    w = np.where(np.isnan(x), 0.0, np.broadcast_to(w, x.shape))
    filled = np.where(np.isnan(x), 1.0, x)
    share, total = _shares(w)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if spec.method == "arithmetic":  # a_amean
            value = (share * filled).sum(axis=-1)
        elif spec.method == "geometric":  # a_gmean
            value = np.exp((share * np.log(_floored(filled, w, spec, where, units))).sum(axis=-1))
        elif spec.method == "harmonic":  # a_hmean
            value = 1 / (share / _floored(filled, w, spec, where, units)).sum(axis=-1)
        elif spec.method == "generalised":  # a_genmean
            base = filled if spec.p > 0 else _floored(filled, w, spec, where, units)
            value = (share * base**spec.p).sum(axis=-1) ** (1 / spec.p)
        elif spec.method == "minimum":
            value = np.where(w > 0, filled, np.inf).min(axis=-1)
        else:
            value = copeland(x, share)
    return np.where(total > 0, value, np.nan)


def copeland(x: np.ndarray, share: np.ndarray) -> np.ndarray:
    """COINr's a_copeland: the outranking matrix (the weight where a unit beats another,
    half where they tie), then +1 for each unit it outranks (> 0.5), -1 for each it is
    outranked by. x: (…, units, children), share: weights summing to 1 per unit."""
    mine, theirs = x[..., :, None, :], x[..., None, :, :]
    weight = share[..., :, None, :] if share.ndim == x.ndim else share
    with np.errstate(invalid="ignore"):
        outrank = (
            np.where(mine > theirs, weight, 0.0) + np.where(mine == theirs, weight / 2, 0)
        ).sum(axis=-1)
    sign = np.sign(outrank - 0.5)
    units = x.shape[-2]
    sign[..., np.arange(units), np.arange(units)] = 0
    return sign.sum(axis=-1)
