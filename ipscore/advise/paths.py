"""Paths to high-value, derived from the rule's own conditions.

Each criterion of the version in force is read as an AST and matched to a kind of path:
- a condition that reads `as_of` becomes true with time (维持年限): its first date is found
  by a vectorized bisection that evaluates the condition itself at per-row dates, so the
  date agrees with `classify --as-of` by construction (`years_between(…) > 10` counts
  from the day after the tenth anniversary);
- `field >= threshold` on an amount (质押融资) gives the gap to the threshold;
- `count_overseas(list, flag) > 0` asks for a family grant abroad;
- `any_of(list, values)` asks for one of the values (the eligible awards);
- `ipc_in(…)` is decided by the IPC codes: no action.
Anything else is reported as "meet the condition" with its text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, VectorEvaluator, walk
from ipscore.expr import ast as expr_ast
from ipscore.expr.columns import ListColumn
from ipscore.expr.dates import _anniversary, _parts, years_between_vec
from ipscore.expr.functions import HK_MO_TW
from ipscore.patents.classify import Prepared
from ipscore.spec.models.common import Condition

#: Search horizon for conditions that become true with time: longer than any patent term.
SEARCH_DAYS = 50 * 366


@dataclass(frozen=True)
class Path:
    """The paths of one criterion for the rows it applies to (positions in the batch)."""

    criterion: str
    kind: str  # time | amount | overseas | award | ipc | other
    positions: np.ndarray
    action: str | np.ndarray  # one text, or one per position
    date: np.ndarray | None = None  # datetime64[D], NaT where none
    amount: np.ndarray | None = None  # 万元, NaN where none


def kind_of(condition: Condition) -> str:
    node = condition.node
    if _reads_as_of(node):
        return "time"
    if _threshold(node) is not None:
        return "amount"
    if (
        isinstance(node, expr_ast.Compare)
        and isinstance(node.left, expr_ast.Call)
        and node.left.name == "count_overseas"
    ):
        return "overseas"
    if isinstance(node, expr_ast.Call) and node.name in ("any_of", "award_in"):
        return "award"
    if any(
        isinstance(n, expr_ast.Call) and n.name in ("ipc_in", "ipc_in_filtered") for n in walk(node)
    ):
        return "ipc"
    return "other"


def _reads_as_of(node: expr_ast.Node) -> bool:
    return any(isinstance(n, expr_ast.Field) and n.name == "as_of" for n in walk(node))


def _threshold(node: expr_ast.Node) -> tuple[str, str, expr_ast.Node] | None:
    """`field >= x` / `field > x` (or mirrored) → (field, op, x); else None."""
    if not isinstance(node, expr_ast.Compare):
        return None
    mirrored = {"<=": ">=", "<": ">"}
    value = expr_ast.Param | expr_ast.Literal
    left, right = node.left, node.right
    if node.op in (">=", ">") and isinstance(left, expr_ast.Field) and isinstance(right, value):
        return left.name, node.op, right
    if node.op in mirrored and isinstance(right, expr_ast.Field) and isinstance(left, value):
        return right.name, mirrored[node.op], left
    return None


def _scalar(node: expr_ast.Node, prepared: Prepared) -> Any:
    return prepared.params[node.name] if isinstance(node, expr_ast.Param) else node.value


# --- conditions that become true with time --------------------------------------------------


def _fields_read(node: expr_ast.Node, params: dict[str, Any]) -> list[str]:
    names = {n.name for n in walk(node) if isinstance(n, expr_ast.Field) and n.name != "as_of"}
    for n in walk(node):
        if isinstance(n, expr_ast.Call) and n.name == "field" and n.args:
            arg = n.args[0]
            names.add(params[arg.name] if isinstance(arg, expr_ast.Param) else arg.value)
    return sorted(names)


def _subset(columns: dict[str, Any], names: list[str], index: np.ndarray) -> dict[str, Any]:
    taken = {}
    for name in names:
        column = columns[name]
        if isinstance(column, ListColumn):
            taken[name] = column.take(index)
        else:
            taken[name] = column.iloc[index].reset_index(drop=True)
    return taken


def _truth_at(node, columns, prepared: Prepared, days: np.ndarray) -> np.ndarray:
    env = Env(params=prepared.params, context={"as_of": days}, tables=prepared.tables)
    return VectorEvaluator(columns, env, len(days)).truth(node)


def first_true_day(
    node: expr_ast.Node, columns: dict[str, Any], positions: np.ndarray, prepared: Prepared
) -> np.ndarray:
    """For each row (false at as_of), the first day the condition holds: NaT if never
    within SEARCH_DAYS. Runs on the distinct values of the fields the condition reads."""
    names = _fields_read(node, dict(prepared.params))
    if names and not any(isinstance(columns[n], ListColumn) for n in names):
        key = pd.DataFrame({n: columns[n].iloc[positions].to_numpy() for n in names})
        groups = key.groupby(names, dropna=False, sort=False).ngroup().to_numpy()
        representative = np.zeros(groups.max() + 1 if len(groups) else 0, dtype=np.int64)
        representative[groups[::-1]] = positions[::-1]  # the first row of each group
    else:
        groups, representative = np.arange(len(positions)), positions
    distinct = _subset(columns, names, representative)
    start = np.datetime64(prepared.as_of, "D")
    lo = np.full(len(representative), start)
    hi = lo + np.timedelta64(SEARCH_DAYS, "D")
    reachable = _truth_at(node, distinct, prepared, hi) & ~_truth_at(node, distinct, prepared, lo)
    # Invariant: false at lo, true at hi. Halve the gap until they are one day apart.
    while True:
        gap = (hi - lo).astype(np.int64)
        if not (open_ := reachable & (gap > 1)).any():
            break
        mid = lo + (gap // 2).astype("m8[D]")
        true_mid = _truth_at(node, distinct, prepared, mid)
        hi = np.where(open_ & true_mid, mid, hi)
        lo = np.where(open_ & ~true_mid, mid, lo)
    first = np.where(reachable, hi, np.datetime64("NaT", "D"))
    return first[groups]


def anniversaries(filing: np.ndarray, after: np.datetime64, before: np.ndarray):
    """Filing anniversaries (annuity due dates, 专利法实施细则: 年费 by 申请日) strictly
    after `after` and strictly before `before`: how many, and the first."""
    done_at_start = np.floor(years_between_vec(filing, after))
    done_before_end = np.floor(years_between_vec(filing, before - np.timedelta64(1, "D")))
    count = np.where(np.isnan(done_before_end), 0, done_before_end - done_at_start)
    return np.maximum(count, 0).astype(np.int64), next_anniversary(filing, after)


def next_anniversary(filing: np.ndarray, after: np.datetime64) -> np.ndarray:
    """The first filing anniversary strictly after `after` (NaT where filing is missing)."""
    missing = np.isnat(filing)
    safe = np.where(missing, np.datetime64("2000-01-01", "D"), filing)
    done = np.floor(years_between_vec(safe, after)).astype(np.int64)
    y, m, d = _parts(safe)
    following = _anniversary(y + done + 1, m, d)
    return np.where(missing, np.datetime64("NaT", "D"), following)


# --- one criterion → its paths ---------------------------------------------------------------


def criterion_paths(
    condition: Condition, columns: dict[str, Any], positions: np.ndarray, prepared: Prepared
) -> Path:
    """The paths of one criterion for the patents at `positions` (eligible, not high-value)."""
    kind = kind_of(condition)
    node = condition.node
    if kind == "time":
        first = first_true_day(node, columns, positions, prepared)
        return Path(
            condition.id,
            kind,
            positions,
            "keep it in force (pay every annuity) until the date; it counts from then",
            date=first,
        )
    if kind == "amount":
        field, op, threshold_node = _threshold(node)
        threshold = float(_scalar(threshold_node, prepared))
        current = columns[field].iloc[positions].astype("float64").fillna(0.0).to_numpy()
        gap = np.round(np.maximum(threshold - current, 0.0), 4)
        more = "more than " if op == ">" else ""
        return Path(
            condition.id,
            kind,
            positions,
            f"add {more}the amount (万元) of pledge financing to reach {threshold:g} 万元",
            amount=gap,
        )
    if kind == "overseas":
        flag = _scalar(node.left.args[1], prepared) if len(node.left.args) > 1 else False
        where = "outside mainland China" if flag else "outside mainland China, HK, MO and TW"
        return Path(
            condition.id, kind, positions, _overseas_actions(columns, positions, flag, where)
        )
    if kind == "award":
        values = node.args[1]
        wanted = (
            _scalar(values, prepared)
            if isinstance(values, expr_ast.Param | expr_ast.Literal)
            else [v.value for v in values.items]
        )
        return Path(condition.id, kind, positions, "win one of: " + ", ".join(map(str, wanted)))
    if kind == "ipc":
        return Path(condition.id, kind, positions, _ipc_actions(node, columns, positions, prepared))
    return Path(condition.id, kind, positions, f"meet: {condition.when}")


# --- IPC: no action, but the nearest table row is worth knowing -----------------------------------


def _overseas_actions(columns, positions: np.ndarray, flag: bool, where: str):
    """A grant of a family member abroad; where the families list names members that are
    pending abroad, the grant of those (per patent, joined on the distinct pairs)."""
    base = f"a family member granted in any jurisdiction {where}"
    pending = columns.get("family_pending")
    if not isinstance(pending, ListColumn):
        return base + " (no families list names pending members: --families FILE)"
    excluded = ["CN"] if flag else ["CN", *HK_MO_TW]
    rows = pending.take(positions)
    abroad = ~pd.Index(rows.vocab, dtype=object).isin(excluded)
    keep = abroad[rows.codes]
    entries = pd.DataFrame({"row": rows.parents[keep], "code": rows.vocab[rows.codes[keep]]})
    named = entries.drop_duplicates().groupby("row")["code"].agg(", ".join)
    out = np.full(len(positions), base + " (the families list names none pending abroad)", object)
    out[named.index.to_numpy()] = (
        "the grant of its family member pending in " + named + f" (or any other {where})"
    ).to_numpy(dtype=object)
    return out


def _ipc_actions(node, columns, positions: np.ndarray, prepared: Prepared):
    """ "determined by IPC; no action", with the nearest row of the table in the main code's
    subclass (closest main group) where there is one. Worked out per distinct main code."""
    base = "determined by IPC; no action"
    names = [
        n.args[0].value
        for n in walk(node)
        if isinstance(n, expr_ast.Call)
        and n.name == "table"
        and isinstance(n.args[0], expr_ast.Literal)
    ]
    fields = [n.name for n in walk(node) if isinstance(n, expr_ast.Field)]
    if not names or not fields or not isinstance(columns.get(fields[0]), ListColumn):
        return base
    table, codes = prepared.tables[names[0]], columns[fields[0]]
    has_code = codes.lengths[positions] > 0
    main = np.full(len(positions), -1, dtype=np.int64)
    main[has_code] = codes.codes[codes.offsets[positions[has_code]]]
    used = np.unique(main[main >= 0])
    nearest = _nearest_rows(pd.Series(codes.vocab[used], dtype=object), table)
    labels = np.full(len(codes.vocab) + 1, None, dtype=object)
    labels[used] = nearest
    found = labels[np.where(main >= 0, main, len(codes.vocab))]
    text = base + " (nearest SEI table row in its subclass: " + pd.Series(found) + ")"
    return np.where(pd.isna(found), base, text.to_numpy(dtype=object))


def _group_number(codes: pd.Series) -> pd.Series:
    return pd.to_numeric(codes.str.extract(r" (\d+)/")[0], errors="coerce").fillna(0)


def _nearest_rows(codes: pd.Series, table) -> np.ndarray:
    """For each code, "pattern → sei_code sei_name" of the table pattern in the same
    subclass with the closest main group number; None where the subclass has none."""
    mine = pd.DataFrame(
        {"code": codes, "subclass": codes.str.slice(0, 4), "group": _group_number(codes)}
    )
    patterns = table.patterns.filter(~table.patterns["exclusion"]).to_pandas()
    patterns = patterns[patterns["level"] != "class"]
    theirs = patterns.assign(
        subclass=patterns["key"].str.slice(0, 4),
        row_group=_group_number(patterns["key"]),
        sei_code=table.rules["sei_code"].to_numpy()[patterns["rule"].to_numpy()],
        sei_name=table.rules["sei_name"].to_numpy()[patterns["rule"].to_numpy()],
    )
    pairs = mine.reset_index().merge(theirs, on="subclass", how="inner")
    if pairs.empty:
        return np.full(len(codes), None, dtype=object)
    pairs["distance"] = (pairs["group"] - pairs["row_group"]).abs()
    best = pairs.sort_values(["index", "distance", "pattern"]).drop_duplicates("index")
    label = best["pattern"] + " → " + best["sei_code"].astype(str) + " " + best["sei_name"]
    out = np.full(len(codes), None, dtype=object)
    out[best["index"].to_numpy()] = label.to_numpy(dtype=object)
    return out


def to_iso(days: np.ndarray) -> np.ndarray:
    """datetime64[D] → 'YYYY-MM-DD' strings, None where NaT (vectorized)."""
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    return text


def as_day(value: dt.date) -> np.datetime64:
    return np.datetime64(value, "D")
