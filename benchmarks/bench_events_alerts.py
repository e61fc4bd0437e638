"""Benchmark the alerts (not a test): events per second through `watch` with the five
bundled portfolio alerts, against `watch` without alerts on the same portfolio and stream,
measured in the same run.

    python benchmarks/bench_events_alerts.py --patents 10000 --events 100000
"""

from __future__ import annotations

import argparse
import random
import time

from bench_events import events_for

from ipscore import api
from ipscore.alerts.engine import AlertEngine, AlertHit
from ipscore.events.stream import EventStream
from ipscore.events.watch import Watcher
from ipscore.patents.validate import validate
from ipscore.synthetic import generate


def run(rule, batch, events, alerts) -> tuple[float, int, int, Watcher]:
    engine = AlertEngine(api.alert_rules(["portfolio"])) if alerts else None
    watcher = Watcher.from_batch(rule, batch, alerts=engine)
    began = time.perf_counter()
    found = list(watcher.run(EventStream(list(events), [], len(events), 0)))
    seconds = time.perf_counter() - began
    hits = sum(isinstance(f, AlertHit) for f in found)
    return seconds, len(found) - hits, hits, watcher


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--owners", type=int, default=300)
    args = parser.parse_args()
    rule = api.resolve_rule("cn-high-value-invention")
    rng = random.Random(5)
    frame = generate(args.patents, 11)
    frame["owner"] = [f"owner-{rng.randrange(args.owners):04d}" for _ in range(len(frame))]
    batch = validate(frame, "bench")
    ids = [str(i) for i in batch.columns["id"]]
    events = events_for(ids, args.events, 3)
    print(f"portfolio {args.patents:,} patents ({args.owners} owners), {len(events):,} events")
    plain, transitions, _, _ = run(rule, batch, events, alerts=False)
    print(f"watch without alerts: {len(events) / plain:,.0f} events/s ({plain:.2f} s)")
    with_alerts, transitions_a, hits, watcher = run(rule, batch, events, alerts=True)
    assert transitions_a == transitions, "alerts must not change the transitions"
    print(
        f"watch with the 5 alerts: {len(events) / with_alerts:,.0f} events/s "
        f"({with_alerts:.2f} s); {hits:,} alerts, {watcher.alerts.facts_asserted:,} facts "
        f"asserted into durable_rules"
    )
    for row in watcher.alerts.summary():
        print(f"  {row['alert']:<22} {row['fired']:>7,}")
    print(f"alerts cost: {with_alerts / plain:.2f}× the time of watch without alerts")


if __name__ == "__main__":
    main()
