"""Where a rule file's tables may come from, and what they may be.

A table named by a rule file is read when the rule is used, so a hostile or careless rule
must not make ipscore read a device (`/dev/zero`), a folder, a huge file or a file far from
the rule (`/etc/shadow`). A table must be a regular file under a size cap, resolved relative
to the rule file, inside the rule's folder (or a `tables/` folder beside it, as bundled),
the bundled rules or a folder the user allowed with `--allow-table-path` (README, "Limits
and bad input")."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ipscore.bundled import bundled_dir

MAX_TABLE_BYTES = 50_000_000  # IPSCORE_MAX_TABLE_BYTES

_allowed: list[Path] = []


def allow_table_paths(paths: Iterable[str | Path]) -> None:
    """Folders (or files) outside the rule's folder that tables may be read from."""
    _allowed[:] = [Path(p).resolve() for p in paths]


def max_table_bytes() -> int:
    try:
        return int(os.environ.get("IPSCORE_MAX_TABLE_BYTES", MAX_TABLE_BYTES))
    except ValueError:
        return MAX_TABLE_BYTES


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def table_problem(rule_file: Path, name: str) -> str | None:
    """Why the table `name` (as written in the rule file) may not be read, or None."""
    folder = rule_file.resolve().parent
    path = (folder / name).resolve()
    # The rule's folder, and `tables/` beside it: the bundled layout (rules/patents/x.yaml
    # naming ../tables/sei-ipc-sample.csv), which users copy.
    roots = [folder, folder.parent / "tables", bundled_dir("rules").resolve(), *_allowed]
    if not any(_inside(path, root) for root in roots):
        return (
            f"table {name!r} resolves to {path}, outside the rule's folder and the bundled "
            "rules; allow it explicitly with --allow-table-path"
        )
    if not path.exists():
        return f"table {name!r} not found ({path})"
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        return f"table {name!r} is {what} ({path}); a table is a CSV file"
    size = path.stat().st_size
    if size > max_table_bytes():
        return (
            f"table {name!r} is {size:,} bytes, more than {max_table_bytes():,} "
            "(limit table-bytes, IPSCORE_MAX_TABLE_BYTES)"
        )
    return None
