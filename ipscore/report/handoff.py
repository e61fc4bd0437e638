"""`--report FILE`: a command's --json result as a workbook (.xlsx) or a web page (.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.errors import InputError
from ipscore.report.tables import sheets_for

FORMATS = (".xlsx", ".html")


def write_report(kind: str, data: dict[str, Any], path: Path, title: str | None = None) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"--report {path}: write .xlsx or .html, not {suffix or 'no extension'!r}")
    sheets = sheets_for(kind, data)
    try:
        if suffix == ".xlsx":
            from ipscore.report.workbook import write_workbook

            write_workbook(sheets, path)
        else:
            from ipscore.report.html import write_html

            write_html(title or f"ipscore {kind}", kind, data, sheets, path)
    except OSError as problem:
        raise InputError(f"--report {path}: cannot write it ({problem.strerror})") from None
