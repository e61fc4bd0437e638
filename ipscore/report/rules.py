"""Rich rendering of rule listings, rule details and example results."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ipscore.patents.examples import ExampleResult
from ipscore.patents.sei import IpcTable, load_ipc_table
from ipscore.spec import PlanRule, RuleFile


def render_rule_list(rules: list[tuple[Path, RuleFile]], console: Console) -> None:
    table = Table(title="Bundled rules 规则")
    table.add_column("id", no_wrap=True, style="cyan")
    for column in ("kind", "title", "in force / scope"):
        table.add_column(column)
    for _path, rule in rules:
        table.add_row(rule.id, rule.kind, f"{rule.title}\n{rule.title_en}", _validity(rule))
    console.print(table)


def _validity(rule: RuleFile) -> str:
    if isinstance(rule, PlanRule):
        return f"{rule.region}: {rule.base_year} → {rule.target_year}"
    if not hasattr(rule, "versions"):
        return "official" if rule.official else "ipscore's own model (not official)"
    return ", ".join(
        f"{v.effective.start}…{v.effective.end or ''} ({v.confidence})" for v in rule.versions
    )


def render_plan_rule(plan: PlanRule, console: Console) -> None:
    console.print(
        f"[bold]{plan.title}[/] {plan.title_en}  ([cyan]{plan.id}[/], plan, "
        f"{plan.region}, {plan.base_year} → {plan.target_year})"
    )
    console.print(f"source: {plan.source.cite()} [dim]({plan.source.confidence})")
    table = Table()
    for column in ("id", "indicator", "unit", "kind", "base", "target", "属性", "confidence"):
        table.add_column(column)
    for i in plan.indicators:
        base = f"{i.baseline.value:g} ({i.baseline.year})" if i.baseline else "–"
        target = f"{i.target.comparator} {i.target.value:g} ({i.target.year})"
        table.add_row(
            i.id,
            f"{i.name}\n[dim]{i.name_en}",
            i.unit,
            i.kind,
            base,
            target,
            i.attribute or "–",
            i.confidence,
        )
    console.print(table)


def render_index_rule(rule, console: Console) -> None:
    console.print(f"[bold]{rule.title}[/] {rule.title_en}  ([cyan]{rule.id}[/], index)")
    console.print(f"[yellow]{rule.notice.strip()}")
    table = Table()
    for column in ("dimension", "weight", "indicator", "weight ", "normalise", "direction"):
        table.add_column(column)
    for d in rule.dimensions:
        for k, i in enumerate(d.indicators):
            spec = i.normalise
            how = spec.method + (f" {spec.min:g}–{spec.max:g}" if spec.method == "goalpost" else "")
            table.add_row(
                d.name if k == 0 else "",
                f"{d.weight.value:g}" if k == 0 else "",
                i.name,
                f"{i.weight.value:g} ({i.weight.confidence})",
                how,
                i.direction,
            )
    console.print(table)
    for gate in rule.gates:
        console.print(f"gate {gate.id}: {gate.when}")
    for bonus in rule.bonus:
        console.print(f"bonus {bonus.id} (+{bonus.points:g}): {bonus.when}")
    console.print(
        f"qualify: {rule.qualify} · coverage ≥ {rule.coverage:.0%} · missing policy: {rule.missing}"
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
    if not hasattr(rule, "versions"):  # an index
        render_index_rule(rule, console)
        return
    console.print(f"[bold]{rule.title}[/] {rule.title_en}  ([cyan]{rule.id}[/], {rule.kind})")
    console.print(f"source: {rule.source.cite()} [dim]({rule.source.confidence})")
    for name, table in rule.tables.items():
        console.print(
            f"table {name}: {escape(table.file)}{' [yellow](SAMPLE)' if table.sample else ''}"
            f" — {escape(table.description.strip())}"
        )
        console.print(sei_table_summary(load_ipc_table(rule.table_path(name), name)))
    for version in rule.versions:
        window = f"{version.effective.start} … {version.effective.end or 'open'}"
        params = Table(title=f"version {window} ({version.confidence})", title_justify="left")
        for column in ("parameter", "value", "unit", "confidence", "note"):
            params.add_column(column)
        for name, p in version.parameters.items():
            style = "yellow" if p.confidence == "assumption" else ""
            params.add_row(
                name, str(p.value), p.unit or "", f"[{style}]{p.confidence}", p.note or ""
            )
        console.print(params)
        conditions = Table(show_header=True)
        for column in ("kind", "id", "label", "when"):
            conditions.add_column(column)
        for kind, c in version.conditions:
            conditions.add_row(kind, c.id, c.label, c.when)
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
            r.rule,
            r.example,
            str(r.expected),
            "" if r.passed else str(wrong),
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
