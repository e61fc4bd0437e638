"""Classify patents against a patent-classification rule: one vectorized pass.

`evaluate(batch, prepared)` is pure: columns in, a verdict frame with a fixed schema out.
That is the per-chunk function a Dask `map_partitions` would run for data beyond one machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import Env, VectorEvaluator
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
        used = self.version.used_parameters()
        return [
            {"name": name, "value": self.params[name], "unit": p.unit, "note": p.note}
            for name, p in self.version.parameters.items()
            if p.confidence == "assumption" and name in used
        ]


@lru_cache(maxsize=8)
def _cached_table(path: str, mtime: float, name: str) -> IpcTable:
    return load_ipc_table(Path(path), name)


def prepare(
    rule: PatentRule,
    as_of: dt.date,
    overrides: Mapping[str, Any] | None = None,
    table_files: Mapping[str, str | Path] | None = None,
) -> Prepared:
    version = rule.version_for(as_of)
    params = {name: p.value for name, p in version.parameters.items()}
    for name, value in (overrides or {}).items():
        if name not in params:
            raise KeyError(
                f"rule {rule.id} ({version.effective.start}) has no parameter "
                f"{name!r}{did_you_mean(name, params)}"
            )
        params[name] = value
    tables = {}
    for name in rule.tables:
        path = Path((table_files or {}).get(name) or rule.table_path(name)).resolve()
        tables[name] = _cached_table(str(path), path.stat().st_mtime if path.exists() else 0, name)
    return Prepared(rule, version, as_of, params, tables)


def evaluate(batch: PatentBatch, prepared: Prepared) -> pd.DataFrame:
    """One row per patent: id, eligible, high_value, a column per condition, reasons."""
    evaluator = VectorEvaluator(batch.columns, prepared.env, len(batch))
    verdicts = {c.id: evaluator.truth(c.node) for _, c in prepared.version.conditions}
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
    """Each row's set of passed criteria as one integer (bit i = criterion i)."""
    bits = np.zeros(len(criteria[0]) if criteria else 0, dtype=np.uint16)
    for i, passed in enumerate(criteria):
        bits |= passed.view(np.uint8).astype(np.uint16) << i
    return bits


def combination_label(bits: int, ids: list[str]) -> str:
    return "+".join(ids[i] for i in range(len(ids)) if bits >> i & 1)


def _reasons(eligible, eligibility, criteria, prepared: Prepared) -> pd.Categorical:
    # Codes 0..2^k-1 are criterion combinations of eligible patents; 2^k + m encodes the
    # set m of failed eligibility conditions. Labels are built once per code, not per row.
    k = len(criteria)
    failed = criteria_bits([~e for e in eligibility]) if eligibility else 0
    codes = np.where(eligible, criteria_bits(criteria) if criteria else 0, (1 << k) + failed)
    labels = [
        combination_label(b, prepared.criteria_ids) or "eligible; no criterion met"
        for b in range(1 << k)
    ]
    labels += [
        "not eligible: " + combination_label(m, prepared.eligibility_ids)
        for m in range(1 << len(eligibility))
    ]
    return pd.Categorical.from_codes(codes, categories=labels)
