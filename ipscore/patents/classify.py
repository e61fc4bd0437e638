"""Classify patents against a patent-classification rule: one vectorized pass.

`evaluate(batch, prepared)` is pure: columns in, a verdict frame with a fixed schema out.
That is the per-chunk function a Dask `map_partitions` would run for data beyond one machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from ipscore.assumptions import patent_assumptions
from ipscore.errors import InputError
from ipscore.expr import Env, VectorEvaluator, walk
from ipscore.expr import ast as expr_ast
from ipscore.expr.errors import did_you_mean
from ipscore.patents.sei import IpcTable, load_ipc_table
from ipscore.patents.validate import PatentBatch
from ipscore.spec import PatentRule, Version


@dataclass(frozen=True)
class Prepared:
    """A rule made ready for one evaluation date: its version, parameters and tables."""

    rule: PatentRule
    version: Version
    as_of: dt.date
    params: Mapping[str, Any]
    tables: Mapping[str, IpcTable]

    @property
    def env(self) -> Env:
        return Env(
            params=self.params, context={"as_of": pd.Timestamp(self.as_of)}, tables=self.tables
        )

    @property
    def criteria_ids(self) -> list[str]:
        return [c.id for c in self.version.criteria]

    @property
    def eligibility_ids(self) -> list[str]:
        return [c.id for c in self.version.eligibility]

    def assumptions_used(self) -> list[dict[str, Any]]:
        """Unconfirmed parameters the conditions read, and an unconfirmed version."""
        return patent_assumptions(self)


@lru_cache(maxsize=8)
def _cached_table(path: str, mtime: float, name: str) -> IpcTable:
    return load_ipc_table(Path(path), name)


def prepare(
    rule: PatentRule,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    table_files: Mapping[str, str | Path] | None = None,
    disabled: Collection[str] = (),
) -> Prepared:
    """The rule's version in force at `as_of`, with parameter overrides and criteria
    switched off (a scenario's changes), and its tables loaded."""
    version = rule.version_for(as_of)
    params = {name: p.value for name, p in version.parameters.items()}
    for name, value in (overrides or {}).items():
        if name not in params:
            raise KeyError(
                f"rule {rule.id} (version from {version.effective.start}) has no parameter "
                f"{name!r}{did_you_mean(name, params)}"
            )
        params[name] = _typed(rule.id, name, value, params[name])
    criteria_ids = [c.id for c in version.criteria]
    for criterion in disabled:
        if criterion not in criteria_ids:
            raise KeyError(
                f"rule {rule.id} (version from {version.effective.start}) has no criterion "
                f"{criterion!r}{did_you_mean(criterion, criteria_ids)}"
            )
    if disabled:
        kept = [c for c in version.criteria if c.id not in disabled]
        version = version.model_copy(update={"criteria": kept})
    tables = {}
    for name in rule.tables:
        path = Path((table_files or {}).get(name) or rule.table_path(name)).resolve()
        tables[name] = _cached_table(str(path), path.stat().st_mtime if path.exists() else 0, name)
    return Prepared(rule, version, as_of, params, tables)


def _typed(rule_id: str, name: str, value: Any, default: Any) -> Any:
    """An override must have the declared value's type (numbers may be int or float)."""
    kind = (
        float
        if isinstance(default, int | float) and not isinstance(default, bool)
        else (type(default))
    )
    try:
        return TypeAdapter(kind).validate_python(value, strict=kind is bool)
    except ValidationError as err:
        raise InputError(
            f"{rule_id}.{name}: {value!r} is not a {kind.__name__} ({err.errors()[0]['msg']})"
        ) from None


def _reusable(condition, prepared: Prepared, previous: Prepared) -> bool:
    """A condition whose parameters and tables are unchanged gives the same column."""
    names = {n.name for n in walk(condition.node) if isinstance(n, expr_ast.Param)}
    same_tables = all(prepared.tables[k] is previous.tables.get(k) for k in prepared.tables)
    return (
        all(prepared.params[n] == previous.params.get(n) for n in names)
        and prepared.as_of == previous.as_of
        and same_tables
    )


def evaluate(
    batch: PatentBatch,
    prepared: Prepared,
    reuse: tuple[PatentBatch, Prepared, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per patent: id, eligible, high_value, a column per condition, reasons.

    `reuse` is an earlier evaluation: on the same batch, conditions the change does not
    touch are copied from it instead of being evaluated again (sweeps, scenarios)."""
    evaluator = VectorEvaluator(batch.columns, prepared.env, len(batch))
    verdicts = {}
    for _, condition in prepared.version.conditions:
        if (
            reuse
            and reuse[0] is batch
            and condition.id in reuse[2]
            and _reusable(condition, prepared, reuse[1])
        ):
            verdicts[condition.id] = reuse[2][condition.id].to_numpy()
        else:
            verdicts[condition.id] = evaluator.truth(condition.node)
    eligibility = [verdicts[i] for i in prepared.eligibility_ids]
    criteria = [verdicts[i] for i in prepared.criteria_ids]
    eligible = np.logical_and.reduce(eligibility) if eligibility else np.ones(len(batch), bool)
    passes_any = np.logical_or.reduce(criteria) if criteria else np.zeros(len(batch), bool)
    frame = pd.DataFrame(
        {
            "id": batch.columns["id"].array,
            "row": batch.rows,
            "eligible": eligible,
            "high_value": eligible & passes_any,
        }
    )
    for key, value in verdicts.items():
        frame[key] = value
    frame["reasons"] = _reasons(eligible, eligibility, criteria, prepared)
    return frame


def criteria_bits(criteria: list[np.ndarray]) -> np.ndarray:
    """Each row's set of passed criteria as one integer (bit i = criterion i); a rule has
    at most 64 conditions (`ipscore.spec` limits), so a set fits in 64 bits."""
    bits = np.zeros(len(criteria[0]) if criteria else 0, dtype=np.uint64)
    for i, passed in enumerate(criteria):
        bits |= np.asarray(passed, dtype=np.uint64) << np.uint64(i)
    return bits


def combination_label(bits: int, ids: list[str]) -> str:
    return "+".join(ids[i] for i in range(len(ids)) if bits >> i & 1)


def _reasons(eligible, eligibility, criteria, prepared: Prepared) -> pd.Categorical:
    """Each row's reason as a category: the criteria an eligible patent passes, or the
    eligibility conditions it fails. Labels are made for the combinations that occur, not
    for all 2^k of them: a rule with many conditions costs no more than one with few."""
    n = len(eligible)
    codes = np.zeros(n, dtype=np.int64)
    labels: list[str] = []
    sides = (
        (eligible, criteria, prepared.criteria_ids, "", "eligible; no criterion met"),
        (~eligible, [~e for e in eligibility], prepared.eligibility_ids, "not eligible: ", ""),
    )
    for rows, conditions, ids, prefix, empty in sides:
        if not rows.any():
            continue
        bits = (
            criteria_bits([c[rows] for c in conditions])
            if conditions
            else np.zeros(int(rows.sum()), dtype=np.uint64)
        )
        inverse, distinct = pd.factorize(bits, sort=True)  # hashing: no sort of the rows
        codes[rows] = inverse + len(labels)
        labels += [prefix + (combination_label(int(b), ids) or empty) for b in distinct]
    return pd.Categorical.from_codes(codes, categories=labels)
