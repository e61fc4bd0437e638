"""The library API behind the command line. Everything the CLI prints comes from here."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.examples import ExampleResult, run_examples
from ipscore.patents.explain import explain
from ipscore.patents.population import load_population
from ipscore.patents.readers import read_patent_table
from ipscore.patents.summary import Classification
from ipscore.patents.validate import PatentBatch, validate
from ipscore.spec import (
    Problem,
    RuleFile,
    RuleFileError,
    bundled_rule_files,
    load_rule_file,
    resolve_rule,
)

__all__ = [
    "Classification",
    "classify",
    "classify_file",
    "explain_file",
    "load_patents",
    "resolve_rule",
]

_DATA = Path(str(resources.files("ipscore").joinpath("data")))
DEMO_PATENTS = _DATA / "demo-patents-SYNTHETIC.csv"
DEMO_POPULATION = _DATA / "population-guangdong-ILLUSTRATIVE.csv"
DEMO_AS_OF = dt.date(2023, 12, 31)
DEMO_BANNER = (
    "SYNTHETIC example data — 24,000 generated patents (scripts/make_demo_data.py, "
    "seed 20231231) plus 12 deliberately malformed rows; population figures are "
    "illustrative. Not statistics."
)


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The last completed year-end: statistics count stocks at 31 December."""
    today = today or dt.date.today()
    return dt.date(today.year - 1, 12, 31)


def load_patents(path: str | Path) -> PatentBatch:
    return validate(read_patent_table(path), str(path))


def classify(
    batch: PatentBatch,
    rule: RuleFile,
    as_of: dt.date,
    overrides: dict[str, Any] | None = None,
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
) -> Classification:
    tables = {"sei-ipc": sei_table} if sei_table else None
    prepared = prepare(rule, as_of, overrides, tables)
    population = load_population(population_file) if population_file else None
    return Classification(prepared, batch, evaluate(batch, prepared), population)


def classify_file(
    path: str | Path,
    as_of: dt.date,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
    population_file: str | Path | None = None,
) -> Classification:
    rule = resolve_rule(rules)  # rules first: a broken rule file fails before a long read
    return classify(load_patents(path), rule, as_of, None, sei_table, population_file)


def explain_file(
    path: str | Path,
    patent_id: str,
    as_of: dt.date,
    rules: str = "cn-high-value-invention",
    sei_table: str | Path | None = None,
) -> dict[str, Any]:
    rule = resolve_rule(rules)
    tables = {"sei-ipc": sei_table} if sei_table else None
    return explain(load_patents(path), prepare(rule, as_of, None, tables), patent_id)


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
        try:
            load_rule_file(file)
        except RuleFileError as error:
            problems.extend(error.problems)
    return problems, len(files)


def test_rule_files(path: Path | None = None) -> list[ExampleResult]:
    return [result for file in _rule_paths(path) for result in run_examples(load_rule_file(file))]
