"""The counts of a classification, as a value that adds up.

A register evaluated in chunks (or on a Dask cluster) gives one `Tally` per chunk; their
sum is the tally of the whole register, so every figure `classify` reports (totals,
criteria, overlaps, regions, industries, caliber range, unknown values, warnings) is the
same whichever way the rows were cut. A single-pass run is the one-chunk case.

Everything here is small: keyed by distinct places, criterion sets, industry sets and
vocabulary values, never by patent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PLACE_COLUMNS = ["rows", "eligible", "high_value", "first_row"]
#: Where a register gives no region: counted under this place, never dropped.
NO_PLACE = "(none)"


def _sum(frames: list[pd.DataFrame], keys: list[str], first: str | None = None) -> pd.DataFrame:
    """Add tables keyed by `keys`; `first` is a column combined by min (a first row)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return frames[0] if frames else pd.DataFrame()
    whole = pd.concat(frames, ignore_index=True)
    aggregate = {c: ("min" if c == first else "sum") for c in whole.columns if c not in keys}
    return whole.groupby(keys, sort=True, dropna=False).agg(aggregate).reset_index()


@dataclass
class Tally:
    """Counts of one evaluated slice of a register (see the module's docstring)."""

    criteria_ids: tuple[str, ...]
    read: int = 0
    evaluated: int = 0
    eligible: int = 0
    high_value: int = 0
    #: Eligible patents passing each criterion, in `criteria_ids` order.
    criteria: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: High-value patents by the set of criteria they pass (bit i = criterion i).
    combinations: pd.DataFrame = field(default_factory=pd.DataFrame)  # bits, count
    #: Evaluated patents by region as written: place, rows, eligible, high_value, first_row.
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Evaluated patents by their set of 战略性新兴产业: bits, patents, high_value.
    industries: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Counts under each reading of the SEI keyword rows: sei_keywords, strategic_emerging,
    #: high_value, unverifiable.
    caliber: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Rejected values not in a vocabulary: column, value, rows.
    unknown: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Values kept but reported (unrecognised awards …): column, value, reason, rows.
    warnings: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rejected(self) -> int:
        return self.read - self.evaluated

    def __add__(self, other: Tally) -> Tally:
        if other.criteria_ids != self.criteria_ids:
            raise ValueError("tallies of different rules cannot be added")
        criteria = [c for c in (self.criteria, other.criteria) if len(c)]
        return Tally(
            self.criteria_ids,
            self.read + other.read,
            self.evaluated + other.evaluated,
            self.eligible + other.eligible,
            self.high_value + other.high_value,
            np.sum(criteria, axis=0) if criteria else self.criteria,
            _sum([self.combinations, other.combinations], ["bits"]),
            _sum([self.places, other.places], ["place"], first="first_row"),
            _sum([self.industries, other.industries], ["bits"]),
            _sum([self.caliber, other.caliber], ["sei_keywords"]),
            _sum([self.unknown, other.unknown], ["column", "value"]),
            _sum([self.warnings, other.warnings], ["column", "value", "reason"]),
        )


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values, by hashing (np.unique would sort every row)."""
    codes, distinct = pd.factorize(values, sort=True)
    return codes, np.asarray(distinct, dtype=np.uint64)


def combination_counts(bits: np.ndarray) -> pd.DataFrame:
    codes, distinct = _distinct(bits)
    counts = np.bincount(codes, minlength=len(distinct))
    return pd.DataFrame({"bits": distinct, "count": counts.astype(np.int64)})


def place_counts(
    regions: pd.Series, rows: np.ndarray, eligible: np.ndarray, high_value: np.ndarray
) -> pd.DataFrame:
    """Per distinct place text: patents, eligible, high-value, first data row."""
    places = pd.Series(regions, copy=False).astype("category")
    if places.isna().any():
        places = places.cat.add_categories(NO_PLACE).fillna(NO_PLACE)
    codes = places.cat.codes.to_numpy()
    n = len(places.cat.categories)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, rows.astype(np.int64))
    frame = pd.DataFrame(
        {
            "place": [str(p) for p in places.cat.categories],
            "rows": np.bincount(codes, minlength=n),
            "eligible": np.bincount(codes, weights=eligible, minlength=n).astype(np.int64),
            "high_value": np.bincount(codes, weights=high_value, minlength=n).astype(np.int64),
            "first_row": first,
        }
    )
    return frame[frame["rows"] > 0].reset_index(drop=True)


def industry_counts(bits: np.ndarray, high_value: np.ndarray) -> pd.DataFrame:
    index, distinct = _distinct(bits)
    return pd.DataFrame(
        {
            "bits": distinct,
            "patents": np.bincount(index, minlength=len(distinct)).astype(np.int64),
            "high_value": np.bincount(index, weights=high_value, minlength=len(distinct)).astype(
                np.int64
            ),
        }
    )


def unknown_counts(rejects: pd.DataFrame) -> pd.DataFrame:
    unknown = rejects[rejects["reason"].str.startswith("unknown")]
    if unknown.empty:
        return pd.DataFrame(columns=["column", "value", "rows"])
    return unknown.groupby(["column", "value"]).size().reset_index(name="rows")


def warning_counts(warnings: list[dict]) -> pd.DataFrame:
    """Warnings that count rows (unrecognised awards); others are file-level notes."""
    counted = [w for w in warnings if "rows" in w]
    if not counted:
        return pd.DataFrame(columns=["column", "value", "reason", "rows"])
    frame = pd.DataFrame(counted)[["column", "value", "reason", "rows"]]
    return frame.astype({"value": str})
