"""The command line: output contract, exit codes and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from tests.conftest import BASE

runner = CliRunner()
DEMO = str(api.DEMO_PATENTS)
RULE_FILE = Path(api.resolve_rule("cn-high-value-invention")._origin)


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def demo_json():
    result = run("demo", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_json_contract_and_calibration(demo_json):
    keys = {
        "rules",
        "version",
        "as_of",
        "read",
        "rejected",
        "eligible",
        "high_value",
        "criteria",
        "assumptions",
        "regions",
    }
    assert keys <= demo_json.keys()
    assert demo_json["read"] == 24_012 and demo_json["rejected"] == 12
    assert demo_json["read"] == demo_json["evaluated"] + demo_json["rejected"]
    share = demo_json["high_value"] / demo_json["eligible"]
    sei_share = demo_json["criteria"]["strategic_emerging"] / demo_json["high_value"]
    assert 0.40 <= share <= 0.46 and 0.67 <= sei_share <= 0.73
    assert len(demo_json["regions"]) == 21
    assert {a["name"] for a in demo_json["assumptions"]} == {
        "maintenance_start",
        "pledge_threshold",
        "hk_mo_tw_is_overseas",
        "eligible_awards",
        "sei_ipc_scope",
        "sei_keywords",
    }


def test_demo_report_is_labelled_synthetic():
    result = run("demo")
    assert result.exit_code == 0
    assert "SYNTHETIC" in result.stdout and "SAMPLE" not in result.stdout
    assert "国知办函规字〔2021〕121号" in result.stdout  # the real table, named
    assert "✓ 24,012 = 24,000 + 12" in result.stdout


def test_classify_writes_verdicts_and_rejects(tmp_path, demo_json):
    out, rejects = tmp_path / "v.parquet", tmp_path / "r.csv"
    result = run(
        "classify",
        DEMO,
        "--as-of",
        "2023-12-31",
        "--out",
        str(out),
        "--rejects",
        str(rejects),
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["high_value"] == demo_json["high_value"]
    verdicts = pd.read_parquet(out)
    assert {
        "id",
        "eligible",
        "high_value",
        "invention",
        "in_force",
        "domestic",
        "strategic_emerging",
        "overseas_family",
        "maintained",
        "pledge",
        "award",
        "reasons",
    } <= set(verdicts.columns)
    assert verdicts["high_value"].sum() == demo_json["high_value"]
    assert len(pd.read_csv(rejects)) == 12
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_out_format_follows_the_extension(tmp_path, suffix):
    path = tmp_path / "small.csv"
    pd.DataFrame([BASE]).to_csv(path, index=False)
    result = run("classify", str(path), "--out", str(tmp_path / f"v{suffix}"), "--json")
    assert result.exit_code == 0 and (tmp_path / f"v{suffix}").stat().st_size > 0


def test_explain_json(tmp_path):
    result = run("explain", DEMO, "CN201200000211", "--as-of", "2023-12-31", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    assert data["eligible"] is False and data["high_value"] is False
    by_id = {c["id"]: c for c in data["conditions"]}
    assert by_id["domestic"]["passed"] is False
    assert by_id["domestic"]["evidence"] == {"owner_country": "TW"}
    assert by_id["maintained"]["evidence"]["filing_date"] == "2012-08-28"
    assert by_id["maintained"]["kind"] == "criterion" and by_id["maintained"]["source"]
    # G03G 15/00 falls under rule 4 of the SEI–IPC table (G03G*, 1.2 电子核心产业); the
    # second code, F25D 23/00, under none. (This used to restate passed = any(matched).)
    matches = by_id["strategic_emerging"]["matches"]
    assert by_id["strategic_emerging"]["passed"] is True
    assert [(m["code"], m["industry"], m["rule_no"], m["matched"]) for m in matches] == [
        ("G03G 15/00", "1.2", 4, True)
    ]


def test_explain_a_rejected_patent_says_why():
    result = run("explain", DEMO, "CN202500018419X", "--as-of", "2023-12-31")
    assert result.exit_code == 2 and "impossible date" in result.stderr


def test_missing_columns_exit_2_and_are_named(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([{"id": "x"}]).to_csv(path, index=False)
    result = run("classify", str(path))
    assert result.exit_code == 2 and "filing_date" in result.stderr and result.stdout == ""


def broken_rule(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the bundled rule with one edit, beside a copy of its SEI table."""
    text = RULE_FILE.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "patents").mkdir(exist_ok=True)
    (tmp_path / "tables").mkdir(exist_ok=True)
    for table in (RULE_FILE.parent.parent / "tables").glob("sei-*"):
        (tmp_path / "tables" / table.name).write_bytes(table.read_bytes())
    path = tmp_path / "patents" / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "when: 'pledge_amount >= $pledge_threshold'",
            "when: 'pledge_amount >= $pledge_treshold'",
            "unknown parameter $pledge_treshold (did you mean 'pledge_threshold'?)",
        ),
        ("when: 'pledge_amount >= $pledge_threshold'", "when: 'pledge_amount >>= 3'", "unexpected"),
        (
            "        label: 实现较高质押融资金额的发明专利\n",
            "        labl: x\n        label: y\n",
            "unknown key",
        ),
        ("effective: {from: 2026-01-01}", "effective: {from: 2025-06-01}", "versions overlap"),
        ("title_en: High", "title_en: [High", "YAML syntax"),
    ],
)
def test_broken_rule_files_exit_2_with_file_and_line(tmp_path, old, new, message):
    path = broken_rule(tmp_path, old, new)
    for args in (("rules", "check", str(path)), ("classify", DEMO, "--rules", str(path))):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr and f"{path}:" in result.stderr


def test_line_number_points_at_the_bad_expression(tmp_path):
    path = broken_rule(
        tmp_path, "when: 'pledge_amount >= $pledge_threshold'", "when: 'pledge_amount >= $nope'"
    )
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "$nope" in text)
    assert f"{path}:{line}:" in run("rules", "check", str(path)).stderr


def test_rules_commands():
    listed = json.loads(run("rules", "list", "--json").stdout)
    assert sorted(r["id"] for r in listed) == sorted(
        [
            "cn-high-value-invention",
            "cn-14th-ip",
            "gd-13th-ip",
            "gd-14th-ip",
            "gx-2022-ip",
            "gz-14th-ip",
            "gd-strong-city",
            "portfolio",
            "cn-province-example",
        ]
    )
    for id_ in ("cn-high-value-invention", "gd-13th-ip", "gd-strong-city"):
        assert id_ in run("rules", "list").stdout
        assert run("rules", "show", id_).exit_code == 0
    shown = json.loads(run("rules", "show", "cn-high-value-invention", "--json").stdout)
    assert shown["versions"][0]["parameters"]["pledge_threshold"]["confidence"] == "assumption"
    assert run("rules", "check").exit_code == 0
    tested = run("rules", "test")
    assert tested.exit_code == 0 and "0 failed" in tested.stdout


def test_failing_example_exits_1(tmp_path):
    path = broken_rule(
        tmp_path,
        "expect: {pledge: true, high_value: true}",
        "expect: {pledge: false, high_value: true}",
    )
    result = run("rules", "test", str(path))
    assert result.exit_code == 1 and "1 failed" in result.stdout


def test_unknown_rule_id_suggests(tmp_path):
    result = run("classify", DEMO, "--rules", "cn-high-value-inventoin")
    assert result.exit_code == 2 and "did you mean 'cn-high-value-invention'" in result.stderr


def test_monitor_json_contract():
    result = run("monitor", "gd-13th-ip", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"plan", "region", "year", "indicators", "summary"} <= data.keys()
    keys = {
        "id",
        "name",
        "unit",
        "baseline",
        "target",
        "comparator",
        "kind",
        "actual",
        "actual_year",
        "progress",
        "elapsed",
        "status",
        "required_growth",
    }
    assert all(keys <= indicator.keys() for indicator in data["indicators"])
    summary = data["summary"]
    assert (summary["met"], summary["not_met"], summary["no_data"]) == (15, 3, 0)
    assert round(summary["completion_rate"], 4) == 0.8333


def test_monitor_report_groups_by_category():
    result = run("monitor", "gd-13th-ip")
    assert result.exit_code == 0
    for category in ("知识产权创造", "知识产权运用", "知识产权保护", "知识产权服务"):
        assert category in result.stdout
    assert "15 of 18 met" in result.stdout


def test_monitor_from_patents_derives_the_per_10k_indicator():
    result = run(
        "monitor",
        "gz-14th-ip",
        "--from-patents",
        DEMO,
        "--population",
        str(api.DEMO_POPULATION),
        "--year",
        "2023",
        "--json",
    )
    assert result.exit_code == 0, result.output
    hv = json.loads(result.stdout)["indicators"][0]
    classified = json.loads(run("demo", "--json").stdout)
    guangzhou = next(r for r in classified["regions"] if r["region"] == "广州市")
    assert hv["derived"] and hv["actual_year"] == 2023
    assert hv["actual"] == pytest.approx(guangzhou["per_10k"])
    assert "high-value patents" in hv["source"]


def test_monitor_bad_actuals_exit_2(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("region,indicator,year,value\n广东省,发明专利有效量,2020,lots\n", "utf-8")
    result = run("monitor", "gd-13th-ip", "--actuals", str(path))
    assert result.exit_code == 2 and f"{path}:2:" in result.stderr and result.stdout == ""


def test_rules_show_a_plan():
    result = run("rules", "show", "gd-14th-ip", "--json")
    data = json.loads(result.stdout)
    assert data["kind"] == "plan" and data["indicators"][0]["target"]["value"] == 20
