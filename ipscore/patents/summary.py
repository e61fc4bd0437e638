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
from ipscore.patents.sei import KEYWORD_MODES
from ipscore.patents.tally import (
    NO_PLACE,
    PLACE_COLUMNS,
    Tally,
    combination_counts,
    industry_counts,
    place_counts,
    unknown_counts,
    warning_counts,
)
from ipscore.patents.validate import PatentBatch
from ipscore.regions import divisions, resolve_places
from ipscore.regions.divisions import Level, place_key


@dataclass
class Classification:
    """Everything `ipscore classify` reports; `to_json()` is the stable --json contract.

    Every figure comes from `tally` (counts that add up across chunks): a single-pass run
    computes it from `verdicts`; a chunked or Dask run (`ipscore.bulk`) adds the chunks'
    tallies and has no per-patent `verdicts` in memory. `batch` is the register (or, for
    a chunked run, its summary: source, read, rejected, rejects, absent, warnings)."""

    prepared: Prepared
    batch: PatentBatch | Any
    verdicts: pd.DataFrame | None
    population: Population | None = None
    #: The level regions are reported at: province, city, county, or None (as written).
    by: Level | None = "city"
    tally: Tally | None = None
    region_table: pd.DataFrame = field(init=False)
    unresolved: list[dict[str, Any]] = field(init=False, default_factory=list)
    #: Reports of the lists joined by patent number (awards, pledges, families).
    joins: list[dict[str, Any]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if self.tally is None:
            bits, self.tally = tally_of(self.batch, self.verdicts, self.prepared)
            if bits is not None and "sei_industries" not in self.verdicts:
                self.verdicts["sei_industries"] = industry_labels(self.prepared, bits)
        self.region_table = self._regions()

    def industries(self) -> list[dict[str, Any]]:
        """Evaluated and high-value patents by 战略性新兴产业 大类 and 中类."""
        found = industries.sei_call(self.prepared)
        if found is None or self.tally.industries.empty:
            return []
        return industries.breakdown(
            self.tally.industries, industries.table_of(self.prepared, found)
        )

    @cached_property
    def caliber(self) -> list[dict[str, Any]]:
        """Counts under each reading of the table's keyword rows (an unknown caliber)."""
        if self.tally.caliber.empty:
            return []
        in_force = self.prepared.params.get(industries.MODE_PARAMETER)
        rows = self.tally.caliber.set_index("sei_keywords")
        return [
            {
                "sei_keywords": mode,
                "in_force": mode == in_force,
                **{k: int(v) for k, v in rows.loc[mode].items()},
            }
            for mode in KEYWORD_MODES
            if mode in rows.index
        ]

    @property
    def eligible(self) -> int:
        return self.tally.eligible

    @property
    def high_value(self) -> int:
        return self.tally.high_value

    def criteria_counts(self) -> dict[str, int]:
        """Eligible patents passing each criterion; one patent can pass several."""
        return {
            c: int(n) for c, n in zip(self.prepared.criteria_ids, self.tally.criteria, strict=True)
        }

    def overlap(self) -> dict[int, int]:
        """How many high-value patents pass exactly 1, 2, … criteria."""
        found = self.tally.combinations
        if found.empty:
            return {}
        passed = np.array([int(b).bit_count() for b in found["bits"]])
        counts = np.bincount(passed, weights=found["count"], minlength=1).astype(np.int64)
        return {n: int(counts[n]) for n in range(1, len(counts)) if counts[n]}

    def combinations(self, top: int = 8) -> list[tuple[str, int]]:
        """The most frequent sets of criteria among high-value patents (ties: fewer and
        earlier criteria first, so the order never depends on the rows' order)."""
        found = self.tally.combinations
        if found.empty:
            return []
        order = found.assign(_bits=found["bits"].astype("uint64")).sort_values(
            ["count", "_bits"], ascending=[False, True], kind="stable"
        )
        ids = self.prepared.criteria_ids
        return [
            (combination_label(int(b), ids), int(n))
            for b, n in zip(order["bits"][:top], order["count"][:top], strict=True)
            if n
        ]

    def _regions(self) -> pd.DataFrame:
        """One row per administrative division at the `by` level (GB/T 2260 code and
        name); a place that resolves to no division keeps its text, with no code, and is
        listed in `unresolved_regions`. Rows are ordered by code, then text: the order
        never depends on the order of the input rows."""
        places = self.tally.places
        if places.empty:
            places = pd.DataFrame(columns=["place", *PLACE_COLUMNS])
        resolution = resolve_places(list(places["place"]))
        table = divisions()
        keys = [
            place_key(c, self.by) if c else p
            for c, p in zip(resolution.codes, resolution.places, strict=True)
        ]
        self.unresolved = _unresolved(places, resolution)
        counts = places.assign(key=keys).groupby("key", sort=True)[["eligible", "high_value"]].sum()
        resolved = {k for k, c in zip(keys, resolution.codes, strict=True) if c}
        frame = pd.DataFrame(
            {
                "region": [table.name(k) if k in resolved else k for k in counts.index],
                "code": [k if k in resolved else None for k in counts.index],
                "key": list(counts.index),
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

    def to_json(self) -> dict[str, Any]:
        p = self.prepared
        return {
            "rules": p.rule.id,
            "version": p.version.effective.start.isoformat(),
            "version_confidence": p.version.confidence,
            "as_of": p.as_of.isoformat(),
            "read": self.tally.read,
            "rejected": self.tally.rejected,
            "evaluated": self.tally.evaluated,
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
            "warnings": [
                *self.batch.warnings,
                *self.value_warnings(),
                *self._population_notes(),
            ],
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
        counts = self.tally.unknown
        if counts.empty:
            return []
        counts = counts.sort_values(["column", "rows", "value"], ascending=[True, False, True])
        return [
            {"column": c, "value": v, "rows": int(n)}
            for c, v, n in zip(counts["column"], counts["value"], counts["rows"], strict=True)
        ]

    def value_warnings(self) -> list[dict[str, Any]]:
        found = self.tally.warnings
        if found.empty:
            return []
        found = found.sort_values(["column", "rows", "value"], ascending=[True, False, True])
        return [
            {"column": c, "value": v, "rows": int(n), "reason": r}
            for c, v, n, r in zip(
                found["column"], found["value"], found["rows"], found["reason"], strict=True
            )
        ]


def _unresolved(places: pd.DataFrame, resolution) -> list[dict[str, Any]]:
    return sorted(
        (
            {"place": p, "rows": int(n), "first_row": int(f), "reason": r}
            for p, n, f, c, r in zip(
                places["place"],
                places["rows"],
                places["first_row"],
                resolution.codes,
                resolution.reasons,
                strict=True,
            )
            if c is None and p != NO_PLACE and n
        ),
        key=lambda u: (-u["rows"], u["place"]),
    )


def industry_labels(prepared: Prepared, bits: np.ndarray) -> pd.Categorical:
    """The `sei_industries` column: every matched 中类 of a patent, `;`-separated."""
    found = industries.sei_call(prepared)
    return industries.table_of(prepared, found).labels(bits)


def tally_of(
    batch: PatentBatch, verdicts: pd.DataFrame, prepared: Prepared
) -> tuple[np.ndarray | None, Tally]:
    """The counts of one evaluated batch, and each patent's industry set (None when the
    rule has no SEI criterion)."""
    eligible = verdicts["eligible"].to_numpy()
    high = verdicts["high_value"].to_numpy()
    ids = prepared.criteria_ids
    criteria = [verdicts[c].to_numpy() for c in ids]
    bits, industry_table, caliber = None, pd.DataFrame(), pd.DataFrame()
    found = industries.sei_call(prepared)
    if found is not None:
        bits = industries.row_bits(batch, prepared, found)
        industry_table = industry_counts(bits, high)
        caliber = industries.caliber_counts(batch, prepared, verdicts)
    tally = Tally(
        tuple(ids),
        read=batch.read,
        evaluated=len(batch),
        eligible=int(eligible.sum()),
        high_value=int(high.sum()),
        criteria=np.array([int((c & eligible).sum()) for c in criteria], dtype=np.int64),
        combinations=combination_counts(criteria_bits([c[high] for c in criteria]))
        if criteria
        else combination_counts(np.zeros(0, np.uint64)),
        places=place_counts(batch.columns["region"], batch.rows, eligible, high),
        industries=industry_table,
        caliber=caliber,
        unknown=unknown_counts(batch.rejects),
        warnings=warning_counts(batch.value_warnings),
    )
    return bits, tally


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
