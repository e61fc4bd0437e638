"""The expression language: parsing, rejection of anything else, clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from ipscore.expr import (
    Env,
    ExprError,
    ListColumn,
    ScalarEvaluator,
    VectorEvaluator,
    ast,
    check,
    parse,
)


def test_precedence_and_round_trip():
    node = parse("a > 1 and b < 2 or not c == 3")
    assert isinstance(node, ast.BoolOp) and node.op == "or"
    assert ast.to_text(parse("x in [1, 2] and y not in $l")) == "x in [1, 2] and y not in $l"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.b",
        "lambda: 1",
        "a[0]",
        "a if b else c",
        "a = 1",
        "a ==",
        "1 +* 2",
        "",
    ],
)
def test_rejects_everything_outside_the_grammar_or_whitelist(text):
    with pytest.raises(ExprError):
        node = parse(text)
        problems = check(node, fields={"a", "b", "c"}, params=set())
        if problems:
            raise ExprError("; ".join(problems))


def test_parse_error_points_at_the_column():
    with pytest.raises(ExprError) as caught:
        parse("pledge_amount >= = 3")
    assert caught.value.column == 18
    assert "^" in str(caught.value)


def test_unknown_names_suggest_close_matches():
    problems = check(
        parse("pledge_amont >= $pledge_treshold and coutn(ipc) > 0"),
        fields={"pledge_amount", "ipc"},
        params={"pledge_threshold"},
    )
    assert "did you mean 'pledge_amount'" in problems[0]
    assert "did you mean 'pledge_threshold'" in problems[1]
    assert "did you mean 'count'" in problems[2]


def test_wrong_arity_is_reported():
    assert "takes 2 argument" in check(parse("years_between(a)"), fields={"a"}, params=())[0]


def test_missing_values_make_comparisons_false_in_both_evaluators():
    frame = {"x": pd.Series([None, 1.0]), "t": pd.Series(pd.Categorical([None, "a"]))}
    for text, expected in [
        ("x != 5", [False, True]),
        ("not (x > 5)", [True, True]),
        ('t != "b"', [False, True]),
        ("x + 1 > 0", [False, True]),
    ]:
        node = parse(text)
        vector = VectorEvaluator(frame, Env(), 2).truth(node).tolist()
        scalar = [
            ScalarEvaluator({"x": frame["x"][i], "t": frame["t"][i]}, Env()).truth(node)
            for i in range(2)
        ]
        assert vector == scalar == expected, text


def test_list_functions_work_on_the_vocabulary():
    codes = ListColumn.from_lists([["US", "HK"], [], ["HK"], ["CN", "JP"]])
    env = Env(params={"hk": False})
    result = VectorEvaluator({"f": codes}, env, 4).truth(parse("count_overseas(f, $hk) > 0"))
    assert result.tolist() == [True, False, False, True]
    assert codes.take([3, 0]).to_lists() == [("CN", "JP"), ("US", "HK")]
