"""Optional capabilities: say clearly what is missing instead of falling back silently.

durable-rules 2.0.28 (2020, its last release) ships a C extension that does not build on
Python 3.13 or newer, so it is installed only where it builds (see pyproject.toml). Only
`watch` and alerts need it; everything else works without it."""

from __future__ import annotations

import importlib.util
import sys

from ipscore.errors import InputError


class MissingCapability(InputError):
    """A command needs an optional library that is not installed (exit 2)."""


def durable_rules_missing_reason() -> str | None:
    """Why durable_rules cannot be used here, or None when it is importable."""
    if importlib.util.find_spec("durable") is not None:
        return None
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info >= (3, 13):
        why = (
            f"durable-rules 2.0.28, its last release, does not build on Python {python}, "
            "so `pip install .` leaves it out here"
        )
    else:
        why = "it is not installed (pip install 'durable-rules==2.0.28')"
    return (
        "this command needs the event engine durable_rules: "
        f"{why}; run it with Python 3.11 or 3.12. Every other command works on {python}."
    )


def require_durable_rules(command: str) -> None:
    """Exit-2 error for `command` when durable_rules is missing; never a silent fallback."""
    reason = durable_rules_missing_reason()
    if reason is not None:
        raise MissingCapability(f"{command}: {reason}")
