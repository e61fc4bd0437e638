"""The Rich report of `ipscore advise`: ranked paths, risks and the projection."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ipscore.advise import Advice
from ipscore.report.assumptions import render_assumptions

BASIS = {"all_annuities_paid": "all annuities paid", "observed_lapse_rates": "observed lapses"}


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return escape(str(value))


def header(advice: Advice) -> str:
    p, c = advice.prepared, advice.counts()
    return (
        f"[bold]What it would take[/] — {escape(p.rule.id)} (version from "
        f"{p.version.effective.start}), as of {p.as_of}, horizon {advice.until}\n"
        f"{c['evaluated']:,} patents: {c['high_value']:,} high-value, "
        f"{c['eligible'] - c['high_value']:,} eligible with paths, "
        f"{c['not_eligible']:,} not eligible; "
        f"{c['counting_by_until']:,} would count by {advice.until} just by being renewed; "
        f"{c['at_risk']:,} high-value patents carry a risk."
    )


def ranked_paths(advice: Advice, top: int = 20, by: str = "date") -> Table:
    title = (
        f"Soonest: renew and it counts (top {top})"
        if by == "date"
        else f"Cheapest: smallest pledge gaps (top {top})"
    )
    table = Table(title=title, title_justify="left")
    for name in ("id", "region", "criterion", "date", "万元", "annuities due", "action"):
        table.add_column(name, overflow="fold")
    for row in advice.ranked_paths(top, by).itertuples():
        date = None if pd.isna(row.date) else pd.Timestamp(row.date).date().isoformat()
        amount = None if pd.isna(row.amount) else f"{row.amount:,.4f}".rstrip("0").rstrip(".")
        table.add_row(
            _cell(row.id),
            _cell(row.region),
            _cell(row.criterion),
            _cell(date),
            _cell(amount),
            str(row.annuities_due) if date else "–",
            _cell(row.action),
        )
    return table


def risks(advice: Advice) -> Table:
    table = Table(title="Risks to high-value patents", title_justify="left")
    table.add_column("risk")
    table.add_column("patents", justify="right")
    table.add_column("what", overflow="fold")
    counts = advice.risks.groupby(["risk", "detail"], sort=True)["position"].nunique()
    for (risk, detail), n in counts.items():
        table.add_row(_cell(risk), f"{n:,}", _cell(detail))
    return table


def projection(advice: Advice, regions: int = 8) -> Table:
    table = Table(title="Projection of high-value patents", title_justify="left")
    frame = advice.projection
    dates = sorted(frame["date"].unique())
    table.add_column("region", overflow="fold")
    table.add_column("basis", overflow="fold")
    for day in dates:
        table.add_column(day.isoformat(), justify="right")
    last = frame[(frame["date"] == dates[-1]) & (frame["basis"] == "all_annuities_paid")]
    order = last.sort_values("high_value", ascending=False)["region"].tolist()
    shown = ["(all)", *[r for r in order if r != "(all)"][:regions]]
    for region in shown:
        for basis, label in BASIS.items():
            rows = frame[(frame["region"] == region) & (frame["basis"] == basis)]
            rows = rows.set_index("date")
            cells = [_figure(rows, day) for day in dates]
            table.add_row(_cell(region), label, *cells)
    if len(order) > regions + 1:
        table.caption = f"{len(order) - regions - 1} more regions in --json"
    return table


def _figure(rows: pd.DataFrame, day) -> str:
    if day not in rows.index:
        return "–"
    count, per = rows.loc[day, "high_value"], rows.loc[day, "per_10k"]
    text = f"{count:,.0f}"
    return text if per is None or pd.isna(per) else f"{text} ({per:.2f}/万人)"


def plan(advice: Advice) -> str | None:
    if not advice.plan:
        return None
    p = advice.plan
    lines = [
        f"[bold]Plan {escape(p['id'])}[/]: {escape(p['name'])} in {escape(p['region'])}, "
        f"target {p['target']:g} by {p['target_year']}"
    ]
    for row in p["projected"]:
        verdict = "[green]reaches it" if row["meets"] else "[red]falls short"
        lines.append(
            f"  {BASIS[row['basis']]}: {row['per_10k']} per 10,000 on {row['date']} — {verdict}"
        )
    if p.get("note"):
        lines.append(f"  [yellow]{escape(p['note'])}")
    return "\n".join(lines)


def render_advice(advice: Advice, console: Console, top: int = 20) -> None:
    console.print(header(advice))
    console.print(ranked_paths(advice, top, "date"))
    if advice.paths["amount"].notna().any():
        console.print(ranked_paths(advice, top, "amount"))
    if len(advice.risks):
        console.print(risks(advice))
    console.print(projection(advice))
    text = plan(advice)
    if text:
        console.print(text)
    render_assumptions(advice.assumptions, console)
