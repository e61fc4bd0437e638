"""Plan units (万件, 亿元, %, 分, 万人次/年 …) as pint units, so conversions are declared, not
written by hand: 3.5万件 is 35,000 件, and 件 never converts to 元."""

from __future__ import annotations

import re
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def _pint() -> ModuleType:
    """pint, imported on first use: with dask installed pint imports it, 0.15 s that every
    command paid at start-up, most of them with no unit to convert."""
    import pint

    return pint


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    units = _pint().UnitRegistry()
    for line in DEFINITIONS.strip().splitlines():
        units.define(line)
    return units


# A unit is names joined by * and /, each with an optional small integer power: 件/年,
# 万人次/年, m**2. Only this shape reaches pint, whose parser would otherwise evaluate
# arbitrary arithmetic (`10**10**10` hangs computing the number).
MAX_UNIT_LENGTH = 64
MAX_UNIT_POWER = 4
_NAME = r"(?:[^\W\d]\w*|%)"
_FACTOR = rf"{_NAME}(?:\s*(?:\*\*|\^)\s*-?\d{{1,2}})?"
_UNIT = re.compile(rf"\s*{_FACTOR}(?:\s*[*/]\s*{_FACTOR})*\s*")
_POWER = re.compile(r"(?:\*\*|\^)\s*(-?\d+)")


def _checked(unit: str) -> str:
    """`unit` if it has the shape above; UnitError naming the limit otherwise."""
    if len(unit) > MAX_UNIT_LENGTH:
        raise UnitError(
            f"unit {unit[:20]!r}… is {len(unit)} characters, more than {MAX_UNIT_LENGTH} "
            "(limit unit-complexity)"
        )
    if not _UNIT.fullmatch(unit):
        raise UnitError(
            f"unit {unit!r}: write unit names joined by * and /, e.g. 件/年 "
            "(no numbers or arithmetic; limit unit-complexity)"
        )
    if any(abs(int(p)) > MAX_UNIT_POWER for p in _POWER.findall(unit)):
        raise UnitError(f"unit {unit!r}: powers above {MAX_UNIT_POWER} (limit unit-complexity)")
    return unit


def _pint_text(unit: str) -> str:
    return _checked(unit).strip().replace("%", "percent")


def check_unit(unit: str) -> str:
    errors = _pint().errors
    try:
        registry().Unit(_pint_text(unit))
    except UnitError:
        raise
    except (errors.UndefinedUnitError, AttributeError, ValueError, TypeError) as err:
        raise UnitError(f"unknown unit {unit!r} ({err})") from None
    return unit


def convert(value: float, source: str, target: str) -> float:
    """`value` in unit `source` expressed in unit `target`."""
    if source.strip() == target.strip():
        return value
    errors = _pint().errors
    try:
        quantity = registry().Quantity(value, _pint_text(source))
        return float(quantity.to(_pint_text(target)).magnitude)
    except errors.DimensionalityError:
        raise UnitError(f"{source} cannot be converted to {target}") from None
    except UnitError:
        raise
    except (errors.UndefinedUnitError, AttributeError, ValueError, TypeError) as err:
        raise UnitError(f"unknown unit {source!r} ({err})") from None
