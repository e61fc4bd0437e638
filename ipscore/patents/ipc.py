"""IPC notation: normalise the spellings found in registers to one canonical form.

Canonical: `H04L 9/32` (subclass, space, main group, slash, subgroup of ≥2 digits).
Accepted: `H04L 9/32`, `H04L9/32`, `H04L0009320000` (EPO fixed width), lower case,
full-width characters, extra spaces, and a trailing edition such as `(2006.01)`.
A bare subclass (`G06F`) is kept as a subclass-level code.

Normalisation runs on *distinct* codes, never per row, with Arrow and Polars kernels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ipscore.expr.errors import ExprError

# ASCII digits only: a code is Latin letters and 0-9 once NFKC has folded full-width forms.
_COMPACT = r"^(?P<subclass>[A-H][0-9]{2}[A-Z])(?:(?P<group>[0-9]{1,4})/(?P<sub>[0-9]{1,6}))?$"
_FIXED = r"^(?P<subclass>[A-H][0-9]{2}[A-Z])(?P<group>[0-9]{4})(?P<sub>[0-9]{6})$"
_EDITION = r"\([0-9]{4}\.[0-9]{2}\)$"


def normalize(raw: pd.Series | np.ndarray | list[str]) -> pd.Series:
    """Canonical codes, NaN where a code cannot be read."""
    text = pd.Series(raw, dtype=object).astype("string")
    canonical = normalize_arrow(pa.array(text, type=pa.string(), from_pandas=True))
    return pd.Series(canonical.to_numpy(zero_copy_only=False), index=text.index).where(
        lambda codes: codes.notna(), np.nan
    )


def normalize_arrow(raw: pa.Array) -> pa.Array:
    """Canonical codes of an Arrow string array, null where a code cannot be read: Arrow's
    NFKC and upper case, then Polars' regular expressions (Rust, no Python per value: 12x
    pandas' on a million distinct codes)."""
    text = pl.Series(pc.utf8_upper(pc.utf8_normalize(raw, "NFKC")))
    text = text.str.replace(_EDITION, "").str.replace_all(r"\s+", "")
    compact, fixed = text.str.extract_groups(_COMPACT), text.str.extract_groups(_FIXED)

    def part(name: str) -> pl.Expr:  # the two spellings never both match
        return pl.coalesce(pl.col("compact").struct.field(name), pl.col("fixed").struct.field(name))

    group = part("group").str.strip_chars_start("0").replace("", "0")
    sub = part("sub").str.strip_chars_end("0").str.pad_end(2, "0")
    full = pl.concat_str(part("subclass"), pl.lit(" "), group, pl.lit("/"), sub)
    codes = pl.DataFrame({"compact": compact, "fixed": fixed}).select(
        pl.when(part("group").is_not_null()).then(full).otherwise(part("subclass"))
    )
    return codes.to_series().to_arrow().cast(pa.string())


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
