"""Where the bundled rule and scenario files live.

They sit in the top-level ``rules/`` and ``scenarios/`` folders of the source tree (the
design card's layout) and are copied into the wheel as ``ipscore/_rules`` and
``ipscore/_scenarios`` by the build configuration (pyproject.toml, hatch force-include).
An installed package finds them inside itself; a source checkout or an editable install
finds them beside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_dir(name: str) -> Path:
    """The folder of bundled ``rules`` or ``scenarios``."""
    installed = Path(str(resources.files("ipscore").joinpath(f"_{name}")))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / name
