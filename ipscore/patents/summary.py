"""Totals, per-criterion counts, overlaps and per-region figures of a classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ipscore.assumptions import condition_sources
from ipscore.patents import industries
from ipscore.patents.classify import Prepared, combination_label, criteria_bits
from ipscore.patents.population import Population, per_10k
from ipscore.patents.validate import PatentBatch
from ipscore.regions import divisions, resolve_places
from ipscore.regions.divisions import Level, place_key


@dataclass
class Classification:
    """Everything `ipscore classify` reports; `to_json()` is the stable --json contract."""

    prepared: Prepared
    batch: PatentBatch
    verdicts: pd.DataFrame
    population: Population | None = None
    #: The level regions are reported at: province, city, county, or None (as written).
    by: Level | None = "city"
    region_table: pd.DataFrame = field(init=False)
    unresolved: list[dict[str, Any]] = field(init=False, default_factory=list)
    #: Reports of the lists joined by patent number (awards, pledges, families).
    joins: list[dict[str, Any]] = field(init=False, default_factory=list)

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
        """One row per administrative division at the `by` level (GB/T 2260 code and
        name); a place that resolves to no division keeps its text, with no code, and is
        listed in `unresolved_regions`. Rows are ordered by code, then text: the order
        never depends on the order of the input rows."""
        regions = self.batch.columns["region"]
        if regions.isna().any():
            regions = regions.cat.add_categories("(none)").fillna("(none)")
        regions = regions.astype("category")
        places = list(regions.cat.categories)
        resolution = resolve_places(places)
        table = divisions()
        keys = [
            place_key(c, self.by) if c else p for c, p in zip(resolution.codes, places, strict=True)
        ]
        self.unresolved = self._unresolved(regions, resolution)
        key_codes, key_index = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
        row_keys = key_index[regions.cat.codes.to_numpy()]
        counts = (
            pd.DataFrame(
                {
                    "key": row_keys,
                    "eligible": self.verdicts["eligible"].to_numpy(),
                    "high_value": self.verdicts["high_value"].to_numpy(),
                }
            )
            .groupby("key")[["eligible", "high_value"]]
            .sum()
        )
        resolved = {k for k, c in zip(keys, resolution.codes, strict=True) if c}
        frame = pd.DataFrame(
            {
                "region": [table.name(k) if k in resolved else k for k in key_codes[counts.index]],
                "code": [k if k in resolved else None for k in key_codes[counts.index]],
                "key": key_codes[counts.index],
                "eligible": counts["eligible"].astype(int).to_numpy(),
                "high_value": counts["high_value"].astype(int).to_numpy(),
            }
        )
        if self.population is not None:
            people = self.population.by_place(self.prepared.as_of.year, self.by)
            people = people.rename(columns={"year": "population_year"})
            frame = frame.join(people, on="key", how="left")
        else:
            frame["population"] = np.nan
            frame["population_year"] = np.nan
        frame["per_10k"] = [
            per_10k(c, p) for c, p in zip(frame["high_value"], frame["population"], strict=True)
        ]
        order = frame.assign(_resolved=frame["code"].isna()).sort_values(["_resolved", "key"])
        return order.drop(columns=["_resolved", "key"]).reset_index(drop=True)

    def _unresolved(self, regions: pd.Series, resolution) -> list[dict[str, Any]]:
        codes = regions.cat.codes.to_numpy()
        rows = np.bincount(codes, minlength=len(resolution.places))
        seen, first = np.unique(codes, return_index=True)
        first_row = dict(zip(seen.tolist(), self.batch.rows[first].tolist(), strict=True))
        return sorted(
            (
                {"place": p, "rows": int(rows[i]), "first_row": first_row.get(i), "reason": r}
                for i, (p, c, r) in enumerate(
                    zip(resolution.places, resolution.codes, resolution.reasons, strict=True)
                )
                if c is None and p != "(none)" and rows[i]
            ),
            key=lambda u: (-u["rows"], u["place"]),
        )

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
            "assumptions": p.assumptions_used(),
            "rule_sources": condition_sources(p.rule, p.version),
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
            "regions_by": self.by,
            "unresolved_regions": self.unresolved,
            "unknown_values": self.unknown_values(),
            "warnings": [*self.batch.warnings, *self._population_notes()],
            "joins": self.joins,
        }

    def _population_notes(self) -> list[dict[str, Any]]:
        if self.population is None:
            return []
        rows = len(self.population.table)
        return [
            {"column": "population", "value": "", "rows": rows, "reason": note}
            for note in self.population.notes
        ]

    def unknown_values(self) -> list[dict[str, Any]]:
        """Rejected values that are not in a vocabulary (status, type, country …), with how
        many rows carry each: what to add to a table or fix at the source."""
        rejects = self.batch.rejects
        unknown = rejects[rejects["reason"].str.startswith("unknown")]
        if unknown.empty:
            return []
        counts = unknown.groupby(["column", "value"]).size().reset_index(name="rows")
        counts = counts.sort_values(["column", "rows", "value"], ascending=[True, False, True])
        return counts.to_dict("records")


def _region_json(row: dict[str, Any]) -> dict[str, Any]:
    def clean(value):
        return None if value is None or pd.isna(value) else value

    return {
        "region": row["region"],
        "high_value": int(row["high_value"]),
        "population": clean(row["population"]),
        "per_10k": clean(row["per_10k"]),
        "population_year": clean(row.get("population_year")),
        "code": clean(row.get("code")),  # last: earlier consumers read the keys in order
    }
