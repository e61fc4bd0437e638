"""The notebook API: DataFrames are checked exactly as files are, results are the CLI's
--json, and `import ipscore` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import ipscore
from ipscore import api
from ipscore.cli import app
from ipscore.errors import InputError

DEMO = api.DEMO_PATENTS
PORTFOLIO = api._DATA / "demo-portfolio-SYNTHETIC.csv"


def _as_read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_dataframe_gets_the_same_rejects_and_verdicts_as_its_file():
    from_file = ipscore.classify(DEMO, as_of="2023-12-31")
    from_frame = ipscore.classify(_as_read(DEMO), as_of="2023-12-31")
    assert len(from_file.rejects) == 12
    pd.testing.assert_frame_equal(from_frame.rejects, from_file.rejects)
    pd.testing.assert_frame_equal(from_frame.to_frame(), from_file.to_frame())
    on_file, on_frame = from_file.to_dict(), from_frame.to_dict()
    assert on_frame["rejected"] == 12 and on_frame["read"] == on_file["read"] == 24_012
    assert {k: v for k, v in on_frame.items() if k != "input"} == {
        k: v for k, v in on_file.items() if k != "input"
    }


def test_a_dataframe_missing_a_required_column_is_named():
    frame = _as_read(PORTFOLIO).drop(columns=["申请号"])
    with pytest.raises(InputError, match=r"^DataFrame: missing required column\(s\): id"):
        ipscore.classify(frame, as_of="2023-12-31")


def test_classify_to_dict_is_the_commands_json_and_sets_read_either_way():
    cli = _cli_json("classify", str(PORTFOLIO), "--as-of", "2023-12-31")
    assert ipscore.classify(PORTFOLIO, as_of="2023-12-31").to_dict() == cli
    as_dict = ipscore.classify(PORTFOLIO, as_of="2023-12-31", sets={"sei_ipc_scope": "main"})
    as_text = ipscore.classify(
        PORTFOLIO, as_of="2023-12-31", sets=["cn-high-value-invention.sei_ipc_scope=main"]
    )
    assert as_dict.to_dict() == as_text.to_dict()
    assert as_dict.high_value < cli["high_value"]


def test_monitor_and_score_are_the_commands_json():
    assert ipscore.monitor("gz-14th-ip").to_dict() == _cli_json("monitor", "gz-14th-ip")
    assert ipscore.score("gd-strong-city", sets={"creation.weight": 0.5}).to_dict() == _cli_json(
        "score", "gd-strong-city", "--set", "creation.weight=0.5"
    )


def test_frames_hold_one_row_per_thing():
    plan = ipscore.monitor("cn-14th-ip")
    assert list(plan.to_frame()["id"]) == [i["id"] for i in plan.to_dict()["indicators"]]
    index = ipscore.score("gd-strong-city")
    assert sorted(index.to_frame()["unit"]) == sorted(u.unit for u in index.units)


def test_monitor_lists_the_plans_unconfirmed_values():
    found = ipscore.monitor("cn-14th-ip").assumptions
    # Read by hand from rules/plans/cn-14th-ip.yaml: two indicators unconfirmed as a whole,
    # and three confirmed indicators with one unconfirmed baseline or target each. (This
    # test used to rebuild the list with the code's own filter over the indicators.)
    assert {a["name"]: (a["value"], a["confidence"]) for a in found} == {
        "overseas_invention_grants.baseline": (4.0, "unconfirmed"),
        "overseas_invention_grants.target": (9.0, "unconfirmed"),
        "ip_pledge_registered_amount.baseline": (2180.0, "unconfirmed"),
        "ip_pledge_registered_amount.target": (3200.0, "unconfirmed"),
        "patent_intensive_share.baseline": (11.6, "unconfirmed"),
        "copyright_industry_share.baseline": (7.39, "unconfirmed"),
        "protection_satisfaction.target": (82.0, "unconfirmed"),
        "civil_first_instance_acceptance.baseline": (85.6, "unconfirmed"),
        "civil_first_instance_acceptance.target": (86.0, "unconfirmed"),
    }


def test_whatif_result_is_the_commands_json_with_the_assumptions_of_the_result():
    result = ipscore.whatif("guangzhou-30-by-2025")
    assert result.to_dict() == _cli_json("whatif", "guangzhou-30-by-2025")
    frame = result.to_frame()
    # Guangzhou's 20 (2021) grown 8 % a year is 20 × 1.08⁴ = 27.2 in 2025, short of 30: the
    # indicator without a baseline becomes not met. (This used to restate delta = scenario −
    # baseline, the very expression to_frame uses.)
    rows = frame.loc[["summary.not_met", "summary.no_baseline", "year"]]
    assert rows.to_numpy().tolist() == [[0, 1, 1], [1, 0, -1], [2025, 2025, 0]]
    with pytest.raises(InputError, match="name a SCENARIO"):
        ipscore.whatif()


def test_sweep_takes_text_or_values():
    text = ipscore.sweep("guangzhou-30-by-2025", "growth.growth=0:20:10")
    values = ipscore.sweep("guangzhou-30-by-2025", ("growth.growth", [0, 10, 20]))
    assert text.to_dict() == values.to_dict()
    assert list(text.to_frame()["growth.growth"]) == [0, 10, 20]


def test_bad_dates_and_windows_are_input_errors():
    with pytest.raises(InputError, match="not a YYYY-MM-DD date"):
        ipscore.classify(PORTFOLIO, as_of="2023-13-01")
    with pytest.raises(InputError, match="--warn-before 'soon'"):
        api.warn_days("soon")
    assert api.warn_days("90d") == 90 and api.warn_days(7) == 7


def test_the_facade_exports_what_it_defines():
    assert all(hasattr(api, name) for name in api.__all__)
    assert {"classify", "monitor", "score", "whatif", "sweep", "goal", "advise", "watch"} <= set(
        ipscore.__all__
    )
    assert all(getattr(ipscore, n) is getattr(api, n) for n in ipscore.__all__ if n[0] != "_")


def test_importing_ipscore_loads_neither_pandas_nor_the_engine():
    code = "import sys, ipscore; print('pandas' in sys.modules, 'ipscore.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_watch_says_when_it_used_the_unconfirmed_2026_version():
    pytest.importorskip("durable")
    events, initial = api._DATA / "demo-events-SYNTHETIC.jsonl", PORTFOLIO
    before = ipscore.watch(events, initial=initial, until="2025-12-31")
    after = ipscore.watch(events, initial=initial, until="2026-06-30")
    unconfirmed = [a for a in after.assumptions if a.get("confidence") == "unconfirmed"]
    assert len(unconfirmed) == 1 and "2026-01-01" in str(unconfirmed[0]["value"])
    assert not [a for a in before.assumptions if a.get("confidence") == "unconfirmed"]
    assert {a["name"] for a in before.assumptions} >= {"pledge_threshold", "maintenance_start"}
    summary = before.summary
    assert len(before.to_frame()) == len(before.events) == summary["became"] + summary["lost"]
