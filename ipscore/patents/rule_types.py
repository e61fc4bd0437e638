"""Type-check a patent rule's conditions against the record schema, for `rules check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipscore.expr import check
from ipscore.expr.types import schema_types
from ipscore.patents.schema import CONTEXT_NAMES, FIELD_NAMES, FIELDS
from ipscore.spec.loader import Problem, _dotted
from ipscore.spec.models import PatentRule
from ipscore.spec.yamlfile import line_of, read_yaml

FIELD_TYPES = schema_types(FIELDS, {name: "date" for name in CONTEXT_NAMES})


def condition_problems(
    rule: PatentRule, overrides: dict[str, Any] | None = None
) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, message) for each type mistake in the rule's conditions; `overrides`
    replaces parameter values, as a scenario's `set:` does."""
    problems = []
    for index, version in enumerate(rule.versions):
        values = {name: p.value for name, p in version.parameters.items()} | (overrides or {})
        for group in ("eligibility", "criteria"):
            for position, condition in enumerate(getattr(version, group)):
                for message in check(
                    condition.node,
                    fields=(*FIELD_NAMES, *CONTEXT_NAMES),
                    params=tuple(values),  # names: field($p) is checked once, typed
                    tables=rule.tables,
                    field_types=FIELD_TYPES,
                    param_values=values,
                ):
                    location = ("versions", index, group, position, "when")
                    problems.append((location, f"condition {condition.id}: {message}"))
    return problems


def rule_type_problems(path: Path, rule: PatentRule) -> list[Problem]:
    _, lines = read_yaml(path)
    found = [
        Problem(str(path), line_of(lines, location), _dotted(location), message)
        for location, message in condition_problems(rule)
    ]
    # Versions share conditions through YAML anchors: each mistake once per line.
    return list({(p.line, p.message): p for p in found}.values())
