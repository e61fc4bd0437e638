"""Read patent registers from CSV (UTF-8, UTF-8 BOM, GBK/GB18030), XLSX or Parquet.

Headers are mapped to the schema's snake_case names, Chinese aliases included. Values are
not judged here: validation turns bad values into rejects.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ipscore.errors import InputError
from ipscore.patents.schema import FIELD_BY_NAME, FIELDS, HEADER_ALIASES

#: Tried in order. UTF-8 is strict, so a GBK file fails it and falls to GB18030 (a superset
#: of GBK); a file neither can decode is an error, never garbled text.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Low-cardinality columns read as categories: their values are checked once per value.
CATEGORICAL = ("patent_type", "status", "owner_country", "region")

__all__ = ["InputError", "read_csv_text", "read_patent_table"]


def read_csv_text(path: Path, **options) -> pd.DataFrame:
    """read_csv with encoding detection; the error names the encodings tried."""
    failures = []
    for encoding in ENCODINGS:
        try:
            return pd.read_csv(
                path, encoding=encoding, keep_default_na=False, na_values=[""], **options
            )
        except UnicodeDecodeError as err:
            failures.append(
                f"{encoding}: byte {err.object[err.start : err.start + 1]!r} at offset {err.start}"
            )
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except pd.errors.ParserError as err:
            raise InputError(f"{path}: malformed CSV: {err}") from None
    raise InputError(f"{path}: not readable as {' or '.join(ENCODINGS)} ({'; '.join(failures)})")


def _header_map(columns: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in columns:
        name = HEADER_ALIASES.get(str(column).strip())
        if name and name not in mapping.values():  # first alias wins, e.g. 分类号 over 主分类号
            mapping[column] = name
    return mapping


def read_patent_table(path: str | Path) -> pd.DataFrame:
    """The raw table with schema column names; raises InputError for missing columns."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    frame = _read_any(path)
    frame = frame.rename(columns=_header_map(list(frame.columns)))
    missing = [f for f in FIELDS if f.required and f.name not in frame.columns]
    if missing:
        wanted = "; ".join(
            f"{f.name} (or {' / '.join(f.aliases)})" if f.aliases else f.name for f in missing
        )
        raise InputError(f"{path}: missing required column(s): {wanted}")
    return frame[[c for c in frame.columns if c in FIELD_BY_NAME]]


def _read_any(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            names = set(pq.read_schema(path).names)
            table = pq.read_table(path, read_dictionary=[c for c in CATEGORICAL if c in names])
            return table.to_pandas()
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=object)
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read {suffix[1:]}: {err}") from None
    if suffix in (".csv", ".txt", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        return read_csv_text(path, sep=sep, dtype=str)
    raise InputError(f"{path}: unknown format {suffix!r}; use .csv, .xlsx or .parquet")
