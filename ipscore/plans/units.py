"""Plan units (万件, 亿元, %, 分, 万人次/年 …) as pint units, so conversions are declared, not
written by hand: 3.5万件 is 35,000 件, and 件 never converts to 元."""

from __future__ import annotations

from functools import lru_cache

import pint

DEFINITIONS = """
件 = [item]
万件 = 10000 * 件
个 = [unit_count]
家 = [organization]
项 = [project]
元 = [currency]
万元 = 10000 * 元
亿元 = 100000000 * 元
分 = [score]
人次 = [visit]
万人次 = 10000 * 人次
年 = year
"""


class UnitError(ValueError):
    pass


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    units = pint.UnitRegistry()
    for line in DEFINITIONS.strip().splitlines():
        units.define(line)
    return units


def _pint_text(unit: str) -> str:
    return unit.strip().replace("%", "percent")


def check_unit(unit: str) -> str:
    try:
        registry().Unit(_pint_text(unit))
    except (pint.errors.UndefinedUnitError, AttributeError, ValueError, TypeError) as err:
        raise UnitError(f"unknown unit {unit!r} ({err})") from None
    return unit


def convert(value: float, source: str, target: str) -> float:
    """`value` in unit `source` expressed in unit `target`."""
    if source.strip() == target.strip():
        return value
    try:
        quantity = registry().Quantity(value, _pint_text(source))
        return float(quantity.to(_pint_text(target)).magnitude)
    except pint.errors.DimensionalityError:
        raise UnitError(f"{source} cannot be converted to {target}") from None
    except (pint.errors.UndefinedUnitError, AttributeError, ValueError, TypeError) as err:
        raise UnitError(f"unknown unit {source!r} ({err})") from None
