"""Calendar-year arithmetic, vectorized and scalar, written independently so tests can
compare them. A year is counted between anniversaries: 2011-03-02 → 2021-03-02 is exactly
10.0, one day later is just over 10. A 29 February start has its anniversary on 28 February."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = days.astype("M8[Y]")
    months = days.astype("M8[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("M8[M]")).astype(np.int64) + 1
    d = (days - months.astype("M8[D]")).astype(np.int64) + 1
    return y, m, d


def _anniversary(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    month = ((y - 1970) * 12 + (m - 1)).astype("M8[M]")
    first = month.astype("M8[D]")
    month_length = ((month + 1).astype("M8[D]") - first).astype(np.int64)
    return first + (np.minimum(d, month_length) - 1).astype("m8[D]")


def _days(value) -> np.ndarray:
    if isinstance(value, pd.Series):
        value = value.to_numpy()
    return np.asarray(
        pd.to_datetime(value) if not isinstance(value, np.ndarray) else value, dtype="M8[D]"
    )


def years_between_vec(start, end) -> np.ndarray:
    """Fractional calendar years from `start` to `end`; NaN where either is missing.

    A register has a few thousand distinct dates among millions of rows, so when one side
    is a single date (as_of) the calendar arithmetic runs on the distinct dates only."""
    start_d, end_d = _days(start), _days(end)
    for many, one in ((start_d, end_d), (end_d, start_d)):
        if one.ndim == 0 and many.ndim == 1 and len(many) > 1024:
            codes, distinct = pd.factorize(many.view(np.int64))
            distinct_days = np.asarray(distinct).view("M8[D]")
            args = (distinct_days, one) if many is start_d else (one, distinct_days)
            return _years_between(*args)[codes]
    return _years_between(start_d, end_d)


def _years_between(start_d: np.ndarray, end_d: np.ndarray) -> np.ndarray:
    start_d, end_d = np.broadcast_arrays(start_d, end_d)
    missing = np.isnat(start_d) | np.isnat(end_d)
    safe_start = np.where(missing, np.datetime64("2000-01-01", "D"), start_d)
    safe_end = np.where(missing, np.datetime64("2000-01-01", "D"), end_d)
    sy, sm, sd = _parts(safe_start)
    ey, em, ed = _parts(safe_end)
    before = (em < sm) | ((em == sm) & (ed < sd))
    whole = ey - sy - before.astype(np.int64)
    last = _anniversary(sy + whole, sm, sd)
    following = _anniversary(sy + whole + 1, sm, sd)
    fraction = (safe_end - last).astype(np.float64) / (following - last).astype(np.float64)
    return np.where(missing, np.nan, whole + fraction)


def _anniversary_scalar(start: dt.date, year: int) -> dt.date:
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return dt.date(year, start.month, day)


def years_between_scalar(start, end) -> float:
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return float("nan")
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    whole = end.year - start.year
    if _anniversary_scalar(start, end.year) > end:
        whole -= 1
    last = _anniversary_scalar(start, start.year + whole)
    following = _anniversary_scalar(start, start.year + whole + 1)
    return whole + (end - last).days / (following - last).days
