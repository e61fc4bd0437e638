"""Rich rendering of rule listings, rule details and example results."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ipscore.patents.examples import ExampleResult
from ipscore.patents.sei import IpcTable, load_ipc_table
from ipscore.spec import PlanRule, RuleFile
from ipscore.spec.models.common import Source


def render_rule_list(rules: list[tuple[Path, RuleFile]], console: Console) -> None:
    table = Table(title="Bundled rules 规则")
    table.add_column("id", no_wrap=True, style="cyan")
    for column in ("kind", "title", "in force / scope"):
        table.add_column(column)
    for _path, rule in rules:
        table.add_row(
            escape(rule.id),
            rule.kind,
            escape(f"{rule.title}\n{rule.title_en}"),
            escape(_validity(rule)),
        )
    console.print(table)


def _validity(rule: RuleFile) -> str:
    if isinstance(rule, PlanRule):
        return f"{rule.region}: {rule.base_year} → {rule.target_year}"
    if not hasattr(rule, "versions"):
        return "official" if rule.official else "ipscore's own model (not official)"
    return ", ".join(
        f"{v.effective.start}…{v.effective.end or ''} ({v.confidence})" for v in rule.versions
    )


def cited(own: Source | None, file_source: Source) -> str:
    """An item's own citation (its locator where it cites the file's document), or
    "(file source)" where it inherits the rule file's."""
    if own is None:
        return "(file source)"
    if own.document == file_source.document and own.locator:
        return f"{own.locator} ({own.confidence})"
    return f"{own.cite()} ({own.confidence})"


def render_plan_rule(plan: PlanRule, console: Console) -> None:
    console.print(
        f"[bold]{escape(plan.title)}[/] {escape(plan.title_en)}  ([cyan]{escape(plan.id)}[/], "
        f"plan, {escape(plan.region)}, {plan.base_year} → {plan.target_year})"
    )
    console.print(f"source: {escape(plan.source.cite())} [dim]({plan.source.confidence})")
    table = Table()
    for column in ("id", "indicator", "unit", "kind", "base", "target", "属性", "confidence"):
        table.add_column(column)
    table.add_column("source", overflow="fold")
    for i in plan.indicators:
        base = f"{i.baseline.value:g} ({i.baseline.year})" if i.baseline else "–"
        target = f"{i.target.comparator} {i.target.value:g} ({i.target.year})"
        table.add_row(
            escape(i.id),
            f"{escape(i.name)}\n[dim]{escape(i.name_en or '')}",
            escape(i.unit or ""),
            i.kind,
            base,
            target,
            escape(i.attribute or "–"),
            i.confidence,
            escape(cited(i.source, plan.source)),
        )
    console.print(table)


def render_index_rule(rule, console: Console) -> None:
    console.print(
        f"[bold]{escape(rule.title)}[/] {escape(rule.title_en)}  "
        f"([cyan]{escape(rule.id)}[/], index)"
    )
    console.print(f"[yellow]{escape(rule.notice.strip())}")
    table = Table()
    for column in ("node", "weight", "aggregate", "normalise", "direction", "source"):
        table.add_column(column, overflow="fold")

    def rows(node, depth: int, level: int) -> None:
        is_leaf = hasattr(node, "normalise")
        if is_leaf:
            spec = node.normalise
            how = spec.method + (f" {spec.min:g}–{spec.max:g}" if spec.method == "goalpost" else "")
        aggregate = None if is_leaf else node.aggregate or rule.level_aggregate(level)
        table.add_row(
            "  " * depth + escape(node.name),
            f"{node.weight.value:g} ({node.weight.confidence})",
            "" if is_leaf else escape(aggregate.label()),
            escape(how) if is_leaf else "",
            node.direction if is_leaf else "",
            escape(cited(node.source, rule.source)) if is_leaf else "",
        )
        for child in [] if is_leaf else node.dimensions or node.indicators:
            rows(child, depth + 1, level - 1)

    for d in rule.dimensions:
        rows(d, 0, rule.depth - 1)
    console.print(table)
    console.print(f"index: {escape(rule.level_aggregate(rule.depth).label())} of the above")
    for n, step in enumerate(rule.prepare, 1):
        console.print(f"prepare {n}: {escape(str(step.model_dump(exclude_none=True)))}")
    for gate in rule.gates:
        console.print(
            f"gate {escape(gate.id)}: {escape(gate.when)} ({gate.confidence}) "
            f"[dim]source: {escape(cited(gate.source, rule.source))}"
        )
    for bonus in rule.bonus:
        console.print(
            f"bonus {escape(bonus.id)} (+{bonus.points:g}): {escape(bonus.when)} "
            f"({bonus.confidence}) [dim]source: {escape(cited(bonus.source, rule.source))}"
        )
    console.print(
        f"qualify: {escape(rule.qualify)} · coverage ≥ {rule.coverage:.0%} · missing policy: "
        f"{rule.missing}"
    )


def sei_table_summary(table: IpcTable) -> Table:
    """Rules per industry, and the keyword-filter rows with their terms."""
    d = table.describe()
    out = Table(
        title=f"{d['rules']} rules, {d['patterns']} patterns, {d['exclusions']} exclusions "
        f"(不含), {d['industries']} industries; ask about a code with `ipscore sei lookup CODE`",
        title_justify="left",
    )
    for column in ("industry 中类", "rules", "keyword-filter rows (sei_keywords: require)"):
        out.add_column(column)
    rules = table.rules
    for code, group in rules.groupby("sei_code", sort=False):
        filters = [
            f"rule {r.rule_no}: {'、'.join(r.keyword_terms)}"
            for r in group.itertuples()
            if r.keyword_terms is not None
        ]
        out.add_row(f"{code} {group['sei_name'].iloc[0]}", str(len(group)), "; ".join(filters))
    return out


def render_rule(rule: RuleFile, console: Console) -> None:
    if isinstance(rule, PlanRule):
        render_plan_rule(rule, console)
        return
    if rule.kind == "alert":
        from ipscore.report.events import render_alert_rule

        render_alert_rule(rule, console)
        return
    if not hasattr(rule, "versions"):  # an index
        render_index_rule(rule, console)
        return
    console.print(
        f"[bold]{escape(rule.title)}[/] {escape(rule.title_en)}  ([cyan]{escape(rule.id)}[/], "
        f"{rule.kind})"
    )
    console.print(f"source: {escape(rule.source.cite())} [dim]({rule.source.confidence})")
    for name, table in rule.tables.items():
        console.print(
            f"table {escape(name)}: {escape(str(table.file))}"
            f"{' [yellow](SAMPLE)' if table.sample else ''}"
            f" — {escape(table.description.strip())}"
        )
        console.print(sei_table_summary(load_ipc_table(rule.table_path(name), name)))
    for version in rule.versions:
        window = f"{version.effective.start} … {version.effective.end or 'open'}"
        params = Table(title=f"version {window} ({version.confidence})", title_justify="left")
        for column in ("parameter", "value", "unit", "confidence", "note", "source"):
            params.add_column(column, overflow="fold")
        for name, p in version.parameters.items():
            style = "yellow" if p.confidence == "assumption" else ""
            params.add_row(
                escape(name),
                escape(str(p.value)),
                escape(p.unit or ""),
                f"[{style}]{p.confidence}[/]" if style else p.confidence,
                escape(p.note or ""),
                escape(cited(p.source, rule.source)),
            )
        console.print(params)
        conditions = Table(show_header=True)
        for column in ("kind", "id", "label", "when", "source"):
            conditions.add_column(column, overflow="fold")
        for kind, c in version.conditions:
            conditions.add_row(
                kind,
                escape(c.id),
                escape(c.label),
                escape(c.when),
                escape(cited(c.source, rule.source)),
            )
        console.print(conditions)
    console.print(f"{len(rule.examples)} example(s); run them with `ipscore rules test`")


def render_example_results(results: list[ExampleResult], console: Console) -> None:
    table = Table(title="Rule examples")
    for column in ("", "rule", "example", "expected", "got"):
        table.add_column(column)
    for r in results:
        wrong = {k: v for k, v in r.got.items() if r.expected.get(k) != v}
        table.add_row(
            "[green]✓" if r.passed else "[red]✗",
            escape(r.rule),
            escape(r.example),
            escape(str(r.expected)),
            "" if r.passed else escape(str(wrong)),
        )
    console.print(table)
    failed = sum(not r.passed for r in results)
    console.print(f"{len(results) - failed} passed, {failed} failed")


def render_sei_lookup(data: dict, console: Console) -> None:
    t = data["table"]
    console.print(f"[dim]table {escape(t['file'])} ({t['rules']} rules, {t['layout']})")
    for entry in data["codes"]:
        names = ", ".join(f"{i['code']} {i['name']}" for i in entry["industries"]) or "none"
        console.print(f"[bold]{escape(entry['code'])}[/] → {escape(names)}")
        for m in entry["rules"]:
            how = (
                f"[red]excluded by {escape(m['excluded_by'])}[/] (不含)"
                if m["excluded_by"]
                else "[green]matched[/]"
            )
            terms = m["keyword_filter"]
            keyword = f" · keyword row: {'、'.join(terms)}" if terms else ""
            console.print(
                f"  {m['industry']} {escape(m['industry_name'])} · rule {m['rule_no']} · "
                f"pattern {escape(m['pattern'])} · {how}{escape(keyword)}"
            )
