"""ipscore: rules-as-code for Chinese intellectual-property policy.

The notebook API (docs/api.md): `ipscore.classify(df_or_path, …)`, `monitor`, `score`,
`whatif`, `sweep`, `goal`, `advise` and `watch`, each returning a typed result with
`.to_frame()`, `.to_dict()` and `.assumptions`. They live in `ipscore.api`, which is
imported on first use: `import ipscore` alone stays light (no pandas, no rule files)."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: The notebook API, re-exported from ipscore.api on first use.
NOTEBOOK = ("advise", "classify", "goal", "monitor", "score", "sweep", "watch", "whatif")
__all__ = ["__version__", *NOTEBOOK]


def __getattr__(name: str) -> Any:
    # PEP 562: importing ipscore.api (pandas, the engine) only when a function is used;
    # ipscore.api then binds all of NOTEBOOK here.
    if name in NOTEBOOK:
        from ipscore import api

        return getattr(api, name)
    raise AttributeError(f"module 'ipscore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
