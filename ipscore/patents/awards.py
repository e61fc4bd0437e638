"""Award names as registers and winner lists write them → hierarchical award codes.

The vocabulary is data (rules/tables/awards.csv: a pattern, a code, national or provincial,
and its source). Codes are dotted families: ``national_sci_tech.progress.second`` is a
grade of ``national_sci_tech.progress``, itself one of the five ``national_sci_tech``
awards, so a rule's ``eligible_awards`` can name a family or a single grade. Provincial
awards are recognised (code ``provincial``) and never count. Recognition runs once per
distinct award text, never per row.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np

from ipscore.bundled import bundled_dir

PROVINCIAL = "provincial"
#: Edition and year prefixes and suffixes that name the occasion, not the award:
#: 第二十五届中国专利金奖, 2023年度国家科学技术进步奖二等奖, 中国专利金奖（第25届）.
_OCCASION = re.compile(
    r"^(第[0-9一二三四五六七八九十百零〇]+届|[0-9]{4}年度?)+|[(\[【]?(第[0-9一二三四五六七八九十百零〇]+届|[0-9]{4}年度?)[)\]】]?$"
)
#: 中国专利奖金奖 → 中国专利金奖: the award and its grade written as two words.
_TWO_WORDS = re.compile(r"^中国(专利|外观设计)奖(金|银|优秀)奖$")


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[re.Pattern, str], ...]:
    path = bundled_dir("rules") / "tables" / "awards.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple((re.compile(row["pattern"]), row["code"]) for row in csv.DictReader(handle))


def _clean(text: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", str(text)).split())
    text = _OCCASION.sub("", text)
    return _TWO_WORDS.sub(r"中国\1\2奖", text)


@lru_cache(maxsize=65536)
def award_code(text: object) -> str | None:
    """The award code of one award text, or None when it is not recognised."""
    cleaned = _clean(str(text))
    lowered = cleaned.lower()
    if "." in lowered and any(lowered.startswith(c) for c in ("china_", "national_")):
        return lowered  # already a code
    for pattern, code in _table():
        if pattern.search(cleaned) or pattern.search(lowered):
            return code
    return None


def award_codes(texts: Iterable[object]) -> list[str | None]:
    return [award_code(t) for t in texts]


def counts_as(codes: np.ndarray, wanted: Iterable[str]) -> np.ndarray:
    """Which award codes fall under one of the wanted families or grades.

    A provincial award never counts, whatever the rule lists."""
    families = tuple(str(w) for w in wanted)
    # A code written by hand or by an event ("china_patent_gold") is read like register text.
    canonical = [award_code(str(c)) or str(c) for c in codes]
    return np.array(
        [
            not c.startswith(PROVINCIAL) and any(c == f or c.startswith(f + ".") for f in families)
            for c in canonical
        ],
        dtype=bool,
    )


class AwardNames(Mapping):
    """`AWARDS.get(text, default)`: the code of an award text (kept for the event reader)."""

    def __getitem__(self, text: object) -> str:
        code = award_code(text)
        if code is None:
            raise KeyError(text)
        return code

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0
