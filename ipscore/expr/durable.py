"""The third compiler: an AST to a durable_rules condition over one fact.

durable_rules compares fact fields with constants or with other fields, and combines
comparisons with $and/$or. Everything else an expression computes — function calls,
arithmetic — becomes a *feature*: a field of the fact computed by the scalar evaluator when
the fact is built. Parameters and constant sub-expressions are folded in at compile time.

Semantics kept equal to the other two evaluators (tests hold all three together):
- a missing value is left out of the fact, so every comparison with it is false;
- `not` is pushed down to the comparisons (De Morgan). A negated comparison is true when a
  side is missing, which the fact states as `_missing_<name>: true` — durable_rules 2.0.28
  hangs on its own `$nex` (not exists) operator, so it is not used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import ast
from ipscore.expr.env import Env, is_missing
from ipscore.expr.errors import ExprError
from ipscore.expr.scalar import ScalarEvaluator

OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
ALWAYS = "_always"
EPOCH = dt.date(1970, 1, 1)


def fact_value(value: Any) -> Any:
    """A value as durable_rules sees it: dates become day numbers, lists stay lists."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return (value.date() - EPOCH).days
    if isinstance(value, dt.date):
        return (value - EPOCH).days
    if isinstance(value, tuple | list):
        return [fact_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isinf(value):
        # JSON has no infinity; the largest double orders the same way against finite values.
        return float(np.copysign(np.finfo(float).max, value))
    return value


@dataclass
class Compiled:
    """A condition for durable_rules and the features its facts must carry."""

    condition: dict[str, Any]
    features: dict[str, ast.Node] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)  # names a negation asks "missing?" of


class DurableCompiler:
    def __init__(self, env: Env, context_names: tuple[str, ...] = ("as_of",)):
        # Parameters and tables are folded in; context names (as_of) stay fact fields.
        self.env = Env(params=env.params, context={}, tables=env.tables)
        self.context_names = context_names
        self.features: dict[ast.Node, str] = {}
        self.fields: set[str] = set()
        self.missing: set[str] = set()

    def compile(self, node: ast.Node) -> Compiled:
        condition = self._truth(node, negated=False)
        features = {name: n for n, name in self.features.items()}
        return Compiled(condition, features, set(self.fields), set(self.missing))

    # --- operands ----------------------------------------------------------------------

    def _constant(self, node: ast.Node) -> tuple[bool, Any]:
        """(True, value) where the node needs no fact: literals, parameters, folded calls."""
        if isinstance(node, ast.Literal):
            return True, node.value
        if isinstance(node, ast.Param):
            return True, self.env.params[node.name]
        if isinstance(node, ast.ListLit):
            items = [self._constant(i) for i in node.items]
            return all(ok for ok, _ in items), [v for _, v in items]
        if any(isinstance(n, ast.Field) for n in ast.walk(node)):
            return False, None
        if isinstance(node, ast.Call) and node.name == "table":
            return False, None
        try:
            return True, ScalarEvaluator({}, self.env, tracing=False).value(node)
        except ExprError:
            return False, None

    def _operand(self, node: ast.Node) -> str:
        """The fact field holding this operand's value."""
        if isinstance(node, ast.Field):
            self.fields.add(node.name)
            return node.name
        if node not in self.features:
            self.features[node] = f"_f{len(self.features)}"
        return self.features[node]

    # --- conditions --------------------------------------------------------------------

    def _truth(self, node: ast.Node, negated: bool) -> dict[str, Any]:
        constant, value = self._constant(node)
        if constant:
            return {ALWAYS: (not _truthy(value)) if negated else _truthy(value)}
        match node:
            case ast.BoolOp(op, operands):
                joined = "$and" if (op == "and") != negated else "$or"
                return {joined: [self._truth(o, negated) for o in operands]}
            case ast.Not(operand):
                return self._truth(operand, not negated)
            case ast.Compare(op, left, right):
                return self._compare(NEGATED[op] if negated else op, left, right, negated)
            case ast.In(item, container, is_not):
                return self._in(item, container, negated != is_not)
        # A boolean field or feature used as a condition.
        name = self._operand(node)
        if negated:
            return {"$or": [{name: False}, self._missing(name)]}
        return {name: True}

    def _present(self, name: str) -> dict:
        self.missing.add(name)
        return {f"_missing_{name}": False}

    def _missing(self, name: str) -> dict:
        self.missing.add(name)
        return {f"_missing_{name}": True}

    def _compare(self, op: str, left: ast.Node, right: ast.Node, negated: bool) -> dict:
        left_constant, _ = self._constant(left)
        if left_constant:
            left, right, op = right, left, FLIPPED[op]
        right_constant, right_value = self._constant(right)
        name = self._operand(left)
        if right_constant:
            if is_missing(right_value):
                return {ALWAYS: negated}
            comparison = _comparison(op, name, fact_value(right_value))
            missing = [self._missing(name)]
        else:
            other = self._operand(right)
            # durable_rules matches a field against an absent field (y == x holds when x is
            # missing and y is 0), so both sides must be stated present.
            comparison = {
                "$and": [
                    _comparison(op, name, {"$m": other}),
                    self._present(name),
                    self._present(other),
                ]
            }
            missing = [self._missing(name), self._missing(other)]
        return {"$or": [comparison, *missing]} if negated else comparison

    def _in(self, item: ast.Node, container: ast.Node, negated: bool) -> dict:
        constant, values = self._constant(container)
        if constant and isinstance(values, list):
            name = self._operand(item)
            if negated:
                return {
                    "$or": [
                        {
                            "$and": [_comparison("!=", name, fact_value(v)) for v in values]
                            or [{ALWAYS: True}]
                        },
                        self._missing(name),
                    ]
                }
            return {"$or": [{name: fact_value(v)} for v in values] or [{ALWAYS: False}]}
        feature = self._operand(ast.In(item, container))
        if negated:
            return {"$or": [{feature: False}, self._missing(feature)]}
        return {feature: True}


def _comparison(op: str, name: str, value: Any) -> dict:
    return {name: value} if op == "==" else {OPS[op]: {name: value}}


def _truthy(value: Any) -> bool:
    return False if is_missing(value) else bool(value)


def reads(node: ast.Node, params: Mapping[str, Any]) -> set[str]:
    """The record fields and context names a node reads (field($p) resolved)."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Field):
            found.add(sub.name)
        elif isinstance(sub, ast.Call) and sub.name == "field":
            argument = sub.args[0]
            if isinstance(argument, ast.Param):
                found.add(str(params[argument.name]))
            elif isinstance(argument, ast.Literal):
                found.add(str(argument.value))
    return found


class FactBuilder:
    """Builds facts for a set of compiled conditions, in two parts: what only the record
    decides (kept by the caller and rebuilt per changed field) and what the date decides."""

    def __init__(self, compiled: list[Compiled], env: Env, context: tuple[str, ...] = ("as_of",)):
        self.env = env
        self.missing = {n for c in compiled for n in c.missing}
        fields = sorted({n for c in compiled for n in c.fields})
        features = {n: node for c in compiled for n, node in c.features.items()}
        self.reads = {n: reads(node, env.params) for n, node in features.items()}
        self.reads.update({n: {n} for n in fields})
        self.dynamic = [n for n, r in self.reads.items() if r & set(context)]
        self.nodes = {**{n: ast.Field(n) for n in fields}, **features}

    def static(
        self,
        record: Mapping[str, Any],
        changed: set[str] | None = None,
        cached: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The date-free part of the fact; with `changed`, only what those fields feed."""
        fact = {ALWAYS: True} if cached is None else dict(cached)
        names = [
            n
            for n in self.nodes
            if n not in self.dynamic and (changed is None or self.reads[n] & changed)
        ]
        self._fill(fact, names, record, {})
        return fact

    def __call__(
        self,
        record: Mapping[str, Any],
        context: Mapping[str, Any],
        static: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        fact = dict(static) if static is not None else self.static(record)
        self._fill(fact, self.dynamic, record, context)
        return fact

    def _fill(
        self, fact: dict, names: list[str], record: Mapping[str, Any], context: Mapping[str, Any]
    ) -> None:
        if not names:
            return
        source = {**record, **context} if context else record
        evaluator = ScalarEvaluator(
            source, Env(self.env.params, context, self.env.tables), tracing=False, backend="event"
        )
        for name in names:
            node = self.nodes[name]
            value = source.get(name) if isinstance(node, ast.Field) else evaluator.value(node)
            _put(fact, name, fact_value(value), name in self.missing)


def build_fact(
    record: Mapping[str, Any], compiled: list[Compiled], env: Env, context: Mapping[str, Any]
) -> dict[str, Any]:
    return FactBuilder(compiled, env)(record, context)


def _put(fact: dict[str, Any], name: str, value: Any, flag: bool) -> None:
    if value is None:
        fact.pop(name, None)
    else:
        fact[name] = value
    if flag:
        fact[f"_missing_{name}"] = value is None
