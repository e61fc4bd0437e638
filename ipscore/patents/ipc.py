"""IPC notation: normalise the spellings found in registers to one canonical form.

Canonical: `H04L 9/32` (subclass, space, main group, slash, subgroup of ≥2 digits).
Accepted: `H04L 9/32`, `H04L9/32`, `H04L0009320000` (EPO fixed width), lower case,
full-width characters, extra spaces, and a trailing edition such as `(2006.01)`.
A bare subclass (`G06F`) is kept as a subclass-level code.

Normalisation runs on pandas string columns of *distinct* codes, never per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscore.expr.errors import ExprError

_COMPACT = r"^(?P<subclass>[A-H]\d{2}[A-Z])(?:(?P<group>\d{1,4})/(?P<sub>\d{1,6}))?$"
_FIXED = r"^(?P<subclass>[A-H]\d{2}[A-Z])(?P<group>\d{4})(?P<sub>\d{6})$"


def normalize(raw: pd.Series | np.ndarray | list[str]) -> pd.Series:
    """Canonical codes, NaN where a code cannot be read."""
    text = (
        pd.Series(raw, dtype=object)
        .astype("string")
        .str.normalize("NFKC")
        .str.upper()
        .str.replace(r"\(\d{4}\.\d{2}\)$", "", regex=True)
        .str.replace(r"\s+", "", regex=True)
    )
    compact = text.str.extract(_COMPACT)
    fixed = text.str.extract(_FIXED)
    parts = compact.fillna(fixed) if len(text) else compact
    group = parts["group"].str.lstrip("0").replace("", "0")
    sub = parts["sub"].str.rstrip("0").str.pad(2, side="right", fillchar="0")
    full = parts["subclass"] + " " + group + "/" + sub
    out = full.where(parts["group"].notna(), parts["subclass"])
    return out.astype(object).where(out.notna(), np.nan)


def level(code: str) -> str:
    if " " not in code:
        return "subclass"
    return "main_group" if code.endswith("/00") else "subgroup"


def subclass_of(codes: pd.Series) -> pd.Series:
    return codes.str.slice(0, 4)


def main_group_of(codes: pd.Series) -> pd.Series:
    """`G06F 1/16` → `G06F 1/00`; NaN for subclass-level codes."""
    group = codes.str.extract(r"^([A-H]\d{2}[A-Z] \d+)/")[0]
    return group + "/00"


def under(codes: np.ndarray, parent: str) -> np.ndarray:
    """Which codes sit under `parent` at its level: a subclass (`G06N`), a main group
    (`G06N 3/00`) or exactly a subgroup. Never a string prefix of subgroup digits."""
    canonical = normalize([parent])[0]
    if pd.isna(canonical):
        raise ExprError(f"ipc_under(): {parent!r} is not an IPC code")
    codes = pd.Series(codes, dtype=object)
    keys = {"subclass": subclass_of, "main_group": main_group_of}.get(level(canonical))
    found = keys(codes) if keys else codes
    return (found == canonical).fillna(False).to_numpy(dtype=bool)
