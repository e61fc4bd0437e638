"""The 战略性新兴产业–IPC reference table, read as the official table means it.

The table is a list of rules. Each rule belongs to one industry (a 中类 code such as 1.1)
and lists IPC patterns and exclusions ("不含…") in the notation of FACTS.md §1:
- `G06F*` the subclass G06F; `G16*` / `C08*` the whole class (two rows of the table);
- `G06F11*` main group G06F 11 with all its subgroups;
- `G06F9/44` that subgroup exactly (IPC dot-levels are not string prefixes);
- quirks of the transcription: `H03M13` (no `*`, no `/`) is the main group, `G16H` (no `*`)
  the subclass.
An exclusion removes codes from its own rule only; a code excluded by one rule can still
match another. A code can fall into several industries: all are reported.

Nine rules carry an explicit keyword filter ("…相关关键词"): their IPC block counts only
for patents whose text mentions one of the rule's `keyword_terms`, when the rule's
`sei_keywords` parameter says `require`. The other rules' keyword text describes the
industry and never restricts a match.

Matching runs on the register's distinct codes with one Polars join per pattern level,
so a million distinct codes take a fraction of a second, and is mapped back to rows by
the ListColumn scatter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from ipscore.bundled import bundled_dir
from ipscore.errors import InputError
from ipscore.expr.columns import ListColumn
from ipscore.expr.errors import ExprError
from ipscore.patents.ipc import normalize
from ipscore.patents.readers import read_csv_text

LEVELS = ("class", "subclass", "main_group", "exact")
_SC = r"(?P<sc>[A-H]\d{2}[A-Z])"
_PATTERNS = (  # pattern spelling → level; tried in order
    (re.compile(r"^(?P<cls>[A-H]\d{2})\*$"), "class"),
    (re.compile(rf"^{_SC}\*?$"), "subclass"),
    (re.compile(rf"^{_SC}(?P<g>\d{{1,4}})\*?$"), "main_group"),
    (re.compile(rf"^{_SC}(?P<g>\d{{1,4}})/(?P<s>\d{{1,6}})$"), "exact"),
)
RULE_COLUMNS = ("sei_code", "ipc_patterns")
OLD_COLUMNS = ("ipc", "sei_code")


def parse_pattern(text: str) -> tuple[str, str] | None:
    """A pattern as written in the table → (level, key in canonical code spelling)."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    for regex, lvl in _PATTERNS:
        found = regex.match(compact)
        if not found:
            continue
        if lvl == "class":
            return lvl, found["cls"]
        if lvl == "subclass":
            return lvl, found["sc"]
        if lvl == "main_group":
            return lvl, f"{found['sc']} {int(found['g'])}/00"
        # The canonical subgroup spelling of ipscore.patents.ipc.normalize, for one code.
        return lvl, f"{found['sc']} {int(found['g'])}/{found['s'].rstrip('0').ljust(2, '0')}"
    return None


@dataclass
class Industries:
    """The 大类 and 中类 of 《战略性新兴产业分类（2018）》: code → name, level, parent."""

    frame: pd.DataFrame  # code, name, level (1 大类 / 2 中类), parent

    def name(self, code: str) -> str:
        found = self.frame.loc[self.frame["code"] == code, "name"]
        return str(found.iloc[0]) if len(found) else ""

    def top_of(self, code: str) -> str:
        return code.split(".")[0]

    @property
    def codes(self) -> set[str]:
        return set(self.frame["code"])


@dataclass
class IpcTable:
    """The table's rules and their patterns, ready to match codes at every level."""

    name: str
    path: Path
    rules: pd.DataFrame  # rule (0..n-1), sei_code, sei_name, rule_no, keywords, keyword_terms
    patterns: pl.DataFrame  # rule, pattern, level, key, exclusion
    industries: Industries
    layout: str = "rules"
    _masks: dict[Any, Any] = field(default_factory=dict, repr=False)

    # --- matching on distinct codes -----------------------------------------------------

    def pairs(self, codes: np.ndarray, keep_excluded: bool = False) -> pl.DataFrame:
        """Every (code position, rule) that matched, with the pattern that matched it.

        With `keep_excluded`, pairs removed by an exclusion stay, with `excluded_by`."""
        frame = pl.DataFrame({"code": pl.Series(np.asarray(codes, dtype=object), dtype=pl.Utf8)})
        frame = frame.with_row_index("ci").with_columns(
            pl.col("code").str.slice(0, 3).alias("class"),
            pl.col("code").str.slice(0, 4).alias("subclass"),
            pl.when(pl.col("code").str.contains(" "))
            .then(pl.col("code").str.split("/").list.first() + "/00")
            .alias("main_group"),
            pl.col("code").alias("exact"),
        )
        found = pl.concat(
            frame.select("ci", pl.col(lvl).alias("key")).join(
                self.patterns.filter(pl.col("level") == lvl), on="key"
            )
            for lvl in LEVELS
        )
        included = found.filter(~pl.col("exclusion")).unique(["ci", "rule"], keep="first")
        excluded = (
            found.filter(pl.col("exclusion"))
            .unique(["ci", "rule"], keep="first")
            .select("ci", "rule", pl.col("pattern").alias("excluded_by"))
        )
        if keep_excluded:
            return included.join(excluded, on=["ci", "rule"], how="left").sort("ci", "rule")
        return included.join(excluded, on=["ci", "rule"], how="anti").sort("ci", "rule")

    @property
    def bit_industries(self) -> list[str]:
        """The 中类 codes in bit order: a patent's industries are one uint64 bit set."""
        return sorted(
            self.industries.frame.loc[self.industries.frame["level"] == 2, "code"], key=_code_key
        )

    def code_bits(self, codes: np.ndarray) -> CodeBits:
        """Per distinct code: the industries of its unfiltered rules as bits, and for each
        keyword-filter rule the codes it matched."""
        pairs = self.pairs(codes).select("ci", "rule").to_pandas()
        ci, rule = pairs["ci"].to_numpy(np.int64), pairs["rule"].to_numpy(np.int64)
        bit_of = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(self.bit_industries)}
        rule_bits = np.array([bit_of[c] for c in self.rules["sei_code"]], dtype=np.uint64)
        filtered = self.rules["keyword_terms"].notna().to_numpy()
        plain = np.zeros(len(codes), dtype=np.uint64)
        keep = ~filtered[rule]
        np.bitwise_or.at(plain, ci[keep], rule_bits[rule[keep]])
        filters = []
        for r in np.flatnonzero(filtered):
            mask = np.zeros(len(codes), dtype=bool)
            mask[ci[rule == r]] = True
            if mask.any():
                filters.append((tuple(self.rules.at[r, "keyword_terms"]), rule_bits[r], mask))
        return CodeBits(plain, filters)

    def row_bits(self, codes: ListColumn, mode: str, title: Any, abstract: Any) -> np.ndarray:
        """Each row's industries as a bit set (see `bit_industries`). Keyword-filter rules
        count always (`ignore`) or only where title or abstract names a term (`require`)."""
        mode = keyword_mode(mode)
        texts = (id(title), id(abstract)) if mode == "require" else ()  # `ignore` reads none
        key = ("sei_rows", id(self), mode, *texts)
        if key in codes.row_cache:
            return codes.row_cache[key]
        if ("sei_bits", id(self)) not in codes.cache:
            codes.cache[("sei_bits", id(self))] = self.code_bits(codes.vocab)
        bits: CodeBits = codes.cache[("sei_bits", id(self))]
        if mode == "ignore":  # every rule counts: one pass over the rows' codes, not one a rule
            out = _or_per_row(codes, bits.loose)
        else:
            out = _or_per_row(codes, bits.plain)
            for terms, bit, mask in bits.filters:
                mentioned = _mentions(title, terms) | _mentions(abstract, terms)
                if mentioned is not False:  # no title or abstract: no filter rule can count
                    out[codes.any_rows(mask) & mentioned] |= bit
        codes.row_cache[key] = out
        return out

    def unverifiable_rows(self, codes: ListColumn, title: Any, abstract: Any) -> np.ndarray:
        """Rows whose only route into the table is a keyword-filter rule and that have no
        text to check it against: `require` cannot count them, `ignore` would."""
        plain = self.row_bits(codes, "require", None, None)
        loose = self.row_bits(codes, "ignore", None, None)
        no_text = ~(_has_text(title) | _has_text(abstract))
        return (loose != 0) & (plain == 0) & no_text

    def record_bits(self, codes: tuple[str, ...], mode: str, title: Any, abstract: Any) -> int:
        """One record's industries as a bit set: the scalar twin of `row_bits`."""
        mode = keyword_mode(mode)
        text = " ".join(t for t in (title, abstract) if isinstance(t, str))
        bits = 0
        for code in codes:
            if code not in self._masks:
                one = self.code_bits(np.array([code], dtype=object))
                self._masks[code] = (
                    int(one.plain[0]),
                    [(terms, int(bit)) for terms, bit, mask in one.filters if mask[0]],
                )
            plain, filters = self._masks[code]
            bits |= plain
            for terms, bit in filters:
                if mode == "ignore" or any(term in text for term in terms):
                    bits |= bit
        return bits

    def labels(self, bits: np.ndarray) -> pd.Categorical:
        """`1.1;1.5` per row (empty when none), built once per distinct bit set."""
        index, distinct = pd.factorize(bits, sort=True)
        names = self.bit_industries
        text = [";".join(names[i] for i in range(len(names)) if int(b) >> i & 1) for b in distinct]
        return pd.Categorical.from_codes(index, categories=text)

    def matches(self, codes: np.ndarray) -> np.ndarray:
        """One bool per code: does any rule of the table cover it (IPC alone)?"""
        pairs = self.pairs(codes).select("ci").to_series().to_numpy()
        out = np.zeros(len(codes), dtype=bool)
        out[pairs] = True
        return out

    def match_one(self, code: str) -> bool:
        return self.record_bits((code,), "ignore", None, None) != 0

    def explain_code(self, code: str) -> list[dict[str, Any]]:
        """Every rule that names the code, with the pattern that matched and any exclusion."""
        pairs = self.pairs(np.array([code], dtype=object), keep_excluded=True).to_pandas()
        out = []
        for rule, pattern, excluded_by in pairs[["rule", "pattern", "excluded_by"]].itertuples(
            index=False
        ):
            row = self.rules.iloc[int(rule)]
            out.append(
                {
                    "code": code,
                    "industry": row["sei_code"],
                    "industry_name": row["sei_name"],
                    "rule_no": _plain_int(row["rule_no"]),
                    "pattern": pattern,
                    "excluded_by": None if pd.isna(excluded_by) else excluded_by,
                    "keyword_filter": _terms(row["keyword_terms"]),
                    "scope": row["keywords"] or None,
                    "matched": pd.isna(excluded_by),
                }
            )
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": str(self.path),
            "layout": self.layout,
            "rules": len(self.rules),
            "patterns": int((~self.patterns["exclusion"]).sum()),
            "exclusions": int(self.patterns["exclusion"].sum()),
            "industries": int(self.rules["sei_code"].nunique()),
            "keyword_filters": int(self.rules["keyword_terms"].notna().sum()),
        }


@dataclass
class CodeBits:
    plain: np.ndarray  # uint64 industry bits of the rules without a keyword filter
    filters: list[tuple[tuple[str, ...], np.uint64, np.ndarray]]  # terms, bit, codes matched

    @property
    def loose(self) -> np.ndarray:
        """Per code, the industries of every rule, keyword filters counted always."""
        out = self.plain.copy()
        for _, bit, mask in self.filters:
            out[mask] |= bit
        return out


KEYWORD_MODES = ("ignore", "require")


def keyword_mode(mode: Any) -> str:
    if mode not in KEYWORD_MODES:
        raise ExprError(f'sei_keywords takes "ignore" or "require", not {mode!r}')
    return str(mode)


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def _or_per_row(codes: ListColumn, per_code: np.ndarray) -> np.ndarray:
    # A trailing 0 lets every row start inside the array; empty rows are zeroed after.
    values = np.append(per_code[codes.codes], np.uint64(0))
    out = np.bitwise_or.reduceat(values, codes.offsets[:-1])
    out[codes.lengths == 0] = 0
    return out


def _has_text(column: Any) -> np.ndarray | bool:
    if column is None:
        return False
    return column.notna().to_numpy() if isinstance(column, pd.Series) else bool(column)


def _mentions(column: Any, terms: tuple[str, ...]) -> np.ndarray | bool:
    """Rows whose text contains one of the terms, tested once per distinct text."""
    if column is None or not isinstance(column, pd.Series):
        return False
    pattern = "|".join(re.escape(t) for t in terms)
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.asarray(column.cat.categories.astype(str).str.contains(pattern, regex=True))
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, hit[codes] if len(hit) else False, False)
    return column.astype("string").str.contains(pattern, regex=True).fillna(False).to_numpy()


def _terms(value: Any) -> list[str] | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else list(value)


def _rule_no(value: Any, rule: int, path: Path, line_no: int) -> int:
    """The table's own rule number (a CSV gives it as text), else the row's place."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return rule + 1
    text = str(value).strip()
    if not text.isdigit():
        raise InputError(f"{path}:{line_no}: rule_no: {text!r} is not a whole number")
    return int(text)


def _plain_int(value: Any) -> Any:
    return int(value) if isinstance(value, int | np.integer) else value


# --- loading ------------------------------------------------------------------------------


def load_industries(path: Path) -> Industries:
    frame = read_csv_text(path, dtype=str)
    return Industries(frame.assign(level=frame["level"].astype(int)))


def load_ipc_table(path: str | Path, name: str = "sei-ipc", industries: Path | None = None):
    """The rule-level layout (JSON lines, or CSV with `;`-separated patterns), or the old
    one-code-a-row layout (`ipc, sei_code, sei_name[, keywords]`)."""
    path = Path(path)
    beside = industries or path.with_name("sei-industries-2018.csv")
    known = load_industries(beside if beside.is_file() else _bundled_industries())
    if path.suffix.lower() in (".jsonl", ".json"):
        records, layout = _read_jsonl(path), "rules"
    else:
        frame = read_csv_text(path, dtype=str)
        if all(c in frame.columns for c in RULE_COLUMNS):
            records, layout = _csv_rules(path, frame), "rules"
        elif all(c in frame.columns for c in OLD_COLUMNS):
            records, layout = _old_rows(path, frame), "one code a row"
        else:
            raise InputError(
                f"{path}: an SEI–IPC table needs columns {', '.join(RULE_COLUMNS)} "
                f"(rule layout) or {', '.join(OLD_COLUMNS)} (one code a row); "
                f"it has {', '.join(map(str, frame.columns))}"
            )
    return _build(name, path, records, known, layout)


def _bundled_industries() -> Path:
    return bundled_dir("rules") / "tables" / "sei-industries-2018.csv"


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    records = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{line_no}: not a JSON object ({err.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{line_no}: not a JSON object")
        for column in RULE_COLUMNS:
            if column not in record:
                raise InputError(f"{path}:{line_no}: missing {column!r}")
        records.append((line_no, record))
    return records


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[;；]", str(value)) if v.strip()]


def _csv_rules(path: Path, frame: pd.DataFrame) -> list[tuple[int, dict]]:
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        terms = _split(row.get("keyword_terms"))
        row["ipc_patterns"] = _split(row.get("ipc_patterns"))
        row["ipc_exclusions"] = _split(row.get("ipc_exclusions"))
        row["keyword_terms"] = terms or None
        records.append((i + 2, row))
    return records


def _old_rows(path: Path, frame: pd.DataFrame) -> list[tuple[int, dict]]:
    """One code a row: `G06F` a subclass, `G06F 1/00` a main group, else a subgroup."""
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        code = normalize([row["ipc"]])[0]
        if pd.isna(code):
            raise InputError(f"{path}:{i + 2}: ipc: unreadable IPC code {row['ipc']!r}")
        if " " not in code:
            pattern = code + "*"
        elif code.endswith("/00"):
            pattern = code.split(" ")[0] + code.split(" ")[1].split("/")[0] + "*"
        else:
            pattern = code.replace(" ", "")
        records.append(
            (i + 2, {**row, "ipc_patterns": [pattern], "rule_no": i + 1, "keyword_terms": None})
        )
    return records


def _build(name, path, records, known: Industries, layout: str) -> IpcTable:
    rules, patterns = [], []
    for rule, (line_no, record) in enumerate(records):
        code = str(record.get("sei_code") or "").strip()
        if code not in known.codes or "." not in code:
            raise InputError(
                f"{path}:{line_no}: sei_code: unknown industry code {code!r} "
                f"(the 40 中类 of 《战略性新兴产业分类（2018）》, e.g. 1.1 … 9.2)"
            )
        for column, exclusion in (("ipc_patterns", False), ("ipc_exclusions", True)):
            for text in _split(record.get(column)):
                parsed = parse_pattern(text)
                if parsed is None or not isinstance(parsed[1], str):
                    raise InputError(
                        f"{path}:{line_no}: {column}: unreadable IPC pattern {text!r} "
                        "(expected e.g. G06F*, G06F11*, G06F9/44, G16*)"
                    )
                patterns.append((rule, text, *parsed, exclusion))
        if not _split(record.get("ipc_patterns")):
            raise InputError(f"{path}:{line_no}: ipc_patterns: the rule lists no pattern")
        rules.append(
            {
                "rule": rule,
                "sei_code": code,
                "sei_name": record.get("sei_name") or known.name(code),
                "rule_no": _rule_no(record.get("rule_no"), rule, path, line_no),
                "keywords": str(record.get("keywords") or ""),
                "keyword_terms": _terms_or_none(record.get("keyword_terms")),
            }
        )
    frame = pd.DataFrame(rules)
    pattern_frame = pl.DataFrame(
        patterns,
        schema={
            "rule": pl.UInt32,
            "pattern": pl.Utf8,
            "level": pl.Utf8,
            "key": pl.Utf8,
            "exclusion": pl.Boolean,
        },
        orient="row",
    )
    return IpcTable(name, path, frame, pattern_frame, known, layout)


def _terms_or_none(value: Any) -> tuple[str, ...] | None:
    terms = _split(value)
    return tuple(terms) if terms else None
