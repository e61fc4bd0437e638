"""The Rich report of one patent's explanation: one block per condition."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from ipscore.report.assumptions import render_assumptions, source_text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(map(str, value)) or "(none)"
    if isinstance(value, float):
        return f"{value:.2f}"
    return "(missing)" if value is None else str(value)


def _parameters(condition: dict[str, Any]) -> Text:
    text = Text("  parameters ", style="dim")
    for i, p in enumerate(condition["parameters"]):
        unit = f" {p['unit']}" if p["unit"] else ""
        style = "yellow" if p["confidence"] == "assumption" else "default"
        note = p["confidence"] + (", overridden" if p["overridden"] else "")
        text.append(("" if i == 0 else " · ") + f"${p['name']} = {_value(p['value'])}{unit}")
        text.append(f" ({note})", style=style)
    return text


def _block(c: dict[str, Any]) -> Group:
    mark = Text("✓ " if c["passed"] else "✗ ", style="green" if c["passed"] else "red")
    lines = [
        Text.assemble(mark, (c["id"], "bold"), f" ({c['kind']}) {c['label']}"),
        Text(f"  rule    {c['when']}", style="dim"),
    ]
    lines += [Text(f"  check   {check}") for check in c["checks"]]
    evidence = " · ".join(
        f"{k} = {_value(v)}" for k, v in c["evidence"].items() if not k.startswith("$")
    )
    lines.append(Text(f"  values  {evidence}"))
    for m in c.get("matches", []):
        mark = "✓" if m["matched"] else "✗"
        lines.append(
            Text(
                f"  table {mark} {m['code']} ∈ {m['pattern']} (rule {m['rule_no']}) → "
                f"{m['industry']} {m['industry_name']}  {m['note']}",
                style="cyan" if m["matched"] else "dim",
            )
        )
        if m["matched"] and m.get("scope"):
            lines.append(Text(f"          scope 关键词: {m['scope']}", style="dim"))
    if c["parameters"]:
        lines.append(_parameters(c))
    lines.append(Text(f"  source  {source_text(c)}", style="dim"))
    return Group(*lines)


def render_explanation(data: dict[str, Any], console: Console) -> None:
    verdict = (
        "[bold green]HIGH-VALUE 高价值"
        if data["high_value"]
        else (
            "[bold yellow]eligible, not high-value"
            if data["eligible"]
            else "[bold red]not eligible"
        )
    )
    passed = ", ".join(data["passed_criteria"]) or "none"
    console.print(
        Panel(
            f"{verdict}[/]  ·  {data['id']} (row {data['row']}) · criteria passed: "
            f"{passed}\nrule {data['rules']} · version from {data['version']} "
            f"({data['version_confidence']}) · as of {data['as_of']}",
            title="ipscore explain",
            border_style="cyan",
        )
    )
    for condition in data["conditions"]:
        console.print(_block(condition))
    render_assumptions(data.get("assumptions") or [], console)
