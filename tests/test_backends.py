"""Every backend of every registered function agrees, on expressions that reach them all.

The expressions come from tests/expressions.py, which builds each function's arguments from
the strategy its registry record declares; the records are synthetic registers through the
real reader and validator, so every field has its real column type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from ipscore.expr import ExprError, ListColumn, ScalarEvaluator, VectorEvaluator
from ipscore.expr.env import is_missing
from ipscore.expr.functions import BACKENDS, registry
from ipscore.patents.classify import prepare
from ipscore.patents.schema import FIELDS
from ipscore.patents.validate import validate
from ipscore.synthetic import generate
from tests.conftest import AS_OF
from tests.expressions import calls, conditions, fields_in, functions_in, schema_kinds

EXPRESSIONS = conditions()
#: Stop at the first expression found: reaching is the point, a minimal example is not.
FIRST_FOUND = settings(database=None, max_examples=2000, phases=[Phase.generate])


@pytest.fixture(scope="module")
def env(rule):
    return prepare(rule, AS_OF).env


#: What an evaluation that raised ExprError gives (a value no form returns).
ERROR = object()


def _outcome(evaluate):
    try:
        return evaluate()
    except ExprError:
        return ERROR


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, st.integers(1, 25), st.integers(0, 2**16))
def test_scalar_event_and_vectorized_forms_agree(env, condition, n, seed):
    batch = validate(generate(n, seed), "synthetic")
    vector = _outcome(lambda: VectorEvaluator(batch.columns, env, len(batch)).truth(condition))
    for backend in ("scalar", "event"):
        rows = [
            _outcome(
                lambda i=i, backend=backend: ScalarEvaluator(
                    batch.record(i), env, tracing=False, backend=backend
                ).truth(condition)
            )
            for i in range(len(batch))
        ]
        if vector is ERROR:  # the vectorized form refuses: so must a row
            assert ERROR in rows or not rows, (backend, condition)
        else:
            assert [bool(v) for v in np.asarray(vector)] == rows, (backend, condition)


@pytest.mark.parametrize("name", sorted(registry()))
def test_the_generator_reaches_every_function(name):
    find(EXPRESSIONS, lambda node: name in functions_in(node), settings=FIRST_FOUND)


@pytest.mark.parametrize("kind", sorted({f.kind for f in FIELDS}))
def test_the_generator_reads_every_field_type(kind):
    find(
        EXPRESSIONS,
        lambda node: kind in schema_kinds(fields_in(node)),
        settings=FIRST_FOUND,
    )


def test_every_function_declares_every_form_it_needs():
    for function in registry().values():
        assert function.arguments is not None, function.name
        if not function.needs_context:
            for backend in BACKENDS:
                assert callable(function.form(backend)), (function.name, backend)


def _at(vector, i: int):
    """Row i of a vectorized value, as the scalar form would give it."""
    if isinstance(vector, ListColumn):
        return vector.row(i)
    if isinstance(vector, pd.Series):
        return vector.iloc[i]
    if isinstance(vector, np.ndarray) and vector.ndim == 1:
        return vector[i]
    return vector  # a constant: a date literal, a table


def _same(left, right) -> bool:
    if isinstance(left, tuple) or isinstance(right, tuple):
        return tuple(left) == tuple(right)
    if _missing(left) or _missing(right):
        return _missing(left) and _missing(right)
    return bool(left == right) or (
        isinstance(left, float) and isinstance(right, float) and np.isclose(left, right)
    )


def _missing(value) -> bool:
    return is_missing(value) or (np.ndim(value) == 0 and pd.isna(value) is True)


CALLS = st.sampled_from(sorted(registry())).flatmap(lambda name: calls(registry()[name]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALLS, st.integers(1, 25), st.integers(0, 2**16))
def test_each_function_gives_the_same_value_in_every_backend(env, call, n, seed):
    """Values, not only truths: a list function (ipc_scope) is compared row by row."""
    batch = validate(generate(n, seed), "synthetic")
    vector = _outcome(lambda: VectorEvaluator(batch.columns, env, len(batch)).value(call))
    for backend in ("scalar", "event"):
        for i in range(len(batch)):
            evaluator = ScalarEvaluator(batch.record(i), env, tracing=False, backend=backend)
            row = _outcome(lambda evaluator=evaluator: evaluator.value(call))
            if vector is ERROR or row is ERROR:
                assert vector is row, (backend, call)
            else:
                assert _same(_at(vector, i), row), (backend, call, _at(vector, i), row)
