"""Read an XLSX register: every non-empty sheet read or named, formula cells checked.

pandas (openpyxl) reads the cached value of a formula cell. A workbook written by a program
that never calculated it has no cached value: the cell would read as blank, so such a cell
is an error naming the sheet and cell, never a silent blank.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from ipscore.errors import InputError

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
#: A cell element with a body (a self-closing <c r="A1"/> has neither formula nor value).
_CELL = re.compile(rb"<c\b([^>]*)(?<!/)>(.*?)</c>", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')


def read_workbook(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The register in `sheet` (a name, or "all" to stack every non-empty sheet); by default
    the first non-empty sheet, with a warning naming every other non-empty one."""
    try:
        with zipfile.ZipFile(path) as archive:
            uncached = _uncached_formulas(archive)
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    except (zipfile.BadZipFile, EOFError, KeyError) as err:
        raise InputError(
            f"{path}: not a readable XLSX workbook (truncated or damaged: {err})"
        ) from None
    # A sheet with anything on it, even a header alone, is either read or named.
    filled = {name: frame for name, frame in sheets.items() if len(frame.columns) or len(frame)}
    if not filled:
        return next(iter(sheets.values()), pd.DataFrame())
    if sheet is None:
        chosen = [next(iter(filled))]
    elif sheet == "all":
        chosen = list(filled)
    elif sheet in sheets:
        chosen = [sheet]
    else:
        raise InputError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(sheets)}")
    for name in chosen:
        if name in uncached:
            raise InputError(
                f"{path}: sheet {name!r} cell {uncached[name]}: a formula without a cached "
                "value (the workbook was never calculated); open and save it in Excel or "
                "LibreOffice, or paste values"
            )
    frame = pd.concat([filled[name] for name in chosen], ignore_index=True)
    frame.attrs["warnings"] = [
        {
            "column": None,
            "value": name,
            "rows": len(other),
            "reason": "sheet not read; choose it with --sheet NAME, or --sheet all",
        }
        for name, other in filled.items()
        if name not in chosen
    ]
    return frame


def _uncached_formulas(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the first cell holding a formula but no cached value."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {i: t for i, t in _REL.findall(rels)}
    targets.update({i: t for t, i in _REL_REVERSED.findall(rels)})
    found = {}
    for name, rel in _SHEET.findall(workbook):
        target = targets.get(rel, b"").decode()
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member not in archive.namelist():
            continue
        xml = archive.read(member)
        if b"<f" not in xml:
            continue
        for attributes, body in _CELL.findall(xml):
            if b"<f" in body and (
                (b"<v>" not in body and b"<v/>" not in body) or b"<v></v>" in body
            ):
                ref = _REF.search(attributes)
                found[name.decode()] = ref.group(1).decode() if ref else "?"
                break
    return found
