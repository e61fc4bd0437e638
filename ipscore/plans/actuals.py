"""Actual values of plan indicators: a long table of region, indicator, year, value.

`indicator` is an id or the exact Chinese name; `unit` (optional) converts into the
indicator's unit. Every bad row is reported with its line, and nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.patents.readers import read_csv_text, read_workbook
from ipscore.patents.schema import header_key
from ipscore.plans.units import UnitError, convert
from ipscore.spec.models import PlanRule

REQUIRED = ("region", "indicator", "year", "value")
#: Chinese headers of statistical tables → the columns above (and unit, source).
CHINESE_HEADERS = {
    "地区": "region",
    "地区名称": "region",
    "指标": "indicator",
    "指标名称": "indicator",
    "年份": "year",
    "年度": "year",
    "数值": "value",
    "值": "value",
    "单位": "unit",
    "来源": "source",
    "数据来源": "source",
}


@dataclass(frozen=True)
class Actuals:
    """Rows for one region, resolved to indicator ids and the indicators' units."""

    region: str
    rows: pd.DataFrame  # indicator, year, value, source, line, derived
    file: str

    def for_indicator(self, indicator_id: str, up_to: int) -> pd.DataFrame:
        rows = self.rows[(self.rows["indicator"] == indicator_id) & (self.rows["year"] <= up_to)]
        return rows.sort_values("year")

    def with_row(self, indicator_id: str, year: int, value: float, source: str) -> Actuals:
        """A copy where (indicator, year) is `value`, marked as derived."""
        kept = self.rows[~((self.rows["indicator"] == indicator_id) & (self.rows["year"] == year))]
        added = pd.DataFrame(
            [
                {
                    "indicator": indicator_id,
                    "year": year,
                    "value": value,
                    "source": source,
                    "line": None,
                    "derived": True,
                }
            ]
        )
        return Actuals(self.region, pd.concat([kept, added], ignore_index=True), self.file)


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = read_workbook(path).astype("str").where(lambda f: f.notna() & (f != "nan"))
    else:
        frame = read_csv_text(path, dtype=str)
    names = {c: CHINESE_HEADERS.get(header_key(c), header_key(c)) for c in frame.columns}
    return frame.rename(columns=names)


def _resolve(plan: PlanRule, key: str):
    return plan.indicator(key) or plan.series_for(key)


def load_actuals(path: str | Path, plan: PlanRule, region: str) -> Actuals:
    path = Path(path)
    frame = _read(path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected "
            "region, indicator, year, value, and optionally unit, source"
        )
    frame = frame.assign(line=range(2, len(frame) + 2))
    frame["region"] = frame["region"].str.strip()
    if len(frame) and region not in set(frame["region"]):
        regions = sorted(set(frame["region"].dropna()))
        raise InputError(
            f"{path}: no rows for region {region!r}"
            f"{did_you_mean(region, regions)}; regions in the file: "
            f"{', '.join(regions)}"
        )
    rows = frame[frame["region"] == region]
    problems, resolved = [], []
    for row in rows.itertuples():  # actuals are dozens of rows: clarity over speed
        try:
            resolved.append(_row(plan, row))
        except ValueError as err:
            problems.append(f"{path}:{row.line}: {err}")
    table = pd.DataFrame(
        resolved, columns=["indicator", "year", "value", "source", "line", "derived"]
    )
    conflicts, table = _conflicts(path, region, table)
    problems += conflicts
    if problems:
        raise InputError("\n".join(problems))
    return Actuals(region, table, str(path))


def _row(plan: PlanRule, row) -> tuple:
    key = str(row.indicator).strip()
    indicator = _resolve(plan, key)
    if indicator is None:
        names = [n for i in (*plan.indicators, *plan.series) for n in (i.id, i.name)]
        raise ValueError(f"unknown indicator {key!r} for plan {plan.id}{did_you_mean(key, names)}")
    year = pd.to_numeric(row.year, errors="coerce")
    if pd.isna(year) or not np.isfinite(year) or year != int(year):
        raise ValueError(f"year {row.year!r} is not a whole number")
    value = pd.to_numeric(str(row.value).replace(",", ""), errors="coerce")
    if pd.isna(value):
        raise ValueError(f"value {row.value!r} of {indicator.name} is not a number")
    unit = getattr(row, "unit", None)
    if isinstance(unit, str) and unit.strip():
        try:
            value = convert(float(value), unit, indicator.unit)
        except UnitError as err:
            raise ValueError(f"{indicator.name}: unit mismatch, {err}") from None
    source = getattr(row, "source", None)
    return (
        indicator.id,
        int(year),
        float(value),
        source if isinstance(source, str) else None,
        row.line,
        False,
    )


def _conflicts(path: Path, region: str, table: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Two rows for one indicator and year: the same value is a harmless repeat (the
    first is kept); different values are an error naming both lines, since either could be
    the right one."""
    problems = []
    first: dict[tuple, tuple] = {}
    keep = []
    for row in table.itertuples():  # dozens of rows
        key = (row.indicator, row.year)
        if key not in first:
            first[key] = (row.line, row.value)
            keep.append(True)
            continue
        keep.append(False)
        line, value = first[key]
        if value != row.value:
            problems.append(
                f"{path}:{row.line}: repeats {region} / {row.indicator} / {row.year} with "
                f"{row.value:g}, but line {line} has {value:g}"
            )
    return problems, table[np.array(keep, dtype=bool)]
