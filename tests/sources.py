"""Read the published tables straight out of the source texts copied into tests/fixtures.

Provenance of each copied file: tests/fixtures/PROVENANCE.md.

The texts came from web pages: a number is split across lines ("35", ".", "1" is 35.1).
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = FIXTURES / "sources"
GD_PLAN = SOURCES / "002_252107df42274015.txt"
CATEGORIES_13TH = ("知识产权创造", "知识产权运用", "知识产权保护", "知识产权服务")


def _tokens(text: str) -> list[str]:
    joined = "|".join(line.strip() for line in text.splitlines() if line.strip())
    joined = re.sub(r"(\d)\|\.\|(\d)", r"\1.\2", joined)
    return joined.split("|")


def gd_13th_completion_table() -> list[dict]:
    """The 18 rows of 广东省"十三五"时期知识产权主要指标完成情况, as published."""
    text = GD_PLAN.read_text(encoding="utf-8")
    start = text.index("时期知识产权主要指标完成情况")
    end = text.index("第二节", start)
    tokens = _tokens(text[start:end])
    tokens = tokens[tokens.index("完成值") + 1 :]
    rows, current, number, category = [], [], 1, None
    for token in [*tokens, str(19)]:
        if token == str(number + (1 if current else 0)) and (not current or len(current) >= 4):
            if current:
                rows.append(_row(number, category, current))
                number += 1
                category = rows[-1]["category"]
            current = []
            continue
        current.append(token)
    return rows


def _row(number: int, category: str | None, cells: list[str]) -> dict:
    if cells[0] in CATEGORIES_13TH:
        category, cells = cells[0], cells[1:]
    name, unit, *values = cells
    comparator = ">=" if values[0] == "≥" else None
    values = [v for v in values if v != "≥"]
    return {
        "number": number,
        "category": category,
        "name": name,
        "unit": unit,
        "comparator": comparator,
        "target": float(values[0]),
        "achieved": float(values[1]),
    }
