"""The expression AST: plain frozen dataclasses, shared by every compiler."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class ListLit:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class In:
    item: Node
    container: Node
    negated: bool = False


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Arith:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Field | Param | ListLit | Compare | In | BoolOp | Not | Arith | Neg | Call


def children(node: Node) -> tuple[Node, ...]:
    match node:
        case ListLit(items):
            return items
        case Compare(_, left, right) | Arith(_, left, right):
            return (left, right)
        case In(item, container, _):
            return (item, container)
        case BoolOp(_, operands):
            return operands
        case Not(operand) | Neg(operand):
            return (operand,)
        case Call(_, args):
            return args
    return ()


def walk(node: Node):
    yield node
    for child in children(node):
        yield from walk(child)


def to_text(node: Node) -> str:
    """Render a node back to source form: parse(to_text(node)) == node for every tree the
    parser gives (explanations show it, and the tests re-parse it)."""
    match node:
        case Literal(value):
            return _literal_text(value)
        case Field(name):
            return name
        case Param(name):
            return f"${name}"
        case ListLit(items):
            return "[" + ", ".join(map(to_text, items)) + "]"
        case Compare(op, left, right):
            return f"{_comparand_text(left)} {op} {_comparand_text(right)}"
        case Arith(op, left, right):
            return f"{_operand_text(left)} {op} {_operand_text(right)}"
        case In(item, container, negated):
            word = "not in" if negated else "in"
            return f"{_comparand_text(item)} {word} {_comparand_text(container)}"
        case BoolOp(op, operands):
            return f" {op} ".join(
                f"({to_text(o)})" if isinstance(o, BoolOp) else to_text(o) for o in operands
            )
        case Not(operand):
            return f"not ({to_text(operand)})"
        case Neg(operand):
            return f"-{_operand_text(operand)}"
        case Call(name, args):
            return f"{name}({', '.join(map(to_text, args))})"
    raise TypeError(node)


def _literal_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if '"' in value else f'"{value}"'
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    """Positional digits with a point: the grammar has no exponent (`1e+16`), no `inf`, and
    digits without a point are an integer. The shortest repr's digits, so the float is exact;
    infinity is a number too large for a float, which the parser reads back as infinity."""
    if math.isnan(value):
        return "nan"  # no tree from the parser holds NaN; shown, not re-parsable
    if math.isinf(value):
        return ("-" if value < 0 else "") + "1" + "0" * 309 + ".0"
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _comparand_text(node: Node) -> str:
    # The grammar compares sums: a comparison, `in`, `not` or `and`/`or` is bracketed.
    text = to_text(node)
    return f"({text})" if isinstance(node, Compare | In | Not | BoolOp) else text


def _operand_text(node: Node) -> str:
    # Arithmetic operands are bracketed when compound, so the text re-parses to the same tree.
    text = to_text(node)
    return (
        f"({text})"
        if isinstance(node, Arith | Neg | Compare | In | Not | BoolOp)
        or (isinstance(node, Literal) and isinstance(node.value, int | float) and node.value < 0)
        else text
    )
