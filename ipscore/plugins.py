"""The entry points through which domain packages fill the generic layers' registries.

`expr` (the language) and `spec` (the rule-file structure) sit below the domain packages
(`patents`, `plans`, `alerts`) and must not import them: that would be an import cycle, and
a registry filled by import side effects works only after someone happened to import the
filler. Instead each registry names its providers here as ``"module:attribute"`` and loads
them explicitly, once, the first time it is asked. This module imports nothing from ipscore.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

ENTRY_POINTS: dict[str, tuple[str, ...]] = {
    # Expression functions that know the patent domain (IPC notation, award vocabulary):
    # each names a sequence of ipscore.expr.functions.Function records.
    "expr.functions": ("ipscore.patents.functions:FUNCTIONS",),
    # The names a patent rule's expressions may read: record fields and context names.
    "spec.patent_names": ("ipscore.patents.schema:record_names",),
    # A plan's unit text → its canonical spelling, or ValueError.
    "spec.plan_unit": ("ipscore.plans.units:check_unit",),
    # An alert rule's alerts → (key, message) problems.
    "spec.alert_problems": ("ipscore.alerts.names:alert_problems",),
}


@cache
def load(group: str) -> tuple[Any, ...]:
    """Every object the entry points of `group` name, in the order listed."""
    return tuple(_resolve(point) for point in ENTRY_POINTS[group])


def load_one(group: str) -> Any:
    (single,) = load(group)
    return single


def _resolve(point: str) -> Any:
    module, _, attribute = point.partition(":")
    return getattr(import_module(module), attribute)
