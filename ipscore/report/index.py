"""Rich rendering of a composite index: the ranking, one unit's breakdown, the sensitivity."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ipscore.index.score import IndexResult, UnitScore

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
            f"[bold]{rule.title}[/]\n{rule.title_en}\n"
            f"[{style}]{rule.notice.strip()}[/]\n"
            f"data: {result.data.source} · year {result.data.year}",
            title=f"ipscore score {rule.id}",
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
        table.add_column(d.name)
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
            u.unit,
            _num(u.score),
            *(_bar(u.dimensions[d.id]) for d in result.rule.dimensions),
            gates,
            Text(label, style=style),
        ]
        if result.sensitivity:
            interval = f"{u.rank_interval[0]}–{u.rank_interval[1]}" if u.rank_interval else "–"
            share = "–" if u.qualified_share is None else f"{u.qualified_share:.0%}"
            row += [interval, share]
        table.add_row(*row)
    console.print(table)
    if result.sensitivity:
        s = result.sensitivity
        console.print(
            f"[dim]sensitivity: {s['runs']:,} runs, seed {s['seed']}, Dirichlet "
            f"weights (concentration {s['concentration']:g}), normalisation "
            f"{' / '.join(s['normalisations'])}, aggregation "
            f"{' / '.join(s['aggregations'])}"
        )


def render_unit(result: IndexResult, unit: UnitScore, console: Console) -> None:
    render_notice(result, console)
    label, style = STATUS[unit.status]
    console.print(
        f"[bold]{unit.unit}[/] · score {_num(unit.score)} · rank "
        f"{unit.rank or '–'} · [{style}]{label}[/] · coverage {unit.coverage:.0%}"
    )
    for gate in unit.gates:
        mark = "✓" if gate["passed"] else "? (data missing)" if gate["passed"] is None else "✗"
        console.print(f"  gate {gate['label']}: {mark}")
    table = Table(title="Breakdown 分项", title_justify="left")
    for column, justify in (
        ("dimension", "left"),
        ("indicator", "left"),
        ("value", "right"),
        ("normalised", "right"),
        ("points", "right"),
    ):
        table.add_column(column, justify=justify)
    for d in result.rule.dimensions:
        for k, i in enumerate(d.indicators):
            table.add_row(
                f"{d.name} {_num(unit.dimensions[d.id])}" if k == 0 else "",
                i.name,
                f"{_num(unit.values[i.id], 2)} {i.unit}",
                _num(unit.normalised[i.id]),
                _num(unit.contributions[i.id], 2),
            )
    for bonus, points in unit.bonus.items():
        table.add_row("bonus 加分", bonus, "", "", f"{points:.2f}")
    console.print(table)
    if unit.missing:
        console.print(f"[magenta]missing: {', '.join(unit.missing)}")
    if unit.cheapest:
        c = unit.cheapest
        console.print(
            f"cheapest next point: {c['name']} {c['step']:+g} {c['unit']} → "
            f"{c['points']:+.2f} points"
        )
