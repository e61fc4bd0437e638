"""Write tables and JSON atomically: to a temporary file beside the target, then rename.

A crash or Ctrl-C mid-write never leaves a half-written output where the old one was.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ipscore.errors import InputError

WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": lambda frame, path: frame.to_csv(path, index=False, encoding="utf-8-sig"),
    ".parquet": lambda frame, path: frame.to_parquet(path, index=False),
    ".xlsx": lambda frame, path: frame.to_excel(path, index=False),
    ".json": lambda frame, path: frame.to_json(
        path, orient="records", force_ascii=False, date_format="iso", indent=1
    ),
}


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; move it into place on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise InputError(
            f"{path}: cannot write {path.suffix or 'a file without extension'}; "
            f"use {', '.join(WRITERS)}"
        )
    with atomic_path(path) as temporary:
        writer(frame, temporary)
    return path


def to_json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
