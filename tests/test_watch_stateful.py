"""The watcher, step by step (issue 14): a Hypothesis state machine builds a small random
portfolio, then adds random events of every type the event stream knows (and lets time pass),
and after EVERY step runs the watcher over the events so far and compares each patent's
verdict with the vectorized classification, on that day, of a model of the same records.

The model applies events the way the event types are documented (README, "watch"): the
watcher is driven only through its public API (`Watcher.from_batch`, `run`), so that how it
is built inside does not matter here. Rejected events (a second grant, a lapse before the
grant, an unknown id) change nothing in the model.

The watcher without alerts runs in-process: durable_rules' crashes were seen with alert
watches (tests/isolation.py); plain watches run by the hundred in this file and in
tests/test_events.py without one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ipscore.events.stream import EVENT_TYPES, EventStream, check_row
from ipscore.events.watch import Watcher
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.validate import validate
from ipscore.spec import resolve_rule

RULE = resolve_rule("cn-high-value-invention")
START = dt.date(2021, 1, 1)  # the 2021 version; the unconfirmed 2026 one starts inside
LAST = dt.date(2040, 12, 31)
# Main IPC first: G06F 1/16 and H04L 9/32 are strategic emerging, A47J 27/00 and B65D 81/00
# are not, so "any" and "main" scope differ on the mixed ones.
# Mostly not strategic emerging, so that most patents are one event away from high value.
IPCS = ["A47J 27/00", "B65D 81/00", "A47J 27/00;G06F 1/16", "H04L 9/32;B65D 81/00", "G06F 1/16"]
AWARDS = ["中国专利金奖", "china_patent_excellence", "国家技术发明奖", "广东专利奖"]
JURISDICTIONS = ["US", "EP", "JP", "HK", "TW", "MO"]
COLUMNS = ["id", "patent_type", "filing_date", "grant_date", "status", "lapse_date", "ipc",
           "owner_country", "region", "family_granted", "pledge_amount", "awards"]  # fmt: skip


def _day(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


@st.composite
def patents(draw) -> dict[str, Any]:
    """Mostly a valid domestic invention that passes no criterion yet: one event away."""
    filed = draw(st.dates(dt.date(2009, 1, 1), dt.date(2022, 12, 31)))
    granted = filed + dt.timedelta(draw(st.integers(200, 2500)))
    status = draw(_skewed(["valid", "pending", "lapsed"]))
    lapsed = None
    if status == "lapsed":
        lapsed = granted + dt.timedelta(draw(st.integers(1, 3000)))
    return {
        "patent_type": draw(_skewed(["invention", "utility_model"])),
        "filing_date": filed.isoformat(),
        "grant_date": None if status == "pending" else granted.isoformat(),
        "status": status,
        "lapse_date": lapsed and lapsed.isoformat(),
        "ipc": draw(_skewed(IPCS)).split(";"),
        "owner_country": draw(_skewed(["CN", "HK"])),
        "region": None,
        "family_granted": draw(_skewed([[], ["HK"], ["US"]])),
        "pledge_amount": draw(_skewed([None, 999.0, 1000.0])),
        "awards": [],
    }


def _skewed(values: list) -> st.SearchStrategy:
    """The first value three times in four, the others evenly."""
    return st.sampled_from([values[0]] * 3 * (len(values) - 1) + values[1:])


def register(records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            **record,
            "id": patent_id,
            **{k: ";".join(record[k]) for k in ("ipc", "family_granted", "awards")},
        }
        for patent_id, record in records.items()
    ]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


class WatchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, dict[str, Any]] = {}  # the model, as register rows
        self.initial = None
        self.events: list[dict[str, Any]] = []
        self.day = START
        self.filed = 0
        self.last = ""

    @initialize(portfolio=st.lists(patents(), min_size=1, max_size=4))
    def portfolio(self, portfolio):
        self.records = {f"CN2010100000{i:02d}": p for i, p in enumerate(portfolio)}
        self.initial = validate(register(self.records), "initial")

    # --- events -----------------------------------------------------------------------

    def _event(self, data, kind: str, payload: dict[str, Any], patent_id: str | None = None):
        """Advance the clock by a random gap, pick a patent and record the event; the
        model's record, or None when the event is one the watcher must reject."""
        gap = data.draw(st.integers(0, 200), label="days later")
        self.day = min(self.day + dt.timedelta(gap), LAST)
        if patent_id is None:
            # Events cluster on a patent, as in real streams: three times in four the
            # patent of the last event, so that one patent meets several events in a row.
            ids = sorted(self.records)
            choices = [*ids, "CN209999999999"] + [self.last] * 3 * (len(ids) + 1) * bool(self.last)
            patent_id = data.draw(st.sampled_from(choices), label="id")
        if patent_id in self.records:
            self.last = patent_id
        row = {"id": patent_id, "date": self.day.isoformat(), "type": kind, "payload": payload}
        self.events.append({"line": len(self.events) + 1, **row})
        return self.records.get(patent_id)

    @rule(data=st.data(), kind=st.sampled_from([*sorted(EVENT_TYPES), "time_passes"]))
    def step(self, data, kind):
        """One event of any type, or time passing. One rule, not one per type: Hypothesis'
        swarm testing would switch whole rules off in most runs, and few events remain."""
        getattr(self, f"_{kind}")(data)

    def _filed(self, data):
        kind = data.draw(st.sampled_from(["invention", "utility_model"]), label="patent_type")
        self.filed += 1
        patent_id = f"CN2099000000{self.filed:02d}"
        ipc = data.draw(st.sampled_from(IPCS), label="ipc")
        owner = data.draw(st.sampled_from(["CN", "HK"]), label="owner")
        payload = {"patent_type": kind, "ipc": ipc, "owner_country": owner}
        self._event(data, "filed", payload, patent_id)
        self.records[patent_id] = {
            "patent_type": kind,
            "filing_date": self.day.isoformat(),
            "grant_date": None,
            "status": "pending",
            "lapse_date": None,
            "ipc": ipc.split(";"),
            "owner_country": owner,
            "region": None,
            "family_granted": [],
            "pledge_amount": None,
            "awards": [],
        }

    def _granted(self, data):
        record = self._event(data, "granted", {})
        if record is None or record["grant_date"] is not None:
            return  # unknown, or a second grant: rejected
        if self.day < _day(record["filing_date"]):
            return
        record.update(grant_date=self.day.isoformat(), status="valid")

    def _family_granted(self, data):
        where = data.draw(st.sampled_from(JURISDICTIONS), label="jurisdiction")
        record = self._event(data, "family_granted", {"jurisdiction": where})
        if record is not None and where not in record["family_granted"]:
            record["family_granted"] = [*record["family_granted"], where]

    def _pledge_registered(self, data):
        amount = data.draw(st.sampled_from([1.0, 1000.0, 2500.0]), label="amount")
        record = self._event(data, "pledge_registered", {"amount": amount})
        if record is not None:
            record["pledge_amount"] = (record["pledge_amount"] or 0) + amount

    def _pledge_released(self, data):
        amount = data.draw(st.sampled_from([None, 100.0, 1000.0]), label="amount")
        record = self._event(data, "pledge_released", {} if amount is None else {"amount": amount})
        if record is not None:
            left = (record["pledge_amount"] or 0) - (float("inf") if amount is None else amount)
            record["pledge_amount"] = left if left > 0 else None

    def _award(self, data):
        award = data.draw(st.sampled_from(AWARDS), label="award")
        record = self._event(data, "award", {"code": award})
        if record is not None and award not in record["awards"]:
            record["awards"] = [*record["awards"], award]

    def _annuity_paid(self, data):
        self._event(data, "annuity_paid", {})  # no verdict reads it

    def _lapsed(self, data):
        record = self._event(data, "lapsed", {})
        if record is None or record["grant_date"] is None:
            return  # unknown, or never granted: rejected
        if self.day < _day(record["grant_date"]):
            return
        record.update(status="lapsed", lapse_date=self.day.isoformat())

    def _restored(self, data):
        record = self._event(data, "restored", {})
        if record is not None:
            record.update(status="valid", lapse_date=None)

    def _transferred(self, data):
        owner = data.draw(st.sampled_from(["CN", "HK", "US"]), label="owner_country")
        record = self._event(data, "transferred", {"owner_country": owner, "region": "广州市"})
        if record is not None:
            record.update(owner_country=owner, region="广州市")

    def _time_passes(self, data):
        """No event: time alone (anniversaries, grant and lapse dates, a new rule version).
        Mostly months, sometimes a decade: an anniversary of a patent filed by an event."""
        years = data.draw(st.sampled_from([0, 0, 0, 1, 2, 10]), label="years")
        days = data.draw(st.integers(1, 365), label="days")
        self.day = min(self.day + dt.timedelta(365 * years + days), LAST)

    # --- the check after every step ---------------------------------------------------------

    @invariant()
    def watcher_agrees_with_the_vectorized_classification(self):
        stream = EventStream([check_row(dict(e)) for e in self.events], [], len(self.events), 0)
        watcher = Watcher.from_batch(RULE, self.initial)
        list(watcher.run(stream, self.day, START))
        expected = evaluate(validate(register(self.records), "model"), prepare(RULE, self.day))
        want = dict(zip(expected["id"], expected["high_value"], strict=True))
        got = {p: v.high_value for p, v in watcher.verdicts.items()}
        assert got == want, (
            f"on {self.day}: the watcher says {_differences(got, want)} after "
            f"{[(e['date'], e['id'][-4:], e['type'], e['payload']) for e in self.events]}"
        )


def _differences(got: dict[str, bool], want: dict[str, bool]) -> dict[str, str]:
    return {
        p: f"{got.get(p)} (classification: {want.get(p)})"
        for p in sorted(set(got) | set(want))
        if got.get(p) != want.get(p)
    }


WatchMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
test_watcher_after_every_event = WatchMachine.TestCase


# --- every event type after every other, on one patent ------------------------------------

#: A payload that moves the verdict of PATENT (eligible, no criterion met) for each type.
MOVING = {
    "filed": {"patent_type": "invention", "ipc": "G06F 1/16", "owner_country": "CN"},
    "granted": {},
    "family_granted": {"jurisdiction": "US"},
    "pledge_registered": {"amount": 2500},
    "pledge_released": {},
    "award": {"code": "中国专利金奖"},
    "annuity_paid": {},
    "lapsed": {},
    "restored": {},
    "transferred": {"owner_country": "HK"},
}
PATENT = {
    "id": "CN201510000001",
    "patent_type": "invention",
    "filing_date": "2015-01-10",
    "grant_date": "2017-02-01",
    "status": "valid",
    "ipc": "A47J 27/00",
    "owner_country": "CN",
    "pledge_amount": "999",
}


def test_event_types_cover_the_model():
    assert set(MOVING) == set(EVENT_TYPES)
    assert all(hasattr(WatchMachine, f"_{kind}") for kind in EVENT_TYPES)


@pytest.mark.parametrize("second", sorted(EVENT_TYPES))
def test_each_event_type_after_each_other_on_one_patent(second):
    """The watcher keeps what it computed for a patent between events; each event must
    refresh what it changes, whatever came before it (a pledge after an annuity payment)."""
    batch = validate(pd.DataFrame([PATENT], dtype=object), "one")
    for first in sorted(EVENT_TYPES):
        rows = [
            {"line": 1, "id": PATENT["id"], "date": "2022-03-01", "type": first,
             "payload": MOVING[first]},
            {"line": 2, "id": PATENT["id"], "date": "2022-06-01", "type": second,
             "payload": MOVING[second]},
        ]  # fmt: skip
        stream = EventStream([check_row(r) for r in rows], [], 2, 0)
        watcher = Watcher.from_batch(RULE, batch)
        list(watcher.run(stream, dt.date(2022, 6, 1), dt.date(2022, 1, 1)))
        expected = evaluate(
            validate(watcher.snapshot(), "final"), prepare(RULE, dt.date(2022, 6, 1))
        )
        got = [watcher.verdicts[i].high_value for i in expected["id"]]
        assert got == expected["high_value"].tolist(), f"{first} then {second}"


@settings(max_examples=15, deadline=None)
@given(
    filed=st.dates(dt.date(2021, 1, 2), dt.date(2024, 12, 31)).filter(
        lambda d: (d.month, d.day) != (2, 29)
    ),
    grant_after=st.integers(0, 2000),
    checked=st.integers(-1, 2),
)
def test_a_patent_filed_by_an_event_is_judged_again_on_its_anniversary(filed, grant_after, checked):
    """Filed and granted by events, the patent's dates come from the events: the watcher
    must queue its 10-year anniversary then (a rescheduled patent is checked again)."""
    granted = filed + dt.timedelta(grant_after)
    rows = [
        {"line": 1, "id": "CN209900000001", "date": filed.isoformat(), "type": "filed",
         "payload": {"patent_type": "invention", "ipc": "A47J 27/00", "owner_country": "CN"}},
        {"line": 2, "id": "CN209900000001", "date": granted.isoformat(), "type": "granted"},
    ]  # fmt: skip
    until = filed.replace(year=filed.year + 10) + dt.timedelta(checked)
    watcher = Watcher.from_batch(RULE, None)
    list(watcher.run(EventStream([check_row(r) for r in rows], [], 2, 0), until, START))
    expected = evaluate(validate(watcher.snapshot(), "final"), prepare(RULE, until))
    assert watcher.verdicts["CN209900000001"].high_value == expected["high_value"][0]
    assert expected["high_value"][0] == (checked > 0)  # maintained more than 10 years


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("pledge_registered", "pledge_amount", 3499.0),
        ("family_granted", "family_granted", "US"),
        ("award", "awards", "china_patent.gold"),
    ],
)
def test_one_event_changes_the_record_and_the_verdict(kind, field, value):
    """Stated by hand, not by the watcher's own snapshot: PATENT is eligible and meets no
    criterion; one pledge of 2,500 (999 before), one US grant or one gold award makes it
    high-value, and the record shows the new value."""
    batch = validate(pd.DataFrame([PATENT], dtype=object), "one")
    row = {"line": 1, "id": PATENT["id"], "date": "2022-03-01", "type": kind,
           "payload": MOVING[kind]}  # fmt: skip
    watcher = Watcher.from_batch(RULE, batch)
    list(watcher.run(EventStream([check_row(row)], [], 1, 0), dt.date(2022, 6, 1), START))
    assert watcher.verdicts[PATENT["id"]].high_value is True
    recorded = watcher.snapshot().set_index("id").loc[PATENT["id"], field]
    assert recorded == value


@pytest.mark.parametrize(("released", "left"), [({"amount": 500}, 2999.0), ({}, None)])
def test_a_release_leaves_the_rest_of_the_pledge(released, left):
    """999 pledged, 2,500 more, then 500 released: 2,999 left (stated by hand); a release
    without an amount ends the whole pledge."""
    batch = validate(pd.DataFrame([PATENT], dtype=object), "one")
    rows = [
        {"line": 1, "id": PATENT["id"], "date": "2022-03-01", "type": "pledge_registered",
         "payload": {"amount": 2500}},
        {"line": 2, "id": PATENT["id"], "date": "2022-04-01", "type": "pledge_released",
         "payload": released},
    ]  # fmt: skip
    watcher = Watcher.from_batch(RULE, batch)
    list(
        watcher.run(EventStream([check_row(r) for r in rows], [], 2, 0), dt.date(2022, 6, 1), START)
    )
    recorded = watcher.snapshot().set_index("id").loc[PATENT["id"], "pledge_amount"]
    assert (None if pd.isna(recorded) else recorded) == left
    assert watcher.verdicts[PATENT["id"]].high_value is (left is not None and left >= 1000)


def test_a_transition_reads_both_ways_in_json():
    from ipscore.events.watch import Transition

    day = dt.date(2024, 5, 1)
    lost = Transition("CN1", day, became=False, because=["maintained"], event="lapsed")
    won = Transition("CN1", day, became=True, because=["pledge"], event="pledge_registered")
    assert lost.to_json() == {
        "kind": "transition", "id": "CN1", "date": "2024-05-01", "from": "high_value",
        "to": "not_high_value", "because": ["maintained"], "event": "lapsed",
    }  # fmt: skip
    assert (won.to_json()["from"], won.to_json()["to"]) == ("not_high_value", "high_value")
