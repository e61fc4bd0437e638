"""A register as a sequence of raw chunks, each a fixed number of rows, read as it goes.

Parquet is read a record batch at a time; CSV, every column as text as the single-pass
reader reads it, by Polars' threaded reader when the file is UTF-8 with LF or CRLF line
ends and Polars reads the header as the csv module does, else by Arrow's streaming reader
(GB18030, bare CR); XLSX, which Excel caps at 1,048,576 rows, whole and then cut. Peak
memory is one or two chunks, never the register.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from ipscore.errors import InputError
from ipscore.patents.readers import _read_any, parquet_dictionaries, to_schema

#: Bytes checked to tell UTF-8 from GB18030: a Chinese export's header alone decides it.
SNIFF_BYTES = 4 << 20
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class Chunk:
    """Raw rows `first_row` … of the register (1-based data rows), schema names applied;
    `first_line` is the file line of the first row (CSV fields may span lines), and
    `line_breaks` the line breaks inside its fields."""

    frame: pd.DataFrame
    first_row: int
    first_line: int
    line_breaks: int = 0


def csv_encoding(path: Path) -> str:
    """utf-8-sig, or gb18030 when the start of the file is not UTF-8."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end is not an error
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path}: not readable as utf-8-sig or gb18030 (byte offset {err.start})"
        ) from None


def csv_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    with open(path, encoding=encoding, newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter), [])


def newline_terminated(path: Path) -> bool:
    """Lines end in LF or CRLF (Polars reads a file of bare CR line ends as no rows)."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return b"\n" in head


def csv_delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def polars_can_read(path: Path, encoding: str) -> bool:
    """Polars' reader takes UTF-8 with LF or CRLF line ends; the rest goes to Arrow's."""
    return encoding == "utf-8-sig" and newline_terminated(path)


def polars_csv(path: Path, delimiter: str) -> pl.LazyFrame:
    """Every column as text, as the single-pass reader reads it."""
    return pl.scan_csv(
        path, separator=delimiter, infer_schema=False, quote_char='"', encoding="utf8"
    )


def arrow_csv(
    path: Path, encoding: str, delimiter: str, columns: list[str], block_bytes: int
) -> Iterator[pa.RecordBatch]:
    """`columns` of the CSV as text by Arrow's streaming reader (one thread, but it reads
    GB18030 and bare CR line ends), a malformed file an InputError with Arrow's reason."""
    try:  # opening reads the first block, so it can fail as much as the reading
        yield from pv.open_csv(
            path,
            read_options=pv.ReadOptions(
                encoding="utf8" if encoding == "utf-8-sig" else encoding, block_size=block_bytes
            ),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                include_columns=columns,
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as err:
        raise InputError(f"{path}: malformed CSV: {err}") from None


class _NotForPolars(Exception):
    """Polars read the file differently from the header: Arrow reads it instead."""


def _polars_batches(
    path: Path, delimiter: str, names: list[str], rows: int
) -> Iterator[pl.DataFrame]:
    """Polars' multi-threaded reader (every column as text): 1.8 s for 5,000,000 rows
    where Arrow's streaming reader, parsing on one thread, takes 4.5 s. Raises
    _NotForPolars before yielding anything when Polars refuses the file or reads other
    columns than the header has."""
    batches = polars_csv(path, delimiter).collect_batches(chunk_size=rows)
    started = False
    try:
        for batch in batches:
            if not started and batch.columns != names:
                raise _NotForPolars
            started = True
            yield batch
    except pl.exceptions.PolarsError as err:
        if not started:
            raise _NotForPolars from None
        raise InputError(f"{path}: malformed CSV: {err}") from None


def _csv_batches(
    path: Path, block_bytes: int, rows: int
) -> Iterator[pa.RecordBatch | pl.DataFrame]:
    delimiter = csv_delimiter(path)
    encoding = csv_encoding(path)
    names = csv_header(path, encoding, delimiter)
    if not names:
        return
    if len(set(names)) == len(names) and polars_can_read(path, encoding):
        try:
            yield from _polars_batches(path, delimiter, names, rows)
            return
        except _NotForPolars:
            pass
    yield from arrow_csv(path, encoding, delimiter, names, block_bytes)


def _parquet_batches(path: Path, rows: int) -> Iterator[pa.RecordBatch]:
    try:
        found = pq.ParquetFile(path, read_dictionary=parquet_dictionaries(path))
        yield from found.iter_batches(batch_size=rows)
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"{path}: cannot read parquet: {err}") from None


def check_register(path: Path) -> None:
    """A register path that can be read at all: a file, in a format ipscore reads."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if path.suffix.lower() not in (".parquet", ".xlsx", ".xlsm", *CSV_SUFFIXES):
        raise InputError(f"{path}: unknown format {path.suffix!r}; use .csv, .xlsx or .parquet")


def _batches(
    path: Path, rows: int, sheet: str | None
) -> Iterator[pa.RecordBatch | pl.DataFrame | pd.DataFrame]:
    suffix = path.suffix.lower()
    check_register(path)
    if suffix == ".parquet":
        yield from _parquet_batches(path, rows)
    elif suffix in CSV_SUFFIXES:
        yield from _csv_batches(path, min(64 << 20, max(1 << 16, rows * 64)), rows)
    else:
        yield _read_any(path, sheet)  # XLSX: whole (Excel's own row limit bounds it)


def _rows(table: pa.Table, start: int, stop: int) -> pa.Table:
    """Rows start … stop-1 as a fresh table. A zero-copy slice would do, but string
    columns of a slice with an offset, once in pandas, intermittently read as invalid
    UTF-8 in Arrow's string kernels (pyarrow 26, pandas 3; tests/test_bulk.py caught it):
    a copy of the chunk costs little beside its evaluation."""
    if start == 0 and stop == table.num_rows:
        return table
    return table.take(np.arange(start, stop))


def _polars_rebatch(first: pl.DataFrame, rest: Iterator, rows: int) -> Iterator[pa.Table]:
    """Polars batches cut into `rows` rows: slices of Polars frames are free, and each
    chunk goes to Arrow as the pieces Polars parsed it in, copied once. Making the pieces
    one first (Arrow's concatenation, or Polars' rechunk) copies every string again:
    5M rows took 10.0–13.6 s without it, 11.3–15.7 s with (three alternating runs)."""
    pending, held = [first], first.height
    for batch in rest:
        pending.append(batch)
        held += batch.height
        if held < rows:
            continue
        whole = pl.concat(pending, rechunk=False)
        cut = 0
        while held - cut >= rows:
            yield whole.slice(cut, rows).to_arrow()
            cut += rows
        pending, held = ([whole.slice(cut)] if cut < held else []), held - cut
    if held:
        yield pl.concat(pending, rechunk=False).to_arrow()


def _rebatch(path: Path, rows: int, sheet: str | None) -> Iterator[pa.Table | pd.DataFrame]:
    """Exactly `rows` rows a chunk (the last may be shorter), whatever the reader yields."""
    pending: list[pa.RecordBatch] = []
    held = 0
    batches = _batches(path, rows, sheet)
    for batch in batches:
        if isinstance(batch, pl.DataFrame):
            yield from _polars_rebatch(batch, batches, rows)
            return
        if isinstance(batch, pd.DataFrame):
            for start in range(0, max(len(batch), 1), rows):
                part = batch.iloc[start : start + rows].reset_index(drop=True)
                part.attrs = batch.attrs if start == 0 else {}
                yield part
            return
        pending.append(batch)
        held += batch.num_rows
        if held < rows:
            continue
        table = pa.Table.from_batches(pending).combine_chunks()
        cut = 0
        while held - cut >= rows:
            yield _rows(table, cut, cut + rows)
            cut += rows
        pending = _rows(table, cut, held).to_batches() if cut < held else []
        held -= cut
    if held:
        yield pa.Table.from_batches(pending)


def newlines(table: pa.Table) -> int:
    """Line breaks inside the fields of an Arrow table of text columns, counted on each
    column's UTF-8 bytes at once (a newline byte is never part of another character)."""
    total = 0
    for column in table.columns:
        for array in column.chunks:
            if len(array) == 0:
                continue
            if pa.types.is_string(array.type):
                offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)
            elif pa.types.is_large_string(array.type):
                offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
            else:
                total += int(pc.sum(pc.count_substring(array.cast(pa.string()), "\n")).as_py() or 0)
                continue
            first, last = offsets[array.offset], offsets[array.offset + len(array)]
            data = array.buffers()[2]
            if data is not None and last > first:
                total += int(np.count_nonzero(np.frombuffer(data, np.uint8)[first:last] == 10))
    return total


def read_chunks(path: str | Path, rows: int, sheet: str | None = None) -> Iterator[Chunk]:
    """The register `rows` rows at a time, schema names applied (see module docstring)."""
    path = Path(path)
    is_csv = path.suffix.lower() in CSV_SUFFIXES
    first_row, first_line = 1, 2
    for part in _rebatch(path, rows, sheet):
        if isinstance(part, pd.DataFrame):  # XLSX: a cell's line break is no file line
            raw, breaks = part, 0
        else:
            raw, breaks = part.to_pandas(), newlines(part) if is_csv else 0
        yield Chunk(to_schema(path, raw), first_row, first_line, breaks)
        first_row += len(raw)
        first_line += len(raw) + breaks


def count_rows(path: str | Path) -> int | None:
    """Data rows of a register when its format says so without reading it (Parquet)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet" and path.is_file():
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            return None
    return None


__all__ = ["Chunk", "count_rows", "csv_encoding", "read_chunks"]
