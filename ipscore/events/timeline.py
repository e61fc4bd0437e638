"""When can time alone change a patent's verdict? On the dates its conditions compare with
`as_of`: a date field compared with `as_of` flips on that date, and
`years_between(X, as_of) > N` flips on X's N-th anniversary. The engine re-evaluates a
patent on those dates (and the day after, for strict comparisons), and nowhere else.
Computed for whole columns at once (the portfolio) or for one record (an event's patent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, ScalarEvaluator, VectorEvaluator, ast, walk
from ipscore.expr.dates import _anniversary, _anniversary_scalar, _parts
from ipscore.spec.models import Version


def _uses_as_of(node: ast.Node) -> bool:
    return any(isinstance(n, ast.Field) and n.name == "as_of" for n in walk(node))


def _days(value: Any, n: int) -> np.ndarray:
    if isinstance(value, pd.Series):
        return value.to_numpy().astype("M8[D]")
    days = (
        np.datetime64("NaT", "D")
        if value is None or pd.isna(value)
        else np.datetime64(pd.Timestamp(value).date(), "D")
    )
    return np.full(n, days)


def _anniversaries(start: np.ndarray, years: Any) -> np.ndarray:
    if years is None or pd.isna(years):
        return np.full(len(start), np.datetime64("NaT", "D"))
    missing = np.isnat(start)
    safe = np.where(missing, np.datetime64("2000-01-01", "D"), start)
    y, m, d = _parts(safe)
    found = _anniversary(y + int(years), m, d)
    return np.where(missing, np.datetime64("NaT", "D"), found)


def time_comparisons(version: Version) -> list[tuple[str, ast.Node, ast.Node | None]]:
    """(kind, date node, years node) for each comparison of a condition with `as_of`."""
    return list(_time_comparisons(version))


def _time_comparisons(version: Version):
    for _, condition in version.conditions:
        for node in walk(condition.node):
            if not isinstance(node, ast.Compare):
                continue
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, ast.Field) and side.name == "as_of" and not _uses_as_of(other):
                    yield "date", other, None
                elif (
                    isinstance(side, ast.Call)
                    and side.name == "years_between"
                    and (_uses_as_of(side.args[1]) and not _uses_as_of(other))
                ):
                    yield "anniversary", side.args[0], other


def breakpoints(version: Version, columns: Mapping[str, Any], n: int, env: Env) -> np.ndarray:
    """An (n, k) array of dates (NaT where none) on which row i may change with time."""
    evaluator = VectorEvaluator(columns, env, n)
    found = []
    for kind, date_node, years_node in _time_comparisons(version):
        dates = _days(evaluator.value(date_node), n)
        found.append(
            dates if kind == "date" else _anniversaries(dates, evaluator.value(years_node))
        )
    if not found:
        return np.empty((n, 0), dtype="M8[D]")
    dates = np.stack(found, axis=1)
    return np.concatenate([dates, dates + np.timedelta64(1, "D")], axis=1)


def record_breakpoints(comparisons: list, record: Mapping[str, Any], env: Env) -> set[dt.date]:
    """The same dates for one record, with the scalar evaluator (one event's patent);
    `comparisons` is what time_comparisons() found in the rule version."""
    evaluator = ScalarEvaluator(record, env, tracing=False)
    found = set()
    for kind, date_node, years_node in comparisons:
        day = evaluator.value(date_node)
        if day is None or pd.isna(day):
            continue
        day = pd.Timestamp(day).date()
        if kind == "anniversary":
            years = evaluator.value(years_node)
            if years is None or pd.isna(years):
                continue
            day = _anniversary_scalar(day, day.year + int(years))
        found.update((day, day + dt.timedelta(days=1)))
    return found
