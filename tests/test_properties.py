"""Hypothesis properties: the evaluators agree, order does not matter, verdicts move
monotonically, and per-10,000 figures scale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore import api
from ipscore.expr import Env, ListColumn, ScalarEvaluator, VectorEvaluator, ast, parse, to_text
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.population import per_10k
from ipscore.patents.validate import validate
from ipscore.synthetic import generate
from tests.conftest import AS_OF
from tests.expressions import combined

# --- random expressions over random records -------------------------------------------

CODES = ["US", "HK", "CN", "JP", "TW"]
ENV = Env(
    params={"p": 2.5, "flag": True, "lst": ["US", "JP"], "words": ["a", "c"]},
    context={"as_of": pd.Timestamp("2023-12-31")},
)

numbers = st.one_of(st.none(), st.integers(-5, 5).map(float), st.sampled_from([0.5, 2.25]))
dates = st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
records = st.fixed_dictionaries(
    {
        "x": numbers,
        "y": numbers,
        "t": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
        "d": dates,
        "codes": st.lists(st.sampled_from(CODES), max_size=3).map(tuple),
    }
)

leaf_numbers = st.one_of(
    st.sampled_from(
        [
            ast.Field("x"),
            ast.Field("y"),
            ast.Param("p"),
            ast.Call("count", (ast.Field("codes"),)),
            ast.Call("years_between", (ast.Field("d"), ast.Field("as_of"))),
        ]
    ),
    st.integers(-3, 3).map(ast.Literal),
    st.sampled_from([ast.Literal(0.5)]),
)
numeric = st.recursive(
    leaf_numbers,
    lambda inner: st.one_of(
        st.builds(ast.Arith, st.sampled_from("+-*/"), inner, inner),
        st.builds(ast.Neg, inner.filter(lambda n: not isinstance(n, ast.Literal))),
    ),
    max_leaves=4,
)
COMPARE_OPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
leaf_conditions = st.one_of(
    st.builds(ast.Compare, COMPARE_OPS, numeric, numeric),
    st.builds(
        ast.Compare,
        st.sampled_from(["==", "!="]),
        st.just(ast.Field("t")),
        st.sampled_from(["a", "b", "z"]).map(ast.Literal),
    ),
    st.builds(
        ast.In,
        st.just(ast.Field("t")),
        st.sampled_from([ast.Param("words"), ast.ListLit((ast.Literal("b"),))]),
        st.booleans(),
    ),
    st.builds(
        ast.In, st.sampled_from(CODES).map(ast.Literal), st.just(ast.Field("codes")), st.booleans()
    ),
    st.just(ast.Call("any_of", (ast.Field("codes"), ast.Param("lst")))),
    st.builds(
        lambda flag: ast.Compare(
            ">", ast.Call("count_overseas", (ast.Field("codes"), ast.Literal(flag))), ast.Literal(0)
        ),
        st.booleans(),
    ),
    st.just(ast.Call("is_null", (ast.Field("x"),))),
)
conditions = combined(leaf_conditions)


def frame_of(rows: list[dict]) -> dict:
    return {
        "x": pd.Series([r["x"] for r in rows], dtype="float64"),
        "y": pd.Series([r["y"] for r in rows], dtype="float64"),
        "t": pd.Series(pd.Categorical([r["t"] for r in rows])),
        "d": pd.Series(pd.to_datetime([r["d"] for r in rows])).astype("M8[s]"),
        "codes": ListColumn.from_lists([r["codes"] for r in rows]),
    }


def scalar_record(frame: dict, i: int) -> dict:
    record = {k: v.row(i) if isinstance(v, ListColumn) else v.iloc[i] for k, v in frame.items()}
    return {k: None if not isinstance(v, tuple) and pd.isna(v) else v for k, v in record.items()}


@settings(max_examples=300, deadline=None)
@given(conditions, st.lists(records, min_size=1, max_size=8))
def test_vectorized_equals_scalar(condition, rows):
    node = parse(to_text(condition))  # through the parser, as rule text would go
    assert node == condition
    frame = frame_of(rows)
    vector = VectorEvaluator(frame, ENV, len(rows)).truth(node)
    scalar = [ScalarEvaluator(scalar_record(frame, i), ENV).truth(node) for i in range(len(rows))]
    assert vector.tolist() == scalar


@settings(max_examples=200, deadline=None)
@given(
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
)
def test_years_between_vectorized_equals_scalar_and_is_monotone(start, end):
    from ipscore.expr.dates import years_between_scalar, years_between_vec

    vector = years_between_vec(pd.Timestamp(start), pd.Series([pd.Timestamp(end)]))[0]
    assert vector == years_between_scalar(start, end)
    later = years_between_vec(
        pd.Timestamp(start), pd.Series([pd.Timestamp(end) + pd.Timedelta(days=1)])
    )[0]
    assert later > vector


# --- properties of the classification -------------------------------------------------

portfolios = st.builds(
    lambda n, seed: generate(n, seed), st.integers(1, 300), st.integers(0, 2**16)
)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(portfolios, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rule, frame, random):
    order = list(range(len(frame)))
    random.shuffle(order)
    prepared = prepare(rule, AS_OF)
    first = evaluate(validate(frame, "a"), prepared).drop(columns="row").set_index("id")
    second = evaluate(validate(frame.iloc[order], "b"), prepared).drop(columns="row")
    pd.testing.assert_frame_equal(first, second.set_index("id").loc[first.index])


@SLOW
@given(portfolios, st.data())
def test_adding_an_overseas_grant_never_removes_high_value(rule, frame, data):
    chosen = data.draw(st.lists(st.integers(0, len(frame) - 1), unique=True))
    changed = frame.copy()
    changed.loc[chosen, "family_granted"] = (
        changed.loc[chosen, "family_granted"] + ";US"
    ).str.strip(";")
    prepared = prepare(rule, AS_OF)
    before = evaluate(validate(frame, "a"), prepared)["high_value"].to_numpy()
    after = evaluate(validate(changed, "b"), prepared)["high_value"].to_numpy()
    assert not (before & ~after).any()


@SLOW
@given(portfolios, st.floats(0, 5000), st.floats(0, 5000))
def test_raising_the_pledge_threshold_never_raises_the_count(rule, frame, low, high):
    low, high = sorted((low, high))
    batch = validate(frame, "a")
    count = [
        api.classify(batch, rule, AS_OF, {"pledge_threshold": t}).high_value for t in (low, high)
    ]
    assert count[1] <= count[0]


@SLOW
@given(portfolios)
def test_union_is_at_least_each_criterion_and_at_most_their_sum(rule, frame):
    result = api.classify(validate(frame, "a"), rule, AS_OF)
    counts = result.criteria_counts().values()
    assert max(counts) <= result.high_value <= sum(counts)
    assert sum(result.overlap().values()) == result.high_value


@given(st.integers(0, 10**7), st.floats(1, 1e6), st.integers(1, 1000))
def test_per_10k_scales(count, population, factor):
    base = per_10k(count, population)
    assert np.isclose(per_10k(count * factor, population * factor), base)
    assert np.isclose(per_10k(count * factor, population), base * factor)


# --- the third evaluator: durable_rules ------------------------------------------------

_HOST = None
_COUNT = iter(range(10**9))


def durable_truth(node, rows, env: Env = ENV) -> list[bool]:
    from ipscore.events.host import RecordingHost
    from ipscore.expr.durable import DurableCompiler, build_fact

    global _HOST
    _HOST = _HOST or RecordingHost()
    compiled = DurableCompiler(env).compile(node)
    name = f"p{next(_COUNT)}"
    _HOST.add_ruleset(name, {"c": compiled.condition})
    truths = []
    for i, row in enumerate(rows):
        fact = build_fact(row, [compiled], env, {"as_of": env.context["as_of"]})
        fact["id"] = str(i)
        truths.append("c" in _HOST.passing(name, fact))
    return truths


@settings(max_examples=500, deadline=None)
@given(conditions, st.lists(records, min_size=1, max_size=6))
def test_durable_rules_equals_scalar(condition, rows):
    frame = frame_of(rows)
    records_ = [scalar_record(frame, i) for i in range(len(rows))]
    scalar = [ScalarEvaluator(r, ENV).truth(condition) for r in records_]
    assert durable_truth(condition, records_) == scalar
