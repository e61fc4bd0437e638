"""Static types of expressions, inferred before anything runs.

A type is inferred bottom-up from three things: the record schema (each field's kind and,
for coded fields, its codes), the functions' signatures below, and the parameters' values.
Problems are the mistakes that would otherwise count nothing or fail at evaluation:
incompatible comparisons, unknown codes, non-numbers where numbers are compared, and
functions given the wrong kinds of arguments. Unknown names are check.py's business; here
they infer to `any` so one mistake is reported once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ipscore.expr import ast
from ipscore.expr.errors import did_you_mean
from ipscore.expr.functions import lookup
from ipscore.expr.signature import Kind

#: Schema kinds (ipscore.patents.schema.Kind) → expression types.
SCHEMA_KINDS: dict[str, Kind] = {
    "id": "text",
    "code": "text",
    "date": "date",
    "amount": "number",
    "list": "list",
    "text": "text",
}


@dataclass(frozen=True)
class Type:
    kind: Kind
    #: For coded text: the field it comes from and its canonical codes.
    field: str | None = None
    codes: frozenset[str] | None = None
    #: The value when it is known before running (a literal or a parameter's value).
    value: Any = None
    known: bool = False
    #: Where a known value came from, for messages: '"high"' or '$pledge_threshold'.
    origin: str = ""

    def describe(self) -> str:
        if self.kind == "text" and self.codes is not None:
            return f"a {self.field} code"
        names = {"bool": "true/false", "number": "a number", "date": "a date", "text": "text"}
        return names.get(self.kind, f"a {self.kind}")


ANY = Type("any")


ORDERED = ("number", "date", "text")


@dataclass(frozen=True)
class TypeEnv:
    fields: Mapping[str, Type]
    params: Mapping[str, Any]


def schema_types(specs: Iterable[Any], context: Mapping[str, Kind] | None = None) -> dict:
    """Field types from schema entries (objects with .name, .kind and .values)."""
    types = {}
    for spec in specs:
        codes = frozenset(spec.values.values()) if getattr(spec, "values", None) else None
        types[spec.name] = Type(SCHEMA_KINDS[spec.kind], field=spec.name, codes=codes)
    for name, kind in (context or {}).items():
        types[name] = Type(kind)
    return types


def of_value(value: Any, origin: str = "") -> Type:
    """The type of a Python value: a literal or a parameter's value from YAML."""
    if value is None:
        return Type("null", value=None, known=True, origin=origin)
    if isinstance(value, bool):
        return Type("bool", value=value, known=True, origin=origin)
    if isinstance(value, int | float):
        return Type("number", value=value, known=True, origin=origin)
    if isinstance(value, dt.date):
        return Type("date", value=value, known=True, origin=origin)
    if isinstance(value, str):
        return Type("text", value=value, known=True, origin=origin)
    if isinstance(value, list | tuple):
        return Type("list", value=tuple(value), known=True, origin=origin)
    return Type("any", origin=origin)


def type_problems(node: ast.Node, env: TypeEnv) -> list[str]:
    """Every type mistake in the expression, as messages with a suggestion."""
    problems: list[str] = []
    _infer(node, env, problems)
    return problems


def infer(node: ast.Node, env: TypeEnv) -> Type:
    return _infer(node, env, [])


def _infer(node: ast.Node, env: TypeEnv, problems: list[str]) -> Type:
    match node:
        case ast.Literal(value):
            return of_value(value, ast.to_text(node))
        case ast.Field(name):
            return env.fields.get(name, ANY)
        case ast.Param(name):
            return of_value(env.params[name], f"${name}") if name in env.params else ANY
        case ast.ListLit(items):
            types = [_infer(item, env, problems) for item in items]
            known = all(t.known for t in types)
            return Type("list", value=tuple(t.value for t in types) if known else None, known=known)
        case ast.Compare(op, left, right):
            _compare(op, _infer(left, env, problems), _infer(right, env, problems), problems)
            return Type("bool")
        case ast.In(item, container, _):
            _membership(_infer(item, env, problems), _infer(container, env, problems), problems)
            return Type("bool")
        case ast.BoolOp(_, operands):
            for operand in operands:
                _expect_bool(_infer(operand, env, problems), ast.to_text(operand), problems)
            return Type("bool")
        case ast.Not(operand):
            _expect_bool(_infer(operand, env, problems), ast.to_text(operand), problems)
            return Type("bool")
        case ast.Arith(op, left, right):
            for side in (left, right):
                _expect_number(_infer(side, env, problems), f"`{op}`", problems)
            return Type("number")
        case ast.Neg(operand):
            _expect_number(_infer(operand, env, problems), "`-`", problems)
            return Type("number")
        case ast.Call(name, args):
            return _call(name, [_infer(a, env, problems) for a in args], env, problems)
    return ANY


def _loose(kind: Kind) -> bool:
    return kind in ("any", "null")


def _compare(op: str, left: Type, right: Type, problems: list[str]) -> None:
    if "null" in (left.kind, right.kind):
        problems.append(f"`{op} null` is never true: missing values compare false; use is_null()")
        return
    if "any" in (left.kind, right.kind):
        return
    if {left.kind, right.kind} & {"list", "table"}:
        problems.append(
            f"`{op}` compares {left.describe()} with {right.describe()}; a list cannot be "
            "compared: use count(), any_of() or `in`"
        )
        return
    if op in ("<", "<=", ">", ">="):
        for this, other in ((left, right), (right, left)):
            if other.kind == "number" and this.kind != "number":
                problems.append(_not_a_number(this, op))
                return
    if left.kind != right.kind:
        problems.append(
            f"`{op}` compares {left.describe()} with {right.describe()}"
            f"{_shown(left)}{_shown(right)}; they can never be compared"
        )
        return
    if op in ("<", "<=", ">", ">=") and left.kind not in ORDERED:
        problems.append(f"`{op}` needs numbers or dates, not {left.describe()}")
        return
    for code, value in ((left, right), (right, left)):
        if code.codes is not None and value.known and isinstance(value.value, str):
            _known_code(code, value.value, problems)


def _membership(item: Type, container: Type, problems: list[str]) -> None:
    if container.kind == "any":
        return
    if container.kind != "list":
        problems.append(f"`in` needs a list on its right, not {container.describe()}")
        return
    if item.kind in ("list", "table") or (not container.known and not item.known):
        problems.append(
            '`in` a list field needs a single value on the left, e.g. "US" in family_granted'
        )
        return
    if item.codes is not None and container.known:
        for value in container.value:
            if isinstance(value, str):
                _known_code(item, value, problems)


def _known_code(code: Type, value: str, problems: list[str]) -> None:
    if value not in code.codes:
        hint = did_you_mean(value, code.codes) or f" (codes: {', '.join(sorted(code.codes))})"
        problems.append(f"{code.field} is never {value!r}{hint}")


def _not_a_number(this: Type, op: str) -> str:
    if this.known and this.kind == "text":
        return (
            f"`{op}` compares a number with {this.origin or repr(this.value)} = "
            f"{this.value!r}, which is not a number; write digits, e.g. 500"
        )
    return f"`{op}` compares a number with {this.describe()}{_shown(this)}"


def _shown(this: Type) -> str:
    # Parameters are named (their value is elsewhere in the file); literals are in the text.
    return f" ({this.origin} = {this.value!r})" if this.origin.startswith("$") else ""


def _expect_bool(this: Type, text: str, problems: list[str]) -> None:
    if not _loose(this.kind) and this.kind != "bool":
        problems.append(f"`{text}` is {this.describe()}, not true/false; compare it with a value")


def _expect_number(this: Type, where: str, problems: list[str]) -> None:
    if not _loose(this.kind) and this.kind != "number":
        problems.append(f"{where} needs numbers, not {this.describe()}{_shown(this)}")


def _call(name: str, args: list[Type], env: TypeEnv, problems: list[str]) -> Type:
    function = lookup(name)
    signature = function.signature if function else None
    if signature is None or len(args) != len(signature.args):
        return ANY  # unknown function or wrong arity: check.py reports it
    for position, (wanted, got) in enumerate(zip(signature.args, args, strict=True)):
        if wanted != "any" and not _loose(got.kind) and got.kind != wanted:
            problems.append(
                f"{name}() takes {_article(wanted)} as argument {position + 1}, "
                f"not {got.describe()}{_shown(got)}"
            )
            return Type(signature.returns) if signature.returns != "any" else ANY
        if position in signature.constant and not got.known and got.kind != "any":
            problems.append(
                f"{name}() takes a literal or a $parameter as argument {position + 1}, "
                "not a record's field"
            )
        if wanted == "list" and position == 0 and got.known:
            problems.append(f"{name}() takes a list field (such as ipc) as argument 1")
        choices = signature.choices.get(position)
        if choices and got.known and got.value not in choices:
            problems.append(
                f"{name}() argument {position + 1} is {got.value!r}{_shown(got)}; "
                f"it takes one of {', '.join(map(repr, choices))}"
                f"{did_you_mean(str(got.value), choices)}"
            )
    if name == "field":
        return _named_field(args[0], env, problems)
    if name == "date" and args[0].known:
        return _date_literal(args[0], problems)
    return Type(signature.returns)


def _article(kind: Kind) -> str:
    return {"list": "a list", "table": "a table", "bool": "true/false", "text": "text"}.get(
        kind, f"a {kind}"
    )


def _named_field(name: Type, env: TypeEnv, problems: list[str]) -> Type:
    if not name.known:
        return ANY
    if name.value not in env.fields:
        problems.append(
            f"field() names {name.value!r}{_shown(name)}, which is not a field"
            f"{did_you_mean(str(name.value), env.fields)}"
        )
        return ANY
    return env.fields[name.value]


def _date_literal(text: Type, problems: list[str]) -> Type:
    try:
        value = dt.date.fromisoformat(str(text.value))
    except ValueError:
        problems.append(f"date() cannot read {text.value!r}; write YYYY-MM-DD")
        return Type("date")
    return Type("date", value=value, known=True, origin=f'date("{text.value}")')
