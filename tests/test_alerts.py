"""Portfolio alerts: each pattern kind through durable_rules, versions by date, bad rule files,
and a differential test against a plain-Python reference kept here (tests only)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ipscore import api
from ipscore.alerts.engine import AlertEngine, AlertHit
from ipscore.cli import app
from ipscore.events.stream import Event, EventStream
from ipscore.events.watch import Watcher
from ipscore.patents.validate import validate
from ipscore.spec import load_rule_file
from ipscore.spec.loader import bundled_rules_dir
from tests.isolation import isolated

runner = CliRunner()
D = dt.date


def patent(pid: str, **changes) -> dict:
    """A granted domestic invention, high-value through its pledge alone (under 2021)."""
    base = {
        "id": pid,
        "patent_type": "invention",
        "filing_date": "2018-03-01",
        "grant_date": "2020-01-01",
        "status": "valid",
        "ipc": "B65D 81/00",
        "owner_country": "CN",
        "owner": "甲公司",
        "region": "深圳市",
        "family_granted": "",
        "pledge_amount": 2000,
        "awards": "",
    }
    return base | changes


def alert_file(tmp_path: Path, alerts: list[dict], versions: list[dict] | None = None) -> Path:
    document = {
        "id": "test-alerts",
        "kind": "alert",
        "title": "测试预警",
        "title_en": "Test alerts",
        "source": {"document": "ipscore tests", "confidence": "unknown"},
        "versions": versions or [{"effective": {"from": "2020-01-01"}, "alerts": alerts}],
    }
    path = tmp_path / "test-alerts.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def watch(rule_path, records, events, until, start=None) -> list[AlertHit]:
    return isolated(_watch, rule_path, records, events, until, start)


def _watch(rule_path, records, events, until, start=None) -> list[AlertHit]:
    rule = load_rule_file(rule_path)
    batch = validate(pd.DataFrame(records), "test")
    assert not len(batch.rejects), batch.rejects
    stream = [
        Event(i + 1, pid, day, kind, payload or {})
        for i, (pid, day, kind, payload) in enumerate(events)
    ]
    watcher = Watcher.from_batch(
        api.patent_rule("cn-high-value-invention"), batch, alerts=AlertEngine([(rule, None)])
    )
    found = watcher.run(EventStream(stream, [], len(stream), 0), until, start)
    return [f for f in found if isinstance(f, AlertHit)]


def cli(args: list[str]) -> SimpleNamespace:
    """The command line with alerts, in a child process (tests/isolation.py)."""
    return isolated(_cli, args)


def _cli(args: list[str]) -> SimpleNamespace:
    result = runner.invoke(app, args)
    return SimpleNamespace(
        exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr, output=result.output
    )


def fired(hits) -> list[tuple[str, str, dt.date]]:
    return [(h.alert, h.id, h.date) for h in hits]


# --- an event with a condition on the state before and after ---------------------------


def test_event_with_a_state_condition(tmp_path):
    path = alert_file(
        tmp_path,
        [
            {
                "id": "pledge_only",
                "label": "仅凭质押",
                "label_en": "pledge only",
                "severity": "high",
                "event": "pledge_released",
                "when": "was_high_value and not high_value",
            }
        ],
    )
    records = [patent("CN1"), patent("CN2", family_granted="US")]  # CN2 also has a family
    events = [
        ("CN1", D(2024, 5, 1), "pledge_released", {}),
        ("CN2", D(2024, 5, 2), "pledge_released", {}),
    ]
    hits = watch(path, records, events, D(2024, 6, 1))
    assert fired(hits) == [("pledge_only", "CN1", D(2024, 5, 1))]
    assert hits[0].severity == "high" and "was_high_value and not high_value" in hits[0].because


# --- a sequence of two events on one patent --------------------------------------------

SEQUENCE = {
    "id": "pledged_then_sold",
    "label": "质押后转让",
    "label_en": "pledged, then transferred",
    "severity": "medium",
    "sequence": [
        {"event": "pledge_registered"},
        {"event": "transferred", "when": 'owner_country != "CN"'},
    ],
    "within": "60d",
}


def test_a_two_event_sequence_on_one_patent(tmp_path):
    path = alert_file(tmp_path, [SEQUENCE])
    records = [patent("CN1", pledge_amount=None), patent("CN2", pledge_amount=None)]
    events = [
        ("CN1", D(2024, 1, 10), "pledge_registered", {"amount": 100.0}),
        ("CN2", D(2024, 1, 11), "transferred", {"owner_country": "US"}),  # other patent
        ("CN1", D(2024, 3, 10), "transferred", {"owner_country": "US"}),  # day 60: in
        ("CN2", D(2024, 3, 20), "pledge_registered", {"amount": 100.0}),  # wrong order
    ]
    assert fired(watch(path, records, events, D(2024, 6, 1))) == [
        ("pledged_then_sold", "CN1", D(2024, 3, 10))
    ]
    late = [events[0], ("CN1", D(2024, 3, 11), "transferred", {"owner_country": "US"})]
    assert watch(path, records, late, D(2024, 6, 1)) == []  # day 61: out of the window


# --- absence: fires, and is satisfied just in time -----------------------------------

ABSENT = {
    "id": "unpaid",
    "label": "年费未缴",
    "label_en": "annuity unpaid",
    "severity": "critical",
    "absent": "annuity_paid",
    "after": "annuity_due",
    "when": "high_value",
    "within": "$grace",
}


def absent_rule(tmp_path):
    version = {
        "effective": {"from": "2020-01-01"},
        "parameters": {"grace": {"value": "184d", "confidence": "assumption"}},
        "alerts": [ABSENT],
    }
    return alert_file(tmp_path, [], [version])


@pytest.mark.parametrize(
    ("paid", "expected"),
    [
        (D(2024, 9, 1), []),  # the last day of the window (2024-03-01 + 184 days)
        (D(2024, 9, 2), [("unpaid", "CN1", D(2024, 9, 2))]),  # one day late
        (None, [("unpaid", "CN1", D(2024, 9, 2))]),
    ],
)
def test_an_absence_fires_or_is_satisfied_on_the_boundary_day(tmp_path, paid, expected):
    events = [("CN1", paid, "annuity_paid", {})] if paid else []
    hits = watch(absent_rule(tmp_path), [patent("CN1")], events, D(2024, 12, 31), D(2024, 1, 1))
    assert fired(hits) == expected


def test_no_absence_alert_for_a_patent_that_was_not_high_value_or_not_in_force(tmp_path):
    records = [
        patent("CN1", pledge_amount=None),
        patent("CN2", status="lapsed", lapse_date="2023-01-01"),
    ]
    assert watch(absent_rule(tmp_path), records, [], D(2024, 12, 31), D(2024, 1, 1)) == []


def test_an_absence_whose_window_outlives_the_watch_does_not_fire(tmp_path):
    assert watch(absent_rule(tmp_path), [patent("CN1")], [], D(2024, 9, 1), D(2024, 1, 1)) == []


# --- a count within a window, by owner -------------------------------------------------

COUNT = {
    "id": "burst",
    "label": "集中失效",
    "label_en": "lapses at one owner",
    "severity": "high",
    "count": "lapsed",
    "when": "was_high_value",
    "within": "30d",
    "at_least": 3,
    "by": "owner",
}


def lapses(days: list[int], owners: list[str]):
    records = [patent(f"CN{i}", owner=o) for i, o in enumerate(owners)]
    events = [
        (f"CN{i}", D(2024, 1, 1) + dt.timedelta(days=d), "lapsed", {}) for i, d in enumerate(days)
    ]
    return records, events


def test_a_window_count_that_reaches_the_threshold(tmp_path):
    records, events = lapses([0, 10, 30], ["甲", "甲", "甲"])
    hits = watch(alert_file(tmp_path, [COUNT]), records, events, D(2024, 6, 1))
    assert fired(hits) == [("burst", "甲", D(2024, 1, 31))]
    assert [b.split()[1] for b in hits[0].because] == ["CN0", "CN1", "CN2"]


@pytest.mark.parametrize(
    ("days", "owners"),
    [
        ([0, 10, 31], ["甲", "甲", "甲"]),  # 31 days apart: one day too many
        ([0, 10, 20], ["甲", "甲", "乙"]),  # two owners
        ([0, 10], ["甲", "甲"]),  # two lapses
    ],
)
def test_a_window_count_that_misses_the_threshold(tmp_path, days, owners):
    records, events = lapses(days, owners)
    assert watch(alert_file(tmp_path, [COUNT]), records, events, D(2024, 6, 1)) == []


def test_lapses_of_patents_that_were_not_high_value_do_not_count(tmp_path):
    records, events = lapses([0, 1, 2], ["甲", "甲", "甲"])
    records[1]["pledge_amount"] = None
    assert watch(alert_file(tmp_path, [COUNT]), records, events, D(2024, 6, 1)) == []


# --- clock events announced ahead ---------------------------------------------------


def test_crossing_ten_years_is_announced_with_notice(tmp_path):
    alert = {
        "id": "ten",
        "label": "将满10年",
        "label_en": "10 years soon",
        "severity": "medium",
        "event": "crosses_10_years",
        "notice": "60d",
        "when": "not high_value",
    }
    records = [patent("CN1", filing_date="2014-06-01", pledge_amount=None)]
    hits = watch(alert_file(tmp_path, [alert]), records, [], D(2024, 12, 31), D(2024, 1, 1))
    # crosses on 2024-06-02 (more than 10 years after filing); 60 days earlier:
    assert fired(hits) == [("ten", "CN1", D(2024, 4, 3))]


# --- versions by date -------------------------------------------------------------------


def test_the_alert_version_in_force_on_the_trigger_date_decides(tmp_path):
    old = dict(COUNT, at_least=3)
    new = dict(COUNT, at_least=2)
    path = alert_file(
        tmp_path,
        [],
        [
            {"effective": {"from": "2020-01-01", "to": "2024-02-29"}, "alerts": [old]},
            {"effective": {"from": "2024-03-01"}, "alerts": [new]},
        ],
    )
    records, events = lapses([0, 5, 60, 65], ["甲", "甲", "甲", "甲"])
    hits = watch(path, records, events, D(2024, 6, 1))
    # two lapses in January: below the old threshold of 3; two in March: the new one, 2
    assert fired(hits) == [("burst", "甲", D(2024, 3, 6))]
    assert hits[0].version == "2024-03-01"


# --- the bundled rules and the command line ----------------------------------------------


def test_bundled_alert_examples_pass():
    results = isolated(api.test_rule_files, bundled_rules_dir() / "alerts")
    assert results and all(r.passed for r in results)


def test_watch_json_interleaves_alerts_and_transitions(tmp_path):
    portfolio = tmp_path / "p.csv"
    pd.DataFrame([patent("CN1"), patent("CN2"), patent("CN3")]).to_csv(portfolio, index=False)
    events = tmp_path / "e.jsonl"
    lines = [
        {
            "id": "CN1",
            "date": "2024-02-01",
            "type": "transferred",
            "payload": {"owner_country": "US"},
        },
        {"id": "CN2", "date": "2024-02-02", "type": "lapsed"},
        {"id": "CN3", "date": "2024-02-03", "type": "pledge_released"},
    ]
    events.write_text("\n".join(json.dumps(x) for x in lines), "utf-8")
    result = cli(
        ["watch", str(events), "--initial", str(portfolio), "--alerts", "portfolio", "--json"],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    *stream, last = rows
    alerts = [r for r in stream if r["kind"] == "alert"]
    assert {"kind", "alert", "severity", "id", "date", "message", "because"} <= alerts[0].keys()
    assert [(a["alert"], a["id"]) for a in alerts] == [
        ("transferred_abroad", "CN1"),
        ("pledge_only_released", "CN3"),
    ]
    assert [r["date"] for r in stream] == sorted(r["date"] for r in stream)
    assert {r["kind"] for r in stream} == {"alert", "transition"}
    fired_by_alert = {row["alert"]: row["fired"] for row in last["summary"]["alerts"]}
    assert fired_by_alert["transferred_abroad"] == 1 and fired_by_alert["owner_lapses"] == 0
    one = cli(["watch", str(events), "--initial", str(portfolio), "--alerts", "transferred_abroad"])
    assert one.exit_code == 0 and "transferred_abroad" in one.stdout
    assert "pledge_only_released" not in one.stdout.split("Summary")[0]


# --- bad alert files ---------------------------------------------------------------------

BAD = [
    ({"event": "awarded"}, "event", "unknown event type 'awarded'"),
    ({"event": "lapsed", "when": "was_high_valu"}, "when", "unknown field 'was_high_valu'"),
    (
        {"count": "lapsed", "within": "30", "at_least": 3, "by": "owner"},
        "within",
        "needs a whole number and a unit",
    ),
    (
        {"absent": "annuity_due", "after": "annuity_due", "within": "30d"},
        "absent",
        "can never fire",
    ),
    ({"event": "lapsed", "when": "1 > 2"}, "when", "can never fire"),
    (
        {"count": "lapsed", "within": "30d", "at_least": 3, "by": "holder"},
        "by",
        "unknown field 'holder'",
    ),
    ({"event": "lapsed", "within": "30d"}, None, "takes no within"),
]


@pytest.mark.parametrize(("pattern", "key", "message"), BAD)
def test_bad_alert_files_exit_2_with_file_and_line(tmp_path, pattern, key, message):
    alert = {"id": "bad", "label": "坏", "label_en": "bad", "severity": "low", **pattern}
    path = alert_file(tmp_path, [alert])
    lines = path.read_text("utf-8").splitlines()
    checked = runner.invoke(app, ["rules", "check", str(path)])
    assert checked.exit_code == 2 and message in checked.stderr
    if key is None:  # a model error: the line of the alert
        assert f"{path}:" in checked.stderr
    else:
        line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith(f"{key}:"))
        assert f"{path}:{line}:" in checked.stderr
    watched = runner.invoke(app, ["watch", str(path), "--alerts", str(path)])
    assert watched.exit_code == 2 and "Traceback" not in watched.output
    assert message in watched.stderr


def test_an_unknown_alert_id_is_exit_2_with_a_suggestion(tmp_path):
    events = tmp_path / "e.jsonl"
    events.write_text("", "utf-8")
    result = runner.invoke(app, ["watch", str(events), "--alerts", "annuity_unpayed"])
    assert result.exit_code == 2 and "annuity_unpaid" in result.stderr
