"""Write tables and JSON atomically: to a temporary file beside the target, then rename.

A crash, a full disk or Ctrl-C mid-write never leaves a half-written output where the old
one was, and never leaves the temporary file: it is removed on failure, and one left by a
killed run (its process gone) is removed by the next write to the same target. Outputs get
the permissions the umask gives any new file, as `open()` would, not mkstemp's 0600.

Tables can be written in one go (`write_table`) or chunk by chunk (`TableSink`): CSV,
Parquet and JSON stream. XLSX chunks are held (Excel's row limit caps them near 1M rows,
~0.2 GB) and written at close by rust_xlsxwriter in constant-memory mode, through the
rustpy-xlsxwriter binding: 1,000,000 rows in ~17 s, where Python's xlsxwriter, writing cell
by cell, took ~120 s (BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ipscore.errors import InputError

#: Excel's sheet size: 1,048,576 rows, one of them the header.
EXCEL_ROWS = 1_048_576
FORMATS = (".csv", ".parquet", ".xlsx", ".json")
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.ipscore-(?P<pid>\d+)-[0-9a-f]+\.part$")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Temporary files of earlier runs for this target whose process is gone."""
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if found and found["name"] == target.name and not _alive(int(found["pid"])):
            try:
                entry.unlink()
                removed.append(entry)
            except OSError:
                pass
    return removed


def _cannot_write(path: Path, err: OSError) -> InputError:
    return InputError(f"{path}: cannot write: {err.strerror or err}")


def check_output(path: Path, inputs: Iterable[str | Path] = (), rows: int | None = None) -> None:
    """Refuse, before any work, an output that cannot be written: unknown format, a
    folder, a path that is one of the inputs, a folder without write permission, or more
    rows than an Excel sheet holds."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: cannot write {path.suffix or 'a file without extension'}; "
            f"use {', '.join(FORMATS)}"
        )
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name, e.g. {path / 'out'}{suffix}")
    for given in inputs:
        if given is not None and _same_file(path, Path(given)):
            raise InputError(f"{path}: is an input of this run; writing it would destroy it")
    folder = _existing_ancestor(path.parent)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write: folder {folder} is not writable")
    if suffix == ".xlsx" and rows is not None and rows > EXCEL_ROWS - 1:
        raise InputError(
            f"{path}: {rows:,} rows do not fit in an Excel sheet "
            f"({EXCEL_ROWS - 1:,} rows and a header); write .csv or .parquet instead"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _existing_ancestor(folder: Path) -> Path:
    folder = folder.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; move it into place on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot_write(target, err) from None
    remove_stale_temporaries(target)
    temporary = target.parent / f".{target.name}.ipscore-{os.getpid()}-{secrets.token_hex(4)}.part"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
        os.close(fd)
    except OSError as err:
        raise _cannot_write(target, err) from None
    try:
        yield temporary
        os.replace(temporary, target)
    except OSError as err:
        raise _cannot_write(target, err) from None
    finally:
        if temporary.exists():
            temporary.unlink()


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as their text: chunks have different category sets."""
    kinds = {c: "str" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    return frame.astype(kinds) if kinds else frame


class TableSink:
    """A table written chunk by chunk; `close()` moves it into place, `abort()` drops it.
    Used as a context manager, an exception aborts."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        check_output(self.path)
        self.suffix = self.path.suffix.lower()
        self.rows = 0
        self._context = atomic_path(self.path)
        self.temporary = self._context.__enter__()
        self._writer: Any = None
        self._handle: Any = None
        self._sheet_parts: list[pd.DataFrame] = []

    def __enter__(self) -> TableSink:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: pd.DataFrame) -> None:
        try:
            getattr(self, "_write_" + self.suffix[1:])(_plain(frame))
        except OSError as err:
            self.abort()
            raise _cannot_write(self.path, err) from None
        self.rows += len(frame)

    def _open(self, encoding: str) -> Any:
        # The handle outlives this call: chunks are appended to it until close().
        return open(self.temporary, "w", encoding=encoding, newline="")

    def _write_csv(self, frame: pd.DataFrame) -> None:
        if self._handle is None:
            self._handle = self._open("utf-8-sig")
            frame.iloc[:0].to_csv(self._handle, index=False)
        frame.to_csv(self._handle, index=False, header=False)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.temporary, table.schema)
        self._writer.write_table(table.cast(self._writer.schema))

    def _write_json(self, frame: pd.DataFrame) -> None:
        if self._handle is None:
            self._handle = self._open("utf-8")
            self._handle.write("[")
        if len(frame):
            text = frame.to_json(
                orient="records", force_ascii=False, date_format="iso", indent=1
            ).strip()
            self._handle.write(("," if self.rows else "") + text[1:-1].rstrip())

    def _write_xlsx(self, frame: pd.DataFrame) -> None:
        if self.rows + len(frame) > EXCEL_ROWS - 1:
            raise InputError(
                f"{self.path}: more than {EXCEL_ROWS - 1:,} rows do not fit in an Excel sheet; "
                "write .csv or .parquet instead"
            )
        self._sheet_parts.append(_excel_values(frame))

    def _close_xlsx(self) -> None:
        from rustpy_xlsxwriter import FastExcel

        parts = self._sheet_parts
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        FastExcel(str(self.temporary), autofit=False).sheet("ipscore", frame).save()

    def close(self) -> Path:
        try:
            if self.suffix == ".json":
                if self._handle is None:
                    self._write_json(pd.DataFrame())
                self._handle.write("]\n")
            if self.suffix == ".xlsx":
                self._close_xlsx()
            if self._handle is not None:
                self._handle.close()
            if self._writer is not None:
                self._writer.close()
            self._context.__exit__(None, None, None)
        except OSError as err:
            self.abort()
            raise _cannot_write(self.path, err) from None
        return self.path

    def abort(self) -> None:
        for thing in (self._handle, self._writer):
            try:
                if thing is not None:
                    thing.close()
            except Exception:  # the temporary file goes anyway
                pass
        self._handle = self._writer = None
        if self.temporary.exists():
            self.temporary.unlink()


def _excel_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text (as the CSV has them) and everything else as it is; a
    missing value becomes a blank cell."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    if not dates:
        return frame.reset_index(drop=True)
    return frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%d") for c in dates}).reset_index(
        drop=True
    )


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    with TableSink(path) as sink:
        sink.write(frame)
    return Path(path)


def to_json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


__all__ = [
    "EXCEL_ROWS",
    "TableSink",
    "atomic_path",
    "check_output",
    "remove_stale_temporaries",
    "to_json_text",
    "write_table",
]
