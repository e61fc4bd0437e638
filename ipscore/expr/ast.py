"""The expression AST: plain frozen dataclasses, shared by every compiler."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Render a node back to source form, for explanations."""
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
            return f"{to_text(left)} {op} {to_text(right)}"
        case Arith(op, left, right):
            return f"{_operand_text(left)} {op} {_operand_text(right)}"
        case In(item, container, negated):
            return f"{to_text(item)} {'not in' if negated else 'in'} {to_text(container)}"
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
        return f'"{value}"'
    return str(value)


def _operand_text(node: Node) -> str:
    # Arithmetic operands are bracketed when compound, so the text re-parses to the same tree.
    text = to_text(node)
    return (
        f"({text})"
        if isinstance(node, Arith | Neg)
        or (isinstance(node, Literal) and isinstance(node.value, int | float) and node.value < 0)
        else text
    )
