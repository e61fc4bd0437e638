"""The Rich report of plan monitoring: one table grouped by category."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ipscore.plans.progress import IndicatorResult, PlanResult
from ipscore.report.assumptions import render_assumptions

STYLES = {
    "met": "bold green",
    "met_early": "green",
    "on_track": "cyan",
    "lagging": "yellow",
    "not_met": "bold red",
    "no_data": "dim",
    "no_baseline": "magenta",
}
LABELS = {
    "met": "met 完成",
    "met_early": "met early 提前完成",
    "on_track": "on track 符合序时",
    "lagging": "lagging 滞后",
    "not_met": "not met 未完成",
    "no_data": "no data 无数据",
    "no_baseline": "no baseline 无基期值",
}
WIDTH = 12


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"


def progress_bar(result: IndicatorResult) -> Text:
    """A bar of progress from the baseline to the target, `│` marking the share of time
    elapsed; without a baseline, a thin bar of the share of the target reached."""
    share = result.progress if result.progress is not None else result.attainment
    if share is None:
        return Text("·" * WIDTH, style="dim")
    filled = round(max(0.0, min(share, 1.0)) * WIDTH)
    full, empty = ("█", "░") if result.progress is not None else ("▬", "·")
    cells = [full] * filled + [empty] * (WIDTH - filled)
    if result.elapsed is not None and 0 <= result.elapsed < 1:
        cells[min(WIDTH - 1, round(result.elapsed * WIDTH))] = "│"
    bar = Text("".join(cells), style=STYLES[result.status])
    bar.append(f" {share:.0%}" + ("" if result.progress is not None else " of target"))
    return bar


def _needed(result: IndicatorResult) -> str:
    parts = []
    if result.required_growth is not None:
        parts.append(f"needs {result.required_growth:+.1f}%/yr")
    if result.required_per_year is not None:
        parts.append(f"needs {_number(result.required_per_year)} {result.unit}/yr")
    if result.growth_so_far is not None and result.kind != "growth_rate":
        parts.append(f"so far {result.growth_so_far:+.1f}%/yr")
    return ", ".join(parts)


def _target(r: IndicatorResult) -> str:
    comparator = {">=": "≥", "<=": "≤", "=": "="}[r.comparator]
    if r.kind == "cumulative":  # its baseline is the previous period's total, not a level
        return f"Σ{comparator} {_number(r.target)} {r.unit}"
    base = f"{_number(r.baseline)} → " if r.baseline is not None else ""
    return f"{base}{comparator} {_number(r.target)} {r.unit}"


def _category_table(category: str, rows: list[IndicatorResult]) -> Table:
    table = Table(title=category, title_justify="left", title_style="bold")
    table.add_column("indicator 指标", ratio=3, min_width=14, overflow="fold")
    table.add_column("base → target", justify="right", no_wrap=True)
    table.add_column("actual", justify="right", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("status", ratio=1)
    table.add_column("to reach it", ratio=2)
    table.add_column("confidence 可信度", ratio=1)
    for r in rows:
        actual = (
            "–"
            if r.actual is None
            else (f"{_number(r.actual)} ({r.actual_year})" + ("*" if r.derived else ""))
        )
        table.add_row(
            r.name,
            _target(r),
            actual,
            progress_bar(r),
            Text(LABELS[r.status], style=STYLES[r.status]),
            _needed(r),
            confidence_text(r),
        )
    return table


def confidence_text(r: IndicatorResult) -> Text:
    """The rule file's confidence in the indicator: one word, or base and target apart."""
    base, target = r.baseline_confidence, r.target_confidence
    if base in (None, target) and target in (None, r.confidence):
        text = r.confidence
    else:
        text = " · ".join(
            f"{part} {c}" for part, c in (("base", base), ("target", target)) if c is not None
        )
    return Text(text, style="yellow" if r.unconfirmed else "dim")


def render_plan(result: PlanResult, console: Console) -> None:
    plan = result.plan
    console.print(
        f"[bold]{plan.title}[/] · {result.region} · judged at {result.year} "
        f"(base {plan.base_year}, target {plan.target_year}) · {plan.id}"
    )
    for category in plan.categories:
        rows = [r for r in result.indicators if r.category == category]
        if rows:
            console.print(_category_table(category, rows))
    console.print(
        "[dim]█ progress from the baseline, │ share of the period elapsed (序时进度); "
        "▬ share of the target reached where no baseline is published; "
        "* derived from patents"
    )
    counts = result.counts()
    summary = " · ".join(f"{LABELS[s]} {counts[s]}" for s in LABELS if counts[s])
    rate = counts["completion_rate"]
    console.print(
        f"[bold]{len(result.indicators)} indicators:[/] {summary} · completion "
        f"{'–' if rate is None else f'{rate:.1%}'} "
        f"({counts['met'] + counts['met_early']} of {len(result.indicators)} met)"
    )
    for key, label in (("attribute", "属性"), ("category", "类别")):
        parts = [
            f"{name} {g['met'] + g['met_early']}/{sum(g[s] for s in LABELS)}"
            for name, g in result.by(key).items()
        ]
        console.print(f"  met by {label}: " + " · ".join(parts), style="dim")
    render_assumptions(result.assumptions, console)
