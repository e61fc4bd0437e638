"""Parse expression text into the AST with lark. Nothing is ever eval'd."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from ipscore.expr import ast
from ipscore.expr.errors import ExprError

# Limits (README, "Limits and bad input"). Real conditions are a few hundred characters and
# a few levels deep; these bounds keep the parser and the recursive evaluators far from
# Python's recursion limit and every parse well under a second.
MAX_EXPR_LENGTH = 10_000  # characters; IPSCORE_MAX_EXPR_LENGTH
MAX_EXPR_DEPTH = 100  # nesting of brackets, operators and `not`; IPSCORE_MAX_EXPR_DEPTH


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def max_length() -> int:
    return _limit("IPSCORE_MAX_EXPR_LENGTH", MAX_EXPR_LENGTH)


def max_depth() -> int:
    # Above ~300 the recursive evaluators would hit Python's recursion limit.
    return min(_limit("IPSCORE_MAX_EXPR_DEPTH", MAX_EXPR_DEPTH), 300)


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting, counted without parsing (strings may hold brackets,
    which can only over-count: a false alarm, never a miss)."""
    depth = deepest = 0
    for char in text:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    return deepest


def _tree_depth(tree: Tree) -> int:
    """How deep the expression nests (operators, `not`, calls, lists), walked with a stack
    so that measuring cannot recurse. Lark's one-child or_/and_ wrappers do not count."""
    deepest = 0
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        wrapper = node.data in ("or_", "and_") and len(node.children) == 1
        depth += 0 if wrapper else 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return deepest


def _check_size(text: str) -> None:
    if len(text) > max_length():
        raise ExprError(
            f"expression is {len(text):,} characters, more than {max_length():,} "
            "(limit expr-length, IPSCORE_MAX_EXPR_LENGTH)",
            text[:60] + "…",
        )
    if _bracket_depth(text) > max_depth():
        raise ExprError(
            f"brackets nest {_bracket_depth(text)} deep, more than {max_depth()} "
            "(limit expr-depth, IPSCORE_MAX_EXPR_DEPTH)"
        )


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("ipscore.expr").joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


@v_args(inline=True)
class _ToAst(Transformer):
    def number(self, token: Token) -> ast.Literal:
        text = str(token)
        return ast.Literal(float(text) if "." in text else int(text))

    def string(self, token: Token) -> ast.Literal:
        return ast.Literal(str(token)[1:-1])

    def true(self) -> ast.Literal:
        return ast.Literal(True)

    def false(self) -> ast.Literal:
        return ast.Literal(False)

    def null(self) -> ast.Literal:
        return ast.Literal(None)

    def param(self, name: Token) -> ast.Param:
        return ast.Param(str(name))

    def field(self, name: Token) -> ast.Field:
        return ast.Field(str(name))

    def call(self, name: Token, *args: ast.Node) -> ast.Call:
        return ast.Call(str(name), tuple(args))

    def list_(self, *items: ast.Node) -> ast.ListLit:
        return ast.ListLit(tuple(items))

    def or_(self, *operands: ast.Node) -> ast.Node:
        return operands[0] if len(operands) == 1 else ast.BoolOp("or", operands)

    def and_(self, *operands: ast.Node) -> ast.Node:
        return operands[0] if len(operands) == 1 else ast.BoolOp("and", operands)

    def not_(self, operand: ast.Node) -> ast.Not:
        return ast.Not(operand)

    def compare(self, left: ast.Node, op: Token, right: ast.Node) -> ast.Compare:
        return ast.Compare(str(op), left, right)

    def in_(self, item: ast.Node, container: ast.Node) -> ast.In:
        return ast.In(item, container)

    def not_in(self, item: ast.Node, container: ast.Node) -> ast.In:
        return ast.In(item, container, negated=True)

    def arith(self, left: ast.Node, op: Token, right: ast.Node) -> ast.Arith:
        return ast.Arith(str(op), left, right)

    def neg(self, operand: ast.Node) -> ast.Node:
        if isinstance(operand, ast.Literal) and isinstance(operand.value, int | float):
            return ast.Literal(-operand.value)
        return ast.Neg(operand)


@lru_cache(maxsize=4096)
def parse(text: str) -> ast.Node:
    """Parse `text`; raise ExprError with the column of the first problem."""
    if not text or not text.strip():
        raise ExprError("empty expression", text)
    _check_size(text)
    try:
        tree = _lark().parse(text)
        depth = _tree_depth(tree)
        if depth > max_depth():
            raise ExprError(
                f"expression nests {depth} deep, more than {max_depth()} "
                "(limit expr-depth, IPSCORE_MAX_EXPR_DEPTH)"
            )
        return _ToAst().transform(tree)
    except UnexpectedEOF:
        raise ExprError("expression ends too early", text, len(text) + 1) from None
    except UnexpectedCharacters as err:
        raise ExprError(
            f"unexpected character {text[err.pos_in_stream]!r}", text, err.column
        ) from None
    except UnexpectedInput as err:
        token = getattr(err, "token", None)
        shown = f"{token!s}" if token is not None and str(token) else "end of expression"
        raise ExprError(f"unexpected {shown!r}", text, getattr(err, "column", None)) from None
    except VisitError as err:  # pragma: no cover - transformer bugs surface here
        raise ExprError(str(err.orig_exc), text) from None
    except RecursionError:  # pragma: no cover - the depth limit keeps this away
        raise ExprError("expression nests too deep (limit expr-depth)") from None
