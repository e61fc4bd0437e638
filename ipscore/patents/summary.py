"""Totals, per-criterion counts, overlaps and per-region figures of a classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ipscore.patents import industries
from ipscore.patents.classify import Prepared, combination_label, criteria_bits
from ipscore.patents.population import Population, per_10k
from ipscore.patents.validate import PatentBatch


@dataclass
class Classification:
    """Everything `ipscore classify` reports; `to_json()` is the stable --json contract."""

    prepared: Prepared
    batch: PatentBatch
    verdicts: pd.DataFrame
    population: Population | None = None
    region_table: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.region_table = self._regions()
        labels = industries.industry_column(self.batch, self.prepared)
        if labels is not None and "sei_industries" not in self.verdicts:
            self.verdicts["sei_industries"] = labels

    def industries(self) -> list[dict[str, Any]]:
        """Evaluated and high-value patents by 战略性新兴产业 大类 and 中类."""
        found = industries.sei_call(self.prepared)
        if found is None:
            return []
        return industries.breakdown(
            industries.row_bits(self.batch, self.prepared, found),
            self.verdicts["high_value"].to_numpy(),
            industries.table_of(self.prepared, found),
        )

    @cached_property
    def caliber(self) -> list[dict[str, Any]]:
        """Counts under each reading of the table's keyword rows (an unknown caliber)."""
        return industries.caliber_range(self.batch, self.prepared, self.verdicts)

    @property
    def eligible(self) -> int:
        return int(self.verdicts["eligible"].sum())

    @property
    def high_value(self) -> int:
        return int(self.verdicts["high_value"].sum())

    def criteria_counts(self) -> dict[str, int]:
        """Eligible patents passing each criterion; one patent can pass several."""
        eligible = self.verdicts["eligible"].to_numpy()
        return {
            c: int((self.verdicts[c].to_numpy() & eligible).sum())
            for c in self.prepared.criteria_ids
        }

    @cached_property
    def _high_value_bits(self) -> np.ndarray:
        high = self.verdicts["high_value"].to_numpy()
        criteria = [self.verdicts[c].to_numpy()[high] for c in self.prepared.criteria_ids]
        return criteria_bits(criteria) if criteria else np.zeros(0, dtype=np.int64)

    def overlap(self) -> dict[int, int]:
        """How many high-value patents pass exactly 1, 2, … criteria."""
        bits = self._high_value_bits
        passed = np.zeros(len(bits), dtype=np.int64)
        for i in range(len(self.prepared.criteria_ids)):
            passed += bits >> i & 1
        counts = np.bincount(passed, minlength=len(self.prepared.criteria_ids) + 1)
        return {n: int(counts[n]) for n in range(1, len(counts)) if counts[n]}

    def combinations(self, top: int = 8) -> list[tuple[str, int]]:
        counts = np.bincount(self._high_value_bits, minlength=1 << len(self.prepared.criteria_ids))
        order = np.argsort(-counts, kind="stable")
        ids = self.prepared.criteria_ids
        return [(combination_label(int(b), ids), int(counts[b])) for b in order[:top] if counts[b]]

    def _regions(self) -> pd.DataFrame:
        regions = self.batch.columns["region"]
        if regions.isna().any():
            regions = regions.cat.add_categories("(none)").fillna("(none)")
        frame = pd.DataFrame(
            {
                "region": regions,
                "high_value": self.verdicts["high_value"],
                "eligible": self.verdicts["eligible"],
            }
        )
        table = frame.groupby("region", observed=True, sort=True)[["eligible", "high_value"]].sum()
        table = table.astype(int)
        if self.population is not None:
            people = self.population.for_year(self.prepared.as_of.year)
            table = table.join(people.rename(columns={"year": "population_year"}), how="left")
        else:
            table["population"] = np.nan
            table["population_year"] = np.nan
        table["per_10k"] = [
            per_10k(c, p) for c, p in zip(table["high_value"], table["population"], strict=True)
        ]
        return table.reset_index()

    def to_json(self) -> dict[str, Any]:
        p = self.prepared
        return {
            "rules": p.rule.id,
            "version": p.version.effective.start.isoformat(),
            "version_confidence": p.version.confidence,
            "as_of": p.as_of.isoformat(),
            "read": self.batch.read,
            "rejected": self.batch.rejected,
            "evaluated": len(self.batch),
            "eligible": self.eligible,
            "high_value": self.high_value,
            "criteria": self.criteria_counts(),
            "overlap": {str(k): v for k, v in self.overlap().items()},
            "combinations": [{"criteria": c, "count": n} for c, n in self.combinations()],
            "assumptions": [{"name": a["name"], "value": a["value"]} for a in p.assumptions_used()],
            "tables": [
                {
                    **t.describe(),
                    "sample": p.rule.tables[n].sample,
                    "confidence": p.rule.tables[n].confidence,
                    "title": p.rule.tables[n].source.document if p.rule.tables[n].source else None,
                }
                for n, t in p.tables.items()
            ],
            "industries": self.industries(),
            "caliber_range": self.caliber,
            "absent_columns": self.batch.absent,
            "regions": [_region_json(r) for r in self.region_table.to_dict("records")],
        }


def _region_json(row: dict[str, Any]) -> dict[str, Any]:
    def clean(value):
        return None if value is None or pd.isna(value) else value

    return {
        "region": row["region"],
        "high_value": int(row["high_value"]),
        "population": clean(row["population"]),
        "per_10k": clean(row["per_10k"]),
        "population_year": clean(row.get("population_year")),
    }
