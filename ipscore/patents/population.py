"""Resident population by region and year, in units of 10,000 people (万人).

The file may use English or Chinese headers (地区, 年份, 常住人口/人口, 单位). The unit comes
from a 单位/unit column or the population header (常住人口(万人), 人口(人)); without either,
figures above the population of China in 万人 can only be persons: a file whose figures
all look like persons is converted (and says so), a file that mixes both is refused.
Regions resolve to GB/T 2260 codes, so 广州, 广州市 and 440100 are one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.patents.readers import read_csv_text
from ipscore.patents.schema import header_key
from ipscore.regions import resolve_places
from ipscore.regions.divisions import Level, place_key

COLUMNS = ("region", "year", "population")
HEADERS = {
    "region": (
        "region",
        "地区",
        "地区名称",
        "省份",
        "城市",
        "行政区划",
        "province_zh",
        "区域",
        "gb2260_code",
        "行政区划代码",
        "代码",
    ),
    "year": ("year", "年份", "年度", "年"),
    "population": (
        "population",
        "常住人口",
        "年末常住人口",
        "人口",
        "resident_population_10k",
        "常住人口(万人)",
        "人口(万人)",
        "年末常住人口(万人)",
        "常住人口(人)",
        "人口(人)",
        "population_10k",
    ),
    "unit": ("unit", "单位"),
}
#: No region of China has more people than China: 141,260万 (2021, 国家统计局). A figure
#: above this cannot be in 万人.
MOST_10K = 150_000
#: Persons per unit of 10,000 people, by unit name.
DIVISOR = {"万人": 1.0, "万": 1.0, "10k": 1.0, "人": 1e4, "persons": 1e4, "person": 1e4}


@dataclass(frozen=True)
class Population:
    table: pd.DataFrame  # region, year, population (万人)
    source: str
    notes: list[str] = field(default_factory=list)

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
    if not math.isfinite(population_10k):
        return None
    return count / population_10k


def _columns(path: Path, frame: pd.DataFrame) -> dict[str, str]:
    keys = {header_key(c).lower(): c for c in frame.columns}
    found = {}
    for name, aliases in HEADERS.items():
        for alias in aliases:
            if header_key(alias).lower() in keys:
                found[name] = keys[header_key(alias).lower()]
                break
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise InputError(
            f"{path}: population table lacks column(s) {', '.join(missing)}; expected "
            "region, year, population (or 地区, 年份, 常住人口), and optionally unit/单位"
        )
    return found


def _read(path: Path) -> pd.DataFrame:
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from ipscore.patents.workbook import read_workbook

        return read_workbook(path).astype("str").where(lambda f: f.notna() & (f != "nan"))
    return read_csv_text(path, dtype=str)


def load_population(path: str | Path) -> Population:
    path = Path(path)
    frame = _read(path)
    names = _columns(path, frame)
    lines = np.arange(2, len(frame) + 2)
    year = pd.to_numeric(frame[names["year"]], errors="coerce").to_numpy(dtype="float64")
    people = pd.to_numeric(
        frame[names["population"]].str.replace(",", ""), errors="coerce"
    ).to_numpy(dtype="float64")
    whole_year = np.isfinite(year) & (np.floor(np.nan_to_num(year)) == year)
    bad = ~whole_year | ~np.isfinite(people) | ~(people > 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{path}:{lines[row]}: year must be a whole number and population a finite "
            f"positive number (got year={frame[names['year']].iloc[row]!r}, "
            f"population={frame[names['population']].iloc[row]!r})"
        )
    scale, notes = _scale(path, frame, names, people, lines)
    table = pd.DataFrame(
        {
            "region": frame[names["region"]].str.strip().to_numpy(),
            "year": year.astype(int),
            "population": people / scale,
        }
    )
    _no_repeats(path, table, lines)
    return Population(table, str(path), notes)


def _scale(path, frame, names, people, lines) -> tuple[np.ndarray, list[str]]:
    """What each row's figure is divided by to give 万人."""
    header = str(names["population"])
    if "unit" in names:
        units = frame[names["unit"]].fillna("").str.strip().str.lower()
        scale = units.map(DIVISOR).to_numpy(dtype="float64")
        unknown = np.isnan(scale)
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise InputError(
                f"{path}:{lines[row]}: unit {frame[names['unit']].iloc[row]!r} is not 万人 or 人"
            )
        return scale, []
    if "万" in header or header.endswith("_10k"):
        scale = np.ones(len(people))
    elif header_key(header).endswith("(人)"):
        return np.full(len(people), 1e4), []
    else:
        too_big = people > MOST_10K
        if not too_big.any():
            return np.ones(len(people)), []
        if not too_big.all():
            row = int(np.flatnonzero(too_big)[0])
            raise InputError(
                f"{path}:{lines[row]}: population {people[row]:,.0f} is more than China's in "
                "万人, so it must be persons, but other rows look like 万人; add a unit column "
                "(单位: 万人 or 人)"
            )
        return np.full(len(people), 1e4), [
            f"{path}: population read as persons (every figure exceeds {MOST_10K:,} 万人) "
            "and converted to 万人"
        ]
    return scale, []


def _no_repeats(path: Path, table: pd.DataFrame, lines: np.ndarray) -> None:
    first = table.duplicated(["region", "year"], keep=False)
    if first.any():
        rows = np.flatnonzero(first.to_numpy())
        key = table.iloc[rows[0]]
        same = rows[
            (table["region"].iloc[rows] == key["region"]).to_numpy()
            & (table["year"].iloc[rows] == key["year"]).to_numpy()
        ]
        raise InputError(
            f"{path}:{lines[same[1]]}: region {key['region']!r} repeats year {key['year']} "
            f"(first at line {lines[same[0]]})"
        )
