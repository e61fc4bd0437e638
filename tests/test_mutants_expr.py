"""Expression facts that mutation testing (scripts/mutation.sh expr) found unasserted.

The truth tables are written by hand from the language's meaning (docs), and every row is
checked in all three evaluators: vectorized, scalar and durable_rules.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

from ipscore.expr import ExprError, ScalarEvaluator, VectorEvaluator, parse
from ipscore.expr.check import require_valid
from ipscore.expr.parser import _bracket_depth
from ipscore.expr.scalar import _format
from ipscore.expr.types import Type, TypeEnv, infer, schema_types, type_problems
from tests.test_properties import ENV, durable_truth, frame_of, scalar_record

ROWS = [
    {"x": 1.0, "y": 0.0, "t": "a", "d": None, "codes": ("US",)},
    {"x": 0.0, "y": 0.0, "t": "c", "d": None, "codes": ()},
    {"x": None, "y": None, "t": None, "d": None, "codes": ("CN", "JP")},
]


@pytest.mark.parametrize(
    ("text", "truths"),
    [
        ('t in ["a", "b"]', [True, False, False]),
        ('t not in ["a", "b"]', [False, True, True]),  # a missing value is in no list
        ('t in ["b"]', [False, False, False]),
        ('t not in ["c"]', [True, False, True]),
        ("x / y > 1", [True, False, False]),  # 1/0 is +inf; 0/0 and null compare false
        ("x / y == x / y", [True, False, False]),  # 0/0 is not a number, equal to nothing
        ("2 * 3 > 5", [True, True, True]),  # constants fold the same way in every row
        ("2 - 3 < 0", [True, True, True]),
        ('"US" in codes', [True, False, False]),
    ],
)
def test_truth_tables_in_every_evaluator(text, truths):
    node = parse(text)
    frame = frame_of(ROWS)
    records = [scalar_record(frame, i) for i in range(len(ROWS))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/0 and 1/0 are quiet, not RuntimeWarnings
        assert VectorEvaluator(frame, ENV, len(ROWS)).truth(node).tolist() == truths
        assert [ScalarEvaluator(r, ENV).truth(node) for r in records] == truths
    assert durable_truth(node, records) == truths


def test_error_pointer_only_with_the_text():
    assert str(ExprError("bad", "", 3)) == "bad"
    assert str(ExprError("bad", "x + y", 3)) == "bad\n    x + y\n      ^"
    assert str(ExprError("bad", "x + y")) == "bad"


def test_require_valid_names_the_expression():
    with pytest.raises(ExprError) as caught:
        require_valid(parse("z > 1"), "z > 1", fields=["x"], params=[])
    assert caught.value.text == "z > 1" and "z" in caught.value.reason


def test_schema_types_of_fields_and_context():
    specs = [
        SimpleNamespace(name="n", kind="amount", values=None),
        SimpleNamespace(name="k", kind="code", values={"发明": "invention", "实用新型": "utility"}),
    ]
    types = schema_types(specs, {"as_of": "date"})
    assert types["as_of"] == Type("date")
    assert types["n"].kind == "number" and types["n"].field == "n"
    assert types["k"].kind == "text" and types["k"].codes == frozenset({"invention", "utility"})


def test_infer_of_an_ill_typed_expression_still_gives_its_result_type():
    env = TypeEnv({"x": Type("number")}, {})
    assert infer(parse('x + "a"'), env).kind == "number"
    assert infer(parse("x > 1"), env).kind == "bool"


def test_type_messages_name_the_kinds_in_words():
    env = TypeEnv({"x": Type("number"), "b": Type("bool")}, {})
    assert type_problems(parse("x + b > 1"), env) == ["`+` needs numbers, not true/false"]
    assert type_problems(parse('table("sei-ipc") in ["a"]'), env) == [
        '`in` a list field needs a single value on the left, e.g. "US" in family_granted'
    ]


def test_the_failed_part_is_recorded_as_written():
    record = scalar_record(frame_of(ROWS), 0)  # x = 1, y = 0
    evaluator = ScalarEvaluator(record, ENV)
    assert evaluator.truth(parse("x > 2 or y < 1 and x > 5")) is False
    assert evaluator.trace.failed == ["x > 2", "x > 5"]


def test_a_list_field_is_not_compared():
    record = scalar_record(frame_of(ROWS), 0)
    with pytest.raises(ExprError, match=r"^a list field cannot be compared; use count\(\)"):
        ScalarEvaluator(record, ENV).truth(parse('codes == "US"'))


def test_missing_numbers_are_shown_as_missing():
    assert _format(float("nan")) == "missing" and _format(None) == "missing"
    assert _format(2.5) == "2.50"


def test_bracket_depth_counts_nesting_not_brackets():
    assert _bracket_depth("(a)(b)[c]") == 1 and _bracket_depth("((a) + [(b)])") == 3
