"""Unit data for an index: the long table `unit, indicator, year, value` (the plan actuals'
layout; `region` is accepted for `unit`), read into a units × indicators matrix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.patents.readers import read_csv_text
from ipscore.spec.models import IndexRule

TRUE = {"true", "1", "yes", "是", "有", "y"}
FALSE = {"false", "0", "no", "否", "无", "n"}


@dataclass(frozen=True)
class UnitData:
    units: list[str]
    indicators: list[str]
    values: np.ndarray  # units × indicators, NaN where missing
    fields: dict[str, np.ndarray]  # gate fields, one value a unit (NaN where missing)
    year: int
    source: str

    def reordered(self, order: list[int]) -> UnitData:
        return UnitData(
            [self.units[i] for i in order],
            self.indicators,
            self.values[order],
            {k: v[order] for k, v in self.fields.items()},
            self.year,
            self.source,
        )


def load_unit_data(path: str | Path, rule: IndexRule, year: int | None = None) -> UnitData:
    path = Path(path)
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
    frame["line"] = range(2, len(frame) + 2)
    known = {i.id: "number" for i in rule.indicators} | {f.id: f.kind for f in rule.fields}
    names = {i.name: i.id for i in rule.indicators} | {f.name: f.id for f in rule.fields}
    problems, rows = [], []
    for row in frame.itertuples():  # unit tables are hundreds of rows: clarity first
        key = names.get(str(row.indicator).strip(), str(row.indicator).strip())
        if key not in known:
            problems.append(
                f"{path}:{row.line}: unknown indicator {row.indicator!r} for "
                f"{rule.id}{did_you_mean(key, [*known, *names])}"
            )
            continue
        value = _value(str(row.value), known[key])
        found_year = pd.to_numeric(row.year, errors="coerce")
        if value is None or pd.isna(found_year):
            problems.append(
                f"{path}:{row.line}: {key} = {row.value!r} in year {row.year!r} "
                f"is not a {known[key]}"
            )
            continue
        rows.append((str(row.unit).strip(), key, int(found_year), value))
    if problems:
        raise InputError("\n".join(problems))
    table = pd.DataFrame(rows, columns=["unit", "indicator", "year", "value"])
    year = year or (int(table["year"].max()) if len(table) else 0)
    latest = table[table["year"] <= year].sort_values("year").groupby(["unit", "indicator"]).tail(1)
    units = sorted(table["unit"].unique())
    wide = latest.pivot(index="unit", columns="indicator", values="value").reindex(units)
    indicators = [i.id for i in rule.indicators]
    values = wide.reindex(columns=indicators).to_numpy(dtype=float)
    fields = {f.id: wide.reindex(columns=[f.id]).to_numpy(dtype=float)[:, 0] for f in rule.fields}
    return UnitData(units, indicators, values, fields, year, str(path))


def _value(text: str, kind: str) -> float | None:
    if kind == "bool":
        lowered = text.strip().lower()
        return 1.0 if lowered in TRUE else 0.0 if lowered in FALSE else None
    value = pd.to_numeric(text.replace(",", ""), errors="coerce")
    return None if pd.isna(value) else float(value)
