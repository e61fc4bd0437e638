"""The .xlsx report: one named sheet per table of the result, written with XlsxWriter.

Real formats, not text: counts as integers with thousands separators, shares as
percentages, 万元 amounts and per-10,000 figures with fixed decimals, dates as Excel
dates; bold Chinese/English headers frozen above an autofilter; widths that fit the text
(a CJK character counts double). Monitor's status column is coloured by conditional
formats, so the colours follow an edited value.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ipscore.report.export import atomic_path
from ipscore.report.permissions import readable
from ipscore.report.tables import Sheet, header, is_year

EXCEL_ROWS = 1_048_576
PERCENT = {"share", "rate", "attainment", "elapsed", "progress", "coverage", "qualified_share"}
DECIMALS = {"per_10k", "score", "actual", "target", "gap", "population"}
AMOUNTS = {"amount"}
DATES = {"date", "as_of", "until", "due"}
#: Status colours of plan monitoring (the terminal report's palette).
STATUS_COLOURS = {
    "met": "#C6EFCE",
    "met_early": "#E2F0D9",
    "on_track": "#DDEBF7",
    "lagging": "#FFEB9C",
    "not_met": "#FFC7CE",
    "no_data": "#EDEDED",
    "no_baseline": "#E4DFEC",
}


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_workbook(sheets: list[Sheet], path: Path) -> None:
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"nan_inf_to_errors": True})
        formats = _formats(book)
        used: set[str] = set()
        for sheet in sheets:
            _write_sheet(book, formats, sheet, _unique(sheet.name, used))
        book.close()
        readable(temporary)


def _unique(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]}~{n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _formats(book) -> dict[str, Any]:
    return {
        "header": book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2", "border": 1}
        ),
        "int": book.add_format({"num_format": "#,##0"}),
        "year": book.add_format({"num_format": "0"}),
        "decimal": book.add_format({"num_format": "#,##0.00"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "amount": book.add_format({"num_format": "#,##0.0000"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "text": book.add_format({"text_wrap": False}),
        "note": book.add_format({"italic": True, "font_color": "#9C0006"}),
        **{
            f"status:{s}": book.add_format({"bg_color": colour})
            for s, colour in STATUS_COLOURS.items()
        },
    }


def _kind(column: str, values: pd.Series) -> str:
    last = column.rsplit(".", 1)[-1]
    if last in DATES:
        return "date"
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if not numeric:
        return "text"
    if last in PERCENT:
        return "percent"
    if last in AMOUNTS:
        return "amount"
    whole = values.dropna()
    if last not in DECIMALS and len(whole) and (whole == whole.round()).all():
        return "int"
    return "decimal"


def _write_sheet(book, formats, sheet: Sheet, name: str) -> None:
    ws = book.add_worksheet(name)
    frame = sheet.frame
    limit = EXCEL_ROWS - 2
    shown = frame.head(limit)
    for c, column in enumerate(frame.columns):
        ws.write_string(0, c, header(str(column)), formats["header"])
        kind = _kind(str(column), frame[column])
        cells = shown[column].tolist()
        keys = shown.iloc[:, 0].tolist()
        for r, (value, key) in enumerate(zip(cells, keys, strict=True), start=1):
            plain = kind != "date" and is_year(str(column), key)
            _write_cell(ws, r, c, value, "year" if plain else kind, formats)
        texts = [header(str(column))] + [str(v) for v in cells[:2000]]
        width = max(display_width(t) for t in texts) + 2
        ws.set_column(c, c, min(max(width, 8), 60))
    if len(frame.columns):
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(shown), 1), len(frame.columns) - 1)
    if "status" in frame.columns:
        _status_colours(ws, formats, list(frame.columns).index("status"), len(shown))
    if len(frame) > limit:
        ws.write_string(
            len(shown) + 1, 0, f"{len(frame) - limit:,} more rows: see --json", formats["note"]
        )
    if frame.empty:
        ws.write_string(1, 0, "(none)", formats["note"])


def _write_cell(ws, r: int, c: int, value: Any, kind: str, formats) -> None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        ws.write_blank(r, c, None)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif kind == "date" and isinstance(value, str | dt.date):
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), formats["date"])
    elif isinstance(value, int | float) and kind in formats:
        ws.write_number(r, c, value, formats[kind])
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def _status_colours(ws, formats, column: int, rows: int) -> None:
    for status in STATUS_COLOURS:
        ws.conditional_format(
            1,
            column,
            max(rows, 1),
            column,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{status}"',
                "format": formats[f"status:{status}"],
            },
        )
