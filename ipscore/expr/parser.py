"""Parse expression text into the AST with lark. Nothing is ever eval'd."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from ipscore.expr import ast
from ipscore.expr.errors import ExprError


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
    try:
        tree = _lark().parse(text)
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
