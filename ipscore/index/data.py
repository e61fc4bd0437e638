"""Unit data for an index: the long table `unit, indicator, year, value` (the plan actuals'
layout; `region` is accepted for `unit`), read into a units × indicators matrix for the
year scored, plus each unit's latest earlier value (for previous-year imputation). Fields
with a `table:` (a population file, say) are read from that file in the same layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.patents.readers import read_csv_text
from ipscore.spec.models import IndexRule

TRUE = {"true", "1", "yes", "是", "有", "y"}
FALSE = {"false", "0", "no", "否", "无", "n"}
_DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class UnitData:
    units: list[str]
    indicators: list[str]
    values: np.ndarray  # units × indicators, NaN where missing
    fields: dict[str, np.ndarray]  # one value a unit: float (NaN missing) or text (None)
    year: int
    source: str
    previous: np.ndarray | None = field(default=None)  # latest earlier value, NaN if none

    def __post_init__(self) -> None:
        if self.previous is None:
            object.__setattr__(self, "previous", np.full(self.values.shape, np.nan))

    def reordered(self, order: list[int]) -> UnitData:
        return UnitData(
            [self.units[i] for i in order],
            self.indicators,
            self.values[order],
            {k: v[order] for k, v in self.fields.items()},
            self.year,
            self.source,
            self.previous[order],
        )


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    frame = (
        pd.read_excel(path, dtype=str)
        if path.suffix.lower() in (".xlsx", ".xlsm")
        else read_csv_text(path, dtype=str)
    ).rename(columns={"region": "unit"})
    missing = [c for c in ("unit", "indicator", "year", "value") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected unit "
            "(or region), indicator, year, value"
        )
    frame["line"] = [f"{path}:{n}" for n in range(2, len(frame) + 2)]
    return frame


def _table_path(rule: IndexRule, name: str) -> Path:
    for folder in (rule._origin.parent if rule._origin else None, _DATA):
        if folder is not None and (folder / name).exists():
            return folder / name
    raise InputError(
        f"{rule.id}: field table {name!r} not found beside the rule or in ipscore/data"
    )


def default_data(rule: IndexRule) -> Path:
    """The rule's own example data, else the bundled strong-city example."""
    return _table_path(rule, rule.data or "strong-city-ILLUSTRATIVE.csv")


def load_unit_data(path: str | Path, rule: IndexRule, year: int | None = None) -> UnitData:
    frames = [_read(Path(path))]
    frames += [
        _read(_table_path(rule, t)) for t in sorted({f.table for f in rule.fields if f.table})
    ]
    frame = pd.concat(frames, ignore_index=True)
    known = {i.id: "number" for i in rule.indicators} | {f.id: f.kind for f in rule.fields}
    names = {i.name: i.id for i in rule.indicators} | {f.name: f.id for f in rule.fields}
    problems, rows = [], []
    for row in frame.itertuples():  # unit tables are hundreds of rows: clarity first
        key = names.get(str(row.indicator).strip(), str(row.indicator).strip())
        if key not in known:
            problems.append(
                f"{row.line}: unknown indicator {row.indicator!r} for "
                f"{rule.id}{did_you_mean(key, [*known, *names])}"
            )
            continue
        value = _value(str(row.value), known[key])
        found_year = _year(row.year)
        if value is None or found_year is None:
            reason = f"is not a {known[key]}" if value is None else "has no whole-number year"
            problems.append(f"{row.line}: {key} = {row.value!r} in year {row.year!r} {reason}")
            continue
        rows.append((str(row.unit).strip(), key, found_year, value, row.line))
    problems += _conflicts(rows)
    if problems:
        raise InputError("\n".join(problems))
    table = pd.DataFrame(rows, columns=["unit", "indicator", "year", "value", "line"])
    table = table.drop_duplicates(["unit", "indicator", "year"])
    year = year or (int(table["year"].max()) if len(table) else 0)
    units = sorted(table["unit"].unique())
    now = table[table["year"] == year]
    earlier = table[table["year"] < year].sort_values("year").groupby(["unit", "indicator"]).tail(1)
    indicators = [i.id for i in rule.indicators]

    def matrix(part: pd.DataFrame) -> np.ndarray:
        wide = part.pivot(index="unit", columns="indicator", values="value").reindex(units)
        return wide.reindex(columns=indicators).to_numpy(dtype=float)

    fields = {}
    for f in rule.fields:  # a field is a unit attribute: its latest value up to the year
        rows_of = table[(table["indicator"] == f.id) & (table["year"] <= year)]
        latest = rows_of.sort_values("year").groupby("unit").tail(1).set_index("unit")["value"]
        column = latest.reindex(units)
        fields[f.id] = (
            column.astype(object).where(column.notna(), None).to_numpy()
            if f.kind == "text"
            else column.to_numpy(dtype=float)
        )
    return UnitData(units, indicators, matrix(now), fields, year, str(path), matrix(earlier))


def _conflicts(rows: list[tuple]) -> list[str]:
    """The same unit, indicator and year twice with different values: name both lines."""
    seen: dict[tuple, tuple] = {}
    problems = []
    for unit, key, year, value, line in rows:
        first = seen.setdefault((unit, key, year), (value, line))
        if first[0] != value:
            problems.append(
                f"{line}: {unit} {key} {year} = {value!r} conflicts with {first[1]} "
                f"(= {first[0]!r})"
            )
    return problems


def _year(text) -> int | None:
    value = pd.to_numeric(str(text).strip(), errors="coerce")
    if pd.isna(value) or not np.isfinite(value) or value != int(value):
        return None
    return int(value)


def _value(text: str, kind: str) -> float | str | None:
    if kind == "text":
        return text.strip() or None
    if kind == "bool":
        lowered = text.strip().lower()
        return 1.0 if lowered in TRUE else 0.0 if lowered in FALSE else None
    value = pd.to_numeric(text.replace(",", ""), errors="coerce")
    return None if pd.isna(value) or not np.isfinite(value) else float(value)
