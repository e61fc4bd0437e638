"""Every command that produces a result shows the assumptions and unconfirmed values it
used: in the terminal, in --json (a top-level `assumptions` list) and in its report.

The commands are discovered from the typer app: a new command needs a case here, or a
reason in NOT_RESULTS, or this test fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from ipscore import api
from ipscore.assumptions import FIELDS
from ipscore.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
PATENTS = str(FIXTURES / "patsnap-style.csv")  # 10 rows: fast
DATA = Path(api.DEMO_PATENTS).parent
EVENTS = str(DATA / "demo-events-SYNTHETIC.jsonl")
PORTFOLIO = str(DATA / "demo-portfolio-SYNTHETIC.csv")

#: Commands that evaluate nothing, so use no assumption.
NOT_RESULTS = {
    "rules": "lists, shows, checks and tests rule files (rules show prints every value)",
    "sei": "looks IPC codes up in the table",
}

#: Each result command on small bundled data, and one assumption its result must list.
CASES: dict[str, tuple[list[str], str]] = {
    "classify": ([PATENTS, "--as-of", "2023-12-31"], "pledge_threshold"),
    "demo": ([], "sei_keywords"),
    "explain": ([PATENTS, "CN201910561574.9", "--as-of", "2023-12-31"], "sei_ipc_scope"),
    "monitor": (["cn-14th-ip"], "overseas_invention_grants.baseline"),
    "score": (["gd-strong-city"], "gate.ip_bureau"),
    "whatif": (
        [
            "--base",
            PATENTS,
            "--as-of",
            "2023-12-31",
            "--set",
            "cn-high-value-invention.pledge_threshold=500",
        ],
        "pledge_threshold",
    ),
    "sweep": (
        [
            "strong-city-weights",
            "--vary",
            "gd-strong-city.protection.weight=0.2:0.4:0.2",
            "--metric",
            "units[珠海市].rank",
        ],
        "creation.weight",
    ),
    "goal": (["guangzhou-30-by-2025"], "scenario.growth"),
    "watch": ([EVENTS, "--initial", PORTFOLIO, "--until", "2026-03-01"], "rule_version"),
    "advise": ([PATENTS, "--as-of", "2023-12-31"], "all_annuities_paid"),
}


def commands() -> list[str]:
    return sorted(typer.main.get_command(app).commands)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def json_result(stdout: str) -> dict:
    """The JSON document; `watch --json` writes one line per transition, then the summary."""
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        return json.loads(stdout.strip().splitlines()[-1])


def test_every_command_is_covered():
    missing = [c for c in commands() if c not in CASES and c not in NOT_RESULTS]
    assert not missing, f"commands with no assumptions case: {missing}"
    assert set(CASES) <= set(commands())


@pytest.fixture(scope="module", params=sorted(CASES))
def ran(request) -> tuple[str, dict, str]:
    name = request.param
    args, _ = CASES[name]
    data = json_result(invoke(name, *args, "--json"))
    text = invoke(name, *args)
    return name, data, text


def test_json_lists_assumptions_in_one_shape(ran):
    name, data, _ = ran
    items = data.get("assumptions")
    assert isinstance(items, list) and items, f"{name} --json has no assumptions"
    for item in items:
        assert set(FIELDS) <= set(item), (name, item)
        assert item["confidence"] in ("assumption", "unconfirmed"), (name, item)
        assert item["note"], (name, item)
    assert CASES[name][1] in {a["name"] for a in items}


def test_terminal_shows_every_assumption(ran):
    name, data, text = ran
    assert "Assumptions used" in text, f"{name}: no assumptions table in the terminal"
    for item in data["assumptions"]:
        assert item["name"] in text, (name, item["name"])


def test_inherited_sources_are_marked(ran):
    """A value without its own source shows the rule file's, marked as inherited."""
    name, data, text = ran
    for item in data["assumptions"]:
        if item["source_inherited"]:
            assert item["source"], (name, item)
    if any(a["source_inherited"] for a in data["assumptions"]):
        assert "(file source)" in text


def test_monitor_shows_each_indicators_confidence():
    data = json_result(invoke("monitor", "cn-14th-ip", "--json"))
    confidence = {i["id"]: i for i in data["indicators"]}
    assert all("confidence" in i for i in data["indicators"])
    assert confidence["overseas_invention_grants"]["confidence"] == "unconfirmed"
    assert confidence["patent_intensive_share"]["baseline_confidence"] == "unconfirmed"
    assert confidence["patent_intensive_share"]["target_confidence"] == "confirmed"
    assert all(i["rule_source"] and not i["rule_source_inherited"] for i in data["indicators"])
    text = invoke("monitor", "cn-14th-ip")
    assert "confidence" in text and "base unconfirmed · target confirmed" in text


def test_watch_says_it_used_the_unconfirmed_version():
    args = [EVENTS, "--initial", PORTFOLIO, "--until", "2026-03-01"]
    data = json_result(invoke("watch", *args, "--json"))
    version = [a for a in data["assumptions"] if a["name"] == "rule_version"]
    assert version and version[0]["confidence"] == "unconfirmed"
    assert "2026-01-01" in version[0]["value"]
    assert "unconfirmed rule version" in invoke("watch", *args)
    before = json_result(invoke("watch", *args[:-1], "2025-06-30", "--json"))
    assert "rule_version" not in {a["name"] for a in before["assumptions"]}


def test_whatif_shows_the_baseline_value_it_changed():
    data = json_result(invoke("whatif", *CASES["whatif"][0], "--json"))
    pledge = next(a for a in data["assumptions"] if a["name"] == "pledge_threshold")
    assert pledge["value"] == 500 and pledge["baseline_value"] == 1000 and pledge["overridden"]


def test_whatif_marks_what_only_the_baseline_used():
    """Dropping the pledge criterion: the pledge threshold no longer counts in the result."""
    data = json_result(invoke("whatif", "four-criteria-2026", "--json"))
    used = {a["name"]: a for a in data["assumptions"]}
    assert used["pledge_threshold"].get("baseline_only") is True
    assert "baseline_only" not in used["sei_keywords"]
    assert used["scenario.drop-pledge"]["confidence"] == "assumption"


def test_sweep_shows_the_knob_as_a_range():
    data = json_result(invoke("sweep", *CASES["sweep"][0], "--json"))
    knob = next(a for a in data["assumptions"] if a["name"] == "protection.weight")
    assert knob["value"] == "0.2…0.4 (varied)"


@pytest.mark.parametrize("name", ["monitor", "score", "whatif"])
def test_reports_carry_the_assumptions(name, tmp_path):
    page = tmp_path / f"{name}.html"
    invoke(name, *CASES[name][0], "--report", str(page))
    html = page.read_text(encoding="utf-8")
    assert "assumptions" in html.lower() and CASES[name][1] in html


def test_every_condition_and_indicator_names_its_source_or_inherits_it():
    explained = json_result(invoke("explain", *CASES["explain"][0], "--json"))
    for condition in explained["conditions"]:
        assert condition["source"] and "source_inherited" in condition
    assert not any(c["source_inherited"] for c in explained["conditions"])
    scored = json_result(invoke("score", "gd-strong-city", "--json"))
    inherited = {s["item"] for s in scored["rule_sources"] if s["source_inherited"]}
    assert inherited == {"ip_pledge_amount", "enforcement_cases"}


def test_watch_lists_the_alert_windows_it_used():
    events = str(DATA / "demo-events-alerts-SYNTHETIC.jsonl")
    portfolio = str(DATA / "demo-events-alerts-portfolio-SYNTHETIC.csv")
    args = [events, "--initial", portfolio, "--alerts", "portfolio"]
    data = json_result(invoke("watch", *args, "--json"))
    windows = {a["name"]: a for a in data["assumptions"]}
    assert windows["annuity_grace"]["used_in"] == ["annuity_unpaid"]
    assert windows["lapse_window"]["confidence"] == "assumption"
    assert "annuity_grace" in invoke("watch", *args)


def test_bundled_rules_cite_each_condition_indicator_and_parameter():
    """The real citations are filled in: an item without its own source is a known gap."""
    for _, rule in api.bundled_rules():
        if rule.kind == "plan":
            assert all(i.source for i in rule.indicators), rule.id
        elif rule.kind == "patent-classification":
            for version in rule.versions:
                assert all(c.source for _, c in version.conditions), rule.id
                assert all(p.source for p in version.parameters.values()), rule.id
                assert version.confidence == "confirmed" or version.source, rule.id


def test_monitor_from_patents_carries_the_classifications_assumptions():
    population = str(DATA / "population-guangdong-ILLUSTRATIVE.csv")
    args = ["gz-14th-ip", "--from-patents", PATENTS, "--population", population, "--year", "2023"]
    data = json_result(invoke("monitor", *args, "--json"))
    assert "pledge_threshold" in {a["name"] for a in data["assumptions"]}
