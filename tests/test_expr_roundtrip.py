"""The printer and the parser agree: parse(to_text(tree)) == tree for every tree the parser
can give (issue 15: `a == b == c` and `1e+16` were printed, and the grammar takes neither)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ipscore.expr import ast, parse, to_text

KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
# A string literal is quoted with " or ' and holds neither that quote nor a backslash.
STRINGS = st.text(st.characters(exclude_characters='\\"'), max_size=6) | st.text(
    st.characters(exclude_characters="\\'"), max_size=6
)

LEAVES = st.one_of(
    st.integers(-(10**20), 10**20).map(ast.Literal),
    st.floats(allow_nan=False).map(ast.Literal),  # ±infinity too: 1e999 parses as inf
    STRINGS.map(ast.Literal),
    st.sampled_from([True, False, None]).map(ast.Literal),
    NAMES.map(ast.Field),
    NAMES.map(ast.Param),
)


def _numeric_literal(node: ast.Node) -> bool:
    # The parser folds `-5` (and `-true`) into a literal: it never gives Neg(Literal(number)).
    return isinstance(node, ast.Literal) and isinstance(node.value, int | float)


def _extend(children):
    return st.one_of(
        st.builds(ast.Not, children),
        st.builds(ast.Neg, children.filter(lambda n: not _numeric_literal(n))),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), children,
                  children),
        st.builds(ast.Arith, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(ast.In, children, children, st.booleans()),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]),
                  st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(ast.Call, NAMES, st.lists(children, max_size=3).map(tuple)),
        st.lists(children, max_size=3).map(lambda items: ast.ListLit(tuple(items))),
    )  # fmt: skip


TREES = st.recursive(LEAVES, _extend, max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(TREES)
def test_every_printed_tree_parses_back_to_itself(tree):
    assert parse.__wrapped__(to_text(tree)) == tree


def test_the_cases_issue_15_names():
    chained = ast.Compare("==", ast.Compare("==", ast.Field("a"), ast.Field("b")), ast.Field("c"))
    assert to_text(chained) == "(a == b) == c"
    assert to_text(ast.Literal(1e16)) == "10000000000000000.0"
    assert to_text(ast.Literal(1e-7)) == "0.0000001"
    for tree in (chained, ast.Literal(1e16), ast.Literal(1e-7), ast.Literal(float("inf"))):
        assert parse(to_text(tree)) == tree
