"""Random expressions built from the function registry and the record schema.

Every function contributes the hypothesis strategy its `Function.arguments` declares, so a
function added to the registry (or to an entry point) is generated without touching this
file; every field of ipscore.patents.schema is read, typed by its schema kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ipscore.expr import ast
from ipscore.expr.functions import Function, registry
from ipscore.expr.types import SCHEMA_KINDS
from ipscore.patents.schema import CONTEXT_NAMES, FIELDS

#: Codes that occur in the list fields of the synthetic registers (and some that do not).
LIST_CODES = ("US", "JP", "HK", "TW", "CN", "WO", "china_patent.gold", "H04L 9/32", "A47L 9/00")
TABLE_NAMES = ("sei-ipc",)
COMPARE = ("==", "!=", "<", "<=", ">", ">=")
ORDERED = ("number", "date")


def _literal(value: Any) -> ast.Node:
    if isinstance(value, list | tuple):
        return ast.ListLit(tuple(ast.Literal(v) for v in value))
    return ast.Literal(value)


@dataclass(frozen=True)
class Kit:
    """What a Function.arguments strategy builds its arguments from."""

    st: Any = st
    field_names: tuple[str, ...] = (*(f.name for f in FIELDS), *CONTEXT_NAMES)
    table_names: tuple[str, ...] = TABLE_NAMES
    list_codes: tuple[str, ...] = LIST_CODES

    def field(self, name: str):
        return st.just(ast.Field(name))

    def literal(self, values):
        return values.map(_literal)

    def table(self):
        return st.just(ast.Call("table", (ast.Literal(TABLE_NAMES[0]),)))

    #: How deep calls nest; below MAX_DEPTH an argument is a field or a literal.
    depth: int = 0

    def of(self, kind: str):
        return _of(self.depth + 1, kind)


KIT = Kit()


def fields_of(kind: str) -> list[str]:
    names = [f.name for f in FIELDS if SCHEMA_KINDS[f.kind] == kind or kind == "any"]
    return [*names, "as_of"] if kind in ("date", "any") else names


def calls(function: Function, kit: Kit = KIT):
    return function.arguments(kit).map(lambda args: ast.Call(function.name, tuple(args)))


def _returning(kind: str) -> list[Function]:
    return [f for f in registry().values() if f.signature.returns == kind and f.arguments]


MAX_DEPTH = 2


@cache
def _of(depth: int, kind: str):
    kit = Kit(depth=depth)
    options = [st.sampled_from([ast.Field(n) for n in fields_of(kind)])]
    if kind == "number":
        options.append(st.integers(-3, 3000).map(ast.Literal))
    if depth >= MAX_DEPTH:
        return st.one_of(options)
    options += [calls(f, kit) for f in _returning(kind)]
    if kind == "number":
        options.append(
            st.builds(ast.Arith, st.sampled_from("+-*/"), kit.of("number"), kit.of("number"))
        )
    if kind == "date":
        # field() names a date field through a string, as rules do with field($start).
        names = [ast.Literal(n) for n in fields_of("date")]
        options.append(st.sampled_from(names).map(lambda n: ast.Call("field", (n,))))
    if kind == "any":
        # Functions whose result kind depends on their arguments (field()).
        options += [calls(f, kit) for f in _returning("any")]
    return st.one_of(options)


def _code_comparisons():
    coded = [f for f in FIELDS if f.values]
    return st.sampled_from(coded).flatmap(
        lambda f: st.builds(
            ast.Compare,
            st.sampled_from(["==", "!="]),
            st.just(ast.Field(f.name)),
            st.sampled_from(sorted(set(f.values.values()))).map(ast.Literal),
        )
    )


def _leaf_conditions(kit: Kit):
    ordered = st.sampled_from(ORDERED).flatmap(
        lambda kind: st.builds(ast.Compare, st.sampled_from(COMPARE), kit.of(kind), kit.of(kind))
    )
    membership = st.builds(
        ast.In,
        st.sampled_from(LIST_CODES).map(ast.Literal),
        kit.of("list"),
        st.booleans(),
    )
    text = st.builds(
        ast.Compare,
        st.sampled_from(["==", "!="]),
        kit.of("text"),
        st.sampled_from(["a", "一种方法"]).map(ast.Literal),
    )
    return st.one_of(
        *(calls(f, kit) for f in _returning("bool")), ordered, _code_comparisons(), membership, text
    )


def conditions(kit: Kit = KIT):
    """True/false expressions over a patent record, reaching every registered function."""
    return combined(_leaf_conditions(kit))


def combined(leaves):
    """`leaves` joined by not, and, or into trees of up to six leaves."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(ast.Not, inner),
            st.builds(
                ast.BoolOp,
                st.sampled_from(["and", "or"]),
                st.lists(inner, min_size=2, max_size=3).map(tuple),
            ),
        ),
        max_leaves=6,
    )


def functions_in(node: ast.Node) -> set[str]:
    return {n.name for n in ast.walk(node) if isinstance(n, ast.Call)}


def fields_in(node: ast.Node) -> set[str]:
    """Fields read directly or through field("name")."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Field):
            found.add(sub.name)
        elif isinstance(sub, ast.Call) and sub.name == "field":
            found.add(str(sub.args[0].value))
    return found


def schema_kinds(names: Iterable[str]) -> set[str]:
    kinds = {f.name: f.kind for f in FIELDS}
    return {kinds[n] for n in names if n in kinds}
