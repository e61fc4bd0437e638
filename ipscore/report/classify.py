"""The Rich report of a patent classification."""

from __future__ import annotations

import pandas as pd
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ipscore.patents.summary import Classification
from ipscore.report.assumptions import assumptions_table


def _n(value: int) -> str:
    return f"{value:,}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def header(result: Classification, banner: str | None = None) -> Panel:
    p = result.prepared
    lines = [
        Text.assemble((p.rule.title, "bold"), f"  {p.rule.title_en}"),
        Text(
            f"rule {p.rule.id} · version from {p.version.effective.start} "
            f"({p.version.confidence}) · as of {p.as_of} · input {result.batch.source}"
        ),
    ]
    if p.version.confidence != "confirmed":
        lines.append(
            Text(
                f"⚠ this version is {p.version.confidence}: {p.version.note or ''}", style="yellow"
            )
        )
    for name, table in p.tables.items():
        ref = p.rule.tables[name]
        document = ref.source.document if ref.source else name
        number = f" {ref.source.number}" if ref.source and ref.source.number else ""
        lines.append(
            Text(
                f"table {name}: 《{document}》{number} — {table.path.name}, "
                f"{len(table.rules)} rules ({table.layout}), confidence {ref.confidence}",
                style="yellow" if ref.sample else "",
            )
        )
        if ref.sample:
            lines.append(Text(f"⚠ table {name} is a SAMPLE, not the official table", "yellow"))
    if banner:
        lines.append(Text(banner, style="bold magenta"))
    return Panel(Group(*lines), title="ipscore classify", border_style="cyan")


def totals(result: Classification) -> Table:
    batch = result.batch
    table = Table(title="Totals 总计", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("read 读入", _n(batch.read))
    table.add_row("rejected 拒收", _n(batch.rejected))
    table.add_row("evaluated 评估", _n(len(batch)))
    table.add_row("eligible 有效国内发明专利", _n(result.eligible))
    table.add_row(
        "high-value 高价值发明专利",
        f"{_n(result.high_value)} ({_share(result.high_value, result.eligible)})",
    )
    ok = batch.read == len(batch) + batch.rejected
    table.add_row(
        "reconciled" if ok else "[red]NOT reconciled",
        f"{'✓' if ok else '✗'} {_n(batch.read)} = {_n(len(batch))} + {_n(batch.rejected)}",
        end_section=True,
    )
    return table


def criteria(result: Classification) -> Table:
    p = result.prepared
    table = Table(
        title="Criteria 五种情况 (eligible patents; one may pass several)", title_justify="left"
    )
    for column, justify in (
        ("criterion", "left"),
        ("标准", "left"),
        ("patents", "right"),
        ("of high-value", "right"),
    ):
        table.add_column(column, justify=justify)
    for condition in p.version.criteria:
        count = result.criteria_counts()[condition.id]
        table.add_row(condition.id, condition.label, _n(count), _share(count, result.high_value))
    table.add_row(
        "[bold]any (union)",
        "[bold]任一条件",
        f"[bold]{_n(result.high_value)}",
        "100.0%" if result.high_value else "–",
        end_section=True,
    )
    return table


def overlap(result: Classification) -> Table:
    table = Table(title="Overlap 交叉", title_justify="left")
    table.add_column("criteria passed")
    table.add_column("high-value patents", justify="right")
    for passed, count in result.overlap().items():
        table.add_row(f"exactly {passed}", _n(count))
    table.add_section()
    for combination, count in result.combinations(6):
        table.add_row(combination, _n(count))
    return table


def regions(result: Classification) -> Table:
    table = Table(title="By region 分地区 (每万人口高价值发明专利拥有量)", title_justify="left")
    for column in ("region", "code", "eligible", "high-value", "population 万人", "per 10k"):
        table.add_column(column, justify="left" if column in ("region", "code") else "right")
    frame = result.region_table.sort_values("high_value", ascending=False)
    for row in frame.itertuples():
        people = (
            "–"
            if row.population != row.population
            else (f"{row.population:,.2f} ({int(row.population_year)})")
        )
        per = "–" if row.per_10k is None or row.per_10k != row.per_10k else f"{row.per_10k:.2f}"
        code = row.code if isinstance(row.code, str) else "–"
        table.add_row(
            escape(str(row.region)), code, _n(row.eligible), _n(row.high_value), people, per
        )
    return table


def findings(result: Classification) -> Table | None:
    """What was kept but needs a look: unrecognised awards, unread sheets, unknown
    vocabulary values, places that resolve to no division, and the joined lists."""
    data = result.to_json()
    lines = []
    for w in data["warnings"]:
        lines.append(("warning", w.get("column") or "", w["value"], w["rows"], w["reason"]))
    for u in data["unknown_values"]:
        lines.append(("unknown value", u["column"], u["value"], u["rows"], "rejected"))
    for u in data["unresolved_regions"]:
        lines.append(("unresolved place", "region", u["place"], u["rows"], u["reason"]))
    for j in data["joins"]:
        aside = ", ".join(f"{k} {v}" for k, v in j["set_aside"].items() if v)
        summary = f"matched {j['matched']}, unmatched {j['unmatched']}, rejected {j['rejected']}"
        lines.append(
            ("--" + j["list"], j["file"], "", j["rows"], summary + (f", {aside}" if aside else ""))
        )
    if not lines:
        return None
    table = Table(title="Findings 提示", title_justify="left", border_style="yellow")
    for column in ("kind", "column / file", "value", "rows", "note"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for kind, where, value, rows, note in lines:
        table.add_row(kind, escape(str(where)), escape(str(value)), _n(rows), escape(note))
    return table


def industries(result: Classification, limit_top: int = 9) -> Table | None:
    rows = result.industries()
    if not rows:
        return None
    table = Table(title="By strategic emerging industry 分战略性新兴产业", title_justify="left")
    for column in ("code", "industry 产业", "eligible", "high-value"):
        table.add_column(
            column, justify="right" if column in ("eligible", "high-value") else "left"
        )
    for row in rows:
        bold = "bold" if row["level"] == 1 else ""
        indent = "" if row["level"] == 1 else "  "
        table.add_row(
            Text(indent + row["code"], bold),
            Text(indent + row["name"], bold),
            _n(row["patents"]),
            _n(row["high_value"]),
            end_section=False,
        )
    return table


def caliber(result: Classification) -> Table | None:
    rows = result.caliber
    if not rows:
        return None
    table = Table(
        title="Caliber range 口径区间: the table's keyword rows (sei_keywords, an assumption)",
        title_justify="left",
        border_style="yellow",
    )
    for column in ("sei_keywords", "strategic emerging", "high-value", "unverifiable (no text)"):
        table.add_column(column, justify="left" if column == "sei_keywords" else "right")
    for row in rows:
        mark = " (in force)" if row["in_force"] else ""
        table.add_row(
            row["sei_keywords"] + mark,
            _n(row["strategic_emerging"]),
            _n(row["high_value"]),
            _n(row["unverifiable"]) if row["sei_keywords"] == "require" else "–",
        )
    return table


def assumptions(result: Classification) -> Table:
    return assumptions_table(result.prepared.assumptions_used())


def rejects(result: Classification, limit: int = 8) -> Table | None:
    found = result.batch.rejects
    if found.empty:
        return None
    table = Table(
        title=f"Rejected rows 拒收 ({_n(result.batch.rejected)} rows, "
        f"{_n(len(found))} problems; --rejects FILE writes them all)",
        title_justify="left",
        border_style="red",
    )
    for column in ("row", "id", "column", "value", "reason"):
        table.add_column(column)
    for row in found.head(limit).itertuples():
        # A missing id or value is NaN in the table: shown blank, never as "nan".
        cells = (row.row, row.id, row.column, row.value, row.reason)
        table.add_row(*(escape(str(c)) if pd.notna(c) else "" for c in cells))
    if len(found) > limit:
        table.add_row("…", "", "", "", f"{len(found) - limit} more")
    return table


def render_classification(
    result: Classification, console: Console, banner: str | None = None
) -> None:
    console.print(header(result, banner))
    console.print(totals(result))
    console.print(criteria(result))
    if result.high_value:
        console.print(overlap(result))
    for extra in (industries(result), caliber(result)):
        if extra is not None:
            console.print(extra)
    console.print(regions(result))
    console.print(assumptions(result))
    found = rejects(result)
    if found is not None:
        console.print(found)
    noted = findings(result)
    if noted is not None:
        console.print(noted)
    if result.batch.absent:
        console.print(
            f"[yellow]Optional columns absent, treated as empty: {', '.join(result.batch.absent)}"
        )
