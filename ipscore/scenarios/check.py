"""`rules check` on scenario files: structure, then the changes against the rules they edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.expr import ExprError, check, parse
from ipscore.expr.errors import did_you_mean
from ipscore.expr.types import of_value
from ipscore.patents.rule_types import FIELD_TYPES, condition_problems
from ipscore.patents.schema import CONTEXT_NAMES, FIELD_NAMES
from ipscore.scenarios.files import load_scenario
from ipscore.scenarios.models import DisableCriteria, EditPatents, Scenario, SetParameters
from ipscore.spec.loader import Problem, RuleFileError, _dotted, resolve_rule
from ipscore.spec.models import PatentRule
from ipscore.spec.yamlfile import YamlError, line_of, read_yaml


def is_scenario_file(path: Path) -> bool:
    """Scenarios have a `base:` to start from and no rule `kind:`."""
    try:
        data, _ = read_yaml(path)
    except YamlError:
        return False
    return isinstance(data, dict) and "base" in data and "kind" not in data


def scenario_problems(path: Path) -> list[Problem]:
    try:
        scenario = load_scenario(path)
    except RuleFileError as error:
        return error.problems
    _, lines = read_yaml(path)
    return [
        Problem(str(path), line_of(lines, location), _dotted(location), message)
        for location, message in change_problems(scenario)
    ]


def change_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    found = []
    for index, change in enumerate(scenario.changes):
        here = ("changes", index)
        if isinstance(change, SetParameters) and scenario.base.evaluate == "classify":
            for key, value in change.set.items():
                found += [((*here, "set", key), m) for m in _set_problems(key, value)]
        elif isinstance(change, DisableCriteria):
            for position, key in enumerate(change.disable):
                found += [((*here, "disable", position), m) for m in _disable_problems(key)]
        elif isinstance(change, EditPatents):
            found += [((*here, "patents", "where"), m) for m in _where_problems(change)]
    return found


def _patent_rule(key: str) -> tuple[PatentRule | None, str, list[str]]:
    rule_id, _, name = key.rpartition(".")
    try:
        rule = resolve_rule(rule_id)
    except (LookupError, RuleFileError, OSError) as err:
        return None, name, [f"{key}: {err}"]
    if not isinstance(rule, PatentRule):
        return None, name, [f"{key}: {rule_id} is a {rule.kind} rule, not a patent rule"]
    return rule, name, []


def _set_problems(key: str, value: Any) -> list[str]:
    rule, name, problems = _patent_rule(key)
    if rule is None:
        return problems
    known = {p: v for version in rule.versions for p, v in version.parameters.items()}
    if name not in known:
        return [f"{rule.id} has no parameter {name!r}{did_you_mean(name, known)}"]
    old, new = of_value(known[name].value), of_value(value)
    if old.kind != new.kind and old.kind != "any":
        return [f"{key} is {old.describe()} in the rule ({known[name].value!r}), not {value!r}"]
    before = {m for _, m in condition_problems(rule)}
    return [
        f"with {key} = {value!r}: {m}"
        for _, m in condition_problems(rule, {name: value})
        if m not in before
    ]


def _disable_problems(key: str) -> list[str]:
    rule, name, problems = _patent_rule(key)
    if rule is None:
        return problems
    ids = {c.id for version in rule.versions for _, c in version.conditions}
    return [] if name in ids else [f"{rule.id} has no condition {name!r}{did_you_mean(name, ids)}"]


def _where_problems(change: EditPatents) -> list[str]:
    text = change.patents.where
    try:
        node = parse(text)
    except ExprError as err:
        return [f"`{text}`: {err.reason}"]
    names = (*FIELD_NAMES, *CONTEXT_NAMES)
    return check(node, fields=names, params=(), field_types=FIELD_TYPES)
