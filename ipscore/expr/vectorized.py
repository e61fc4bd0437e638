"""Vectorized compiler: evaluate an AST over whole columns at once.

Semantics shared with the scalar evaluator (and tested against it):
- a comparison with a missing side is false, `!=` included;
- arithmetic with a missing side is missing; division follows IEEE floats;
- `and`/`or` treat missing as false; `not` negates that.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import ast
from ipscore.expr.columns import ListColumn
from ipscore.expr.env import Env, is_missing
from ipscore.expr.errors import ExprError
from ipscore.expr.functions import form

COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class VectorEvaluator:
    def __init__(self, frame: Mapping[str, Any], env: Env, n_rows: int):
        self.frame = frame
        self.env = env
        self.n_rows = n_rows

    def truth(self, node: ast.Node) -> np.ndarray:
        """Evaluate a condition to one bool per row."""
        return np.broadcast_to(_truth(self.value(node)), (self.n_rows,)).copy()

    def value(self, node: ast.Node) -> Any:
        match node:
            case ast.Literal(value):
                return value
            case ast.Field(name):
                return self.column(name)
            case ast.Param(name):
                return self.env.params[name]
            case ast.ListLit(items):
                return [self.value(item) for item in items]
            case ast.Compare(op, left, right):
                return _compare(op, self.value(left), self.value(right))
            case ast.In(item, container, negated):
                found = _contains(self.value(container), self.value(item))
                return np.logical_not(found) if negated else found
            case ast.BoolOp("and", operands):
                return reduce(np.logical_and, [_truth(self.value(o)) for o in operands])
            case ast.BoolOp("or", operands):
                return reduce(np.logical_or, [_truth(self.value(o)) for o in operands])
            case ast.Not(operand):
                return np.logical_not(_truth(self.value(operand)))
            case ast.Arith(op, left, right):
                return _arith(op, self.value(left), self.value(right))
            case ast.Neg(operand):
                return _arith("-", 0, self.value(operand))
            case ast.Call(name, args):
                return self.call(name, args)
        raise ExprError(f"cannot evaluate {node!r}")

    def column(self, name: str) -> Any:
        if name in self.frame:
            return self.frame[name]
        if name in self.env.context:
            return self.env.context[name]
        raise ExprError(f"no field {name!r} in the data")

    def call(self, name: str, args: tuple[ast.Node, ...]) -> Any:
        values = [self.value(a) for a in args]
        if name == "field":
            return self.column(values[0])
        if name == "table":
            return self.env.tables[values[0]]
        return form(name, "vectorized")(*values)


def _present(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.notna().to_numpy()
    if isinstance(value, np.ndarray):
        return ~pd.isna(value)
    return not is_missing(value)


def _plain(value: Any, keep_categorical: bool) -> Any:
    if isinstance(value, pd.Series) and isinstance(value.dtype, pd.CategoricalDtype):
        return value if keep_categorical else value.astype(object)
    return value


def _compare(op: str, left: Any, right: Any) -> Any:
    if isinstance(left, ListColumn) or isinstance(right, ListColumn):
        raise ExprError("a list field cannot be compared; use count(), any_of() or `in`")
    scalar_side = not isinstance(left, pd.Series | np.ndarray) or not isinstance(
        right, pd.Series | np.ndarray
    )
    keep = scalar_side and op in ("==", "!=")  # categorical == scalar stays on the codes
    present = np.logical_and(_present(left), _present(right))
    if present is False:
        return False
    try:
        result = COMPARE[op](_plain(left, keep), _plain(right, keep))
    except TypeError as err:
        raise ExprError(f"cannot compare with {op}: {err}") from None
    return np.logical_and(np.asarray(result, dtype=bool), present)


def _contains(container: Any, item: Any) -> Any:
    if isinstance(container, ListColumn):
        if isinstance(item, pd.Series | np.ndarray):
            raise ExprError("`in` a list field needs a single value on the left")
        return container.any_rows(np.asarray(container.vocab == item, dtype=bool))
    if not isinstance(container, list | tuple):
        raise ExprError("`in` needs a list on the right: [..], a list parameter or list field")
    if isinstance(item, pd.Series):
        return item.isin(list(container)).to_numpy() & item.notna().to_numpy()
    return (not is_missing(item)) and item in container


def _arith(op: str, left: Any, right: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        if not isinstance(left, pd.Series | np.ndarray) and not isinstance(
            right, pd.Series | np.ndarray
        ):
            if is_missing(left) or is_missing(right):
                return np.nan
            return ARITH[op](np.float64(left), np.float64(right))
        return ARITH[op](_as_float(left), _as_float(right))


def _as_float(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.astype("float64").to_numpy()
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    return np.float64(np.nan if is_missing(value) else value)


def _truth(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.fillna(False).astype(bool).to_numpy()
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return value
        return np.where(pd.isna(value), False, value).astype(bool)
    return False if is_missing(value) else bool(value)
