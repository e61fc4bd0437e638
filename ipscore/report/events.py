"""Rich rendering of a watched event stream: transitions as they happen, then a summary."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ipscore.report.assumptions import render_assumptions


def transition_line(transition: dict[str, Any], labels: dict[str, str]) -> Text:
    became = transition["to"] == "high_value"
    reasons = ", ".join(f"{labels.get(b, b)}" for b in transition["because"])
    verb = "became high-value" if became else "lost high-value"
    return Text.assemble(
        (transition["date"], "dim"),
        " ",
        (transition["id"], "bold"),
        " ",
        (verb, "green" if became else "red"),
        f" because {reasons} ",
        (f"[{transition['event']}]", "cyan"),
    )


SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def alert_line(alert: dict[str, Any]) -> Text:
    """One alert, in the stream of transitions: date, severity, subject, message."""
    return Text.assemble(
        (alert["date"], "dim"),
        " ",
        (f"ALERT {alert['severity']}", SEVERITY_STYLE.get(alert["severity"], "bold")),
        " ",
        (alert["id"], "bold"),
        f" {alert['message']} ",
        (f"[{alert['alert']}]", "magenta"),
    )


def render_alert_summary(rows: list[dict[str, Any]], console: Console) -> None:
    table = Table(title="Alerts", title_justify="left", border_style="magenta")
    for column in ("alert", "severity", "label", "fired"):
        table.add_column(column, justify="right" if column == "fired" else "left")
    for row in rows:
        table.add_row(
            row["alert"],
            Text(row["severity"], SEVERITY_STYLE.get(row["severity"], "")),
            f"{row['label']} / {row['label_en']}",
            f"{row['fired']:,}",
        )
    console.print(table)


def render_summary(summary: dict[str, Any], console: Console) -> None:
    table = Table(title="Summary", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, label in (
        ("patents", "patents watched"),
        ("events_read", "events read"),
        ("events_applied", "events applied"),
        ("events_rejected", "events rejected"),
        ("after_until", "events after --until (not applied)"),
        ("reordered", "events put back in date order"),
        ("became", "became high-value"),
        ("lost", "lost high-value"),
        ("high_value_start", "high-value at the start"),
        ("high_value_end", "high-value at the end"),
    ):
        table.add_row(label, f"{summary[key]:,}")
    table.caption = f"{summary['start']} → {summary['until']}"
    console.print(table)
    if summary.get("alerts") is not None:
        render_alert_summary(summary["alerts"], console)
    if summary["rejects"]:
        rejects = Table(title="Rejected events", title_justify="left", border_style="red")
        for column in ("line", "id", "type", "reason"):
            rejects.add_column(column)
        for row in summary["rejects"][:10]:
            rejects.add_row(str(row["line"]), str(row["id"]), str(row["type"]), row["reason"])
        console.print(rejects)
    if summary.get("annuity_due") is not None:
        due = Table(
            title=f"High-value patents with an annuity due by {summary['warn_until']}",
            title_justify="left",
            border_style="yellow",
        )
        due.add_column("id")
        due.add_column("due")
        for row in summary["annuity_due"][:20]:
            due.add_row(row["id"], row["due"])
        if len(summary["annuity_due"]) > 20:
            due.add_row("…", f"{len(summary['annuity_due']) - 20} more (--json lists all)")
        console.print(
            due
            if summary["annuity_due"]
            else "[dim]No high-value patent has an annuity due in the window."
        )
    render_watch_assumptions(summary.get("assumptions") or [], console)


def render_watch_assumptions(items: list[dict[str, Any]], console: Console) -> None:
    """Says so when the watch judged by an unconfirmed rule version, then lists them all."""
    for item in items:
        if item["name"] == "rule_version":
            console.print(
                f"[bold yellow]⚠ judged in part by the {item['confidence']} rule version "
                f"{escape(str(item['value']))}:[/] {escape(item.get('note') or '')}"
            )
    render_assumptions(items, console)


def render_alert_rule(rule: Any, console: Console) -> None:
    """`rules show` for an alert rule: parameters and each alert's pattern, per version."""
    title = f"[bold]{escape(rule.title)}[/] {escape(rule.title_en)}"
    console.print(f"{title}  ([cyan]{escape(rule.id)}[/], alert)")
    console.print(f"source: {escape(rule.source.cite())} [dim]({rule.source.confidence})")
    for version in rule.versions:
        window = f"{version.effective.start} … {version.effective.end or 'open'}"
        params = Table(title=f"version {window} ({version.confidence})", title_justify="left")
        for column in ("parameter", "value", "confidence", "note"):
            params.add_column(column)
        for name, p in version.parameters.items():
            params.add_row(name, str(p.value), p.confidence, (p.note or "").strip())
        console.print(params)
        alerts = Table()
        for column in ("alert", "severity", "label", "pattern"):
            alerts.add_column(column)
        for alert in version.alerts:
            alerts.add_row(alert.id, alert.severity, alert.label, pattern_text(alert))
        console.print(alerts)
    console.print(f"{len(rule.examples)} example(s); run them with `ipscore rules test`")


def pattern_text(alert: Any) -> str:
    parts = {
        "event": f"event {alert.event}",
        "sequence": "sequence " + " → ".join(s.event for s in alert.sequence or []),
        "absent": f"absent {alert.absent} after {alert.after}",
        "count": f"count {alert.count} ≥ {alert.at_least} by {alert.by}",
    }[alert.pattern]
    for key in ("when", "within", "notice"):
        if getattr(alert, key):
            parts += f", {key} {getattr(alert, key)}"
    return parts
