"""The safe expression language: parse → AST → compile (vectorized / scalar / durable_rules)."""

from ipscore.expr.ast import Node, to_text, walk
from ipscore.expr.check import check, require_valid
from ipscore.expr.columns import ListColumn
from ipscore.expr.env import Env
from ipscore.expr.errors import ExprError
from ipscore.expr.parser import parse
from ipscore.expr.scalar import ScalarEvaluator, Trace
from ipscore.expr.vectorized import VectorEvaluator

__all__ = [
    "Env",
    "ExprError",
    "ListColumn",
    "Node",
    "ScalarEvaluator",
    "Trace",
    "VectorEvaluator",
    "check",
    "parse",
    "require_valid",
    "to_text",
    "walk",
]
