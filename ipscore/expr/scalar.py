"""Scalar compiler: evaluate an AST over one record and keep the evidence.

The evidence is every field, parameter and function value the expression read, plus the
operands of `and`/`or` that were false, so a report can say which part failed and why.
The semantics match ipscore.expr.vectorized (see its docstring); tests hold them equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ipscore.expr import ast
from ipscore.expr.env import Env, is_missing
from ipscore.expr.errors import ExprError
from ipscore.expr.functions import form
from ipscore.expr.vectorized import ARITH, COMPARE


@dataclass
class Trace:
    values: dict[str, Any] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    #: One line per comparison: the values on both sides and the outcome.
    checks: list[str] = field(default_factory=list)
    #: field($param) calls and the field they resolved to, for readable evidence.
    resolved: dict[str, str] = field(default_factory=dict)


class ScalarEvaluator:
    def __init__(
        self, record: Mapping[str, Any], env: Env, tracing: bool = True, backend: str = "scalar"
    ):
        self.record = record
        #: Which form of each function to call: "scalar", or "event" for durable facts.
        self.backend = backend
        self.env = env
        self.trace = Trace()
        self.tracing = tracing  # off where only the value matters (the event engine)

    def truth(self, node: ast.Node) -> bool:
        """Evaluate a condition; a false leaf is recorded as the part that failed."""
        result = _truth(self.value(node))
        if not result and not isinstance(node, ast.BoolOp):
            self.trace.failed.append(ast.to_text(node))
        return result

    def value(self, node: ast.Node) -> Any:
        match node:
            case ast.Literal(value):
                return value
            case ast.Field(name):
                return self._note(node, self.column(name))
            case ast.Param(name):
                return self._note(node, self.env.params[name])
            case ast.ListLit(items):
                return [self.value(item) for item in items]
            case ast.Compare(op, left, right):
                left_value, right_value = self.value(left), self.value(right)
                result = _compare(op, left_value, right_value)
                if self.tracing:
                    self.trace.checks.append(
                        f"{self._show(left, left_value)} {op} "
                        f"{self._show(right, right_value)} → {result}"
                    )
                return result
            case ast.In(item, container, negated):
                found = _contains(self.value(container), self.value(item))
                return not found if negated else found
            case ast.BoolOp(op, operands):
                truths = [self.truth(o) for o in operands]  # all of them: full evidence
                return all(truths) if op == "and" else any(truths)
            case ast.Not(operand):
                return not _truth(self.value(operand))
            case ast.Arith(op, left, right):
                return _arith(op, self.value(left), self.value(right))
            case ast.Neg(operand):
                return _arith("-", 0, self.value(operand))
            case ast.Call("field", args):
                name = self.value(args[0])
                if self.tracing:
                    self.trace.resolved[ast.to_text(node)] = name
                return self._note(ast.Field(name), self.column(name))
            case ast.Call(name, args):
                values = [self.value(a) for a in args]
                return self._note(node, self.call(name, values))
        raise ExprError(f"cannot evaluate {node!r}")

    def _note(self, node: ast.Node, value: Any) -> Any:
        if self.tracing and not (isinstance(node, ast.Call) and node.name == "table"):
            self.trace.values[ast.to_text(node)] = value
        return value

    def _show(self, node: ast.Node, value: Any) -> str:
        if isinstance(node, ast.Literal):
            return ast.to_text(node)
        text = ast.to_text(node)
        for call, name in self.trace.resolved.items():
            text = text.replace(call, name)
        return f"{text} ({_format(value)})"

    def column(self, name: str) -> Any:
        if name in self.record:
            return self.record[name]
        if name in self.env.context:
            return self.env.context[name]
        raise ExprError(f"no field {name!r} in the record")

    def call(self, name: str, values: list[Any]) -> Any:
        if name == "field":
            return self.column(values[0])
        if name == "table":
            return self.env.tables[values[0]]
        return form(name, self.backend)(*values)


def _compare(op: str, left: Any, right: Any) -> bool:
    if is_missing(left) or is_missing(right):
        return False
    if isinstance(left, tuple) or isinstance(right, tuple):
        raise ExprError("a list field cannot be compared; use count(), any_of() or `in`")
    try:
        return bool(COMPARE[op](left, right))
    except TypeError as err:
        raise ExprError(f"cannot compare with {op}: {err}") from None


def _contains(container: Any, item: Any) -> bool:
    if not isinstance(container, list | tuple):
        raise ExprError("`in` needs a list on the right: [..], a list parameter or list field")
    return (not is_missing(item)) and item in container


def _arith(op: str, left: Any, right: Any) -> Any:
    if is_missing(left) or is_missing(right):
        return np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return ARITH[op](np.float64(left), np.float64(right))


def _truth(value: Any) -> bool:
    return False if is_missing(value) else bool(value)


def _format(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        return "missing" if np.isnan(value) else f"{value:.2f}"
    if isinstance(value, tuple | list):
        return ";".join(map(str, value)) or "none"
    return "missing" if value is None else str(value)
