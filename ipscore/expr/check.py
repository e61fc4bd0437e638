"""Static checks of a parsed expression against the names a rule makes available."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ipscore.expr import ast
from ipscore.expr.errors import ExprError, did_you_mean
from ipscore.expr.functions import registry
from ipscore.expr.types import Type, TypeEnv, type_problems


def check(
    node: ast.Node,
    *,
    fields: Iterable[str],
    params: Iterable[str],
    tables: Iterable[str] = (),
    field_types: Mapping[str, Type] | None = None,
    param_values: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every problem found, as messages; an empty list means the expression is usable.

    When `params` maps names to values (or to objects with a `.value`), field($p) is also
    checked to name a known field. Given the fields' types (and the parameters' values),
    the expression is also typed: see ipscore.expr.types."""
    problems = _name_problems(node, fields, params, tables)
    if field_types is not None:
        problems.extend(type_problems(node, TypeEnv(field_types, param_values or {})))
    return problems


def _name_problems(node: ast.Node, fields, params, tables) -> list[str]:
    values = dict(params) if isinstance(params, Mapping) else {}
    fields, params, tables = set(fields), set(params), set(tables)
    problems: list[str] = []
    for sub in ast.walk(node):
        match sub:
            case ast.Field(name) if name not in fields:
                problems.append(f"unknown field {name!r}{did_you_mean(name, fields)}")
            case ast.Param(name) if name not in params:
                problems.append(f"unknown parameter ${name}{did_you_mean(name, params)}")
            case ast.Call(name, args):
                problems.extend(_check_call(name, args, tables))
                if name == "field" and len(args) == 1:
                    problems.extend(_check_field_argument(args[0], values, fields))
    return problems


def _check_field_argument(arg: ast.Node, values: Mapping[str, Any], fields: set[str]) -> list[str]:
    """field($p) reads the field whose name $p holds: $p must be a known field's name."""
    if not isinstance(arg, ast.Param) or arg.name not in values:
        return []
    value = getattr(values[arg.name], "value", values[arg.name])
    if not isinstance(value, str):
        return [f"field(${arg.name}) needs a field name, but ${arg.name} is {value!r}"]
    if value not in fields:
        return [f"field(${arg.name}): unknown field {value!r}{did_you_mean(value, fields)}"]
    return []


def _check_call(name: str, args: tuple[ast.Node, ...], tables: set[str]) -> list[str]:
    function = registry().get(name)
    if function is None:
        return [f"unknown function {name}(){did_you_mean(name, registry())}"]
    if len(args) != len(function.params):
        return [
            f"{name}() takes {len(function.params)} argument(s) "
            f"({', '.join(function.params)}), got {len(args)}"
        ]
    if name == "table":
        if not isinstance(args[0], ast.Literal) or not isinstance(args[0].value, str):
            return ["table() takes the table's name as a string literal"]
        if args[0].value not in tables:
            return [f"unknown table {args[0].value!r}{did_you_mean(args[0].value, tables)}"]
    return []


def require_valid(node: ast.Node, text: str, **names: Iterable[str]) -> None:
    problems = check(node, **names)
    if problems:
        raise ExprError("; ".join(problems), text)
