"""Rich rendering of a composite index: the ranking, one unit's breakdown, the sensitivity."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ipscore.index.score import IndexResult, UnitScore
from ipscore.report.assumptions import render_assumptions

STATUS = {
    "qualified": ("qualified 达标", "bold green"),
    "not_qualified": ("not qualified 未达标", "yellow"),
    "vetoed": ("vetoed 一票否决", "bold red"),
    "insufficient_data": ("insufficient data 数据不足", "magenta"),
}


def _bar(value: float | None, width: int = 10) -> Text:
    if value is None:
        return Text("·" * width, style="dim")
    filled = round(max(0.0, min(value, 100.0)) / 100 * width)
    return Text("█" * filled + "░" * (width - filled), style="cyan")


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render_notice(result: IndexResult, console: Console) -> None:
    rule = result.rule
    style = "yellow" if not rule.official else "cyan"
    console.print(
        Panel(
            f"[bold]{escape(rule.title)}[/]\n{escape(rule.title_en)}\n"
            f"[{style}]{escape(rule.notice.strip())}[/]\n"
            f"data: {escape(result.data.source)} · year {result.data.year}",
            title=f"ipscore score {escape(rule.id)}",
            border_style=style,
        )
    )


def render_ranking(result: IndexResult, console: Console) -> None:
    render_notice(result, console)
    table = Table(title="Ranking 排名", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("unit")
    table.add_column("score", justify="right")
    for d in result.rule.dimensions:
        table.add_column(escape(d.name))
    table.add_column("gates")
    table.add_column("status")
    if result.sensitivity:
        table.add_column("rank 5–95 %", justify="right")
        table.add_column("qualifies", justify="right")
    units = sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0, u.unit))
    for u in units:
        gates = " ".join(
            "✓" if g["passed"] else "?" if g["passed"] is None else "✗" for g in u.gates
        )
        label, style = STATUS[u.status]
        row = [
            str(u.rank or "–"),
            escape(u.unit),
            _num(u.score),
            *(_bar(u.dimensions[d.id]) for d in result.rule.dimensions),
            gates,
            Text(label, style=style),
        ]
        if result.sensitivity:
            interval = f"{u.rank_interval[0]:g}–{u.rank_interval[1]:g}" if u.rank_interval else "–"
            share = "–" if u.qualified_share is None else f"{u.qualified_share:.0%}"
            row += [interval, share]
        table.add_row(*row)
    console.print(table)
    render_preparation(result, console)
    if result.sensitivity:
        render_sensitivity(result, console)
    render_assumptions(result.assumptions, console)


def render_preparation(result: IndexResult, console: Console) -> None:
    changes = result.prepared.changes if result.prepared else []
    if not changes:
        return
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["step"]] = counts.get(change["step"], 0) + 1
    steps = "; ".join(f"{escape(step)}: {n} change(s)" for step, n in counts.items())
    console.print(f"[dim]preparation (every change is in --json `preparation`): {steps}")


def render_sensitivity(result: IndexResult, console: Console) -> None:
    s = result.sensitivity
    weights = s["weights"]
    noise = (
        "none"
        if not weights
        else f"uniform ±{weights['noise']:.0%}"
        if weights["method"] == "uniform"
        else f"Dirichlet (concentration {weights['concentration']:g})"
    )
    console.print(
        f"[dim]sensitivity: N = {s['runs']:,} ({s['scored_runs']:,} runs scored), seed "
        f"{s['seed']}, weights {noise}; rank interval = 5–95 % (R type 7)"
    )
    if s["sobol"]:
        table = Table(title="Sobol indices (mean |rank shift|)", title_justify="left")
        for column in ("uncertain input", "first order", "total"):
            table.add_column(column, justify="left" if column == "uncertain input" else "right")
        for row in s["sobol"]:
            table.add_row(escape(row["input"]), _num(row["first_order"], 3), _num(row["total"], 3))
        console.print(table)


def render_unit(result: IndexResult, unit: UnitScore, console: Console) -> None:
    render_notice(result, console)
    label, style = STATUS[unit.status]
    console.print(
        f"[bold]{escape(unit.unit)}[/] · score {_num(unit.score)} · rank "
        f"{unit.rank or '–'} · [{style}]{label}[/] · coverage {unit.coverage:.0%}"
    )
    for gate in unit.gates:
        mark = "✓" if gate["passed"] else "? (data missing)" if gate["passed"] is None else "✗"
        console.print(f"  gate {escape(gate['label'])}: {mark}")
    table = Table(title="Breakdown 分项 (every level)", title_justify="left")
    for column, justify in (
        ("node", "left"),
        ("raw value", "right"),
        ("prepared", "right"),
        ("score", "right"),
        ("rank", "right"),
        ("weight in index", "right"),
        ("points", "right"),
    ):
        table.add_column(column, justify=justify)
    effective = result.model.effective_weights()
    position = {name: k for k, name in enumerate(result.model.ids)}

    def rows(node, depth: int) -> None:
        k = position[node.id]
        facts = unit.nodes[node.id]
        is_leaf = k < result.model.n_indicators
        table.add_row(
            "  " * depth + escape(node.name),
            _num(unit.values[node.id], 2) if is_leaf else "",
            f"{_num(unit.prepared.get(node.id), 2)} {escape(node.unit)}" if is_leaf else "",
            _num(facts["score"]),
            str(facts["rank"] or "–"),
            f"{effective[k]:.3f}",
            _num(facts["contribution"], 2),
        )
        for child in getattr(node, "dimensions", []) or getattr(node, "indicators", []):
            rows(child, depth + 1)

    for d in result.rule.dimensions:
        rows(d, 0)
    for bonus, points in unit.bonus.items():
        table.add_row("bonus 加分 " + escape(bonus), "", "", "", "", "", f"{points:.2f}")
    console.print(table)
    if unit.missing:
        console.print(f"[magenta]missing: {escape(', '.join(unit.missing))}")
    changes = [c for c in (result.prepared.changes if result.prepared else [])]
    mine = [c for c in changes if c.get("unit") in (unit.unit, None)]
    for change in mine[:20]:
        what = {k: v for k, v in change.items() if k not in ("step", "unit")}
        console.print(f"[dim]prepared {escape(change['step'])}: {escape(str(what))}")
    if unit.cheapest:
        c = unit.cheapest
        console.print(
            f"cheapest next point: {escape(c['name'])} {c['step']:+g} {escape(c['unit'])} → "
            f"{c['points']:+.2f} points"
        )
    render_assumptions(result.assumptions, console)
