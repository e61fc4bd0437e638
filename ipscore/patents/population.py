"""Resident population by region and year, in units of 10,000 people (万人)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipscore.errors import InputError
from ipscore.patents.readers import read_csv_text
from ipscore.regions import resolve_places
from ipscore.regions.divisions import Level, place_key

COLUMNS = ("region", "year", "population")


@dataclass(frozen=True)
class Population:
    table: pd.DataFrame  # region, year, population (万人)
    source: str

    def for_year(self, year: int) -> pd.DataFrame:
        """Per region, the latest figure at or before `year`: region, population, year."""
        known = self.table[self.table["year"] <= year]
        latest = known.sort_values("year").groupby("region", observed=True).tail(1)
        return latest.set_index("region")[["population", "year"]]

    def by_place(self, year: int, level: Level | None) -> pd.DataFrame:
        """for_year keyed by place: the division code at `level` where the region
        resolves (广州, 广州市 and 440100 are one place), else the text as written."""
        table = self.for_year(year)
        resolution = resolve_places(table.index)
        keys = [
            place_key(c, level) if c else r
            for c, r in zip(resolution.codes, table.index, strict=True)
        ]
        return table.set_axis(keys).groupby(level=0).last()


def per_10k(count: float, population_10k: float | None) -> float | None:
    """每万人口拥有量: the count divided by the population in units of 10,000."""
    if population_10k is None or pd.isna(population_10k) or population_10k <= 0:
        return None
    return count / population_10k


def load_population(path: str | Path) -> Population:
    path = Path(path)
    frame = read_csv_text(path, dtype={"region": str})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: population table lacks column(s) {', '.join(missing)}; "
            "expected region, year, population (in 万人)"
        )
    numbers = frame[["year", "population"]].apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().any(axis=1) | (numbers["population"] <= 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{path}:{row + 2}: year and population must be positive numbers "
            f"(got year={frame['year'][row]!r}, "
            f"population={frame['population'][row]!r})"
        )
    repeated = frame.duplicated(["region", "year"])
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{path}:{row + 2}: region {frame['region'][row]!r} repeats year {frame['year'][row]}"
        )
    table = pd.DataFrame(
        {
            "region": frame["region"].str.strip(),
            "year": numbers["year"].astype(int),
            "population": numbers["population"].astype(float),
        }
    )
    return Population(table, str(path))
