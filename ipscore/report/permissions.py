"""File modes of written reports (its own module: the writers and handoff both use it)."""

from __future__ import annotations

import os
from pathlib import Path


def readable(path: Path) -> None:
    """A report is for handing on: readable by others as an ordinary file is (the
    temporary file it was written to is private)."""
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(0o666 & ~mask)
