"""Validate raw patent rows into typed columns; every bad value becomes a reject row.

Each check is vectorized. Checks on code values run on the distinct values, so a 5-million
row register costs a handful of numpy operations per column. A row with any problem is
rejected whole (all of its problems are listed) and the counts reconcile:
read == evaluated + rejected.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ipscore.expr import ListColumn
from ipscore.patents import ipc
from ipscore.patents.schema import AWARDS, COUNTRIES, FIELDS, FieldSpec

#: 1985-04-01: China's Patent Law took effect; no CNIPA filing predates it.
EARLIEST_FILING = pd.Timestamp("1985-04-01")
REJECT_COLUMNS = ["row", "id", "column", "value", "reason"]
Column = pd.Series | ListColumn


@dataclass
class Issues:
    """Problems found so far: positions (0-based), column, value, reason."""

    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(self, positions: np.ndarray, column: str, values, reason) -> None:
        if len(positions):
            self.parts.append(
                pd.DataFrame(
                    {
                        "position": positions,
                        "column": column,
                        "value": np.asarray(values, dtype=object),
                        "reason": reason,
                    }
                )
            )

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["position", "column", "value", "reason"])
        return pd.concat(self.parts, ignore_index=True)


# --- per-kind parsers: raw column → typed column, recording issues --------------------


def _text(raw: pd.Series) -> pd.Series:
    """Stripped strings; blank cells are missing, as an empty spreadsheet cell is."""
    text = pc.utf8_trim_whitespace(_arrow_strings(raw))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return pd.Series(text.to_pandas(), dtype="str")


def _arrow_strings(raw: pd.Series) -> pa.Array:
    if not pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        raw = raw.astype("str")
    array = pa.array(raw, type=pa.string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _parse_id(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    ids = _text(raw)
    missing = ids.isna().to_numpy()
    issues.add(np.flatnonzero(missing), spec.name, raw[missing], "missing id")
    present = np.flatnonzero(~missing)
    repeated, first = _repeats(ids.iloc[present])
    issues.add(
        present[repeated],
        spec.name,
        ids.iloc[present[repeated]],
        [f"repeated id (first at row {present[r] + 1})" for r in first],
    )
    return ids


def _repeats(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ids seen earlier, and where each was first seen.

    A hash table of millions of distinct strings costs seconds here; sorting their 64-bit
    hashes (polars hashes on all cores) costs milliseconds. Equal hashes are only candidates:
    the strings themselves decide."""
    hashes = pl.from_arrow(_arrow_strings(ids)).hash(seed=0).to_numpy()
    if not (np.diff(np.sort(hashes)) == 0).any():
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    order = np.argsort(hashes, kind="stable")
    same = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
    candidates = np.unique(np.concatenate([order[same], order[same + 1]]))
    text = pd.Series(ids.iloc[candidates].to_numpy(dtype=object))
    first = text.groupby(text).transform(lambda group: group.index[0]).to_numpy()
    repeated = first != np.arange(len(candidates))
    return candidates[repeated], candidates[first[repeated].astype(np.int64)]


def _canonical_code(value: object, spec: FieldSpec) -> object:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = spec.values.get(text.lower()) or spec.values.get(text)
    if found is None and spec.name == "owner_country" and len(text) == 2 and text.isalpha():
        found = text.upper()  # ISO 3166 alpha-2 as written
    return found


def _parse_code(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    categories = raw.astype("category")
    blank = [c for c in categories.cat.categories if not str(c).strip()]
    if blank:
        categories = categories.cat.remove_categories(blank)
    canonical = [_canonical_code(v, spec) for v in categories.cat.categories]
    unknown = {v for v, c in zip(categories.cat.categories, canonical, strict=True) if c is None}
    inverse, uniques = pd.factorize(pd.Series(canonical, dtype=object))
    old_codes = categories.cat.codes.to_numpy()
    new_codes = np.where(old_codes >= 0, inverse[old_codes] if len(inverse) else -1, -1)
    bad = categories.isin(list(unknown)).to_numpy()
    expected = ", ".join(sorted(set(spec.values.values())))
    issues.add(
        np.flatnonzero(bad),
        spec.name,
        raw[bad],
        f"unknown value; expected one of {expected} (or the Chinese names)",
    )
    if spec.name in ("patent_type", "status", "owner_country"):
        absent = old_codes < 0
        issues.add(np.flatnonzero(absent), spec.name, raw[absent], "missing value")
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=list(uniques)))


def _parse_date(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        return pd.Series(pd.to_datetime(raw).to_numpy(dtype="M8[s]"))
    text = (
        _text(raw)
        .str.replace(r"[T ]00:00:00$", "", regex=True)
        .str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
        .str.replace(r"[./年月]", "-", regex=True)
        .str.replace("日", "")
    )
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = (dates.isna() & text.notna()).to_numpy()
    if bad.any():
        looks_like_date = text[bad].str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}").fillna(False)
        reasons = np.where(looks_like_date, "impossible date", "not a date (expected YYYY-MM-DD)")
        issues.add(np.flatnonzero(bad), spec.name, raw[bad], reasons)
    return pd.Series(dates.to_numpy(dtype="M8[s]"))


def _parse_amount(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw):
        amounts = raw.astype("float64")
    else:
        text = _text(raw).str.replace(",", "")
        amounts = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = (amounts.isna() & text.notna()).to_numpy()
        issues.add(np.flatnonzero(bad), spec.name, raw[bad], "not a number")
    negative = (amounts < 0).to_numpy()
    issues.add(np.flatnonzero(negative), spec.name, raw[negative], "negative amount")
    return amounts.reset_index(drop=True)


def _jurisdictions(vocab: pd.Series) -> pd.Series:
    text = vocab.str.normalize("NFKC").str.strip()
    mapped = text.map(COUNTRIES).fillna(text.str.upper())
    return mapped.where(mapped.str.fullmatch(r"[A-Z]{2}").fillna(False), np.nan)


def _awards(vocab: pd.Series) -> pd.Series:
    text = vocab.str.normalize("NFKC").str.strip()
    return text.map(AWARDS).fillna(text.str.lower())


LIST_NORMALIZERS: dict[str, tuple[Callable[[pd.Series], pd.Series], str]] = {
    "ipc": (ipc.normalize, "unreadable IPC code (expected e.g. H04L 9/32 or H04L0009320000)"),
    "family_granted": (_jurisdictions, "unknown jurisdiction (expected a 2-letter code)"),
    "awards": (_awards, "unknown award"),
}


SEPARATORS = ("；", ",", "，")  # besides ";": full-width and comma-separated exports


def _split(text: pa.Array) -> pa.ListArray:
    # A regex split is several times slower than a plain one; most registers need only ";".
    if any(pc.any(pc.match_substring(text, sep)).as_py() for sep in SEPARATORS):
        return pc.split_pattern_regex(text, pattern="[;" + "".join(SEPARATORS) + "]")
    return pc.split_pattern(text, ";")


def _parse_list(raw: pd.Series, spec: FieldSpec, issues: Issues) -> ListColumn:
    parts = _split(pc.fill_null(_arrow_strings(raw), ""))
    items = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    keep = pc.not_equal(items, "")
    if pc.all(keep).as_py():  # nothing blank: the split's offsets are the rows'
        offsets = parts.offsets.to_numpy().astype(np.int64)
    else:
        items = items.filter(keep)
        parents = pc.list_parent_indices(parts).filter(keep).to_numpy()
        offsets = np.concatenate([[0], np.cumsum(np.bincount(parents, minlength=len(raw)))])
    encoded = pc.dictionary_encode(items)
    raw_vocab = pd.Series(encoded.dictionary.to_pylist(), dtype="string")
    normalize, reason = LIST_NORMALIZERS[spec.name]
    canonical = normalize(raw_vocab)
    inverse, vocab = pd.factorize(canonical.fillna("?"))
    column = ListColumn(
        np.asarray(vocab, dtype=object), inverse[encoded.indices.to_numpy()], offsets
    )
    unreadable = canonical.isna().to_numpy()
    if unreadable.any():
        bad = unreadable[encoded.indices.to_numpy()]
        bad_values = raw_vocab.to_numpy(dtype=object)[encoded.indices.to_numpy()[bad]]
        issues.add(column.parents[bad], spec.name, bad_values, reason)
    return column


def _parse_text(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    if isinstance(raw.dtype, pd.CategoricalDtype):  # strip the categories, not the rows
        stripped = [str(c).strip() or None for c in raw.cat.categories]
        codes, uniques = pd.factorize(pd.Series(stripped, dtype=object))
        old = raw.cat.codes.to_numpy()
        new = np.where(old >= 0, codes[old] if len(codes) else -1, -1)
        return pd.Series(pd.Categorical.from_codes(new, categories=list(uniques)))
    return _text(raw).astype("category").reset_index(drop=True)


PARSERS = {
    "id": _parse_id,
    "code": _parse_code,
    "date": _parse_date,
    "amount": _parse_amount,
    "list": _parse_list,
    "text": _parse_text,
}


def _absent(spec: FieldSpec, n: int) -> Column:
    if spec.kind == "list":
        return ListColumn(
            np.array([], dtype=object),
            np.array([], dtype=np.int32),
            np.zeros(n + 1, dtype=np.int64),
        )
    if spec.kind == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="M8[s]"))
    if spec.kind == "amount":
        return pd.Series(np.full(n, np.nan))
    return pd.Series(pd.Categorical([None] * n))


def _cross_checks(columns: dict[str, Column], issues: Issues) -> None:
    filing, grant, lapse = columns["filing_date"], columns["grant_date"], columns["lapse_date"]
    checks = [
        (
            filing < EARLIEST_FILING,
            "filing_date",
            filing,
            "impossible date: before China's Patent Law took effect (1985-04-01)",
        ),
        (grant < filing, "grant_date", grant, "grant date before filing date"),
        (lapse < grant, "lapse_date", lapse, "lapse date before grant date"),
    ]
    for mask, name, column, reason in checks:
        bad = mask.to_numpy()
        issues.add(np.flatnonzero(bad), name, column[bad].dt.date, reason)


@dataclass
class PatentBatch:
    """Validated patents: typed columns of the accepted rows, and the rejects."""

    source: str
    read: int
    columns: dict[str, Column]
    rows: np.ndarray  # 1-based data-row number of each accepted row in the input
    rejects: pd.DataFrame
    absent: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def rejected(self) -> int:
        return self.read - len(self.rows)

    def position(self, patent_id: str) -> int | None:
        hits = np.flatnonzero((self.columns["id"] == patent_id).to_numpy())
        return int(hits[0]) if len(hits) else None

    def record(self, position: int) -> dict[str, object]:
        """One patent as plain values, for the scalar evaluator."""
        record = {}
        for name, column in self.columns.items():
            if isinstance(column, ListColumn):
                record[name] = column.row(position)
            else:
                value = column.iloc[position]
                record[name] = None if pd.isna(value) else value
        return record

    def records(self) -> list[dict[str, object]]:
        """Every patent as plain values (column by column: one pass per field, not per cell)."""
        names = list(self.columns)
        values = []
        for column in self.columns.values():
            if isinstance(column, ListColumn):
                values.append(column.to_lists())
            else:
                values.append([None if pd.isna(v) else v for v in column.astype(object)])
        return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]

    def take(self, index: np.ndarray) -> PatentBatch:
        columns = {
            name: column.take(index)
            if isinstance(column, ListColumn)
            else column.iloc[index].reset_index(drop=True)
            for name, column in self.columns.items()
        }
        return PatentBatch(
            self.source, self.read, columns, self.rows[index], self.rejects, self.absent
        )


#: Below this many rows a thread pool costs more than it saves.
PARALLEL_ROWS = 200_000


def _map(function, items: list, n_rows: int) -> list:
    """Parse columns side by side on large inputs: they are independent, and the arrow and
    numpy kernels doing the work release the GIL, so the second core helps."""
    if n_rows < PARALLEL_ROWS:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(function, items))


def validate(frame: pd.DataFrame, source: str) -> PatentBatch:
    frame = frame.reset_index(drop=True)
    n = len(frame)
    issues = Issues()
    columns: dict[str, Column] = {}
    absent = []
    present = [spec for spec in FIELDS if spec.name in frame.columns]
    parsed = _map(lambda spec: PARSERS[spec.kind](frame[spec.name], spec, issues), present, n)
    columns.update(zip((spec.name for spec in present), parsed, strict=True))
    for spec in FIELDS:
        if spec.name not in columns:
            absent.append(spec.name)
            columns[spec.name] = _absent(spec, n)
    columns = {spec.name: columns[spec.name] for spec in FIELDS}
    _cross_checks(columns, issues)
    found = issues.table()
    rejected = np.zeros(n, dtype=bool)
    rejected[found["position"].to_numpy(dtype=np.int64)] = True
    ids = columns["id"]
    rejects = (
        pd.DataFrame(
            {
                "row": found["position"].to_numpy(dtype=np.int64) + 1,
                "id": ids.iloc[found["position"].to_numpy(dtype=np.int64)].to_numpy(dtype=object)
                if n
                else [],
                "column": found["column"],
                "value": found["value"].astype(str),
                "reason": found["reason"],
            }
        )
        .sort_values(["row", "column"], kind="stable")
        .reset_index(drop=True)
    )
    batch = PatentBatch(source, n, columns, np.arange(1, n + 1), rejects, absent)
    return batch.take(np.flatnonzero(~rejected)) if rejected.any() else batch
