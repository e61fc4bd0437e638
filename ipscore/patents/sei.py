"""The 战略性新兴产业–IPC reference table and level-aware matching.

A table row matches a patent code by the row's IPC level (FACTS.md §1):
- subclass row `G06F` matches every code in the subclass;
- main-group row `G06F 1/00` matches every code in main group 1 of G06F;
- subgroup row `G05B 19/418` matches that subgroup only.
Subgroup digits are never matched as string prefixes: IPC dot-levels are not prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.errors import InputError
from ipscore.patents.ipc import level, main_group_of, normalize, subclass_of
from ipscore.patents.readers import read_csv_text

COLUMNS = ("ipc", "sei_code", "sei_name")


@dataclass
class IpcTable:
    name: str
    path: Path
    rows: pd.DataFrame  # ipc (canonical), level, sei_code, sei_name, keywords, provenance

    def __post_init__(self) -> None:
        by_level = {
            lv: set(self.rows.loc[self.rows["level"] == lv, "ipc"])
            for lv in ("subclass", "main_group", "subgroup")
        }
        self._subclasses = list(by_level["subclass"])
        self._main_groups = list(by_level["main_group"])
        self._subgroups = list(by_level["subgroup"])
        self._single: dict[str, bool] = {}

    def matches(self, codes: np.ndarray) -> np.ndarray:
        """One bool per code: does any row of the table cover it?"""
        codes = pd.Series(codes, dtype=object)
        hit = subclass_of(codes).isin(self._subclasses)
        hit |= main_group_of(codes).isin(self._main_groups)
        hit |= codes.isin(self._subgroups)
        return hit.to_numpy(dtype=bool)

    def match_one(self, code: str) -> bool:
        """One code, memoised: the scalar evaluators ask about the same codes again and again."""
        if code not in self._single:
            self._single[code] = bool(self.matches(np.array([code], dtype=object))[0])
        return self._single[code]

    def rows_for(self, code: str) -> pd.DataFrame:
        """The table rows that cover one code (every matched industry), for explanations."""
        keys = pd.Series([code], dtype=object)
        wanted = {subclass_of(keys)[0], main_group_of(keys)[0], code}
        return self.rows[self.rows["ipc"].isin(wanted)]

    @property
    def industries(self) -> pd.DataFrame:
        return self.rows[["sei_code", "sei_name"]].drop_duplicates().sort_values("sei_code")


def load_ipc_table(path: str | Path, name: str = "sei-ipc") -> IpcTable:
    path = Path(path)
    frame = read_csv_text(path, dtype=str)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: SEI–IPC table lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)}, keywords (optional)"
        )
    canonical = normalize(frame["ipc"])
    bad = canonical.isna() | frame["sei_code"].isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{path}:{row + 2}: unreadable table row ipc={frame['ipc'][row]!r} "
            f"sei_code={frame['sei_code'][row]!r} ({int(bad.sum())} such rows)"
        )
    rows = pd.DataFrame(
        {
            "ipc": canonical,
            "level": canonical.map(level),
            "sei_code": frame["sei_code"].str.strip(),
            "sei_name": frame["sei_name"].fillna("").str.strip(),
            "keywords": frame.get("keywords", pd.Series("", index=frame.index)).fillna(""),
            "provenance": frame.get("provenance", pd.Series("", index=frame.index)).fillna(""),
        }
    )
    return IpcTable(name, path, rows)
