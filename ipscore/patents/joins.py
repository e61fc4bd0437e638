"""The lists that registers lack, joined by patent number: awards, pledges, families.

Registers rarely carry awards, pledge registrations or overseas family data; they come as
published lists keyed by patent number (FACTS §1 "Awards"). Numbers are matched in every
usual spelling: ZL201610705624.2, CN201610705624.2, 2016106705624 2, with or without the
check digit. Every list row ends in exactly one of: matched, unmatched (no such patent in
the register; listed, never dropped silently), rejected (malformed; named with its line),
or set aside for a stated reason (a pledge after as_of, a family member not granted, a
WO publication, which is an application and never a grant). The counts reconcile.

Everything runs as Arrow kernels and polars joins on whole columns; the only Python loops
are over the distinct award texts and jurisdictions of a list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ipscore.errors import InputError
from ipscore.expr import ListColumn
from ipscore.patents.awards import award_code
from ipscore.patents.readers import read_csv_text, read_workbook
from ipscore.patents.schema import header_key
from ipscore.patents.validate import INVISIBLE, PatentBatch, jurisdiction_codes

#: A CNIPA application number: 8 digits (before 2003) or 12, then an optional check digit
#: (0-9 or X), possibly after a dot. The join key is the number without the check digit.
#: The year opens the number: 2003 on for 12 digits, 1985–2003 for 8.
_NUMBER = r"^(?:ZL|CN)?(?P<key>20[0-9]{10}|(?:8[5-9]|9[0-9]|0[0-3])[0-9]{6})\.?[0-9X]?$"
NUMBER_HELP = "expected an application number such as ZL201610705624.2 or CN201610705624.2"

HEADERS: dict[str, tuple[str, ...]] = {
    "number": (
        "专利号",
        "申请号",
        "专利申请号",
        "patent_number",
        "application_number",
        "application_number_as_listed",
        "number",
        "id",
    ),
    "award": ("奖项", "奖项名称", "获奖", "奖励", "award"),
    "level": ("奖级", "等级", "level"),
    "amount": ("质押金额", "质押金额(万元)", "金额", "amount"),
    "date": ("质押登记日", "登记日", "质押日期", "日期", "date"),
    "jurisdiction": ("国家/地区", "同族国家", "公开国别", "受理局", "jurisdiction", "country"),
    "granted": ("是否授权", "授权", "granted"),
}
#: China Patent Award lists give the grade in a column of its own (e.g. the 25th award).
CHINA_PATENT_LEVELS = {
    "gold": "中国专利金奖",
    "金奖": "中国专利金奖",
    "silver": "中国专利银奖",
    "银奖": "中国专利银奖",
    "excellence": "中国专利优秀奖",
    "优秀奖": "中国专利优秀奖",
}
YES = {"是", "y", "yes", "true", "1", "授权", "已授权", "granted"}
NO = {"否", "n", "no", "false", "0", "未授权", "not granted", ""}


@dataclass
class JoinReport:
    kind: str
    file: str
    rows: int = 0
    matched: int = 0
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # the first 1,000
    unmatched_count: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    set_aside: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "list": self.kind,
            "file": self.file,
            "rows": self.rows,
            "matched": self.matched,
            "unmatched": self.unmatched_count,
            "rejected": len(self.rejected),
            "set_aside": self.set_aside,
            "unmatched_rows": self.unmatched[:50],
            "rejected_rows": self.rejected[:50],
        }


#: Spaces and invisible characters inside a number (polars/Rust regex syntax).
_NOISE = "[\\s\u200b\u200c\u200d\u2060\ufeff\u00ad]"


def number_keys(values: pa.Array | pd.Series) -> pa.Array:
    """The join key of every number (null where it is not a patent number).

    polars' Rust regex runs on all cores; NFKC (full-width digits) only where a number is
    not plain ASCII."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype("str").where(values.notna()), type=pa.string())
    text = pc.cast(values, pa.string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if pc.all(pc.string_is_ascii(text)).as_py() is False:
        text = pc.utf8_normalize(text, "NFKC")
    series = pl.from_arrow(text).str.to_uppercase().str.replace_all(_NOISE, "")
    return series.str.extract(_NUMBER.replace("?P<key>", ""), 1).to_arrow()


def _read(path: Path, kind: str) -> pd.DataFrame:
    if path.is_dir() or not path.exists():
        raise InputError(f"{path}: {'is a directory' if path.is_dir() else 'no such file'}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = read_workbook(path).astype("str").where(lambda f: f.notna() & (f != "nan"))
    else:
        frame = read_csv_text(path, dtype=str)
    keys = {header_key(c): c for c in frame.columns}
    columns = {}
    for name, aliases in HEADERS.items():
        found = next((keys[header_key(a)] for a in aliases if header_key(a) in keys), None)
        if found is not None:
            columns[name] = frame[found]
    if "number" not in columns:
        raise InputError(
            f"{path}: the {kind} list has no patent-number column "
            f"(one of {', '.join(HEADERS['number'])})"
        )
    out = pd.DataFrame(columns).reset_index(drop=True)
    out["line"] = np.arange(2, len(out) + 2)
    return out


def _issue(frame: pd.DataFrame, mask: np.ndarray, column: str, reason: str) -> list[dict]:
    rows = frame[mask]
    return [
        {"line": int(line), "column": column, "value": str(value), "reason": reason}
        for line, value in zip(rows["line"], rows[column], strict=True)
    ]


def _keyed(frame: pd.DataFrame, report: JoinReport) -> pd.DataFrame:
    keys = number_keys(frame["number"])
    bad = pc.is_null(keys).to_numpy(zero_copy_only=False)
    report.rejected += _issue(frame, bad, "number", f"not a patent number; {NUMBER_HELP}")
    return frame.assign(key=keys.to_pandas().to_numpy())[~bad].reset_index(drop=True)


def _match(frame: pd.DataFrame, register: Register, report: JoinReport) -> pd.DataFrame:
    """List rows with the register position of their patent; unmatched rows reported."""
    keys = pl.DataFrame(  # typed: an empty list (all rows set aside) has no values to infer from
        {"key": pl.Series(frame["key"].to_numpy(), dtype=pl.Utf8), "row": np.arange(len(frame))}
    )
    joined = keys.join(register.lookup(keys["key"]), on="key", how="left").sort("row")
    positions = joined["position"].to_numpy(allow_copy=True).astype("float64")
    unmatched = np.isnan(positions)
    missed = frame[unmatched]
    report.unmatched += [
        {"line": int(line), "number": str(number)}
        for line, number in zip(missed["line"].head(1000), missed["number"].head(1000), strict=True)
    ]
    report.unmatched_count += int(unmatched.sum())
    matched = frame[~unmatched].reset_index(drop=True)
    matched["position"] = positions[~unmatched].astype(np.int64)
    return matched


def register_keys(ids: pa.Array) -> pl.Series:
    """Join keys of register ids without a regex: a register key only has to EQUAL a valid
    list key (list numbers are checked strictly), so the register side needs only literal
    string operations, which polars runs on millions of ids in a fraction of a second."""
    if pc.all(pc.string_is_ascii(ids)).as_py() is False:
        ids = pc.replace_substring_regex(pc.utf8_normalize(ids, "NFKC"), INVISIBLE, "")
    text = pl.from_arrow(ids).str.to_uppercase().str.replace_all(" ", "", literal=True)
    text = text.str.strip_prefix("CN").str.strip_prefix("ZL").str.replace(".", "", literal=True)
    length = text.str.len_bytes()
    frame = pl.DataFrame({"text": text, "length": length})
    return frame.select(
        pl.when(pl.col("length").is_in([12, 13]))
        .then(pl.col("text").str.slice(0, 12))
        .when(pl.col("length").is_in([8, 9]))
        .then(pl.col("text").str.slice(0, 8))
        .alias("key")
    )["key"]


class Register:
    """The register's join keys, computed once; each list probes them with a semi-join
    (hashing the small list, not the millions of register rows)."""

    def __init__(self, ids: pd.Series):
        self.ids = ids
        self._keys: pl.DataFrame | None = None

    def keys(self) -> pl.DataFrame:
        if self._keys is None:
            keys = register_keys(pa.array(self.ids.astype("str"), type=pa.string()))
            frame = pl.DataFrame({"key": keys, "position": np.arange(len(keys))})
            self._keys = frame.filter(pl.col("key").is_not_null())
        return self._keys

    def lookup(self, wanted: pl.Series) -> pl.DataFrame:
        """key → the first register position holding it, for the wanted keys only."""
        found = self.keys().join(pl.DataFrame({"key": wanted.unique()}), on="key", how="semi")
        return found.unique("key", keep="first", maintain_order=True)


def _with_items(column: ListColumn, positions: np.ndarray, items: np.ndarray) -> ListColumn:
    """The list column with items appended to the rows at positions: codes are merged on
    the vocabularies (distinct values), rows are stably sorted once (integers only)."""
    vocab = pd.Index(column.vocab, dtype=object).append(pd.Index(pd.unique(items), dtype=object))
    vocab = vocab.unique()
    old = vocab.get_indexer(pd.Index(column.vocab, dtype=object))[column.codes]
    new = vocab.get_indexer(pd.Index(items, dtype=object))
    rows = np.concatenate([column.parents, positions.astype(np.int64)])
    order = np.argsort(rows, kind="stable")
    codes = np.concatenate([old, new])[order]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(column)))])
    return ListColumn(np.asarray(vocab, dtype=object), codes, offsets.astype(np.int64))


def join_awards(batch: PatentBatch, path: Path, register: Register) -> JoinReport:
    report = JoinReport("awards", str(path))
    frame = _read(path, "awards")
    report.rows = len(frame)
    if "award" not in frame and "level" in frame:
        frame["award"] = frame["level"].str.strip().str.lower().map(CHINA_PATENT_LEVELS)
    if "award" not in frame:
        raise InputError(
            f"{path}: the awards list has no award column ({', '.join(HEADERS['award'])})"
        )
    distinct = frame["award"].dropna().unique()
    codes = {text: award_code(text) for text in distinct}
    frame["code"] = frame["award"].map(codes)
    bad = frame["code"].isna().to_numpy()
    report.rejected += _issue(
        frame.fillna({"award": ""}), bad, "award", "award not recognised (rules/tables/awards.csv)"
    )
    matched = _match(_keyed(frame[~bad], report), register, report)
    report.matched = len(matched)
    batch.columns["awards"] = _with_items(
        batch.columns["awards"], matched["position"].to_numpy(), matched["code"].to_numpy()
    )
    return report


def join_pledges(batch: PatentBatch, path: Path, register: Register, as_of: dt.date) -> JoinReport:
    report = JoinReport("pledges", str(path))
    frame = _read(path, "pledges")
    report.rows = len(frame)
    if "amount" not in frame:
        raise InputError(f"{path}: the pledges list has no amount column (万元)")
    amounts = pd.to_numeric(frame["amount"].str.replace(",", ""), errors="coerce")
    bad = ~np.isfinite(amounts.to_numpy(dtype="float64")) | (amounts < 0).to_numpy()
    report.rejected += _issue(frame, bad, "amount", "not a finite amount ≥ 0 (万元)")
    frame = frame.assign(amount_10k=amounts)[~bad]
    if "date" in frame:
        dates = pd.to_datetime(frame["date"].str.replace(r"[./]", "-", regex=True), errors="coerce")
        undated = (dates.isna() & frame["date"].notna()).to_numpy()
        report.rejected += _issue(frame, undated, "date", "not a date (expected YYYY-MM-DD)")
        later = (dates > pd.Timestamp(as_of)).to_numpy()
        report.set_aside["after_as_of"] = int(later.sum())
        frame = frame[~undated & ~later]
    matched = _match(_keyed(frame, report), register, report)
    report.matched = len(matched)
    # Per patent, the pledges of the list are summed (cumulative amount, the rule's
    # assumption); a register amount and a list amount for one patent: the larger counts.
    total = np.bincount(
        matched["position"].to_numpy(), weights=matched["amount_10k"], minlength=len(batch)
    )
    listed = np.bincount(matched["position"].to_numpy(), minlength=len(batch)) > 0
    current = batch.columns["pledge_amount"].to_numpy(dtype="float64")
    batch.columns["pledge_amount"] = pd.Series(np.where(listed, np.fmax(current, total), current))
    return report


def join_families(batch: PatentBatch, path: Path, register: Register) -> JoinReport:
    report = JoinReport("families", str(path))
    frame = _read(path, "families")
    report.rows = len(frame)
    if "jurisdiction" not in frame:
        raise InputError(f"{path}: the families list has no jurisdiction column")
    distinct = pd.Series(frame["jurisdiction"].dropna().unique(), dtype="str")
    codes = dict(zip(distinct, jurisdiction_codes(distinct), strict=True))
    frame["code"] = frame["jurisdiction"].map(codes)
    bad = frame["code"].isna().to_numpy()
    report.rejected += _issue(
        frame.fillna({"jurisdiction": ""}), bad, "jurisdiction", "unknown jurisdiction"
    )
    frame = frame[~bad]
    if "granted" in frame:
        flag = frame["granted"].fillna("").str.strip().str.lower()
        unclear = (~flag.isin(YES | NO)).to_numpy()
        report.rejected += _issue(frame, unclear, "granted", "granted must be 是/否 or yes/no")
        frame, flag = frame[~unclear], flag[~unclear]
        not_granted = (~flag.isin(YES)).to_numpy()
        report.set_aside["not_granted"] = int(not_granted.sum())
        _keep_pending(batch, frame[not_granted], register, path)
        frame = frame[~not_granted]
    wo = (frame["code"] == "WO").to_numpy()
    report.set_aside["wo_application"] = int(wo.sum())
    frame = frame[~wo]
    matched = _match(_keyed(frame, report), register, report)
    report.matched = len(matched)
    batch.columns["family_granted"] = _with_items(
        batch.columns["family_granted"], matched["position"].to_numpy(), matched["code"].to_numpy()
    )
    return report


def _keep_pending(batch: PatentBatch, pending: pd.DataFrame, register: Register, path) -> None:
    """Family members not (yet) granted, as `family_pending`: they never count for the
    rule, but `advise` names them as the way to an overseas grant. Matched with a scratch
    report, so the list's own reconciliation counts each row once, as set aside."""
    pending = pending[(pending["code"] != "WO").to_numpy()]
    scratch = JoinReport("families", str(path))
    matched = _match(_keyed(pending, scratch), register, scratch)
    empty = ListColumn(
        np.array([], dtype=object), np.array([], dtype=np.int32), np.zeros(len(batch) + 1, np.int64)
    )
    batch.columns["family_pending"] = _with_items(
        empty, matched["position"].to_numpy(), matched["code"].to_numpy()
    )


def join_lists(
    batch: PatentBatch,
    as_of: dt.date,
    awards: str | Path | None = None,
    pledges: str | Path | None = None,
    families: str | Path | None = None,
) -> tuple[PatentBatch, list[JoinReport]]:
    """A copy of the batch with the lists' facts added, and one report per list."""
    if not (awards or pledges or families):
        return batch, []
    # A shallow copy: the joins replace columns, they never change one in place.
    batch = dataclasses.replace(batch, columns=dict(batch.columns), absent=list(batch.absent))
    register = Register(batch.columns["id"])
    reports = []
    if awards:
        reports.append(join_awards(batch, Path(awards), register))
    if pledges:
        reports.append(join_pledges(batch, Path(pledges), register, as_of))
    if families:
        reports.append(join_families(batch, Path(families), register))
    for name in ("awards", "pledge_amount", "family_granted"):
        if name in batch.absent and any(
            r.kind == {"awards": "awards", "pledge_amount": "pledges"}.get(name, "families")
            for r in reports
        ):
            batch.absent = [a for a in batch.absent if a != name]
    return batch, reports
