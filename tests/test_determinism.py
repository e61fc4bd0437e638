"""Determinism (issue 15): ordered outputs do not depend on the order of the input rows.
Shuffled registers give the same classification JSON (regions, counts, rejects once their
line numbers are mapped back), and shuffled same-day-free event streams the same watch."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore import api
from ipscore.events.stream import EventStream, check_row
from ipscore.events.watch import Watcher
from ipscore.patents.validate import validate
from ipscore.spec import resolve_rule
from ipscore.synthetic import generate

RULE = resolve_rule("cn-high-value-invention")
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _without_lines(data):
    """The JSON with every row-position field dropped."""
    if isinstance(data, dict):
        return {k: _without_lines(v) for k, v in data.items() if k not in ("line", "row")}
    if isinstance(data, list):
        return [_without_lines(v) for v in data]
    return data


@SETTINGS
@given(st.integers(5, 120), st.integers(0, 2**16), st.randoms(use_true_random=False))
def test_classification_json_does_not_depend_on_row_order(n, seed, random):
    frame = generate(n, seed).astype(object)
    frame.loc[frame.index[::7], "filing_date"] = "2021-02-30"  # some rejects too
    order = list(range(len(frame)))
    random.shuffle(order)
    first = api.classify(validate(frame, "a"), RULE, dt.date(2023, 12, 31)).to_json()
    second = api.classify(validate(frame.iloc[order], "b"), RULE, dt.date(2023, 12, 31))
    second = second.to_json()
    assert first["regions"] == second["regions"]
    for key in first:
        if key not in ("source", "rejects", "file"):
            assert _without_lines(first[key]) == _without_lines(second[key]), key


@SETTINGS
@given(st.integers(2, 20), st.integers(0, 2**16), st.data())
def test_watch_transitions_do_not_depend_on_the_order_of_the_register(n, seed, data):
    frame = generate(n, seed)
    ids = list(frame["id"])
    events = []
    for line in range(data.draw(st.integers(0, 12))):
        kind = data.draw(st.sampled_from(["pledge_registered", "lapsed", "family_granted"]))
        payload = {"pledge_registered": {"amount": 2000}, "lapsed": {},
                   "family_granted": {"jurisdiction": "US"}}[kind]  # fmt: skip
        day = dt.date(2023, 1, 1) + dt.timedelta(data.draw(st.integers(0, 900)))
        events.append({"line": line + 1, "id": data.draw(st.sampled_from(ids)),
                       "date": day.isoformat(), "type": kind, "payload": payload})  # fmt: skip
    order = data.draw(st.permutations(range(n)))

    def watch(register):
        stream = EventStream(
            sorted((check_row(dict(e)) for e in events), key=lambda e: e.date), [], 0, 0
        )
        watcher = Watcher.from_batch(RULE, validate(register, "r"))
        found = [t.to_json() for t in watcher.run(stream, dt.date(2026, 6, 30))]
        return found, stream.rejects

    assert watch(frame) == watch(frame.iloc[list(order)])
