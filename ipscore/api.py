"""The library API behind the command line. Everything the CLI prints comes from here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

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
from ipscore.plans.progress import PlanResult, evaluate_plan
from ipscore.regions import LEVELS
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
    "Classification",
    "advise",
    "advise_file",
    "classify",
    "classify_file",
    "explain_file",
    "load_patents",
    "resolve_rule",
]

_DATA = DATA
DEMO_AS_OF = dt.date(2023, 12, 31)
DEMO_BANNER = (
    "SYNTHETIC example data — 24,000 generated patents (scripts/make_demo_data.py, "
    "seed 20231231) plus 12 deliberately malformed rows; population figures are "
    "illustrative. Not statistics."
)


def classify(
    batch: PatentBatch,
    rule: RuleFile,
    as_of: dt.date,
    overrides: dict[str, Any] | None = None,
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
    *,
    by: str | None = "city",
    lists: Lists | None = None,
) -> Classification:
    """`lists` are the award, pledge and family lists joined by patent number;
    `by` the level regions are reported at (province, city, county)."""
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_of, overrides, tables)
    population = load_population(population_file) if population_file else None
    batch, joined = join_lists(batch, as_of, **(lists or {}))
    result = Classification(prepared, batch, evaluate(batch, prepared), population, _level(by))
    result.joins = [j.to_json() for j in joined]
    return result


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
) -> Classification:
    rule = patent_rule(rules)  # rules first: a broken rule file fails before a long read
    prepare(rule, as_of, overrides)  # and unknown --set keys fail before it too
    batch = load_patents(path, sheet)
    return classify(batch, rule, as_of, overrides, sei_table, population_file, by=by, lists=lists)


def explain_file(
    path: str | Path,
    patent_id: str,
    as_of: dt.date,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rule = patent_rule(rules)
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_of, overrides, tables)
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
    plan_id: str,
    actuals_file: str | Path | None = None,
    region: str | None = None,
    year: int | None = None,
    patents: str | Path | None = None,
    population_file: str | Path | None = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> PlanResult:
    """Judge a plan for one region at one year; optionally derive the per-10k indicator
    from a patent classification at the end of that year."""
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
    if patents is not None:
        actuals = _with_patent_indicator(
            plan, actuals, year, patents, population_file, rules, sei_table, overrides
        )
    return evaluate_plan(plan, actuals, year)


def _with_patent_indicator(
    plan, actuals, year, patents, population_file, rules, sei_table, overrides=None
):
    if population_file is None:
        raise InputError("--from-patents needs --population FILE for the per-10,000 figure")
    as_of = dt.date(year, 12, 31)
    result = classify(
        load_patents(patents), patent_rule(rules), as_of, overrides, sei_table, population_file
    )
    regions = result.region_table.set_index("region")
    if actuals.region not in regions.index:
        raise InputError(
            f"{patents}: no patents in region {actuals.region!r}; regions: "
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
    return actuals


# --- events -----------------------------------------------------------------------------


def watch(
    events_file: str | Path,
    initial: str | Path | None = None,
    until: dt.date | None = None,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    alerts: list[str] | None = None,
):
    """A watcher over the initial register, the checked event stream, and the generator of
    transitions (consume it to run the stream)."""
    from ipscore.events.stream import read_events
    from ipscore.events.watch import Watcher

    rule = patent_rule(rules)
    chosen = alert_rules(alerts) if alerts else []  # rules first: fail before a long read
    batch = load_patents(initial) if initial is not None else None
    stream = read_events(events_file)
    tables = {"sei-ipc": str(sei_table)} if sei_table else None
    engine = None
    if chosen:
        from ipscore.alerts.engine import AlertEngine

        engine = AlertEngine(chosen)
    watcher = Watcher.from_batch(rule, batch, table_files=tables, alerts=engine)
    return watcher, stream, watcher.run(stream, until)


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


def is_index(id_or_path: str) -> bool:
    """Whether a bundled id or rule file is a composite index (for `whatif --base`)."""
    from ipscore.spec import IndexRule

    try:
        return isinstance(resolve_rule(id_or_path), IndexRule)
    except (LookupError, RuleFileError, InputError):
        return False


# --- advice -----------------------------------------------------------------------------


def advise(
    batch: PatentBatch,
    rule: PatentRule,
    as_of: dt.date,
    until: dt.date | None = None,
    overrides: dict[str, Any] | None = None,
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
    plan: str | None = None,
    lists: Lists | None = None,
):
    """Paths to high-value per patent, risks of the high-value ones, and a projection
    of the count to `until` (per 10,000 with a population, against a plan's target).
    `lists` are the --awards/--pledges/--families files, joined as in `classify`."""
    from ipscore.advise import advise as run

    batch, _ = join_lists(batch, as_of, **(lists or {}))
    tables = {"sei-ipc": sei_table} if sei_table else None
    population = load_population(population_file) if population_file else None
    return run(
        batch, rule, as_of, until, overrides, tables, population, plan_rule(plan) if plan else None
    )


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
