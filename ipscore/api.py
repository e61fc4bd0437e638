"""The library API behind the command line. Everything the CLI prints comes from here."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ipscore.advise import advise as run_advice
from ipscore.bulk import CHUNK_ROWS, classify_register, run_dask
from ipscore.bulk.chunks import count_rows
from ipscore.bulk.ids import find_repeats
from ipscore.defaults import ACTUALS, DATA, default_as_of
from ipscore.defaults import DEMO_PATENTS as DEMO_PATENTS
from ipscore.defaults import DEMO_POPULATION as DEMO_POPULATION
from ipscore.errors import InputError
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.examples import ExampleResult, run_examples
from ipscore.patents.explain import explain
from ipscore.patents.ipc import normalize
from ipscore.patents.joins import join_lists
from ipscore.patents.load import load_patents
from ipscore.patents.population import load_population
from ipscore.patents.rule_types import rule_type_problems
from ipscore.patents.summary import Classification
from ipscore.patents.validate import PatentBatch
from ipscore.plans.actuals import load_actuals
from ipscore.plans.progress import evaluate_plan
from ipscore.regions import LEVELS
from ipscore.report.export import check_output, write_table
from ipscore.results import (
    AdviseResult,
    ClassifyResult,
    GoalResult,
    MonitorResult,
    Result,
    ScoreResult,
    SweepResult,
    WatchResult,
    WhatIfResult,
)
from ipscore.scenarios.check import is_scenario_file, scenario_problems
from ipscore.spec import (
    PatentRule,
    Problem,
    RuleFile,
    RuleFileError,
    bundled_rule_files,
    load_rule_file,
    resolve_rule,
)
from ipscore.spec.loader import patent_rule, plan_rule

__all__ = [
    "AdviseResult",
    "Classification",
    "ClassifyResult",
    "GoalResult",
    "MonitorResult",
    "Result",
    "ScoreResult",
    "SweepResult",
    "WatchResult",
    "WhatIfResult",
    "advise",
    "advise_file",
    "alert_rules",
    "bundled_rules",
    "check_rule_files",
    "classify",
    "classify_file",
    "default_as_of",
    "explain_file",
    "goal",
    "is_index",
    "load_patents",
    "monitor",
    "parameter_sets",
    "patent_rule",
    "plan_rule",
    "resolve_rule",
    "score",
    "score_index",
    "sei_lookup",
    "sweep",
    "test_rule_files",
    "watch",
    "whatif",
]

DEFAULT_RULE = "cn-high-value-invention"
#: A register: a file (CSV, XLSX, Parquet) or a pandas DataFrame with the columns as
#: exports name them; a DataFrame is checked exactly as a file's rows are.
Register = str | Path | pd.DataFrame
#: What a DataFrame is called in messages, where a file would be named.
DATAFRAME = "DataFrame"
#: `--set` values: "KEY=VALUE" strings as on the command line, or a {KEY: value} mapping.
Sets = Mapping[str, Any] | Iterable[str] | None
#: A date as a date, a datetime or "YYYY-MM-DD".
When = dt.date | dt.datetime | str | None

_DATA = DATA
DEMO_AS_OF = dt.date(2023, 12, 31)
DEMO_BANNER = (
    "SYNTHETIC example data — 24,000 generated patents (scripts/make_demo_data.py, "
    "seed 20231231) plus 12 deliberately malformed rows; population figures are "
    "illustrative. Not statistics."
)


def as_date(value: When, default: dt.date | None = None) -> dt.date:
    """`as_of`/`until` from a notebook or the CLI; None is `default`, else the last 31 December."""
    if value is None:
        return default or default_as_of()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a YYYY-MM-DD date") from None


def parameter_sets(sets: Sets, rule_id: str | None = None) -> dict[str, Any]:
    """`--set` as a dict: "KEY=VALUE" strings are read as on the command line (the value as
    YAML); with `rule_id`, keys may carry it as a prefix (RULE.KEY)."""
    from ipscore.scenarios.solve import parse_set  # scenarios import this module

    if sets is None:
        return {}
    pairs = sets.items() if isinstance(sets, Mapping) else (parse_set(item) for item in sets)
    return {(key.removeprefix(f"{rule_id}.") if rule_id else key): value for key, value in pairs}


def _rule(rules: str | RuleFile) -> PatentRule:
    return rules if isinstance(rules, PatentRule) else patent_rule(rules)


def _lists(lists: Lists | None, **named: str | Path | None) -> Lists:
    """The award, pledge and family lists, given as `lists=` or one by one."""
    return {**(lists or {}), **{k: v for k, v in named.items() if v is not None}}


def classify(
    data: Register | PatentBatch,
    rules: str | RuleFile = DEFAULT_RULE,
    as_of: When = None,
    sets: Sets = None,
    sei_table: str | Path | None = None,
    population: str | Path | None = None,
    *,
    by: str | None = "city",
    lists: Lists | None = None,
    sheet: str | None = None,
    awards: str | Path | None = None,
    pledges: str | Path | None = None,
    families: str | Path | None = None,
    overrides: Sets = None,
    population_file: str | Path | None = None,
) -> ClassifyResult:
    """Classify a register (a file, a DataFrame or a checked PatentBatch) against a rule
    (a bundled id, a file or a loaded rule). `sets` are rule parameters ({"pledge_threshold":
    500} or "cn-high-value-invention.pledge_threshold=500"); `awards`, `pledges` and
    `families` (or `lists=`) are joined by patent number; `by` the level regions are
    reported at (province, city, county). `overrides` and `population_file` are the
    earlier names of `sets` and `population`, still accepted."""
    rule = _rule(rules)  # rules first: a broken rule file fails before a long read
    as_of = as_date(as_of)
    overrides = parameter_sets(sets if sets is not None else overrides, rule.id)
    population = population or population_file
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_of, overrides, tables)  # unknown keys fail before the read
    batch = load_patents(data, sheet)
    people = load_population(population) if population else None
    joined_lists = _lists(lists, awards=awards, pledges=pledges, families=families)
    batch, joined = join_lists(batch, as_of, **joined_lists)
    result = Classification(prepared, batch, evaluate(batch, prepared), people, _level(by))
    result.joins = [j.to_json() for j in joined]
    return ClassifyResult(result)


#: --awards / --pledges / --families files by list name.
Lists = dict[str, str | Path | None]


def _level(by: str | None) -> Any:
    if by in (None, "region"):
        return "city"
    if by not in LEVELS:
        raise InputError(f"--by takes province, city or county, not {by!r}")
    return by


def classify_file(
    path: str | Path,
    as_of: dt.date,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    by: str | None = "city",
    sheet: str | None = None,
    lists: Lists | None = None,
    chunk_rows: int | None = None,
    client: Any = None,
    out: str | Path | None = None,
    rejects_out: str | Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Classification:
    """Classify a register file, chunk by chunk (ipscore.bulk): memory is bounded by the
    chunk size, `client` (a dask.distributed Client) runs the chunks on a cluster, and
    `out` / `rejects_out` are written as the chunks go. With lists (--awards …) the
    register is read whole, as the joins need every patent number at once.
    `progress(rows_done, rows_total)` is called as chunks finish."""
    rule = patent_rule(rules)  # rules first: a broken rule file fails before a long read
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_of, overrides, tables)  # unknown --set keys fail here too
    inputs = [path, sei_table, population_file, *(lists or {}).values()]
    for target in (out, rejects_out):
        if target is not None:
            check_output(Path(target), inputs, count_rows(path))
    population = load_population(population_file) if population_file else None
    # Lists are joined in memory (the joins need every patent number at once); a pipe or
    # FIFO can be read only once, and the chunked engine reads the ids first.
    in_memory = bool(lists and any(lists.values())) or (
        Path(path).exists() and not Path(path).is_file() and not Path(path).is_dir()
    )
    if in_memory:
        if client is not None:
            raise InputError(
                f"{path}: --dask needs a regular file and no --awards/--pledges/--families"
            )
        batch = load_patents(path, sheet)
        for target in (out, rejects_out):
            if target is not None:
                check_output(Path(target), inputs, batch.read)
        result = classify(
            batch, rule, as_of, overrides, sei_table, population_file, by=by, lists=lists
        ).value
        _write_single_pass(result, out, rejects_out)
        return result
    chunked = chunk_rows is not None or client is not None
    chunk_rows = chunk_rows or CHUNK_ROWS
    repeats = find_repeats(path, chunk_rows, sheet)
    for target in (out, rejects_out):  # a CSV's row count is known now, still before the work
        if target is not None:
            check_output(Path(target), inputs, repeats.rows)
    if not chunked and repeats.rows <= chunk_rows:
        # One chunk: the single pass, which keeps every verdict in memory for the caller.
        result = classify(
            load_patents(path, sheet), rule, as_of, overrides, sei_table, population_file, by=by
        ).value
        _write_single_pass(result, out, rejects_out)
        return result
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, repeats.rows)

    return classify_register(
        path,
        prepared,
        population=population,
        by=_level(by),
        sheet=sheet,
        chunk_rows=chunk_rows,
        out=out,
        rejects_out=rejects_out,
        runner=run_dask(client) if client is not None else None,
        progress=advance,
        repeats=repeats,
    )


def _write_single_pass(result: Classification, out, rejects_out) -> None:
    if out is not None:
        write_table(result.verdicts, out)
    if rejects_out is not None:
        write_table(result.batch.rejects, rejects_out)


def explain_file(
    path: Register,
    patent_id: str,
    as_of: When = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    overrides: Sets = None,
) -> dict[str, Any]:
    """One patent's verdict, condition by condition (`explain --json`)."""
    rule = patent_rule(rules)
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_date(as_of), parameter_sets(overrides, rule.id), tables)
    return explain(load_patents(path), prepared, patent_id)


def bundled_rules() -> list[tuple[Path, RuleFile]]:
    return [(path, load_rule_file(path)) for path in bundled_rule_files()]


def _rule_paths(path: Path | None) -> list[Path]:
    if path is None:
        return bundled_rule_files()
    if path.is_dir():
        return sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
    return [path]


def check_rule_files(path: Path | None = None) -> tuple[list[Problem], int]:
    """Every problem in the rule files under `path`, and how many files were checked."""
    files = _rule_paths(path)
    problems: list[Problem] = []
    for file in files:
        problems.extend(_file_problems(file))
    return problems, len(files)


def _file_problems(file: Path) -> list[Problem]:
    """A scenario file's problems, or a rule file's: structure, names, then types."""
    if is_scenario_file(file):
        return scenario_problems(file)
    try:
        rule = load_rule_file(file)
    except RuleFileError as error:
        return error.problems
    return rule_type_problems(file, rule) if isinstance(rule, PatentRule) else []


def test_rule_files(path: Path | None = None) -> list[ExampleResult]:
    rules = [load_rule_file(file) for file in _rule_paths(path)]
    found = [
        result for rule in rules if isinstance(rule, PatentRule) for result in run_examples(rule)
    ]
    from ipscore.spec.models.alerts import AlertRule

    if any(isinstance(rule, AlertRule) and rule.examples for rule in rules):
        from ipscore.alerts.examples import run_alert_examples

        found += [
            r for rule in rules if isinstance(rule, AlertRule) for r in run_alert_examples(rule)
        ]
    return found


# --- plans -----------------------------------------------------------------------------


def monitor(
    plan: str,
    actuals: str | Path | None = None,
    region: str | None = None,
    year: int | None = None,
    from_patents: Register | None = None,
    population: str | Path | None = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    sets: Sets = None,
) -> MonitorResult:
    """Judge a plan for one region at one year; optionally derive the per-10k indicator
    from a patent classification (`from_patents`, a file or DataFrame) at the end of that
    year. `sets` change the patent rule's parameters."""
    overrides = parameter_sets(sets, patent_rule(rules).id)
    plan_id, actuals_file, patents, population_file = plan, actuals, from_patents, population
    plan = plan_rule(plan_id)
    region = region or plan.region
    if actuals_file is None:
        actuals_file = ACTUALS / f"{plan.id}.csv"
        if not actuals_file.exists():
            raise InputError(f"no bundled actuals for {plan.id}: pass --actuals FILE")
    actuals = load_actuals(actuals_file, plan, region)
    if year is None:
        year = int(actuals.rows["year"].max()) if len(actuals.rows) else plan.target_year
    if overrides and patents is None:
        raise InputError("--set changes the patent rule: use it with --from-patents")
    upstream: list[dict[str, Any]] = []
    if patents is not None:
        actuals, upstream = _with_patent_indicator(
            plan, actuals, year, patents, population_file, rules, sei_table, overrides
        )
    result = evaluate_plan(plan, actuals, year)
    result.upstream_assumptions.extend(upstream)  # the classification's, behind --from-patents
    return MonitorResult(result)


def _with_patent_indicator(
    plan, actuals, year, patents, population_file, rules, sei_table, overrides=None
):
    if population_file is None:
        raise InputError("--from-patents needs --population FILE for the per-10,000 figure")
    as_of = dt.date(year, 12, 31)
    result = classify(patents, rules, as_of, overrides, sei_table, population_file)
    regions = result.region_table.set_index("region")
    if actuals.region not in regions.index:
        name = DATAFRAME if isinstance(patents, pd.DataFrame) else patents
        raise InputError(
            f"{name}: no patents in region {actuals.region!r}; regions: "
            f"{', '.join(map(str, regions.index))}"
        )
    per_10k = regions.loc[actuals.region, "per_10k"]
    if per_10k is None or pd.isna(per_10k):
        raise InputError(
            f"{population_file}: no population for {actuals.region!r} at or before {year}"
        )
    row = regions.loc[actuals.region]
    source = (
        f"derived: {int(row['high_value']):,} high-value patents ({rules}, as of "
        f"{as_of}) ÷ {row['population']:,} 万人 ({int(row['population_year'])})"
    )
    for indicator in plan.indicators:
        if indicator.from_patents:
            actuals = actuals.with_row(indicator.id, year, float(per_10k), source)
    return actuals, result.prepared.assumptions_used()


# --- events -----------------------------------------------------------------------------


def watch(
    events: str | Path,
    initial: Register | None = None,
    until: When = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    alerts: list[str] | None = None,
    warn_before: str | int | None = None,
    rejects: str | Path | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> WatchResult:
    """Run an event stream over a portfolio (`initial`, a file or DataFrame): every
    transition and alert in date order, then the summary. `warn_before` ("90d" or 90) lists
    the high-value patents whose annuity falls due within that many days of `until`;
    `rejects` writes the rejected events to a file; `on_event` sees each transition or
    alert as it happens (the CLI streams them)."""
    from ipscore.events.stream import read_events
    from ipscore.events.watch import Watcher

    window = warn_days(warn_before)
    rule = patent_rule(rules)
    chosen = alert_rules(alerts) if alerts else []  # rules first: fail before a long read
    batch = load_patents(initial) if initial is not None else None
    stream = read_events(events)
    tables = {"sei-ipc": str(sei_table)} if sei_table else None
    engine = None
    if chosen:
        from ipscore.alerts.engine import AlertEngine

        engine = AlertEngine(chosen)
    watcher = Watcher.from_batch(rule, batch, table_files=tables, alerts=engine)
    happened = []
    for transition in watcher.run(stream, as_date(until) if until is not None else None):
        happened.append(transition.to_json())
        if on_event is not None:
            on_event(happened[-1])
    summary = watcher.summary(stream, window)
    if rejects:
        columns = ["line", "id", "date", "type", "reason"]
        write_table(pd.DataFrame(stream.rejects, columns=columns), rejects)
    return WatchResult(watcher, happened, summary)


def condition_labels(rules: str | RuleFile = DEFAULT_RULE) -> dict[str, str]:
    """Each condition's label by id, over every version: how transitions name them."""
    return {c.id: c.label for v in _rule(rules).versions for _, c in v.conditions}


def warn_days(value: str | int | None) -> int | None:
    """`--warn-before 90d` (or 90) as a number of days."""
    if value is None or isinstance(value, int):
        return value
    text = value.strip().lower().removesuffix("d")
    if not text.isdigit():
        raise InputError(f"--warn-before {value!r}: write a number of days, e.g. 90d")
    return int(text)


def alert_rules(names: list[str]) -> list[tuple[Any, set[str] | None]]:
    """Alert rules from `--alerts`: a rule file, a bundled alert rule (file stem or id), or
    one alert's id within the bundled alert rules; (rule, None) means all its alerts."""
    from ipscore.spec.models.alerts import AlertRule

    bundled = [r for _, r in bundled_rules() if isinstance(r, AlertRule)]
    chosen: dict[str, tuple[AlertRule, set[str] | None]] = {}
    for name in names:
        path = Path(name)
        if path.suffix in (".yaml", ".yml") or path.exists():
            rule = load_rule_file(path)
            if not isinstance(rule, AlertRule):
                raise LookupError(f"{name} is a {rule.kind} rule, not an alert rule")
            chosen[rule.id] = (rule, None)
            continue
        for _path, rule in [(p, r) for p, r in bundled_rules() if isinstance(r, AlertRule)]:
            if name in (rule.id, _path.stem):
                chosen[rule.id] = (rule, None)
                break
        else:
            owner = next(
                (r for r in bundled for v in r.versions for a in v.alerts if a.id == name), None
            )
            if owner is None:
                from ipscore.expr.errors import did_you_mean

                known = sorted({a.id for r in bundled for v in r.versions for a in v.alerts})
                raise LookupError(
                    f"--alerts {name!r}: no such alert rule or alert"
                    f"{did_you_mean(name, known)}; bundled alerts: {', '.join(known)}"
                )
            rule, only = chosen.get(owner.id, (owner, set()))
            if only is not None:
                only.add(name)
            chosen[owner.id] = (rule, only)
    return list(chosen.values())


# --- composite indices ------------------------------------------------------------------

INDEX_EXAMPLE = _DATA / "strong-city-ILLUSTRATIVE.csv"


def score_index(
    index_id: str,
    data_file: str | Path | None = None,
    year: int | None = None,
    runs: int = 0,
    seed: int = 20231231,
    sets: dict | None = None,
    cheapest: bool = False,
    explain: str | None = None,
):
    """Score the units of an index; with `runs`, a Monte Carlo sensitivity analysis too.
    `sets` overrides weights, goalposts and parameters (see ipscore.index.overrides); the
    cheapest next point is computed for every unit with `cheapest`, or for `explain`."""
    from ipscore.index.data import default_data, load_unit_data
    from ipscore.index.overrides import with_sets
    from ipscore.index.score import score
    from ipscore.index.sensitivity import analyse
    from ipscore.spec import IndexRule

    rule = resolve_rule(index_id)
    if not isinstance(rule, IndexRule):
        raise LookupError(f"{index_id} is a {rule.kind} rule, not an index")
    rule = with_sets(rule, sets or {})
    data = load_unit_data(data_file or default_data(rule), rule, year)
    if explain is not None and explain not in data.units:
        from ipscore.expr.errors import did_you_mean

        raise LookupError(f"no unit {explain!r}{did_you_mean(explain, data.units)}")
    result = score(rule, data, with_cheapest=cheapest, cheapest_for=explain)
    if runs:
        analyse(result, runs, seed)
    return result


def score(
    index: str,
    data: str | Path | None = None,
    year: int | None = None,
    sensitivity: int = 0,
    seed: int = 20231231,
    explain: str | None = None,
    sets: Sets = None,
    cheapest: bool = False,
) -> ScoreResult:
    """Score the units of an index (`score --json`); `sensitivity` runs N·(d+2) Monte Carlo
    samples; `explain` a unit's breakdown (`.explained`); `sets` weights, goalposts and
    methods ({"creation.weight": 0.5} or "creation.weight=0.5")."""
    overrides = parameter_sets(sets)
    result = score_index(index, data, year, sensitivity, seed, overrides, cheapest, explain)
    return ScoreResult(result, result.unit(explain) if explain else None)


def is_index(id_or_path: str) -> bool:
    """Whether a bundled id or rule file is a composite index (for `whatif --base`)."""
    from ipscore.spec import IndexRule

    try:
        return isinstance(resolve_rule(id_or_path), IndexRule)
    except (LookupError, RuleFileError, InputError):
        return False


# --- advice -----------------------------------------------------------------------------


def advise(
    data: Register | PatentBatch,
    rules: str | RuleFile = DEFAULT_RULE,
    as_of: When = None,
    until: When = None,
    sets: Sets = None,
    sei_table: str | Path | None = None,
    population: str | Path | None = None,
    plan: str | None = None,
    lists: Lists | None = None,
    *,
    sheet: str | None = None,
    awards: str | Path | None = None,
    pledges: str | Path | None = None,
    families: str | Path | None = None,
) -> AdviseResult:
    """Paths to high-value per patent, risks of the high-value ones, and a projection
    of the count to `until` (per 10,000 with a population, against a plan's target).
    `awards`, `pledges`, `families` (or `lists=`) are joined as in `classify`."""
    rule = _rule(rules)
    overrides = parameter_sets(sets, rule.id)
    as_of = as_date(as_of)
    batch = load_patents(data, sheet)
    joined_lists = _lists(lists, awards=awards, pledges=pledges, families=families)
    batch, _ = join_lists(batch, as_of, **joined_lists)
    tables = {"sei-ipc": sei_table} if sei_table else None
    people = load_population(population) if population else None
    target = plan_rule(plan) if plan else None
    horizon = as_date(until) if until is not None else None
    return AdviseResult(run_advice(batch, rule, as_of, horizon, overrides, tables, people, target))


def advise_file(
    path: str | Path,
    as_of: dt.date,
    until: dt.date | None = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
    plan: str | None = None,
    overrides: dict[str, Any] | None = None,
    lists: Lists | None = None,
):
    rule = patent_rule(rules)
    return advise(
        load_patents(path), rule, as_of, until, overrides, sei_table, population_file, plan, lists
    )


def sei_lookup(
    codes: list[str], rules: str = "cn-high-value-invention", sei_table: str | Path | None = None
) -> dict[str, Any]:
    """Which 战略性新兴产业 each IPC code falls into, and through which rule of the table."""
    rule = patent_rule(rules)
    tables = {"sei-ipc": sei_table} if sei_table else None
    table = prepare(rule, default_as_of(), None, tables).tables["sei-ipc"]
    canonical = normalize(codes)
    found = []
    for raw, code in zip(codes, canonical, strict=True):
        if pd.isna(code):
            raise InputError(f"{raw!r} is not an IPC code (e.g. G06F 16/30, G06F16/30)")
        rules_found = table.explain_code(code)
        industries = sorted({m["industry"] for m in rules_found if m["matched"]})
        found.append(
            {
                "input": raw,
                "code": code,
                "industries": [
                    {
                        "code": c,
                        "name": table.industries.name(c),
                        "top": c.split(".")[0],
                        "top_name": table.industries.name(c.split(".")[0]),
                    }
                    for c in industries
                ],
                "rules": rules_found,
            }
        )
    return {"table": table.describe(), "codes": found}


# --- what-ifs ---------------------------------------------------------------------------


def whatif(
    scenario: str | Path | None = None,
    base: str | None = None,
    as_of: When = None,
    year: int | None = None,
    sets: Sets = None,
) -> WhatIfResult:
    """A scenario beside its baseline: deltas and the patents that flipped. Either a
    bundled scenario id or file, or a one-off `base` (demo, a plan id, an index id or a
    patents file) changed only by `sets` ({"cn-high-value-invention.pledge_threshold": 500}
    or "KEY=VALUE" strings)."""
    from ipscore.scenarios.files import load_scenario
    from ipscore.scenarios.run import compare

    if scenario is None and base is None:
        raise InputError("name a SCENARIO, or --base demo|PLAN|FILE with --set KEY=VALUE")
    when = as_date(as_of) if as_of is not None else None
    chosen = load_scenario(scenario) if scenario else _one_off(base, when, year)
    return WhatIfResult(compare(_with_sets(chosen, sets)))


def _one_off(base: str, as_of: dt.date | None, year: int | None):
    """The scenario `whatif --base` means: no changes but the --set ones."""
    from ipscore.scenarios.models import Scenario

    if base == "demo":
        spec = {
            "evaluate": "classify",
            "patents": "demo",
            "population": "demo",
            "as_of": as_of or DEMO_AS_OF,
        }
    elif is_index(base):
        spec = {"evaluate": "score", "index": base, "year": year}
    elif Path(base).exists():
        spec = {"evaluate": "classify", "patents": base, "as_of": as_of}
    else:
        spec = {"evaluate": "monitor", "plan": base, "year": year}
    return Scenario(id="one-off", title=f"one-off what-if on {base}", base=spec)


def _with_sets(scenario, sets: Sets):
    from ipscore.scenarios.run import with_value

    for key, value in parameter_sets(sets).items():
        scenario = with_value(scenario, key, value)
    return scenario


def sweep(
    scenario: str | Path,
    vary: str | tuple[str, Iterable[float]],
    metrics: list[str] | None = None,
) -> SweepResult:
    """A scenario evaluated across a range of one knob: `vary` is "KEY=START:STOP:STEP" or
    (KEY, values); `metrics` are paths into the result (default: the goal's metric, else
    high_value and eligible, else summary.completion_rate)."""
    from ipscore.scenarios.files import load_scenario
    from ipscore.scenarios.solve import parse_range, sweep_with_assumptions

    chosen = load_scenario(scenario)
    key, values = parse_range(vary) if isinstance(vary, str) else (vary[0], list(vary[1]))
    rows, used = sweep_with_assumptions(chosen, key, values, metrics or _default_metrics(chosen))
    return SweepResult(rows, chosen, key, used)


def _default_metrics(scenario) -> list[str]:
    if scenario.goal:
        return [scenario.goal.metric]
    if scenario.base.evaluate == "classify":
        return ["high_value", "eligible"]
    return ["summary.completion_rate"]


def goal(scenario: str | Path) -> GoalResult:
    """The knob value that meets the scenario's `goal`, by bisection over the real
    evaluation."""
    from ipscore.scenarios.files import load_scenario
    from ipscore.scenarios.solve import seek

    chosen = load_scenario(scenario)
    if chosen.goal is None:
        raise InputError(f"scenario {chosen.id} has no `goal`")
    return GoalResult(seek(chosen), chosen)


def _bind_notebook_api() -> None:
    """`ipscore.advise` is also a subpackage, and importing a subpackage rebinds the
    package's attribute to the module. It is imported above, so binding the notebook
    functions here, once, makes `ipscore.advise(...)` the function whatever was imported
    first."""
    # The package object from sys.modules, not `import ipscore`: the package imports this
    # module (lazily), and the layering test forbids the cycle an import would make.
    package = sys.modules[__name__.rpartition(".")[0]]
    for name in package.NOTEBOOK:
        setattr(package, name, globals()[name])


_bind_notebook_api()
