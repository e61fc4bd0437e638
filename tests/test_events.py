"""The event engine: durable_rules' verdicts after a stream equal the vectorized
classification of the final snapshot; bad events are rejects; replays are identical."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from ipscore.events.stream import Event, EventStream, read_events
from ipscore.events.watch import Watcher
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.validate import validate
from ipscore.synthetic import generate

runner = CliRunner()
DATA = api.DEMO_PATENTS.parent
EVENTS = DATA / "demo-events-SYNTHETIC.jsonl"
PORTFOLIO = DATA / "demo-portfolio-SYNTHETIC.csv"

PAYLOADS = {
    "family_granted": st.fixed_dictionaries(
        {"jurisdiction": st.sampled_from(["US", "EP", "HK", "TW", "CN"])}
    ),
    "pledge_registered": st.fixed_dictionaries(
        {"amount": st.sampled_from([100.0, 999.0, 1000.0, 4000.0])}
    ),
    "pledge_released": st.just({}),
    "award": st.fixed_dictionaries(
        {"code": st.sampled_from(["china_patent_gold", "guangdong_patent_award"])}
    ),
    "annuity_paid": st.just({}),
    "lapsed": st.just({}),
    "restored": st.just({}),
    "granted": st.just({}),
    "transferred": st.fixed_dictionaries({"owner_country": st.sampled_from(["CN", "HK"])}),
}


@st.composite
def streams(draw):
    frame = generate(draw(st.integers(1, 40)), draw(st.integers(0, 10_000)))
    ids = list(frame["id"])
    events = []
    for line in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(sorted(PAYLOADS)))
        day = dt.date(2023, 6, 1) + dt.timedelta(days=draw(st.integers(0, 1300)))
        events.append(Event(line + 1, draw(st.sampled_from(ids)), day, kind, draw(PAYLOADS[kind])))
    if draw(st.booleans()):
        events.append(
            Event(
                99,
                "CN209900000001",
                dt.date(2024, 1, 2),
                "filed",
                {"patent_type": "invention", "ipc": "G06F 1/16", "owner_country": "CN"},
            )
        )
        events.append(Event(100, "CN209900000001", dt.date(2025, 1, 2), "granted", {}))
    events.sort(key=lambda e: e.date)
    until = (events[-1].date if events else dt.date(2024, 1, 1)) + dt.timedelta(
        days=draw(st.integers(0, 800))
    )
    return frame, events, until


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(streams())
def test_state_after_the_events_equals_the_vectorized_classification(rule, case):
    frame, events, until = case
    watcher = Watcher.from_batch(rule, validate(frame, "initial"))
    list(watcher.run(EventStream(events, [], len(events), 0), until))
    snapshot = validate(watcher.snapshot(), "final")
    assert len(snapshot) == len(watcher.records)
    expected = evaluate(snapshot, prepare(rule, until))
    got = [watcher.verdicts[str(i)].high_value for i in expected["id"]]
    assert got == expected["high_value"].tolist()


def run_demo(*extra):
    return runner.invoke(
        app, ["watch", str(EVENTS), "--initial", str(PORTFOLIO), "--until", "2025-12-31", *extra]
    )


def test_replaying_the_same_stream_gives_identical_output():
    first, second = run_demo("--json"), run_demo("--json")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout


def test_jsonl_transitions_and_the_summary():
    lines = [
        json.loads(line) for line in run_demo("--json", "--warn-before", "90d").stdout.splitlines()
    ]
    *transitions, last = lines
    summary = last["summary"]
    assert transitions and all(
        t.keys() == {"kind", "id", "date", "from", "to", "because", "event"} for t in transitions
    )
    assert summary["high_value_end"] - summary["high_value_start"] == (
        summary["became"] - summary["lost"]
    )
    assert summary["events_read"] == summary["events_applied"] + summary["events_rejected"]
    assert summary["reordered"] > 0
    assert {r["reason"].split(" (")[0] for r in summary["rejects"]} == {
        "date '2024-02-30' is not a YYYY-MM-DD date",
        "unknown event type 'awarded'",
        "unknown patent id",
    }
    assert all(row["due"] <= summary["warn_until"] for row in summary["annuity_due"])
    lapsed = [t for t in transitions if t["event"] == "lapsed"]
    assert lapsed and all(t["because"] == ["in_force"] for t in lapsed)
    dates = [t["date"] for t in transitions]
    assert dates == sorted(dates)


def test_rich_stream_reads_like_sentences():
    result = run_demo()
    assert result.exit_code == 0
    assert (
        "became high-value because 在海外有同族专利权的发明专利 [family_granted]" in result.stdout
    )
    assert "lost high-value because 有效发明专利 [lapsed]" in result.stdout


def test_a_new_rule_version_is_a_transition_in_time(rule, tmp_path):
    frame = generate(1, 0).assign(
        patent_type="invention",
        filing_date=dt.date(2020, 1, 10),
        grant_date=dt.date(2022, 1, 1),
        status="valid",
        lapse_date=None,
        ipc="B65D 81/00",
        owner_country="CN",
        family_granted="",
        pledge_amount=5000.0,
        awards="",
    )
    watcher = Watcher.from_batch(rule, validate(frame, "one"))
    events = [Event(1, frame["id"][0], dt.date(2025, 6, 1), "annuity_paid", {})]
    transitions = list(watcher.run(EventStream(events, [], 1, 0), dt.date(2026, 3, 1)))
    assert [(t.date, t.became, t.event) for t in transitions] == [
        (dt.date(2026, 1, 1), False, "time")
    ]  # the unconfirmed 2026 reading drops pledges


def test_bad_event_files(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "id,date,type,payload\nCN1,2024-01-01,lapsed,\nCN1,2024-01-02,granted,{not json\n", "utf-8"
    )
    stream = read_events(path)
    assert stream.read == 2 and len(stream.events) == 1
    assert stream.rejects[0]["line"] == 3 and "payload" in stream.rejects[0]["reason"]
    missing = tmp_path / "m.csv"
    missing.write_text("id,when\n", "utf-8")
    result = runner.invoke(app, ["watch", str(missing)])
    assert result.exit_code == 2 and "missing column(s) date, type" in result.stderr
    result = run_demo("--warn-before", "soon")
    assert result.exit_code == 2 and "--warn-before" in result.stderr
