"""Validate raw patent rows into typed columns; every bad value becomes a reject row.

Each check is vectorized. Checks on code values run on the distinct values, so a 5-million
row register costs a handful of numpy operations per column. A row with any problem is
rejected whole (all of its problems are listed) and the counts reconcile:
read == evaluated + rejected.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
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
    text = raw.astype("string").str.strip()
    return text.mask(text == "")


def _parse_id(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    ids = _text(raw)
    missing = ids.isna().to_numpy()
    issues.add(np.flatnonzero(missing), spec.name, raw[missing], "missing id")
    repeated = ids.duplicated(keep="first").to_numpy() & ~missing
    if repeated.any():
        first = pd.Series(
            np.flatnonzero(~ids.duplicated(keep="first").to_numpy()),
            index=ids[~ids.duplicated(keep="first")].to_numpy(),
        )
        positions = np.flatnonzero(repeated)
        first_rows = first.reindex(ids[repeated].to_numpy()).to_numpy() + 1
        issues.add(
            positions,
            spec.name,
            ids[repeated],
            [f"repeated id (first at row {r})" for r in first_rows],
        )
    return ids


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


def _parse_list(raw: pd.Series, spec: FieldSpec, issues: Issues) -> ListColumn:
    text = pa.array(raw.astype("string").fillna("").to_numpy(dtype=object), type=pa.string())
    parts = pc.split_pattern_regex(text, pattern=r"[;；,，]")
    items = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    parents = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    keep = pc.not_equal(items, "").to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(items.filter(pa.array(keep)))
    raw_vocab = pd.Series(encoded.dictionary.to_pylist(), dtype="string")
    normalize, reason = LIST_NORMALIZERS[spec.name]
    canonical = normalize(raw_vocab)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    parents = parents[keep]
    unreadable = canonical.isna().to_numpy()
    if unreadable.any():
        bad_items = unreadable[codes]
        issues.add(
            parents[bad_items],
            spec.name,
            raw_vocab.to_numpy(dtype=object)[codes][bad_items],
            reason,
        )
    inverse, vocab = pd.factorize(canonical.fillna("?"))
    counts = np.bincount(parents, minlength=len(raw))
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return ListColumn(np.asarray(vocab, dtype=object), inverse[codes], offsets)


def _parse_text(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
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
    early = (filing < EARLIEST_FILING).to_numpy()
    issues.add(
        np.flatnonzero(early),
        "filing_date",
        filing[early].dt.date,
        "impossible date: before China's Patent Law took effect (1985-04-01)",
    )
    before = (grant < filing).to_numpy()
    issues.add(
        np.flatnonzero(before), "grant_date", grant[before].dt.date, "grant date before filing date"
    )
    lapse_first = (lapse < grant).to_numpy()
    issues.add(
        np.flatnonzero(lapse_first),
        "lapse_date",
        lapse[lapse_first].dt.date,
        "lapse date before grant date",
    )


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


def validate(frame: pd.DataFrame, source: str) -> PatentBatch:
    frame = frame.reset_index(drop=True)
    n = len(frame)
    issues = Issues()
    columns: dict[str, Column] = {}
    absent = []
    for spec in FIELDS:
        if spec.name in frame.columns:
            columns[spec.name] = PARSERS[spec.kind](frame[spec.name], spec, issues)
        else:
            absent.append(spec.name)
            columns[spec.name] = _absent(spec, n)
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
