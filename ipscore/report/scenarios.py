"""Rich rendering of what-ifs, sweeps and goals: baseline and scenario side by side."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ipscore.report.assumptions import render_assumptions
from ipscore.report.plans import LABELS


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _signed(before: Any, after: Any) -> Text:
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return Text("")
    change = after - before
    if change == 0:
        return Text("0", style="dim")
    return Text(
        f"{change:+,.4f}".rstrip("0").rstrip(".") if isinstance(change, float) else f"{change:+,}",
        style="green" if change > 0 else "red",
    )


def _side_by_side(title: str, rows: list[tuple[str, Any, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column, justify in (
        ("", "left"),
        ("baseline", "right"),
        ("scenario", "right"),
        ("Δ", "right"),
    ):
        table.add_column(column, justify=justify)
    for name, before, after in rows:
        table.add_row(name, _fmt(before), _fmt(after), _signed(before, after))
    return table


def _classify(data: dict[str, Any], console: Console) -> None:
    base, result = data["baseline"], data["result"]
    rows = [(k, base[k], result[k]) for k in ("read", "evaluated", "eligible", "high_value")]
    rows += [(f"  {k}", base["criteria"].get(k), v) for k, v in result["criteria"].items()]
    for k in base["criteria"]:
        if k not in result["criteria"]:
            rows.append((f"  {k} (switched off)", base["criteria"][k], None))
    console.print(_side_by_side("Totals", rows))
    before = {r["region"]: r for r in base["regions"]}
    changed = [
        r
        for r in result["regions"]
        if r["high_value"] != before.get(r["region"], {}).get("high_value")
    ]
    if changed:
        console.print(
            _side_by_side(
                "Regions that changed (high-value patents)",
                [
                    (
                        f"{r['region']}",
                        before.get(r["region"], {}).get("high_value"),
                        r["high_value"],
                    )
                    for r in changed
                ],
            )
        )
    summary = data["flipped_summary"]
    console.print(
        f"[bold]{summary['count']:,} patents flipped[/]: {summary['gained']:,} "
        f"became high-value, {summary['lost']:,} stopped being"
        + (
            f"; {summary['added']['count']:,} added ({summary['added']['high_value']:,} high-value)"
            if summary["added"]["count"]
            else ""
        )
    )
    if summary["by_reason"]:
        reasons = Table(title="Why (baseline reasons → scenario reasons)", title_justify="left")
        reasons.add_column("change")
        reasons.add_column("patents", justify="right")
        for reason, count in list(summary["by_reason"].items())[:10]:
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
        shown = ", ".join(p["id"] for p in data["flipped"][:10])
        console.print(f"[dim]e.g. {shown}" + (" …" if summary["count"] > 10 else ""))


def _monitor(data: dict[str, Any], console: Console) -> None:
    table = Table(title="Indicators", title_justify="left")
    for column in ("indicator", "baseline", "scenario", "Δ"):
        table.add_column(column, justify="left" if column == "indicator" else "right")
    before = {i["id"]: i for i in data["baseline"]["indicators"]}
    for i in data["result"]["indicators"]:
        b = before[i["id"]]
        table.add_row(
            i["name"],
            f"{_fmt(b['actual'])} {LABELS[b['status']]}",
            f"{_fmt(i['actual'])} {LABELS[i['status']]}",
            _signed(b["actual"], i["actual"]),
        )
    console.print(table)
    s0, s1 = data["baseline"]["summary"], data["result"]["summary"]
    console.print(_side_by_side("Summary", [(k, s0[k], s1[k]) for k in s1 if s0[k] or s1[k]]))


def _score(data: dict[str, Any], console: Console) -> None:
    table = Table(title="Units (score; rank)", title_justify="left")
    for column, justify in (
        ("unit", "left"),
        ("baseline", "right"),
        ("scenario", "right"),
        ("Δ score", "right"),
        ("rank", "right"),
        ("status", "left"),
    ):
        table.add_column(column, justify=justify)
    before = {u["unit"]: u for u in data["baseline"]["units"]}
    for u in sorted(data["result"]["units"], key=lambda u: (u["rank"] is None, u["rank"] or 0)):
        b = before[u["unit"]]
        rank = f"{b['rank'] or '–'} → {u['rank'] or '–'}"
        status = u["status"] if u["status"] == b["status"] else f"{b['status']} → {u['status']}"
        table.add_row(
            u["unit"],
            _fmt(b["score"]),
            _fmt(u["score"]),
            _signed(b["score"], u["score"]),
            rank,
            status,
        )
    console.print(table)


def render_comparison(data: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]{data['title']}[/] ({data['scenario']})")
    if "criteria" in data["result"]:
        _classify(data, console)
    elif "units" in data["result"]:
        _score(data, console)
    else:
        _monitor(data, console)
    render_assumptions(data.get("assumptions") or [], console)


def render_sweep(
    key: str,
    rows: list[dict[str, Any]],
    console: Console,
    assumptions: list[dict[str, Any]] | None = None,
) -> None:
    paths = [k for k in rows[0] if k != "value"]
    table = Table(title=f"Sweep of {escape(key)}", title_justify="left")
    table.add_column(escape(key), justify="right")
    for path in paths:
        table.add_column(escape(path), justify="right")
    table.add_column("", no_wrap=True)
    values = [r[paths[0]] for r in rows if isinstance(r[paths[0]], int | float)]
    low, high = (min(values), max(values)) if values else (0, 0)
    for row in rows:
        first = row[paths[0]]
        width = (
            0
            if not isinstance(first, int | float) or high == low
            else round(30 * (first - low) / (high - low))
        )
        table.add_row(
            _fmt(row["value"]),
            *(_fmt(row[p]) for p in paths),
            Text("█" * width + "▏", style="cyan"),
        )
    console.print(table)
    console.print(f"[dim]bars: {escape(paths[0])} from {_fmt(low)} (empty) to {_fmt(high)} (full)")
    if assumptions is not None:
        render_assumptions(assumptions, console)


def render_goal(data: dict[str, Any], console: Console) -> None:
    goal = {k: escape(v) if isinstance(v, str) else v for k, v in data["goal"].items()}
    target = f"≥ {goal['at_least']}" if goal["at_least"] is not None else f"≤ {goal['at_most']}"
    console.print(f"[bold]{data['title']}[/] ({data['scenario']})")
    console.print(
        f"goal: {goal['metric']} {target}, varying {goal['vary']} over "
        f"[{goal['low']}, {goal['high']}]"
    )
    solution = data["solution"]
    if solution["reachable"]:
        console.print(
            f"[bold green]solved:[/] {goal['vary']} = {solution['value']:.4f} gives "
            f"{goal['metric']} = {_fmt(solution['metric'])} "
            f"({solution['evaluations']} evaluations)"
        )
    else:
        console.print(
            f"[bold red]not reachable[/] within the range: the best value found is "
            f"{goal['vary']} = {solution['best_value']:g}, giving "
            f"{_fmt(solution['best_metric'])}"
        )
    if not solution["monotone"]:
        console.print(
            "[yellow]⚠ the metric is not monotone over the range: the answer is the "
            "first crossing, other values may also meet the goal"
        )
    render_assumptions(data.get("assumptions") or [], console)
