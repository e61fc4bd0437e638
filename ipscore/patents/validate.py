"""Validate raw patent rows into typed columns; every bad value becomes a reject row.

Each check is vectorized. Checks on code values run on the distinct values, so a 5-million
row register costs a handful of numpy operations per column. A row with any problem is
rejected whole (all of its problems are listed) and the counts reconcile:
read == evaluated + rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from ipscore.expr import ListColumn
from ipscore.patents import ipc
from ipscore.patents.awards import award_codes
from ipscore.patents.schema import COUNTRIES, FIELDS, FieldSpec

#: 1985-04-01: China's Patent Law took effect; no CNIPA filing predates it.
EARLIEST_FILING = pd.Timestamp("1985-04-01")
REJECT_COLUMNS = ["row", "id", "column", "value", "reason"]
Column = pd.Series | ListColumn


@dataclass
class Issues:
    """Problems found so far: positions (0-based), column, value, reason."""

    parts: list[pd.DataFrame] = field(default_factory=list)
    #: Values kept but reported (e.g. award texts not recognised): column, value, rows, reason.
    warnings: list[dict] = field(default_factory=list)

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


#: Characters that make two spellings of one id look different: zero-width space/joiners,
#: word joiner, BOM, soft hyphen.
INVISIBLE = "[\u200b-\u200d\u2060\ufeff\u00ad]"


def normalize_ids(raw: pd.Series) -> pd.Series:
    """NFKC (full-width → half-width), invisible characters removed, upper case, stripped:
    CN２０２０… and cn2020…\u200b are one id. Arrow kernels over the column, no row loop."""
    text = _arrow_strings(raw)
    if pc.all(pc.string_is_ascii(text)).as_py() is False:  # ASCII has nothing to fold
        text = pc.utf8_normalize(text, "NFKC")
        text = pc.replace_substring_regex(text, INVISIBLE, "")
    text = pc.utf8_trim_whitespace(pc.ascii_upper(text) if _ascii(text) else pc.utf8_upper(text))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return pd.Series(text.to_pandas(), dtype="str")


def _ascii(text: pa.Array) -> bool:
    return pc.all(pc.string_is_ascii(text)).as_py() is not False


def _parse_id(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    ids = normalize_ids(raw)
    missing = ids.isna().to_numpy()
    issues.add(np.flatnonzero(missing), spec.name, raw[missing], "missing id")
    return ids


def content_hashes(content: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each given row's fields as text: equal rows, equal hashes."""
    rows = content.iloc[positions].astype("str").reset_index(drop=True)
    return pl.from_pandas(rows).hash_rows(seed=0).to_numpy()


def content_columns(frame: pd.DataFrame) -> list[str]:
    """The fields compared when an id repeats: every schema field present but the id."""
    return [spec.name for spec in FIELDS if spec.name in frame.columns and spec.name != "id"]


def repeat_reasons(first_rows: np.ndarray, same_content: np.ndarray) -> np.ndarray:
    """The reject reason of each later occurrence of an id, worded from its first row."""
    rows = pd.Series(np.asarray(first_rows, dtype=np.int64)).astype("str")
    same = ("repeated id (first at row " + rows + ")").to_numpy(dtype=object)
    different = ("repeated id with different content (first at row " + rows + " is kept)").to_numpy(
        dtype=object
    )
    return np.where(np.asarray(same_content, dtype=bool), same, different)


def _repeated_ids(ids: pd.Series, content: pd.DataFrame, issues: Issues, first_row: int) -> None:
    """The rule for repeated ids (after normalize_ids; linear time: a polars hash group-by).

    The FIRST occurrence in file order is kept and every later one is rejected, naming the
    first row. A later occurrence whose fields differ from the first gets its own reason
    ("different content"), so a conflict is never mistaken for a harmless duplicate and can
    be fixed at the source; ipscore cannot tell which of two conflicting records is right."""
    keys = pl.from_arrow(_arrow_strings(ids))
    # Sorting 64-bit hashes (polars hashes on all cores) finds candidates in milliseconds;
    # only rows whose hash repeats are compared as strings, then by content.
    hashes = keys.hash(seed=0).to_numpy()
    order = np.argsort(hashes, kind="stable")
    same = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
    if not len(same):
        return
    candidates = np.unique(np.concatenate([order[same], order[same + 1]]))
    repeated = keys.gather(candidates).is_duplicated() & keys.gather(candidates).is_not_null()
    positions = candidates[repeated.to_numpy()]  # content is compared only where ids repeat
    if not len(positions):
        return
    frame = pl.DataFrame(
        {
            "position": positions,
            "id": keys.gather(positions),
            "content": content_hashes(content, positions),
        }
    )
    repeats = frame.with_columns(
        pl.col("position").first().over("id").alias("first"),
        pl.col("content").first().over("id").alias("first_content"),
    ).filter(pl.col("position") != pl.col("first"))
    if repeats.is_empty():
        return
    same = (repeats["content"] == repeats["first_content"]).to_numpy()
    issues.add(
        repeats["position"].to_numpy(),
        "id",
        repeats["id"].to_numpy(),
        repeat_reasons(repeats["first"].to_numpy() + first_row, same),
    )


#: 国省代码 as exports write it: 广东(44), 美国(US), or the bare code.
_PLACE_CODE = re.compile(r"^(?:.*?)\((\w+)\)$|^(\d{2}|[A-Za-z]{2})$")
#: GB/T 2260 province codes that are not mainland China.
_NOT_MAINLAND = {"71": "TW", "81": "HK", "82": "MO"}
_LIST_PARTS = re.compile("[;；,，|]")


def _country(text: str) -> str | None:
    """An ISO 3166 code from a country name, an ISO code or a 国省代码."""
    if text in COUNTRIES:
        return COUNTRIES[text]
    match = _PLACE_CODE.match(text)
    code = (match.group(1) or match.group(2)) if match else None
    if code is None:
        return None
    if code.isdigit():
        if code in _NOT_MAINLAND:
            return _NOT_MAINLAND[code]
        return "CN" if 11 <= int(code) <= 65 else None
    code = code.upper()
    return code if pycountry.countries.get(alpha_2=code) is not None else None


def _canonical_code(value: object, spec: FieldSpec) -> object:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if spec.name == "owner_country":
        return _country(text)
    found = spec.values.get(text.lower())
    if found is None and spec.name == "status" and "-" in text:
        found = spec.values.get(text.split("-")[0].strip().lower())  # 失效-未缴年费 → 失效
    if found is None and _LIST_PARTS.search(text):
        # "发明公开;发明授权": one patent's history; it is one type if every part agrees.
        parts = {spec.values.get(p.strip().lower()) for p in _LIST_PARTS.split(text) if p.strip()}
        found = parts.pop() if len(parts) == 1 else None
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
    expected = ", ".join(sorted(set(spec.values.values()))) if spec.values else "ISO 3166"
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


#: Excel's day 0 (its 1900 leap-year bug makes serials count from 1899-12-30).
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
#: Serials of Excel date cells read as numbers: 1985-04-01 is 31138, 2100-01-01 is 73051.
EXCEL_SERIALS = (20000, 80000)


def _distinct_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse distinct date spellings: 2019-09-24, 2019.09.24, 2019/9/24, 2019年9月24日,
    20190924 (text or integer), 2019-09-24 00:00:00, an Excel serial (43732) and 0 (what
    some exports write for "no date"). Returns the dates and a reason where unreadable.
    The spellings are cleaned with Polars' regular expressions (Rust, no Python per value)
    and parsed by pandas, whose calendar checks decide what is an impossible date."""
    spellings = pl.Series(pa.array(text, type=pa.string(), from_pandas=True))
    cleaned = pl.DataFrame({"text": spellings}).select(
        pl.col("text")
        .str.replace(r"(\.0+)?$", "")
        .str.replace(r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$", "")
        .str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", "${1}-${2}-${3}")
        .str.replace_all(r"[./年月]", "-")
        .str.replace_all("日", "", literal=True)
        .alias("cleaned")
    )["cleaned"]
    shapes = pl.DataFrame({"cleaned": cleaned}).select(
        serial=pl.col("cleaned").str.contains(r"^[0-9]{5}$"),
        zero=pl.col("cleaned").str.contains(r"^0+$"),
        dated=pl.col("cleaned").str.contains(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"),
    )
    index = text.index
    cleaned = pd.Series(cleaned.to_arrow().to_pandas(), index=index, dtype="str")
    dates = pd.to_datetime(cleaned, format="%Y-%m-%d", errors="coerce")
    is_serial, zero, looks_like_date = (
        pd.Series(shapes[name].fill_null(False).to_numpy(), index=index)
        for name in ("serial", "zero", "dated")
    )
    serial = pd.to_numeric(cleaned.where(is_serial), errors="coerce")
    in_range = serial.between(*EXCEL_SERIALS)
    serial_dates = EXCEL_EPOCH + serial.where(in_range, 0).fillna(0).to_numpy(dtype="int64")
    dates = dates.where(~in_range, pd.Series(serial_dates, index=index))
    reason = pd.Series(
        np.where(looks_like_date, "impossible date", "not a date (expected YYYY-MM-DD)"),
        index=index,
    ).where(dates.isna() & ~zero)
    return dates.where(~zero), reason


def _parse_date(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        return pd.Series(pd.to_datetime(raw).to_numpy(dtype="M8[s]"))
    # Registers repeat a few thousand dates over millions of rows: parse each spelling once.
    encoded = pc.dictionary_encode(_text_of_any(raw))
    dates, reasons = _distinct_dates(pd.Series(encoded.dictionary.to_pandas(), dtype="str"))
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    present = ~pd.isna(indices)
    codes = np.where(present, np.nan_to_num(indices, nan=0), 0).astype(np.int64)
    values = dates.to_numpy(dtype="M8[s]")
    out = np.where(
        present, values[codes] if len(values) else np.datetime64("NaT"), np.datetime64("NaT")
    )
    bad_vocab = reasons.notna().to_numpy()
    if bad_vocab.any():
        bad = present & bad_vocab[codes]
        issues.add(np.flatnonzero(bad), spec.name, raw[bad], reasons.to_numpy()[codes[bad]])
    return pd.Series(out.astype("M8[s]"))


def _text_of_any(raw: pd.Series) -> pa.Array:
    """Stripped text of a column of any type (numbers and date cells from XLSX included);
    blank cells are null."""
    if pd.api.types.is_numeric_dtype(raw):
        raw = np.floor(raw.astype("float64")).astype("Int64").astype("str").where(raw.notna())
    elif not pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        raw = raw.astype("str").where(raw.notna())
    text = pc.utf8_trim_whitespace(_arrow_strings(raw))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _parse_amount(raw: pd.Series, spec: FieldSpec, issues: Issues) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw):
        amounts = raw.astype("float64")
    else:
        text = _text(raw).str.replace(",", "")
        amounts = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = (amounts.isna() & text.notna()).to_numpy()
        issues.add(np.flatnonzero(bad), spec.name, raw[bad], "not a number")
    infinite = np.isinf(amounts.to_numpy())
    issues.add(np.flatnonzero(infinite), spec.name, raw[infinite], "not a finite number")
    negative = (amounts < 0).to_numpy() & ~infinite
    issues.add(np.flatnonzero(negative), spec.name, raw[negative], "negative amount")
    return amounts.reset_index(drop=True)


#: Patent offices that are not countries: EPO, Eurasian, ARIPO, OAPI, GCC, and WIPO (a PCT
#: application, never a granted right: count_overseas ignores it).
REGIONAL_OFFICES = frozenset({"EP", "EA", "AP", "OA", "GC", "WO"})


def jurisdiction_codes(vocab: pd.Series) -> pd.Series:
    """ISO 3166 alpha-2 (or a regional office) of distinct jurisdiction spellings."""
    text = vocab.str.normalize("NFKC").str.strip()
    mapped = text.map(COUNTRIES).fillna(text.str.upper())
    known = [
        bool(m in REGIONAL_OFFICES or (len(m) == 2 and pycountry.countries.get(alpha_2=m)))
        for m in mapped.fillna("").astype(str)
    ]
    return mapped.where(pd.Series(known, index=mapped.index), np.nan)


UNRECOGNISED_AWARD = "unrecognised:"


def _awards(vocab: pd.Series) -> pd.Series:
    """Award codes; an unrecognised text is kept (it never counts) and reported as a warning,
    never silently dropped and never a reject: the rest of the record is sound."""
    codes = pd.Series(award_codes(vocab.fillna("")), index=vocab.index, dtype=object)
    return codes.fillna(UNRECOGNISED_AWARD + vocab.astype(str))


def _on_pandas(normalize: Callable[[pd.Series], pd.Series]) -> Callable[[pa.Array], pa.Array]:
    """A normaliser of a few distinct values written for pandas, on an Arrow dictionary."""

    def run(vocab: pa.Array) -> pa.Array:
        canonical = normalize(pd.Series(vocab.to_pylist(), dtype="string"))
        return pa.array(canonical, type=pa.string(), from_pandas=True)

    return run


#: Distinct spellings (Arrow strings) → canonical values, null where unreadable.
LIST_NORMALIZERS: dict[str, tuple[Callable[[pa.Array], pa.Array], str]] = {
    "ipc": (ipc.normalize_arrow, "unreadable IPC code (expected e.g. H04L 9/32 or H04L0009320000)"),
    "family_granted": (
        _on_pandas(jurisdiction_codes),
        "unknown jurisdiction (expected an ISO 3166 code)",
    ),
    "awards": (_on_pandas(_awards), "unknown award"),
}


SEPARATORS = ("；", ",", "，", "|")  # besides ";": full-width, comma and PatSnap " | "


def _split(text: pa.Array) -> pa.ListArray:
    # A regex split is several times slower than a plain one; most registers need only ";".
    if pc.any(pc.match_substring_regex(text, "[" + re.escape("".join(SEPARATORS)) + "]")).as_py():
        return pc.split_pattern_regex(text, pattern="[;" + re.escape("".join(SEPARATORS)) + "]")
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
    normalize, reason = LIST_NORMALIZERS[spec.name]
    canonical = normalize(encoded.dictionary)
    # Spellings of one code (H04L9/32, H04L0009320000) become one vocabulary entry.
    recoded = pc.dictionary_encode(pc.fill_null(canonical, "?"))
    inverse = recoded.indices.to_numpy()
    column = ListColumn(
        recoded.dictionary.to_numpy(zero_copy_only=False),
        inverse[encoded.indices.to_numpy()],
        offsets,
    )
    unreadable = pc.is_null(canonical).to_numpy(zero_copy_only=False)
    if unreadable.any():
        bad = unreadable[encoded.indices.to_numpy()]
        bad_values = encoded.dictionary.take(pa.array(encoded.indices.to_numpy()[bad]))
        issues.add(
            column.parents[bad], spec.name, bad_values.to_numpy(zero_copy_only=False), reason
        )
    if spec.name == "awards":
        _warn_unrecognised_awards(column, issues)
    return column


def _warn_unrecognised_awards(column: ListColumn, issues: Issues) -> None:
    unknown = np.flatnonzero(np.char.startswith(column.vocab.astype(str), UNRECOGNISED_AWARD))
    if not len(unknown):
        return
    rows = np.bincount(column.codes, minlength=len(column.vocab))
    for code in unknown:
        issues.warnings.append(
            {
                "column": "awards",
                "value": str(column.vocab[code])[len(UNRECOGNISED_AWARD) :],
                "rows": int(rows[code]),
                "reason": "award not recognised (rules/tables/awards.csv); not counted",
            }
        )


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
    return pd.Series(pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=[]))


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
    #: Findings about the file as a whole (unread sheets …), reported once.
    warnings: list[dict] = field(default_factory=list)
    #: Values kept but reported, with the rows that carry them (unrecognised awards).
    value_warnings: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def rejected(self) -> int:
        return self.read - len(self.rows)

    def position(self, patent_id: str) -> int | None:
        """Where an id is, written in any spelling its register may use (ids are stored
        normalised: NFKC, upper case, no invisible characters)."""
        wanted = normalize_ids(pd.Series([patent_id], dtype="str")).iloc[0]
        hits = np.flatnonzero((self.columns["id"] == wanted).to_numpy())
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
            self.source,
            self.read,
            columns,
            self.rows[index],
            self.rejects,
            self.absent,
            self.warnings,
            self.value_warnings,
        )


#: Below this many rows a thread pool costs more than it saves.
PARALLEL_ROWS = 200_000


def _map(function, items: list, n_rows: int, parallel: bool) -> list:
    """Parse columns side by side on large inputs: they are independent, and the arrow and
    numpy kernels doing the work release the GIL, so the second core helps."""
    if not parallel or n_rows < PARALLEL_ROWS:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(function, items))


def validate(
    frame: pd.DataFrame,
    source: str,
    first_row: int = 1,
    repeated: np.ndarray | None = None,
    parallel: bool = True,
) -> PatentBatch:
    """Typed columns of the sound rows and a reject row per problem.

    `first_row` is the data-row number of the frame's first row (a chunk of a larger
    register). `repeated`, when given, are the positions whose id an earlier row already
    has, found over the whole register (`ipscore.bulk.ids`): they are left out, and the
    caller reports them; the frame's own repeated-id check is then not run. `parallel=False`
    parses the columns one after another: the chunked engine already runs two chunks at
    once, and columns on threads of their own cost it 8 % more CPU (0.9 s of 5M rows)."""
    frame = frame.reset_index(drop=True)
    n = len(frame)
    issues = Issues()
    columns: dict[str, Column] = {}
    absent = []
    present = [spec for spec in FIELDS if spec.name in frame.columns]
    parsed = _map(
        lambda spec: PARSERS[spec.kind](frame[spec.name], spec, issues), present, n, parallel
    )
    columns.update(zip((spec.name for spec in present), parsed, strict=True))
    for spec in FIELDS:
        if spec.name not in columns:
            absent.append(spec.name)
            columns[spec.name] = _absent(spec, n)
    columns = {spec.name: columns[spec.name] for spec in FIELDS}
    _cross_checks(columns, issues)
    if "id" in frame.columns and repeated is None:
        _repeated_ids(columns["id"], frame[content_columns(frame)], issues, first_row)
    found = issues.table()
    rejected = np.zeros(n, dtype=bool)
    rejected[found["position"].to_numpy(dtype=np.int64)] = True
    if repeated is not None:
        rejected[repeated] = True
    ids = columns["id"]
    rejects = (
        pd.DataFrame(
            {
                "row": found["position"].to_numpy(dtype=np.int64) + first_row,
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
    batch = PatentBatch(
        source,
        n,
        columns,
        np.arange(first_row, first_row + n),
        rejects,
        absent,
        list(frame.attrs.get("warnings", [])),
        issues.warnings,
    )
    return batch.take(np.flatnonzero(~rejected)) if rejected.any() else batch
