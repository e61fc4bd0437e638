"""What-ifs: scenarios never touch the baseline, edits do what they say, goals solve."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from ipscore.errors import InputError
from ipscore.patents.classify import evaluate, prepare
from ipscore.scenarios.files import library, load_scenario
from ipscore.scenarios.models import Scenario
from ipscore.scenarios.run import ClassifyRunner, compare, metric, with_value
from ipscore.scenarios.solve import parse_range, seek, sweep

runner = CliRunner()
DEMO_BASE = {"evaluate": "classify", "patents": "demo", "population": "demo", "as_of": "2023-12-31"}


def scenario(*changes, **base) -> Scenario:
    return Scenario(id="t", title="t", base={**DEMO_BASE, **base}, changes=list(changes))


@pytest.fixture(scope="module")
def demo_runner():
    return ClassifyRunner(scenario().base)


def test_every_bundled_scenario_runs():
    ids = {path.stem for path in library()}
    assert {
        "pledge-threshold-500",
        "four-criteria-2026",
        "guangzhou-30-by-2025",
        "renew-2014-filings",
        "shenzhen-b65d-us-family",
    } <= ids
    for path in library():
        data = compare(load_scenario(path)).to_json()
        assert {"scenario", "baseline", "result", "delta", "flipped"} <= data.keys()


def test_four_criterion_reading_only_drops_pledge_only_patents():
    data = compare(load_scenario("four-criteria-2026")).to_json()
    summary = data["flipped_summary"]
    assert summary["lost"] == summary["count"] == -data["delta"]["high_value"] > 0
    assert set(summary["by_reason"]) == {"pledge → eligible; no criterion met"}
    assert "pledge" not in data["result"]["criteria"]


def test_renewing_2014_filings_only_adds_maintained_patents():
    data = compare(load_scenario("renew-2014-filings")).to_json()
    assert data["flipped_summary"]["gained"] == data["flipped_summary"]["count"] > 0
    assert all(
        reason.split(" → ")[1].count("maintained")
        for reason in data["flipped_summary"]["by_reason"]
    )
    assert all(p["id"].startswith("CN2014") for p in data["flipped"])


def test_us_family_edit_matches_ipc_by_level(demo_runner):
    data = compare(load_scenario("shenzhen-b65d-us-family"), demo_runner).to_json()
    assert data["delta"]["criteria"]["overseas_family"] > 0
    assert set(data["delta"]["regions"]) == {"深圳市"}


def test_clone_adds_patents_modelled_on_a_template(demo_runner):
    template = "CN200600000026"
    edit = {"patents": {"where": f'id == "{template}"', "clone": 5}}
    result = demo_runner.evaluate(scenario(edit).changes)
    added = result.verdicts.iloc[len(demo_runner.baseline.verdicts) :]
    assert len(added) == 5 and added["high_value"].all()
    assert added["id"].tolist() == [f"{template}+S{k}" for k in range(1, 6)]
    assert result.high_value == demo_runner.baseline.high_value + 5


def test_guangzhou_goal_matches_the_required_growth():
    solution = seek(load_scenario("guangzhou-30-by-2025"))
    required = api.monitor("gz-14th-ip").indicators[0].required_growth
    assert solution.reachable and solution.monotone
    assert solution.value == pytest.approx(required, abs=1e-3)
    assert solution.metric >= 30


def test_unreachable_goal_says_so_with_the_best_value():
    chosen = load_scenario("guangzhou-30-by-2025")
    goal = chosen.goal.model_copy(update={"high": 5.0})
    solution = seek(chosen, goal)
    assert not solution.reachable and solution.value is None
    assert solution.best_value == 5.0 and solution.best_metric < 30


def test_sweep_is_monotone_in_the_pledge_threshold():
    key, values = parse_range("cn-high-value-invention.pledge_threshold=0:2000:500")
    assert values == [0, 500, 1000, 1500, 2000]
    rows = sweep(load_scenario("pledge-threshold-500"), key, values, ["high_value"])
    counts = [r["high_value"] for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_metric_paths():
    result = {"regions": [{"region": "广州市", "per_10k": 3.0}], "criteria": {"pledge": 2}}
    assert metric(result, "regions[广州市].per_10k") == 3.0
    assert metric(result, "criteria.pledge") == 2
    with pytest.raises(KeyError, match="did you mean 'criteria'"):
        metric(result, "criterai.pledge")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0, 3000), st.booleans(), st.sampled_from(["深圳市", "广州市", "珠海市"]))
def test_a_scenario_never_changes_the_baseline(demo_runner, threshold, hk, region):
    changes = scenario(
        {
            "set": {
                "cn-high-value-invention.pledge_threshold": threshold,
                "cn-high-value-invention.hk_mo_tw_is_overseas": hk,
            }
        },
        {
            "patents": {
                "where": f'region == "{region}"',
                "add": {"family_granted": "US"},
                "renew": True,
            }
        },
        {"population": {"region": region, "year": 2023, "value": 1000}},
    ).changes
    before = demo_runner.evaluate([]).to_json()
    demo_runner.evaluate(changes)
    after = demo_runner.evaluate([]).to_json()
    assert before == after == demo_runner.baseline.to_json()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0, 3000), st.sampled_from(["filing_date", "grant_date"]))
def test_reused_conditions_equal_a_fresh_evaluation(demo_runner, threshold, start):
    overrides = {"pledge_threshold": threshold, "maintenance_start": start}
    prepared = prepare(demo_runner.rule, demo_runner.as_of, overrides)
    base = demo_runner.baseline
    reused = evaluate(
        demo_runner.batch, prepared, (demo_runner.batch, base.prepared, base.verdicts)
    )
    assert reused.equals(evaluate(demo_runner.batch, prepared))


def test_dated_override_for_another_version_is_an_error(demo_runner):
    other = {"set": {"cn-high-value-invention.maintenance_years": 5}, "effective": "2026-06-01"}
    with pytest.raises(InputError, match="would not apply at as_of 2023-12-31"):
        demo_runner.evaluate(scenario(other).changes)
    before = {"set": {"cn-high-value-invention.maintenance_years": 5}, "effective": "2019-01-01"}
    with pytest.raises(LookupError, match="no version in force on 2019-01-01"):
        demo_runner.evaluate(scenario(before).changes)


def test_unknown_keys_exit_2_with_close_matches(tmp_path):
    result = runner.invoke(
        app, ["whatif", "--base", "demo", "--set", "cn-high-value-invention.pledge_treshold=500"]
    )
    assert result.exit_code == 2 and "did you mean 'pledge_threshold'" in result.stderr
    result = runner.invoke(app, ["sweep", "guangzhou-30-by-2025", "--vary", "growht.growth=0:1:1"])
    assert result.exit_code == 2 and "unknown key 'growht.growth'" in result.stderr
    assert "growth.<field>" in result.stderr
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: x\ntitle: x\nbase: {evaluate: classify, patents: demo}\nchnages: []\n", "utf-8"
    )
    result = runner.invoke(app, ["whatif", str(path)])
    assert result.exit_code == 2 and f"{path}:4: chnages: unknown key" in result.stderr


def test_type_mismatch_is_caught():
    result = runner.invoke(
        app,
        ["whatif", "--base", "demo", "--set", "cn-high-value-invention.hk_mo_tw_is_overseas=maybe"],
    )
    assert result.exit_code == 2 and "is not a bool" in result.stderr


def test_whatif_json_blocks_have_the_classify_shape():
    result = runner.invoke(app, ["whatif", "pledge-threshold-500", "--json"])
    data = json.loads(result.stdout)
    classify = json.loads(runner.invoke(app, ["demo", "--json"]).stdout)
    assert data["baseline"] == classify
    assert data["result"].keys() == classify.keys()
    assert data["delta"]["criteria"]["pledge"] == (
        data["result"]["criteria"]["pledge"] - classify["criteria"]["pledge"]
    )


def test_goal_json():
    result = runner.invoke(app, ["goal", "guangzhou-30-by-2025", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["solution"]["reachable"]
    assert data["result"]["indicators"][0]["status"] == "met"


def test_with_value_on_a_change_field():
    chosen = with_value(load_scenario("guangzhou-30-by-2025"), "growth.growth", 12.5)
    assert chosen.changes[0].actuals.project.growth == 12.5


def test_as_of_default_is_used_for_classify_bases():
    chosen = Scenario(id="x", title="x", base={"evaluate": "classify", "patents": "demo"})
    assert ClassifyRunner(chosen.base).as_of == api.default_as_of()
    assert api.default_as_of(dt.date(2026, 11, 22)) == dt.date(2025, 12, 31)


def test_strong_city_weights_scenario():
    data = compare(load_scenario("strong-city-weights")).to_json()
    assert data["baseline"] == api.score_index("gd-strong-city").to_json()
    zhuhai = {u["unit"]: u for u in data["result"]["units"]}["珠海市"]
    assert zhuhai["status"] == "not_qualified"  # 61.2 → 55.8 under the new weights
    assert data["delta"]["units"]["珠海市"]["score"] < 0
    result = runner.invoke(
        app, ["whatif", "strong-city-weights", "--set", "gd-strong-city.protection.weight=-1"]
    )
    assert result.exit_code == 2 and "negative weight" in result.stderr
    rows = sweep(
        load_scenario("strong-city-weights"),
        "gd-strong-city.protection.weight",
        [0.1, 0.3, 0.5],
        ["units[珠海市].score"],
    )
    scores = [r["units[珠海市].score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
