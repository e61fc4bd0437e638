"""Benchmark the event engine (not a test): events per second through `ipscore watch`'s
engine, against a bare durable_rules assert_fact/retract_fact loop on the same compiled
ruleset and the same facts, measured in the same run.

    python benchmarks/bench_events.py --patents 5000 --events 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import pandas as pd

from ipscore import api
from ipscore.events.host import RecordingHost
from ipscore.events.stream import Event, EventStream
from ipscore.events.watch import Watcher
from ipscore.patents.validate import validate
from ipscore.synthetic import generate

KINDS = [
    "family_granted",
    "pledge_registered",
    "pledge_released",
    "award",
    "annuity_paid",
    "lapsed",
    "restored",
    "transferred",
]


def events_for(ids: list[str], count: int, seed: int) -> list[Event]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    events = []
    for line in range(count):
        kind = rng.choice(KINDS)
        payload = {
            "family_granted": {"jurisdiction": rng.choice(["US", "EP", "HK", "JP"])},
            "pledge_registered": {"amount": rng.choice([200.0, 800.0, 1500.0])},
            "award": {"code": "china_patent_excellence"},
            "transferred": {"owner_country": rng.choice(["CN", "US"])},
        }.get(kind, {})
        day = start + dt.timedelta(days=line * 365 // count)
        events.append(Event(line + 1, rng.choice(ids), day, kind, payload))
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patents", type=int, default=5_000)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    rule = api.resolve_rule("cn-high-value-invention")
    batch = validate(generate(args.patents, 11), "bench")
    ids = [str(i) for i in batch.columns["id"]]
    events = events_for(ids, args.events, 3)

    watcher = Watcher.from_batch(rule, batch)
    began = time.perf_counter()
    transitions = list(watcher.run(EventStream(events, [], len(events), 0)))
    engine = time.perf_counter() - began

    # Reference: the same ruleset and the facts the engine built, asserted and retracted bare.
    version = watcher.rulesets.for_day(events[-1].date)
    context = {"as_of": pd.Timestamp(events[-1].date)}
    facts = []
    for event in events:
        fact = version.build(watcher.records[event.id], context)
        fact["id"] = event.id
        facts.append(fact)
    host = RecordingHost()
    verdict = watcher.host.get_ruleset(version.verdict).get_definition()
    host.add_ruleset("bare", {"high_value": verdict["high_value"]["all"][0]["m"]})
    began = time.perf_counter()
    for fact in facts:
        host.passing("bare", fact)
    bare = time.perf_counter() - began
    print(
        f"portfolio {args.patents:,} patents, {len(events):,} events, "
        f"{len(transitions):,} transitions"
    )
    print(
        f"engine: {len(events) / engine:,.0f} events/s ({engine:.2f} s, time-driven "
        f"re-evaluations included)"
    )
    print(f"bare durable_rules assert+retract: {len(facts) / bare:,.0f} facts/s ({bare:.2f} s)")
    print(f"engine / bare: {engine / bare:.2f}× the time")


if __name__ == "__main__":
    main()
