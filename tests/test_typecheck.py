"""`rules check` types expressions before they run: the mistakes that would count nothing
or crash at evaluation are reported with file:line, the condition and a suggestion."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ipscore import api
from ipscore.bundled import bundled_dir
from ipscore.expr import Env, ExprError, VectorEvaluator, ast, check, parse
from ipscore.patents.rule_types import FIELD_TYPES
from ipscore.patents.schema import CONTEXT_NAMES, FIELD_NAMES
from tests.conftest import batch_of

RULE = bundled_dir("rules") / "patents" / "cn-high-value-invention.yaml"
PARAMS = {"threshold": 1000, "scope": "any", "flag": False, "awards": ["china_patent_gold"]}


def typed(text: str, params: dict | None = None) -> list[str]:
    return check(
        parse(text),
        fields=(*FIELD_NAMES, *CONTEXT_NAMES),
        params=(params or PARAMS),
        tables=("t",),
        field_types=FIELD_TYPES,
        param_values=params or PARAMS,
    )


def edited_rule(tmp_path: Path, old: str, new: str) -> Path:
    text = RULE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "patents" / RULE.name
    path.parent.mkdir()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    tables = tmp_path / "tables"
    tables.mkdir()
    for table in (bundled_dir("rules") / "tables").iterdir():
        (tables / table.name).write_bytes(table.read_bytes())
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def problems_of(path: Path) -> list[str]:
    problems, checked = api.check_rule_files(path)
    assert checked == 1
    return [str(p) for p in problems]


# --- the three examples, through `rules check` --------------------------------


def test_misspelt_code_is_reported_with_line_condition_and_suggestion(tmp_path):
    path = edited_rule(tmp_path, 'patent_type == "invention"', 'patent_type == "inventoin"')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'inventoin')}: ")
    assert "condition invention" in problem
    assert "'inventoin'" in problem and "did you mean 'invention'" in problem


def test_number_compared_with_text_is_reported(tmp_path):
    path = edited_rule(tmp_path, "pledge_amount >= $pledge_threshold", 'pledge_amount >= "high"')
    found = problems_of(path)
    assert found, "pledge_amount >= 'high' must not pass"
    line = line_of(path, 'pledge_amount >= "high"')
    assert all(p.startswith(f"{path}:{line}: ") for p in found)
    assert "condition pledge" in found[0] and '"high"' in found[0]
    assert "not a number" in found[0]


def test_non_numeric_parameter_value_is_reported(tmp_path):
    path = edited_rule(tmp_path, "value: 1000\n", "value: five hundred\n")
    found = problems_of(path)
    assert found
    assert all("condition pledge" in p for p in found)
    assert "$pledge_threshold" in found[0] and "'five hundred'" in found[0]
    assert "not a number" in found[0]
    assert found[0].startswith(f"{path}:{line_of(path, 'pledge_amount >= $pledge_threshold')}:")


def test_function_given_the_wrong_kind_of_argument_is_reported(tmp_path):
    path = edited_rule(
        tmp_path,
        "count_overseas(family_granted, $hk_mo_tw_is_overseas)",
        "count_overseas(family_granted, as_of)",
    )
    [problem] = problems_of(path)
    assert "condition overseas_family" in problem
    assert "count_overseas() takes true/false as argument 2, not a date" in problem


def test_misspelt_keyword_reading_of_the_sei_table_is_reported(tmp_path):
    path = edited_rule(tmp_path, "$sei_keywords, title", '"requier", title')
    [problem] = problems_of(path)
    assert "condition strategic_emerging" in problem
    assert "'requier'" in problem and "did you mean 'require'" in problem


def test_the_bundled_rules_and_scenarios_type_check_clean():
    assert api.check_rule_files(None)[0] == []
    problems, checked = api.check_rule_files(bundled_dir("scenarios"))
    assert problems == [] and checked >= 5


def test_cli_exits_2_and_prints_file_line(tmp_path):
    from typer.testing import CliRunner

    from ipscore.cli import app

    path = edited_rule(tmp_path, 'patent_type == "invention"', 'patent_type == "inventoin"')
    result = CliRunner().invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path.name}:{line_of(path, 'inventoin')}" in re.sub(r"\s+", "", result.output)


# --- scenario files are recognised and checked -----------------------------------------

SCENARIO = """\
id: bad
title: bad
base: {evaluate: classify, patents: demo, population: demo, as_of: 2023-12-31}
changes:
  - set: {cn-high-value-invention.pledge_threshold: five hundred}
  - disable: [cn-high-value-invention.pledgee]
  - patents: {where: 'status == "vaild"', renew: true}
"""


def test_scenario_changes_are_type_checked(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    found = problems_of(path)
    assert len(found) == 3, found
    assert found[0].startswith(f"{path}:5:") and "'five hundred'" in found[0]
    assert found[1].startswith(f"{path}:6:") and "did you mean 'pledge'" in found[1]
    assert found[2].startswith(f"{path}:7:") and "did you mean 'valid'" in found[2]


def test_a_broken_scenario_is_reported_as_a_scenario(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.replace("title: bad\n", ""), encoding="utf-8")
    [problem] = problems_of(path)
    assert problem == f"{path}:1: title: required key is missing"


# --- single expressions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('status in ["valid", "lapsd"]', "status is never 'lapsd' (did you mean 'lapsed'?)"),
        ("grant_date > 5", "`>` compares a number with a date"),
        ('owner_country == "China"', "owner_country is never 'China'"),
        ('ipc_scope(ipc, "mian")', "did you mean 'main'"),
        ("count(pledge_amount) > 0", "count() takes a list as argument 1, not a number"),
        ("years_between(filing_date, 3) > 1", "years_between() takes a date as argument 2"),
        ("pledge_amount and true", "is a number, not true/false"),
        ('date("2021-13-01") < as_of', "date() cannot read '2021-13-01'"),
        ('field("filing_dat") < as_of', "not a field (did you mean 'filing_date'"),
        ("count_overseas(family_granted, $scope) > 0", "takes true/false as argument 2"),
        ("ipc == 3", "compares a list with a number"),
        ("count($awards) > 0", "count() takes a list field"),
        ("any_of(awards, family_granted)", "takes a literal or a $parameter as argument 2"),
        ("lapse_date < null", "use is_null()"),
        ("patent_type in ipc", "needs a single value on the left"),
    ],
)
def test_type_mistakes(text, expected):
    assert any(expected in problem for problem in typed(text)), typed(text)


@pytest.mark.parametrize(
    "text",
    [
        'patent_type == "invention" and status != "lapsed"',
        "pledge_amount >= $threshold",
        'years_between(field("filing_date"), as_of) > 10',
        "count_overseas(family_granted, $flag) > 0 or any_of(awards, $awards)",
        'ipc_in(ipc_scope(ipc, $scope), table("t"))',
        "is_null(lapse_date) or lapse_date > as_of",
        'grant_date <= date("2021-01-01")',
    ],
)
def test_well_typed_expressions_pass(text):
    assert typed(text) == []


# --- property: what types cleanly never fails at evaluation ----------------------------

LEAVES = [
    *(ast.Field(name) for name in FIELD_NAMES if name != "id"),
    ast.Field("as_of"),
    *(ast.Param(name) for name in PARAMS),
    *map(ast.Literal, [0, 2.5, 1000, True, None, "invention", "valid", "CN", "any", "main"]),
    ast.Literal("filing_date"),
    ast.ListLit((ast.Literal("US"), ast.Literal("JP"))),
    ast.Call("date", (ast.Literal("2015-06-30"),)),
]
FUNCTIONS = ["count", "count_overseas", "any_of", "years_between", "is_null", "ipc_scope", "field"]


def calls(inner):
    def build(name, args):
        arity = {"count": 1, "is_null": 1, "field": 1}.get(name, 2)
        return ast.Call(name, tuple(args[:arity]))

    return st.builds(build, st.sampled_from(FUNCTIONS), st.lists(inner, min_size=2, max_size=2))


expressions = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        calls(inner),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", ">="]), inner, inner),
        st.builds(ast.Arith, st.sampled_from("+-*"), inner, inner),
        st.builds(ast.In, inner, inner, st.booleans()),
        st.builds(lambda a, b: ast.BoolOp("and", (a, b)), inner, inner),
        st.builds(ast.Not, inner),
    ),
    max_leaves=5,
)
conditions = expressions.filter(
    lambda n: isinstance(n, ast.Compare | ast.BoolOp | ast.Not | ast.In)
)
records = st.fixed_dictionaries(
    {
        "filing_date": st.sampled_from(["2009-03-01", "2020-01-10"]),
        "lapse_date": st.sampled_from(["", "2022-05-05"]),
        "family_granted": st.sampled_from(["", "US;JP", "HK"]),
        "pledge_amount": st.sampled_from(["", "1200", "3.5"]),
        "awards": st.sampled_from(["", "china_patent_gold"]),
        "ipc": st.sampled_from(["A47J 27/00", "G06N 3/08;H04L 9/00"]),
        "status": st.sampled_from(["valid", "lapsed"]),
    }
)
ENV = Env(params=PARAMS, context={"as_of": pd.Timestamp("2023-12-31")})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(conditions, st.lists(records, min_size=1, max_size=4))
def test_well_typed_expressions_never_fail_at_evaluation(node, changes):
    fields = (*FIELD_NAMES, *CONTEXT_NAMES)
    assume(
        not check(node, fields=fields, params=PARAMS, field_types=FIELD_TYPES, param_values=PARAMS)
    )
    batch = batch_of(*changes)
    try:
        vector = VectorEvaluator(batch.columns, ENV, len(batch)).truth(node)
    except ExprError as err:  # a typed expression must not fail
        raise AssertionError(f"{ast.to_text(node)}: {err}") from None
    assert len(vector) == len(batch)
