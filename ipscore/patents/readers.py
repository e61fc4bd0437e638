"""Read patent registers from CSV (UTF-8, UTF-8 BOM, GBK/GB18030), XLSX or Parquet.

Headers are mapped to the schema's snake_case names, Chinese aliases included. Values are
not judged here: validation turns bad values into rejects.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ipscore.errors import InputError
from ipscore.patents.schema import (
    ADDRESS_HEADERS,
    FIELD_BY_NAME,
    FIELDS,
    PROVINCE_CODE_HEADER,
    REGION_PARTS,
    field_aliases,
    header_key,
)
from ipscore.patents.workbook import read_workbook

#: Tried in order. UTF-8 is strict, so a GBK file fails it and falls to GB18030 (a superset
#: of GBK); a file neither can decode is an error, never garbled text.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Low-cardinality columns read as categories: their values are checked once per value.
CATEGORICAL = ("patent_type", "status", "owner_country", "region")

__all__ = ["InputError", "read_csv_text", "read_patent_table", "read_workbook"]


def read_csv_text(path: Path, **options) -> pd.DataFrame:
    """read_csv with encoding detection; the error names the encodings tried.

    The bytes are read once: a FIFO or a pipe cannot be read a second time for the second
    encoding."""
    data = _bytes_of(path)
    failures = []
    for encoding in ENCODINGS:
        try:
            return pd.read_csv(
                io.BytesIO(data),
                encoding=encoding,
                keep_default_na=False,
                na_values=[""],
                **options,
            )
        except UnicodeDecodeError as err:
            failures.append(
                f"{encoding}: byte {err.object[err.start : err.start + 1]!r} at offset {err.start}"
            )
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except pd.errors.ParserError as err:
            raise InputError(f"{path}: malformed CSV: {err}") from None
    raise InputError(f"{path}: not readable as {' or '.join(ENCODINGS)} ({'; '.join(failures)})")


def _bytes_of(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None


def _header_map(path: str | Path, columns: list[str]) -> dict[str, str]:
    """Each schema field from the best header the file has (schema.field_aliases order).

    A field's own name beside one of its aliases (both `id` and 申请号) is ambiguous: which
    one holds the data ipscore cannot know, so it is an error rather than a silent pick."""
    keys = {}
    for column in columns:
        keys.setdefault(header_key(column), column)
    mapping: dict[str, str] = {}
    for name in FIELD_BY_NAME:
        found = [keys[a] for a in field_aliases(name) if a in keys]
        if not found:
            continue
        if header_key(found[0]) == header_key(name) and len(found) > 1:
            raise InputError(
                f"{path}: columns {found[0]!r} and {found[1]!r} both give {name}; keep one"
            )
        mapping[found[0]] = name
    return mapping


def read_patent_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """The raw table with schema column names; raises InputError for missing columns."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    frame = to_schema(path, _read_any(path, sheet))
    check_spanning_fields(path, frame)
    return frame


def to_schema(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """A raw table (a whole export or a chunk of one) with schema column names and the
    derived columns; raises InputError for missing columns."""
    warnings = frame.attrs.get("warnings", [])
    frame = schema_columns(frame, path)
    frame.attrs["warnings"] = warnings
    return frame


def schema_columns(frame: pd.DataFrame, source: str | Path) -> pd.DataFrame:
    """A register as exported, file or DataFrame, with schema column names: derived columns
    added, headers mapped, required ones checked (InputError naming `source`)."""
    frame = _with_derived_columns(frame)
    frame = frame.rename(columns=_header_map(source, list(frame.columns)))
    missing = [f for f in FIELDS if f.required and f.name not in frame.columns]
    if missing:
        wanted = "; ".join(
            f"{f.name} (or {' / '.join(field_aliases(f.name)[1:])})"
            if field_aliases(f.name)[1:]
            else f.name
            for f in missing
        )
        raise InputError(f"{source}: missing required column(s): {wanted}")
    return frame[[c for c in frame.columns if c in FIELD_BY_NAME]]


#: Kind codes of CNIPA grant publications: B/C invention grants (C before 2010), U/Y utility
#: model grants, S design grants. Any other kind (A, …) publishes an application.
GRANT_KINDS = "BCUYS"


def _with_derived_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _with_grant_date(frame)
    return _with_region(frame)


def _with_grant_date(frame: pd.DataFrame) -> pd.DataFrame:
    """CNIPA search downloads carry no grant-date column, only the latest publication:
    when its number is a grant publication (CN110266631B), its date is the grant date."""
    keys = {header_key(c): c for c in frame.columns}
    if any(a in keys for a in field_aliases("grant_date")):
        return frame
    number, date = keys.get(header_key("公开（公告）号")), keys.get(header_key("公开（公告）日"))
    if number is None or date is None:
        return frame
    kind = frame[number].astype("str").str.strip().str.upper().str[-1:]
    granted = kind.isin(list(GRANT_KINDS)).to_numpy()
    return frame.assign(grant_date=frame[date].where(granted))


def _with_region(frame: pd.DataFrame) -> pd.DataFrame:
    """A region column from what the export has when it has none: PatSnap's province /
    city / county columns joined, else the owner's address, else 国省代码."""
    keys = {header_key(c): c for c in frame.columns}
    if any(a in keys for a in field_aliases("region")):
        return frame
    parts = [keys[header_key(h)] for h in REGION_PARTS if header_key(h) in keys]
    addresses = [keys[header_key(h)] for h in ADDRESS_HEADERS if header_key(h) in keys]
    code = keys.get(header_key(PROVINCE_CODE_HEADER))
    if parts:
        region = frame[parts].astype("str").where(frame[parts].notna(), "").agg("".join, axis=1)
    elif addresses:
        region = frame[addresses[0]]
    elif code is not None:
        region = frame[code]
    else:
        return frame
    return frame.assign(region=region)


#: Fields in which a line break means a broken quote, not data.
SINGLE_LINE_KINDS = ("id", "code", "date", "amount", "list")


def check_spanning_fields(path: Path, frame: pd.DataFrame, first_line: int = 2) -> None:
    """A quote left open swallows the following lines into one field: the rows it eats are
    silently lost. A line break inside an id, code, date, amount or list field is such a
    quote; the error names the line where the record starts and how many lines it spans."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return
    for spec in FIELDS:
        single_line = spec.kind in SINGLE_LINE_KINDS or spec.name in ("owner", "region")
        if not single_line or spec.name not in frame.columns:
            continue
        column = frame[spec.name]
        if not pd.api.types.is_string_dtype(column.dtype):
            continue
        text = pa.array(column, from_pandas=True)  # Arrow-backed text: not copied
        if not pc.any(pc.match_substring(text, "\n")).as_py():
            continue
        breaks = pc.count_substring(
            pc.binary_join_element_wise(
                *[
                    pc.fill_null(pa.array(frame[c].astype("str"), type=pa.string()), "")
                    for c in frame.columns
                ],
                "",
            ),
            "\n",
        ).to_numpy()
        row = int(np.flatnonzero(pc.match_substring(text, "\n").to_numpy(zero_copy_only=False))[0])
        line = first_line + row + int(breaks[:row].sum())
        raise InputError(
            f"{path}:{line}: column {spec.name}: a quoted field runs over "
            f"{int(breaks[row]) + 1} lines ({line}–{line + int(breaks[row])}); "
            "a quote is probably not closed, and the lines it swallows would be lost"
        )


def parquet_dictionaries(path: Path) -> list[str]:
    """The Parquet columns to read as categories; refuses a nested column (InputError)."""
    schema = pq.read_schema(path)
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise InputError(
            f"{path}: column {nested[0]!r} is nested ({schema.field(nested[0]).type}); "
            "a register needs flat columns (lists as ;-separated text)"
        )
    return [c for c in CATEGORICAL if c in set(schema.names)]


def _read_any(path: Path, sheet: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        if suffix == ".parquet":
            table = pq.read_table(path, read_dictionary=parquet_dictionaries(path))
            return table.to_pandas()
        if suffix in (".xlsx", ".xlsm"):
            return read_workbook(path, sheet)
    except InputError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, KeyError, pa.ArrowException) as err:
        raise InputError(f"{path}: cannot read {suffix[1:]}: {err}") from None
    if suffix in (".csv", ".txt", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        return read_csv_text(path, sep=sep, dtype=str)
    raise InputError(f"{path}: unknown format {suffix!r}; use .csv, .xlsx or .parquet")
