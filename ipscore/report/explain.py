"""The Rich report of one patent's explanation."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(map(str, value)) or "(none)"
    if isinstance(value, float):
        return f"{value:.2f}"
    return "(missing)" if value is None else str(value)


def render_explanation(data: dict[str, Any], console: Console) -> None:
    verdict = "[bold green]HIGH-VALUE 高价值" if data["high_value"] else (
        "[bold yellow]eligible, not high-value" if data["eligible"] else "[bold red]not eligible")
    console.print(Panel(f"{verdict}[/]  ·  {data['id']} (row {data['row']})\n"
                        f"rule {data['rules']} · version from {data['version']} "
                        f"({data['version_confidence']}) · as of {data['as_of']}",
                        title="ipscore explain", border_style="cyan"))
    table = Table(show_lines=True)
    for column in ("", "condition", "evidence", "parameters", "source"):
        table.add_column(column)
    for c in data["conditions"]:
        mark = "[green]✓" if c["passed"] else "[red]✗"
        evidence = "\n".join(f"{k} = {_value(v)}" for k, v in c["evidence"].items())
        if c["failed_parts"]:
            evidence += "\n[red]failed: " + "; ".join(c["failed_parts"])
        for m in c.get("matches", []):
            evidence += (f"\n[cyan]{m['code']} ⊂ {m['table_row']} ({m['level']}) → "
                         f"{m['sei_code']} {m['sei_name']}[/] {m['note']}")
        params = "\n".join(
            f"${p['name']} = {_value(p['value'])}{' ' + p['unit'] if p['unit'] else ''} "
            f"[{'yellow' if p['confidence'] == 'assumption' else 'dim'}]({p['confidence']}"
            f"{', overridden' if p['overridden'] else ''})[/]" for p in c["parameters"])
        table.add_row(mark, f"[bold]{c['id']}[/] ({c['kind']})\n{c['label']}\n[dim]{c['when']}",
                      evidence, params, c["source"])
    console.print(table)
