"""Run the `examples` of an alert rule file: a portfolio, a stream, the alerts expected."""

from __future__ import annotations

import pandas as pd

from ipscore.patents.examples import ExampleResult
from ipscore.spec.models.alerts import AlertExample, AlertRule


def run_alert_examples(rule: AlertRule) -> list[ExampleResult]:
    return [_run(rule, example) for example in rule.examples]


def _run(rule: AlertRule, example: AlertExample) -> ExampleResult:
    from ipscore.alerts.engine import AlertEngine, AlertHit
    from ipscore.events.stream import EventStream, check_row
    from ipscore.events.watch import Watcher
    from ipscore.patents.validate import validate
    from ipscore.spec import resolve_rule

    expected = {f"{e.alert} {e.id} {e.date}": True for e in example.expect}
    batch = validate(pd.DataFrame(example.initial), f"{rule.id} example {example.id}")
    if len(batch.rejects):
        reason = "; ".join(batch.rejects["reason"])
        return ExampleResult(rule.id, example.id, False, expected, {"initial": reason})
    events = []
    for line, event in enumerate(example.events, 1):
        row = {"line": line, **event.model_dump(mode="json")}
        events.append(check_row(row))
    watcher = Watcher.from_batch(
        resolve_rule(rule.patent_rule), batch, alerts=AlertEngine([(rule, None)])
    )
    stream = EventStream(sorted(events, key=lambda e: e.date), [], len(events), 0)
    hits = [h for h in watcher.run(stream, example.until, example.start) if isinstance(h, AlertHit)]
    got = {f"{h.alert} {h.id} {h.date}": True for h in hits}
    if stream.rejects:
        got |= {f"rejected line {r['line']}: {r['reason']}": True for r in stream.rejects}
    return ExampleResult(rule.id, example.id, got == expected, expected, got)
