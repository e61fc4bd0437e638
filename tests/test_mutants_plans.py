"""Plan judgement facts that mutation testing (scripts/mutation.sh plans) found unasserted.

Every expected value here is worked out by hand from the plan written below, not with the
package's own formulas.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ipscore.errors import InputError
from ipscore.plans.actuals import load_actuals
from ipscore.plans.progress import cagr, evaluate_plan, meets
from ipscore.plans.units import UnitError, check_unit
from ipscore.spec import load_rule_file
from tests.test_plans import PLAN

#: The test plan of test_plans.py plus an indicator with no attribute's category twin, and a
#: cumulative indicator whose own baseline year (2022) is not the plan's base year (2020).
PLAN_MORE = (
    PLAN
    + """  - {id: since, name: 自起, name_en: since, unit: 件, category: c, kind: cumulative,
     baseline: {value: 0, year: 2022}, target: {value: 50, year: 2025}, confidence: assumption}
"""
)


@pytest.fixture()
def plan(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_MORE, "utf-8")
    return load_rule_file(path)


def write_actuals(tmp_path, rows, columns=("region", "indicator", "year", "value", "unit")):
    path = tmp_path / "actuals.csv"
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def judged(plan, path, year, region="R"):
    return evaluate_plan(plan, load_actuals(path, plan, region), year)


def by_id(result):
    return {r.id: r for r in result.indicators}


# --- meets and cagr -----------------------------------------------------------------------


def test_equal_comparator_tolerates_rounding_only():
    assert meets(1e6, 1e6 + 1e-4, "=")  # relative difference 1e-10
    assert meets(0.0, 1e-13, "=")  # near zero only the absolute tolerance can say equal
    assert not meets(1.0, 1.001, "=")


def test_growth_to_zero_is_minus_100_percent():
    assert cagr(100, 0, 2) == -100.0
    assert cagr(100, 121, 2) == pytest.approx(10.0)
    assert cagr(100, 121, 0) is None and cagr(0, 121, 2) is None


# --- level, cumulative and growth figures -------------------------------------------------


def test_level_growth_so_far_is_the_annual_rate_since_the_baseline(plan, tmp_path):
    # 10 (2020) → 12.1 (2022): 10 % a year; 20 by 2025 needs (20/12.1)^(1/3) − 1 a year.
    up = by_id(judged(plan, write_actuals(tmp_path, [("R", "up", 2022, 12.1, "")]), 2022))["up"]
    assert up.growth_so_far == pytest.approx(10.0)
    assert up.required_growth == pytest.approx(((20 / 12.1) ** (1 / 3) - 1) * 100)
    assert up.required_growth == pytest.approx(18.2356, abs=1e-4)
    assert up.gap == pytest.approx(7.9)


def test_cumulative_gap_and_sources(plan, tmp_path):
    path = write_actuals(
        tmp_path,
        [("R", "added", 2021, 15, "", "公报2021"), ("R", "added", 2022, 20, "", "公报2022")],
        ("region", "indicator", "year", "value", "unit", "source"),
    )
    added = by_id(judged(plan, path, 2022))["added"]
    assert added.gap == 65  # 100 − (15 + 20)
    assert added.source == "公报2021; 公报2022"


def test_cumulative_time_runs_from_the_plans_base_year(plan, tmp_path):
    # Additions count after the plan's base year 2020, and so does time: 2 of 5 years.
    path = write_actuals(tmp_path, [("R", "since", 2022, 10, "")])
    since = by_id(judged(plan, path, 2022))["since"]
    assert since.elapsed == pytest.approx(0.4) and since.status == "lagging"  # 20 % < 40 %


def test_growth_rate_needed_for_the_rest_of_the_period(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "金额", 2020, 100, ""), ("R", "金额", 2022, 121, "")])
    growth = by_id(judged(plan, path, 2022))["growth"]
    # 6 % a year over 2020–2025 ends at 100 × 1.06^5 = 133.8226; from 121 in 2022 that
    # takes 3.4145 % a year for the 3 years left.
    assert growth.required_growth == pytest.approx(
        ((133.8226 / 121) ** (1 / 3) - 1) * 100, abs=1e-4
    )
    assert growth.required_growth == pytest.approx(3.4145, abs=1e-4)
    assert growth.progress == pytest.approx(10 / 6)
    at_the_end = write_actuals(
        tmp_path, [("R", "金额", 2020, 100, ""), ("R", "金额", 2025, 140, "")]
    )
    assert by_id(judged(plan, at_the_end, 2025))["growth"].required_growth is None


def test_growth_rate_without_a_later_level_has_no_data(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "金额", 2020, 100, "")])
    assert by_id(judged(plan, path, 2022))["growth"].status == "no_data"


def test_a_level_with_target_year_equal_to_its_baseline_year_is_all_elapsed(plan, tmp_path):
    up = plan.indicators[0]  # a baseline dated in the target year: nothing left to pace
    late = up.model_copy(update={"baseline": up.baseline.model_copy(update={"year": 2025})})
    same = plan.model_copy(update={"indicators": [late, *plan.indicators[1:]]})
    path = write_actuals(tmp_path, [("R", "up", 2024, 12, "")])
    assert by_id(judged(same, path, 2024))["up"].elapsed == 1.0


# --- the result as JSON -------------------------------------------------------------------


def test_plan_json_names_and_groups(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "up", 2025, 20, ""), ("R", "down", 2025, 6, "")])
    data = judged(plan, path, 2025).to_json()
    assert (data["plan"], data["region"], data["year"]) == ("test-plan", "R", 2025)
    assert (data["base_year"], data["target_year"]) == (2020, 2025)
    assert [i["id"] for i in data["indicators"]] == ["up", "down", "added", "growth", "since"]
    assert data["indicators"][0]["status"] == "met"
    # No indicator has an attribute: all five are grouped as unspecified; all in category c.
    assert data["by_attribute"]["unspecified"]["met"] == 1
    assert data["by_category"]["c"]["not_met"] == 1 and data["by_category"]["c"]["no_data"] == 3
    assert data["assumptions"] == judged(plan, path, 2025).assumptions and data["assumptions"]


# --- actuals ------------------------------------------------------------------------------


def test_with_row_replaces_one_year_and_marks_it_derived(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "up", 2021, 11, ""), ("R", "up", 2022, 12, "")])
    actuals = load_actuals(path, plan, "R").with_row("up", 2022, 16.0, "what-if")
    assert actuals.region == "R"
    rows = actuals.for_indicator("up", 2025)
    assert rows["year"].tolist() == [2021, 2022] and rows["value"].tolist() == [11, 16]
    assert rows["derived"].tolist() == [False, True] and rows["source"].iloc[1] == "what-if"
    assert list(rows.index) == [0, 1]
    up = by_id(evaluate_plan(plan, actuals, 2022))["up"]
    assert (up.actual, up.derived, up.source) == (16, True, "what-if")


def test_actuals_without_unit_column_carry_their_source(plan, tmp_path):
    path = write_actuals(
        tmp_path,
        [("R", "up", 2022, "160,000", "统计公报")],
        ("region", "indicator", "year", "value", "source"),
    )
    up = by_id(judged(plan, path, 2022))["up"]
    assert up.actual == 160_000 and up.source == "统计公报"


def test_region_names_are_trimmed_and_numeric_region_codes_read_as_text(plan, tmp_path):
    path = write_actuals(tmp_path, [(" R ", "up", 2022, 16, "")])
    assert by_id(judged(plan, path, 2022))["up"].actual == 16
    coded = write_actuals(tmp_path, [("440000", "up", 2022, 16, "")])
    assert by_id(judged(plan, coded, 2022, "440000"))["up"].actual == 16


def test_every_bad_row_is_reported_on_its_own_line(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "up", 2022, "x", ""), ("R", "up", 2023, "y", "")])
    with pytest.raises(InputError) as caught:
        load_actuals(path, plan, "R")
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{path}:2: ")
    assert lines[1].startswith(f"{path}:3: ")


def test_a_directory_is_not_an_actuals_file(plan, tmp_path):
    with pytest.raises(InputError, match=r"is a directory, not a file"):
        load_actuals(tmp_path, plan, "R")


@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX", ".xlsm"])
def test_workbook_actuals_with_blank_cells(plan, tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "地区": ["R", "R"],
            "指标": ["up", "added"],
            "年份": [2022, 2022],
            "数值": [16, 5],
            "单位": [None, "件"],
            "来源": ["公报", None],
        }
    )
    path = tmp_path / f"actuals{suffix}"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
    found = by_id(judged(plan, path, 2022))
    assert (found["up"].actual, found["up"].source) == (16, "公报")
    assert found["added"].actual == 5 and found["added"].source == ""
    assert not math.isnan(found["added"].progress)


def test_the_result_repeats_the_indicators_definition_and_attainment(plan, tmp_path):
    path = write_actuals(tmp_path, [("R", "up", 2022, 16, ""), ("R", "down", 2022, 8, "")])
    found = by_id(judged(plan, path, 2022))
    up, down = found["up"], found["down"]
    assert (up.kind, up.baseline_year, up.target_year) == ("level", 2020, 2025)
    assert up.attainment == pytest.approx(0.8)  # 16 of 20
    assert down.attainment == pytest.approx(5 / 8)  # ≤ 5 wanted, 8 reached
    assert up.rule_source == "test" and up.rule_source_inherited


def test_attainment_of_a_target_of_one(plan, tmp_path):
    up = plan.indicators[0]
    one = up.model_copy(update={"target": up.target.model_copy(update={"value": 1.0})})
    same = plan.model_copy(update={"indicators": [one]})
    path = write_actuals(tmp_path, [("R", "up", 2022, 0.5, "")])
    assert by_id(judged(same, path, 2022))["up"].attainment == pytest.approx(0.5)


def test_an_indicators_own_source_is_cited(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        PLAN.replace(
            "confidence: assumption}\n  - {id: down",
            "confidence: assumption,\n     source: {document: 纲要表1, confidence: confirmed}}"
            "\n  - {id: down",
            1,
        ),
        "utf-8",
    )
    plan = load_rule_file(path)
    found = by_id(judged(plan, write_actuals(tmp_path, [("R", "up", 2022, 16, "")]), 2022))
    assert found["up"].rule_source.startswith("纲要表1") and not found["up"].rule_source_inherited
    assert found["down"].rule_source == "test" and found["down"].rule_source_inherited


def test_unit_powers_are_limited():
    with pytest.raises(UnitError, match=r"unit 'm\*\*5': powers above 4"):
        check_unit("m**5")
