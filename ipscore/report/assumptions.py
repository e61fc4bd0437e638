"""The Rich table of the assumptions and unconfirmed values a result used: every command
prints it (the records come from `ipscore.assumptions`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

TITLE = "Assumptions used 假设与未确认值 (not confirmed by a published source)"
FILE_SOURCE = " (file source)"


def _value(item: dict[str, Any]) -> str:
    value = item.get("value")
    shown = "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    if item.get("unit"):
        shown += f" {item['unit']}"
    if item.get("year"):
        shown += f" ({item['year']})"
    if item.get("overridden"):
        shown += " (overridden)"
    if "baseline_value" in item:
        shown += f" (baseline {item['baseline_value']})"
    if item.get("baseline_only"):
        shown += " (baseline only)"
    return shown


def source_text(item: dict[str, Any]) -> str:
    """The citation; "(file source)" where the value inherits the rule file's."""
    text = item.get("source") or ""
    return text + (FILE_SOURCE if item.get("source_inherited") else "")


def assumptions_table(items: list[dict[str, Any]], title: str = TITLE) -> Table:
    table = Table(title=title, title_justify="left", border_style="yellow")
    table.add_column("name", no_wrap=True)  # whole, so a reader (or grep) finds it
    table.add_column("value", overflow="fold", max_width=16)
    table.add_column("confidence", no_wrap=True)
    table.add_column("used in", overflow="fold", max_width=16)
    table.add_column("note · source", overflow="fold")
    for item in items:
        about = Text(item.get("note") or "")
        if item.get("source"):
            about.append(f"\nsource: {source_text(item)}", style="dim")
        table.add_row(
            escape(str(item["name"])),
            escape(_value(item)),
            escape(str(item.get("confidence") or "")),
            escape(", ".join(map(str, item.get("used_in") or []))),
            about,
            style="yellow" if item.get("confidence") == "assumption" else None,
        )
    return table


def render_assumptions(items: list[dict[str, Any]], console: Console) -> None:
    if items:
        console.print(assumptions_table(items))
    else:
        console.print("[dim]Assumptions used: none (every value this result used is confirmed).")
