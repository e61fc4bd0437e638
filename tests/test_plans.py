"""Plan monitoring: the published tables, the status rules, bad actuals."""

from __future__ import annotations

import pandas as pd
import pytest

from ipscore import api
from ipscore.errors import InputError
from ipscore.plans.actuals import load_actuals
from ipscore.plans.progress import evaluate_plan
from ipscore.spec import RuleFileError, load_rule_file
from tests.sources import GD_PLAN, gd_13th_completion_table

PLANS = ["cn-14th-ip", "gd-13th-ip", "gd-14th-ip", "gz-14th-ip", "gx-2022-ip"]


def test_all_five_plans_load():
    plans = {p: api.resolve_rule(p) for p in PLANS}
    assert [len(plans[p].indicators) for p in PLANS] == [8, 18, 15, 7, 4]
    assert {p.kind for p in plans.values()} == {"plan"}


def test_gd_13th_rule_file_matches_the_published_table():
    plan = api.resolve_rule("gd-13th-ip")
    published = gd_13th_completion_table()
    assert len(published) == 18
    for row, indicator in zip(published, plan.indicators, strict=True):
        assert (indicator.name, indicator.unit, indicator.category, indicator.target.value) == (
            row["name"],
            row["unit"],
            row["category"],
            row["target"],
        )


def test_gd_13th_completion_comes_out_exactly_as_published():
    published = {r["name"]: r for r in gd_13th_completion_table()}
    result = api.monitor("gd-13th-ip")
    assert result.region == "广东省" and result.year == 2020
    for r in result.indicators:  # the bundled actuals are the published 完成值
        assert r.actual == published[r.name]["achieved"] and r.actual_year == 2020
    not_met = {r.name: (r.actual, r.target) for r in result.indicators if r.status == "not_met"}
    assert not_met == {
        "农产品地理标志登记": (54, 100),
        "版权产业对国民经济的贡献率": (8.7, 9),
        "知识产权保护社会满意度": (75.07, 80),
    }
    summary = result.counts()
    assert (summary["met"], summary["not_met"]) == (15, 3)
    assert summary["completion_rate"] == pytest.approx(15 / 18)


@pytest.mark.parametrize(
    ("name", "base", "target"),
    [
        ("每万人口高价值发明专利拥有量", 13.5, 20),
        ("版权产业增加值占地区生产总值比重", 8.7, 9.2),
        ("广东发明专利申请代理授权率", 56.5, 60),
        ("商标品牌发展指数", 87.95, 90),
    ],
)
def test_gd_14th_values_match_the_published_table(name, base, target):
    text = "".join(GD_PLAN.read_text("utf-8").split())
    indicator = api.resolve_rule("gd-14th-ip").indicator(name)
    assert (indicator.baseline.value, indicator.target.value) == (base, target)
    published_name = name.replace("品牌", "**")  # the source masks 品牌
    assert f"{published_name}{'件' if '万人口' in name else ''}" in text or published_name in text
    assert f"{base:g}" in text and f"{target:g}" in text


def test_guangzhou_2021_against_2025():
    result = api.monitor("gz-14th-ip")
    hv = result.indicators[0]
    assert (hv.actual, hv.actual_year, hv.status) == (20, 2021, "no_baseline")
    assert hv.required_growth == pytest.approx(((30 / 20) ** (1 / 4) - 1) * 100)
    assert {r.status for r in result.indicators[1:]} == {"no_data"}


def test_guangxi_2021_is_the_base_year():
    hv = api.monitor("gx-2022-ip").indicators[0]
    assert (hv.actual, hv.elapsed, hv.status) == (1.59, 0.0, "on_track")
    assert hv.required_growth == pytest.approx((1.8 / 1.59 - 1) * 100)


# --- the status rules on a plan written for the tests --------------------------------

PLAN = """
id: test-plan
title: 测试
title_en: Test
kind: plan
region: R
source: {document: test, confidence: unconfirmed}
base_year: 2020
target_year: 2025
categories: [c]
series:
  - {id: amount, name: 金额, unit: 亿元}
indicators:
  - {id: up, name: 上升, name_en: up, unit: 万件, category: c, kind: level,
     baseline: {value: 10, year: 2020}, target: {value: 20, year: 2025}, confidence: assumption}
  - {id: down, name: 下降, name_en: down, unit: "%", category: c, kind: share,
     baseline: {value: 10, year: 2020}, target: {value: 5, year: 2025, comparator: "<="},
     confidence: assumption}
  - {id: added, name: 新增, name_en: added, unit: 件, category: c, kind: cumulative,
     target: {value: 100, year: 2025}, confidence: assumption}
  - {id: growth, name: 增长, name_en: growth, unit: "%", category: c, kind: growth_rate,
     grows: amount, target: {value: 6, year: 2025}, confidence: assumption}
"""


@pytest.fixture()
def plan(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, "utf-8")
    return load_rule_file(path)


def judge(plan, tmp_path, rows, year):
    path = tmp_path / "actuals.csv"
    pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "unit"]).to_csv(
        path, index=False
    )
    return {r.id: r for r in evaluate_plan(plan, load_actuals(path, plan, "R"), year).indicators}


@pytest.mark.parametrize(
    ("value", "status"), [(16, "on_track"), (13, "lagging"), (20, "met_early"), (25, "met_early")]
)
def test_level_status_against_elapsed_time(plan, tmp_path, value, status):
    # 2022: 40 % of the period elapsed; 16 is 60 % of the way from 10 to 20.
    assert judge(plan, tmp_path, [("R", "up", 2022, value, "")], 2022)["up"].status == status


def test_units_convert_declared_units(plan, tmp_path):
    result = judge(plan, tmp_path, [("R", "上升", 2022, 160_000, "件")], 2022)["up"]
    assert result.actual == 16 and result.status == "on_track"


def test_at_the_target_year_met_or_not_met(plan, tmp_path):
    result = judge(plan, tmp_path, [("R", "up", 2025, 19.9, ""), ("R", "down", 2025, 5, "")], 2026)
    assert result["up"].status == "not_met" and result["down"].status == "met"


def test_lower_is_better_reverses_the_comparisons(plan, tmp_path):
    result = judge(plan, tmp_path, [("R", "down", 2022, 7, "")], 2022)["down"]
    assert result.progress == pytest.approx(0.6) and result.status == "on_track"
    assert judge(plan, tmp_path, [("R", "down", 2022, 11, "")], 2022)["down"].status == "lagging"
    assert judge(plan, tmp_path, [("R", "down", 2022, 4, "")], 2022)["down"].status == "met_early"


def test_latest_actual_at_or_before_the_year(plan, tmp_path):
    rows = [("R", "up", 2021, 12, ""), ("R", "up", 2023, 18, ""), ("R", "up", 2024, 30, "")]
    result = judge(plan, tmp_path, rows, 2023)["up"]
    assert (result.actual, result.actual_year) == (18, 2023)


def test_cumulative_sums_additions_after_the_base_year(plan, tmp_path):
    rows = [("R", "added", y, v, "") for y, v in ((2020, 999), (2021, 15), (2022, 20))]
    result = judge(plan, tmp_path, rows, 2022)["added"]
    assert result.actual == 35 and result.progress == pytest.approx(0.35)
    assert result.status == "lagging"  # 35 % done, 40 % of the time gone
    assert result.required_per_year == pytest.approx(65 / 3)


def test_growth_rate_derived_from_the_series_levels(plan, tmp_path):
    rows = [("R", "金额", 2020, 100, ""), ("R", "金额", 2022, 121, "")]
    result = judge(plan, tmp_path, rows, 2022)["growth"]
    assert result.actual == pytest.approx(10.0) and result.derived
    assert result.status == "on_track"


def test_missing_year_is_no_data(plan, tmp_path):
    result = judge(plan, tmp_path, [("R", "up", 2024, 19, "")], 2022)
    assert {r.status for r in result.values()} == {"no_data"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("R", "上生", 2022, 1, ""), "unknown indicator '上生' for plan test-plan (did you mean"),
        (("R", "up", 2022, "many", ""), "is not a number"),
        (("R", "up", 2022, 1, "亿元"), "unit mismatch"),
        (("R", "up", "2022.5", 1, ""), "not a whole number"),
    ],
)
def test_bad_actuals_name_the_line(plan, tmp_path, row, message):
    with pytest.raises(InputError, match=r"actuals.csv:3: ") as caught:
        judge(plan, tmp_path, [("R", "up", 2021, 1, ""), row], 2022)
    assert message in str(caught.value)


def test_repeated_region_indicator_year(plan, tmp_path):
    rows = [("R", "up", 2021, 1, ""), ("R", "上升", 2021, 2, "")]
    with pytest.raises(InputError, match=r"actuals.csv:3: repeats R / up / 2021"):
        judge(plan, tmp_path, rows, 2022)


def test_unknown_region_lists_the_regions(plan, tmp_path):
    with pytest.raises(InputError, match=r"no rows for region .R..*regions in the file: Q"):
        judge(plan, tmp_path, [("Q", "up", 2021, 1, "")], 2022)


def test_target_year_before_base_year_is_a_rule_error(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.replace("target_year: 2025", "target_year: 2019"), "utf-8")
    with pytest.raises(RuleFileError, match="target_year 2019 is not after base_year 2020"):
        load_rule_file(path)
    path.write_text(
        PLAN.replace("target: {value: 20, year: 2025}", "target: {value: 20, year: 2019}"), "utf-8"
    )
    with pytest.raises(RuleFileError, match=r"plan.yaml:\d+: indicators\[0\].target.year"):
        load_rule_file(path)
