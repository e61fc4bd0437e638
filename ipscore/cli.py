"""The `ipscore` command line: a thin typer layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ipscore import __version__, api
from ipscore.bulk.cluster import dask_client
from ipscore.bulk.memory import tune_allocators
from ipscore.errors import InputError
from ipscore.expr import ExprError
from ipscore.optional import require_durable_rules
from ipscore.report.advise import render_advice
from ipscore.report.classify import render_classification
from ipscore.report.events import alert_line, render_summary, transition_line
from ipscore.report.explain import render_explanation
from ipscore.report.export import to_json_text
from ipscore.report.handoff import write_report
from ipscore.report.index import render_ranking, render_unit
from ipscore.report.plans import render_plan
from ipscore.report.rules import (
    render_example_results,
    render_rule,
    render_rule_list,
    render_sei_lookup,
)
from ipscore.report.scenarios import render_comparison, render_goal, render_sweep
from ipscore.report.terminal import make_console
from ipscore.scenarios.solve import parse_set
from ipscore.spec import RuleFileError
from ipscore.spec.tables import allow_table_paths

app = typer.Typer(
    help="Rules-as-code for Chinese IP policy: 高价值发明专利 and more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
_debug = {"on": False}  # set by the global --debug option, read by main()'s guard


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"ipscore {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _global_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an error, show the full Python traceback.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    allow_table_path: Annotated[
        list[Path] | None,
        typer.Option(
            "--allow-table-path",
            help="A folder outside the rule file's own from which its tables may be read.",
        ),
    ] = None,
) -> None:
    """Rules-as-code for Chinese IP policy: 高价值发明专利 and more."""
    _debug["on"] = debug
    allow_table_paths(allow_table_path or [])


rules_app = typer.Typer(help="List, show, check and test rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
sei_app = typer.Typer(help="The 战略性新兴产业–IPC table.", no_args_is_help=True)
app.add_typer(sei_app, name="sei")

out = make_console()
err = make_console(stderr=True)

AsOf = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Evaluation date; picks the rule version in force. Default: the last 31 December.",
    ),
]
Rules = Annotated[str, typer.Option("--rules", help="Bundled rule id or a rule file path.")]
SeiTable = Annotated[
    Path | None,
    typer.Option(
        "--sei-table",
        help="Another SEI–IPC table: rule layout (.jsonl, or CSV with sei_code, "
        "ipc_patterns, ipc_exclusions, keyword_terms; ;-separated) or one code a row "
        "(ipc, sei_code, sei_name).",
    ),
]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Rule parameter RULE.PARAM=VALUE (repeatable), "
        "e.g. cn-high-value-invention.sei_keywords=require",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="One JSON object on stdout, nothing else.")]
Sheet = Annotated[
    str | None, typer.Option(help="XLSX: the sheet to read, or 'all' (default: the first).")
]
AwardsList = Annotated[
    Path | None, typer.Option("--awards", help="Award winners: patent number, award name.")
]
PledgesList = Annotated[
    Path | None,
    typer.Option("--pledges", help="Pledge registrations: patent number, amount (万元), date."),
]
FamiliesList = Annotated[
    Path | None,
    typer.Option("--families", help="Family members: patent number, jurisdiction, granted."),
]
Report = Annotated[
    Path | None,
    typer.Option("--report", help="Also write a report to hand on: .xlsx workbook or .html page."),
]
DEFAULT_RULE = "cn-high-value-invention"


@contextmanager
def _exit_2_on_bad_input() -> Iterator[None]:
    """Bad input or bad rules: a clear message on stderr and exit code 2."""
    try:
        yield
    except (InputError, RuleFileError, ExprError, LookupError) as problem:
        message = problem.args[0] if isinstance(problem, KeyError) else str(problem)
        err.print(f"[bold red]error:[/] {escape(str(message))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _emit(as_json: bool, data: Any, render: Callable[[], None]) -> None:
    """--json: one JSON document on stdout and nothing else; otherwise the Rich report."""
    if as_json:
        sys.stdout.write(to_json_text(data) + "\n")
    else:
        render()


def _report(path: Path | None, kind: str, data: dict[str, Any], title: str) -> None:
    """--report FILE: the same result as --json, as a workbook or a web page."""
    if path is not None:
        with _exit_2_on_bad_input():
            write_report(kind, data, path, title)


def _as_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else api.default_as_of()


@app.command()
def classify(
    patents: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet register.")],
    as_of: AsOf = None,
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    population: Annotated[
        Path | None,
        typer.Option(help="region, year, population (万人) CSV for per-10,000 figures."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Regions at: province, city (default) or county (GB/T 2260)."),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="One row per evaluated patent: .csv .parquet .xlsx .json"),
    ] = None,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows here.")] = None,
    sheet: Sheet = None,
    awards: AwardsList = None,
    pledges: PledgesList = None,
    families: FamiliesList = None,
    sets: Sets = None,
    as_json: Json = False,
    report: Report = None,
    chunk_rows: Annotated[
        int | None,
        typer.Option(
            "--chunk-rows",
            min=1,
            help="Rows evaluated at a time (default 500,000); memory grows with it.",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="SCHEDULER",
            help="Run the chunks on a Dask cluster: tcp://host:port, or 'local' for a "
            "LocalCluster on this machine (pip install 'ipscore[dask]').",
        ),
    ] = None,
) -> None:
    """Classify a register: totals, criteria, overlaps, regions and assumptions."""
    lists = {"awards": awards, "pledges": pledges, "families": families}
    with _exit_2_on_bad_input(), _progress(as_json) as progress, dask_client(dask) as client:
        overrides = _parameter_sets(sets or [], api.patent_rule(rules).id)
        result = api.classify_file(
            patents,
            _as_of(as_of),
            rules,
            sei_table,
            population,
            overrides,
            by=by,
            sheet=sheet,
            lists=lists,
            chunk_rows=chunk_rows,
            client=client,
            out=out_file,
            rejects_out=rejects,
            progress=progress,
        )
    if report:
        _report(report, "classify", _report_data(result), f"ipscore classify {patents.name}")
    _show(result, as_json)


@contextmanager
def _progress(as_json: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress bar on stderr when stderr is a terminal (never with --json piped)."""
    if not err.is_terminal or (as_json and not out.is_terminal):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("classifying rows", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _report_data(result: api.Classification) -> dict[str, Any]:
    """The --json result, with the rejected rows the reports show as a sheet."""
    rejects = result.batch.rejects.astype(object).where(result.batch.rejects.notna(), None)
    return {**result.to_json(), "rejects": rejects.to_dict("records")}


def _show(result: api.Classification, as_json: bool, banner: str | None = None) -> None:
    _emit(as_json, result.to_json(), lambda: render_classification(result, out, banner))


@app.command()
def demo(as_of: AsOf = None, as_json: Json = False) -> None:
    """Classify the bundled SYNTHETIC register of Guangdong's 21 cities."""
    with _exit_2_on_bad_input():
        result = api.classify_file(
            api.DEMO_PATENTS,
            _as_of(as_of) if as_of else api.DEMO_AS_OF,
            DEFAULT_RULE,
            None,
            api.DEMO_POPULATION,
        )
    _show(result, as_json, banner=api.DEMO_BANNER)


@app.command()
def explain(
    patents: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet register.")],
    patent_id: Annotated[str, typer.Argument(metavar="ID", help="申请号 of the patent.")],
    as_of: AsOf = None,
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    sets: Sets = None,
    as_json: Json = False,
) -> None:
    """Explain one patent: every condition, its evidence, parameters and source."""
    with _exit_2_on_bad_input():
        data = api.explain_file(patents, patent_id, as_of, rules, sei_table, sets)
    _emit(as_json, data, lambda: render_explanation(data, out))


@app.command()
def monitor(
    plan: Annotated[str, typer.Argument(help="Plan id (cn-14th-ip, gd-13th-ip, …) or file.")],
    actuals: Annotated[
        Path | None,
        typer.Option(
            help="region, indicator, year, value[, unit, source] CSV/XLSX. "
            "Default: the plan's bundled actuals."
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Default: the plan's region.")] = None,
    year: Annotated[int | None, typer.Option(help="Default: the latest year with data.")] = None,
    from_patents: Annotated[
        Path | None,
        typer.Option(
            help="Derive 每万人口高价值发明专利拥有量 from this register at the end of --year."
        ),
    ] = None,
    population: Annotated[
        Path | None, typer.Option(help="region, year, population (万人), with --from-patents.")
    ] = None,
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    sets: Sets = None,
    as_json: Json = False,
    report: Report = None,
) -> None:
    """Judge a region against a plan: met, met early, on track (序时进度) or lagging."""
    with _exit_2_on_bad_input():
        result = api.monitor(
            plan, actuals, region, year, from_patents, population, rules, sei_table, sets
        )
    _report(report, "monitor", result.to_dict(), f"ipscore monitor {plan}")
    _emit(as_json, result.to_dict(), lambda: render_plan(result.value, out))


@app.command()
def whatif(
    scenario: Annotated[str | None, typer.Argument(help="Bundled scenario id or file.")] = None,
    base: Annotated[
        str | None,
        typer.Option(
            help="Without a scenario file: demo, a plan id, an index id, or a patents file."
        ),
    ] = None,
    as_of: AsOf = None,
    year: Annotated[int | None, typer.Option(help="Plan bases: the year to judge.")] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="KEY=VALUE, e.g. cn-high-value-invention.pledge_threshold=500"),
    ] = None,
    as_json: Json = False,
    report: Report = None,
) -> None:
    """Evaluate a scenario beside its baseline, with deltas and the patents that flipped."""
    with _exit_2_on_bad_input():
        result = api.whatif(scenario, base, as_of, year, sets)
        data = result.to_dict()
    _report(report, "whatif", data, f"ipscore whatif {result.scenario.id}")
    _emit(as_json, data, lambda: render_comparison(data, out))


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario id or file.")],
    vary: Annotated[str, typer.Option(help="KEY=START:STOP:STEP")],
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric", help="Result paths to show, e.g. high_value or regions[广州市].per_10k"
        ),
    ] = None,
    as_json: Json = False,
    report: Report = None,
) -> None:
    """Evaluate a scenario across a range of one knob: a table and a terminal chart."""
    with _exit_2_on_bad_input():
        result = api.sweep(scenario, vary, metrics)
    _report(report, "sweep", result.to_dict(), f"ipscore sweep {result.scenario.id}")
    _emit(
        as_json,
        result.to_dict(),
        lambda: render_sweep(result.vary, result.value, out, result.assumptions),
    )


@app.command()
def goal(
    scenario: Annotated[str, typer.Argument(help="A scenario with a `goal`.")],
    as_json: Json = False,
) -> None:
    """Solve for the knob value that meets the scenario's goal, by bisection."""
    with _exit_2_on_bad_input():
        data = api.goal(scenario).to_dict()
    _emit(as_json, data, lambda: render_goal(data, out))


@app.command()
def watch(
    events: Annotated[Path, typer.Argument(help="JSONL or CSV of id, date, type, payload.")],
    initial: Annotated[Path | None, typer.Option(help="The portfolio before the events.")] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="Let time pass to this date (default: the last event)."
        ),
    ] = None,
    warn_before: Annotated[
        str | None,
        typer.Option(
            help="e.g. 90d: high-value patents whose annuity falls due within the window."
        ),
    ] = None,
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected events here.")] = None,
    alerts: Annotated[
        list[str] | None,
        typer.Option(help="Alert rule id or file, or one alert's id (repeatable)."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Stream a portfolio's events through durable_rules: who becomes or stops being high-value."""
    labels: dict[str, str] = {}

    def show(data: dict[str, Any]) -> None:
        """Each transition or alert as it happens: one JSON line, or one Rich line."""
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        elif data["kind"] == "alert":
            out.print(alert_line(data))
        else:
            labels or labels.update(api.condition_labels(rules))
            out.print(transition_line(data, labels))

    with _exit_2_on_bad_input():
        require_durable_rules("ipscore watch")
        summary = api.watch(
            events, initial, until, rules, sei_table, alerts, warn_before, rejects, show
        ).summary
    if as_json:
        last = {"summary": summary, "assumptions": summary["assumptions"]}
        sys.stdout.write(json.dumps(last, ensure_ascii=False, default=str) + "\n")
    else:
        render_summary(summary, out)


@app.command()
def score(
    index: Annotated[str, typer.Argument(help="Index id (gd-strong-city) or rule file.")],
    data: Annotated[
        Path | None,
        typer.Option(
            help="unit, indicator, year, value CSV/XLSX (default: the bundled illustrative data)."
        ),
    ] = None,
    year: Annotated[int | None, typer.Option(help="Default: the latest year in the data.")] = None,
    sensitivity: Annotated[
        int,
        typer.Option(
            help="Sensitivity sample size N (as COINr): N·(d+2) runs for d choices; 0: none."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the sensitivity analysis.")] = 20231231,
    explain_unit: Annotated[
        str | None, typer.Option("--explain", help="One unit's full breakdown.")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="KEY=VALUE: creation.weight=0.5, high_value_per_10k.goalposts=[0,25], "
            "x.normalise.method=min-max, levels.2.aggregate=geometric …",
        ),
    ] = None,
    cheapest: Annotated[
        bool, typer.Option("--cheapest", help="Every unit's cheapest next point (slower).")
    ] = False,
    as_json: Json = False,
    report: Report = None,
) -> None:
    """Score units on a composite index: every level, gates, rank, qualification,
    sensitivity."""
    with _exit_2_on_bad_input():
        result = api.score(index, data, year, sensitivity, seed, explain_unit, sets, cheapest)
    scored, unit = result.value, result.explained
    _report(report, "score", result.to_dict(), f"ipscore score {index}")
    _emit(
        as_json,
        result.to_dict(),
        lambda: render_unit(scored, unit, out) if unit else render_ranking(scored, out),
    )


@rules_app.command("list")
def rules_list(as_json: Json = False) -> None:
    """The bundled rules."""
    with _exit_2_on_bad_input():
        found = api.bundled_rules()
    listed = [{"id": r.id, "kind": r.kind, "title": r.title, "file": str(p)} for p, r in found]
    _emit(as_json, listed, lambda: render_rule_list(found, out))


@sei_app.command("lookup")
def sei_lookup(
    codes: Annotated[list[str], typer.Argument(metavar="CODE…", help="IPC codes, any spelling.")],
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    as_json: Json = False,
) -> None:
    """Which strategic emerging industries an IPC code falls into, and through which rule."""
    with _exit_2_on_bad_input():
        data = api.sei_lookup(codes, rules, sei_table)
    _emit(as_json, data, lambda: render_sei_lookup(data, out))


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(metavar="ID")], as_json: Json = False):
    """One rule: parameters, versions, conditions and sources."""
    with _exit_2_on_bad_input():
        rule = api.resolve_rule(rule_id)
    _emit(as_json, rule.model_dump(mode="json", by_alias=True), lambda: render_rule(rule, out))


@rules_app.command("check")
def rules_check(
    path: Annotated[
        Path | None, typer.Argument(help="A rule file or folder; default: the bundled rules.")
    ] = None,
) -> None:
    """Validate rule files; exit 2 with file:line for each problem."""
    problems, checked = api.check_rule_files(path)
    for problem in problems:
        err.print(f"[red]{escape(str(problem))}", highlight=False, soft_wrap=True)
    out.print(f"{checked} file(s) checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(2)


@rules_app.command("test")
def rules_test(
    path: Annotated[
        Path | None, typer.Argument(help="A rule file or folder; default: the bundled rules.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Run the examples embedded in rule files; exit 1 when any fails."""
    with _exit_2_on_bad_input():
        results = api.test_rule_files(path)
    _emit(as_json, [r.__dict__ for r in results], lambda: render_example_results(results, out))
    if not all(r.passed for r in results):
        raise typer.Exit(1)


@app.command()
def advise(
    patents: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet register.")],
    as_of: AsOf = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Horizon of risks and the projection (default: the plan's target year-end, "
            "else 31 December two years after --as-of).",
        ),
    ] = None,
    population: Annotated[
        Path | None,
        typer.Option(help="region, year, population (万人) CSV for per-10,000 figures."),
    ] = None,
    plan: Annotated[
        str | None, typer.Option(help="Plan id (e.g. gz-14th-ip): project against its target.")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Rule parameter KEY=VALUE, e.g. pledge_threshold=500"),
    ] = None,
    rules: Rules = DEFAULT_RULE,
    sei_table: SeiTable = None,
    awards: AwardsList = None,
    pledges: PledgesList = None,
    families: FamiliesList = None,
    top: Annotated[int, typer.Option(help="Paths listed in the terminal report.")] = 20,
    as_json: Json = False,
    report: Report = None,
) -> None:
    """What it would take: each patent's paths to high-value, risks, and a projection."""
    lists = {"awards": awards, "pledges": pledges, "families": families}
    with _exit_2_on_bad_input(), err.status("advising…"):
        advice = api.advise(patents, rules, as_of, until, sets, sei_table, population, plan, lists)
        data = advice.to_dict() if as_json or report else None
    if report:
        _report(report, "advise", data, f"ipscore advise {patents.name}")
    _emit(as_json, data, lambda: render_advice(advice.value, out, top))


def _parameter_sets(sets: list[str], rule_id: str) -> dict[str, Any]:
    """--set KEY=VALUE for rule parameters; KEY may carry the rule id: RULE.KEY."""
    overrides = {}
    for item in sets:
        key, value = parse_set(item)
        overrides[key.removeprefix(f"{rule_id}.")] = value
    return overrides


def main(argv: list[str] | None = None) -> None:
    """The console entry point: the commands inside the last-resort guard."""
    from ipscore.guard import guarded

    tune_allocators()
    guarded(lambda: app(args=argv, prog_name="ipscore"), debug=lambda: _debug["on"])
