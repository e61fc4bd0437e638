"""The alerts durable_rules raises equal those of a plain-Python reference evaluation of the
same alert rules over the same stream (random portfolios and event streams).

The reference lives here, in the tests only. It reads the stream the watcher hands to the
alert engine (each event and clock event with the patent's state before and after it) and
decides every pattern with loops and the scalar evaluator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore import api
from ipscore.alerts.engine import AlertEngine, AlertHit
from ipscore.events.stream import Event, EventStream
from ipscore.events.watch import Watcher
from ipscore.expr.env import Env
from ipscore.expr.scalar import ScalarEvaluator
from ipscore.patents.validate import validate
from ipscore.spec.models.alerts import AlertRule
from ipscore.synthetic import generate
from tests.isolation import isolated

ALERTS = [
    {
        "id": "released",
        "label": "解押",
        "label_en": "released",
        "severity": "high",
        "event": "pledge_released",
        "when": "was_high_value and not high_value",
    },
    {
        "id": "sold_after_pledge",
        "label": "质押后转让",
        "label_en": "pledged then sold",
        "severity": "medium",
        "sequence": [{"event": "pledge_registered"}, {"event": "transferred"}],
        "within": "$seq_window",
    },
    {
        "id": "unpaid",
        "label": "未缴",
        "label_en": "unpaid",
        "severity": "critical",
        "absent": "annuity_paid",
        "after": "annuity_due",
        "when": "high_value",
        "within": "$grace",
        "ahead": "15d",
    },
    {
        "id": "lapses",
        "label": "失效",
        "label_en": "lapses",
        "severity": "high",
        "count": "lapsed",
        "when": "not high_value",
        "within": "$lapse_window",
        "at_least": 2,
        "by": "owner",
    },
    {
        "id": "ten",
        "label": "十年",
        "label_en": "ten years",
        "severity": "low",
        "event": "crosses_10_years",
        "notice": "20d",
    },
]


def rule_document() -> dict:
    def version(start, end, grace, window):
        effective = {"from": start} | ({"to": end} if end else {})
        params = {
            "grace": {"value": grace, "confidence": "assumption"},
            "lapse_window": {"value": window, "confidence": "assumption"},
            "seq_window": {"value": "90d", "confidence": "assumption"},
        }
        return {"effective": effective, "parameters": params, "alerts": ALERTS}

    return {
        "id": "differential",
        "kind": "alert",
        "title": "差分",
        "title_en": "differential",
        "source": {"document": "tests", "confidence": "unknown"},
        "versions": [
            version("2000-01-01", "2024-06-30", "40d", "30d"),
            version("2024-07-01", None, "25d", "60d"),
        ],
    }


RULE = AlertRule.model_validate(yaml.safe_load(yaml.safe_dump(rule_document())))


@dataclass
class Seen:
    kind: str
    patent: str
    day: dt.date
    source: dict[str, Any]  # what conditions read: state after, was_…, payload
    group: dict[str, str]
    notice: int


class RecordingEngine(AlertEngine):
    """The alert engine, and a copy of the stream it was handed."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.seen: list[Seen] = []

    def observe(self, kind, patent_id, day, before, was_high, after, high, payload, notice=0):
        if kind in self._types:
            source = dict(after)
            source.update({f"was_{k}": v for k, v in before.items()})
            source.update(high_value=high, was_high_value=was_high)
            source.update({k: v for k, v in payload.items() if k in ("amount", "jurisdiction")})
            source.pop("id", None)
            group = {"owner": "" if pd.isna(after.get("owner")) else str(after.get("owner"))}
            self.seen.append(Seen(kind, patent_id, day, source, group, notice))
        return super().observe(kind, patent_id, day, before, was_high, after, high, payload, notice)


def holds(when: str | None, seen: Seen, params: dict) -> bool:
    if when is None:
        return True
    from ipscore.expr import parse

    env = Env(params, {"as_of": pd.Timestamp(seen.day)})
    record = {**seen.source, "as_of": pd.Timestamp(seen.day)}
    return bool(ScalarEvaluator(record, env, tracing=False).truth(parse(when)))


def days(text: str, params: dict) -> int:
    text = params[text[1:]] if text.startswith("$") else text
    return int(text[:-1]) * (7 if text.endswith("w") else 1)


def reference(rule: AlertRule, seen: list[Seen], until: dt.date) -> list[tuple]:
    found = []
    for version in rule.versions:
        params = {k: p.value for k, p in version.parameters.items()}
        window = version.effective
        for alert in version.alerts:
            for hit in _alerts(alert, seen, params, until):
                if window.contains(hit[2]):
                    found.append(hit)
    return sorted(found)


def _alerts(alert, seen, params, until):
    if alert.pattern == "event":
        notice = days(alert.notice, params) if alert.notice else 0
        for s in seen:
            if s.kind == alert.event and s.notice == notice and holds(alert.when, s, params):
                yield (alert.id, s.patent, s.day)
    elif alert.pattern == "sequence":
        first, last = alert.sequence
        w = days(alert.within, params)
        for j, s in enumerate(seen):
            if s.kind != last.event or s.notice or not holds(last.when, s, params):
                continue
            if any(
                e.kind == first.event
                and not e.notice
                and e.patent == s.patent
                and s.day <= e.day + dt.timedelta(days=w)
                and holds(first.when, e, params)
                for e in seen[:j]
            ):
                yield (alert.id, s.patent, s.day)
    elif alert.pattern == "absent":
        w = dt.timedelta(days=days(alert.within, params))
        ahead = dt.timedelta(days=days(alert.ahead, params) if alert.ahead else 0)
        for a in seen:
            if a.kind != alert.after or a.notice or not holds(alert.when, a, params):
                continue
            deadline = a.day + w
            if deadline + dt.timedelta(days=1) > until:
                continue
            met = any(
                e.kind == alert.absent
                and not e.notice
                and e.patent == a.patent
                and a.day - ahead <= e.day <= deadline
                for e in seen
            )
            if not met:
                yield (alert.id, a.patent, deadline + dt.timedelta(days=1))
    else:
        w = dt.timedelta(days=days(alert.within, params))
        matching = [
            (j, s)
            for j, s in enumerate(seen)
            if s.kind == alert.count
            and not s.notice
            and s.group[alert.by]
            and holds(alert.when, s, params)
        ]
        for j, s in matching:
            group = s.group[alert.by]
            count = sum(
                1
                for i, e in matching
                if i <= j and e.group[alert.by] == group and e.day >= s.day - w
            )
            if count >= alert.at_least:
                yield (alert.id, group, s.day)


KINDS = {
    "pledge_registered": st.fixed_dictionaries({"amount": st.sampled_from([300.0, 1500.0])}),
    "pledge_released": st.just({}),
    "transferred": st.fixed_dictionaries({"owner_country": st.sampled_from(["CN", "US"])}),
    "lapsed": st.just({}),
    "restored": st.just({}),
    "annuity_paid": st.just({}),
    "family_granted": st.fixed_dictionaries({"jurisdiction": st.sampled_from(["US", "HK"])}),
}


def ids_of(frame) -> list[str]:
    return list(frame["id"])


@st.composite
def cases(draw):
    frame = generate(draw(st.integers(3, 10)), draw(st.integers(0, 10_000)))
    frame["owner"] = [draw(st.sampled_from(["甲", "乙"])) for _ in range(len(frame))]
    # Dates on a 5-day grid, filing dates too: same days and window edges meet often.
    grid = [
        dt.date(2013, 1, 1) + dt.timedelta(days=5 * draw(st.integers(0, 72))) for _ in ids_of(frame)
    ]
    frame["filing_date"] = [
        min(g, pd.Timestamp(f).date()) for g, f in zip(grid, frame["filing_date"], strict=True)
    ]
    ids = list(frame["id"])
    start = dt.date(2024, 1, 1)
    events = []
    for line in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from([*sorted(KINDS), *["lapsed", "restored"] * 2]))
        day = start + dt.timedelta(days=5 * draw(st.integers(0, 30)))
        events.append(Event(line + 1, draw(st.sampled_from(ids)), day, kind, draw(KINDS[kind])))
    events.sort(key=lambda e: e.date)
    until = start + dt.timedelta(days=draw(st.integers(150, 500)))
    return frame, events, until


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_durable_rules_alerts_equal_the_reference(case):
    got, expected = isolated(_both, case)
    assert got == expected


def _both(case):
    frame, events, until = case
    engine = RecordingEngine([(RULE, None)])
    watcher = Watcher.from_batch(
        api.patent_rule("cn-high-value-invention"), validate(frame, "t"), alerts=engine
    )
    stream = EventStream(events, [], len(events), 0)
    hits = [f for f in watcher.run(stream, until, dt.date(2024, 1, 1)) if isinstance(f, AlertHit)]
    got = sorted((h.alert, h.id, h.date) for h in hits)
    return got, reference(RULE, engine.seen, until)
