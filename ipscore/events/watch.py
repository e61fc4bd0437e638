"""Watch a portfolio through its lifecycle events with durable_rules deciding every verdict.

The watcher wires three parts together, and holds the order in which they act:
- apply.py: what each event changes in a patent's record;
- facts.py: the records, the facts durable_rules judges them by, and the verdicts;
- schedule.py: the dates on which time alone may change a verdict (timeline.py), and
  the first day of each rule version.
Events and time interleave in date order: before each event, every date due before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ipscore.assumptions import alert_assumptions, merge, watch_assumptions
from ipscore.events.apply import (
    DATE_EVENTS,
    EVENT_FIELDS,
    apply_event,
    fields_changed_by,
    moves_dates,
)
from ipscore.events.facts import LIST_FIELDS, FactState, Transition, Verdict
from ipscore.events.host import RecordingHost
from ipscore.events.rulesets import Rulesets, VersionRules
from ipscore.events.schedule import Schedule
from ipscore.events.stream import Event, EventStream
from ipscore.patents.validate import PatentBatch, validate
from ipscore.spec import PatentRule

__all__ = [
    "DATE_EVENTS",
    "EVENT_FIELDS",
    "LIST_FIELDS",
    "Transition",
    "Verdict",
    "VersionRules",
    "Watcher",
]


@dataclass
class Watcher:
    rule: PatentRule
    records: dict[str, dict[str, Any]]
    table_files: dict[str, str] | None = None
    host: RecordingHost = field(default_factory=RecordingHost)
    alerts: Any = None  # an ipscore.alerts.engine.AlertEngine, when alerts are watched
    initial: PatentBatch | None = None  # the register the records came from, if any
    # What run() found, for summary().
    start_day: dt.date | None = None
    final_day: dt.date | None = None
    start_high_value: int = 0
    transitions: list[Transition] = field(default_factory=list)
    after_until: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rulesets = Rulesets(self.rule, self.table_files, self.host)
        self.facts = FactState(self.rulesets, self.records)
        self.schedule = Schedule(self.rulesets)

    @classmethod
    def from_batch(cls, rule: PatentRule, batch: PatentBatch | None, **options) -> Watcher:
        records = {} if batch is None else {str(r["id"]): r for r in batch.records()}
        return cls(rule, records, initial=batch, **options)

    @property
    def verdicts(self) -> dict[str, Verdict]:
        return self.facts.verdicts

    @property
    def annuity_paid(self) -> dict[str, dt.date]:
        return self.facts.annuity_paid

    @property
    def _versions(self) -> dict[dt.date, VersionRules]:
        # ipscore.results reads the versions used under this name.
        return self.rulesets._by_start

    # --- the run --------------------------------------------------------------------------

    def run(
        self, stream: EventStream, until: dt.date | None = None, start: dt.date | None = None
    ) -> Iterator[Any]:
        """Transitions in date order, the events' and time's, with the alerts raised."""
        events = stream.events
        start = start or (events[0].date if events else (until or dt.date.today()))
        until = until or (events[-1].date if events else start)
        self._begin(start, until)
        self.after_until = [e for e in events if e.date > until]
        for event in [e for e in events if e.date <= until]:
            yield from self._time_until(event.date)
            yield from self._event(event, stream, until)
        yield from self._time_until(until + dt.timedelta(days=1))
        if self.alerts is not None:
            yield from self.alerts.finish(until, self.records, self.verdicts)

    def _begin(self, start: dt.date, until: dt.date) -> None:
        """The first day's verdicts, in bulk, and every date time will act on until `until`."""
        if self.records:
            batch = self.initial or validate(self.snapshot(), "initial portfolio")
            ids = self.facts.judge_in_bulk(batch, start)
            self.schedule.add_portfolio(ids, batch.columns, start, until)
        if self.alerts is not None:
            self.alerts.start(self.records, start, until)
        self.start_day, self.final_day = start, until
        self.start_high_value = self.facts.high_value_count()
        self.transitions = []
        self.schedule.add_version_starts(self.rule, start, until)

    def _event(self, event: Event, stream: EventStream, until: dt.date) -> Iterator[Any]:
        """Apply one event, judge its patent again, and re-queue its dates if they moved."""
        before = dict(self.records.get(event.id) or {})
        was = self.verdicts.get(event.id)
        reason = apply_event(event, self.records, self.annuity_paid)
        if reason:
            stream.reject(event, reason)
            return
        found = self.facts.judge(event.id, event.date, event.type, fields_changed_by(event.type))
        if moves_dates(event.type):
            self.schedule.reschedule(event.id, self.records[event.id], event.date, until)
        yield from self._keep(found)
        if self.alerts is not None:
            yield from self._observe(event, before, was)

    def _time_until(self, before: dt.date) -> Iterator[Any]:
        """Time passes, day by day where something is due: first the verdicts time changes,
        then the alerts' clock (clock events and timers) on that day."""
        while (day := self._next_day()) is not None and day < before:
            due = self.schedule.due_before(day + dt.timedelta(days=1), self.records)
            for when, patent_id in due:
                yield from self._keep(self.facts.judge(patent_id, when, "time"))
            if self.alerts is not None:
                yield from self.alerts.tick(day, self.records, self.verdicts)

    def _next_day(self) -> dt.date | None:
        """The next day the schedule or the alerts' clock has something due."""
        days = [self.schedule.next_day()]
        if self.alerts is not None:
            days.append(self.alerts.next_day())
        days = [d for d in days if d is not None]
        return min(days) if days else None

    def _keep(self, found: Transition | None) -> Iterator[Transition]:
        if found:
            self.transitions.append(found)
            yield found

    def _observe(self, event: Event, before: dict[str, Any], was: Verdict | None):
        """Hand an applied event, with the patent's state before and after, to the alerts."""
        record = self.records[event.id]
        if event.type == "filed":
            self.alerts.schedule_patent(event.id, record, event.date)
        yield from self.alerts.observe(
            event.type,
            event.id,
            event.date,
            before,
            bool(was and was.high_value),
            record,
            self.verdicts[event.id].high_value,
            event.payload,
        )

    # --- reading the state --------------------------------------------------------------------

    def summary(self, stream: EventStream, warn_days: int | None = None) -> dict[str, Any]:
        data = self._counts(stream)
        if self.alerts is not None:
            data["alerts"] = self.alerts.summary()
        if warn_days is not None:
            data.update(self.facts.annuities_due(self.final_day, warn_days))
        return data

    def _counts(self, stream: EventStream) -> dict[str, Any]:
        transitions = self.transitions
        return {
            "patents": len(self.records),
            "events_read": stream.read,
            "events_applied": stream.read - len(stream.rejects) - len(self.after_until),
            "events_rejected": len(stream.rejects),
            "after_until": len(self.after_until),
            "reordered": stream.reordered,
            "became": sum(t.became for t in transitions),
            "lost": sum(not t.became for t in transitions),
            "high_value_start": self.start_high_value,
            "high_value_end": self.facts.high_value_count(),
            "start": self.start_day.isoformat(),
            "until": self.final_day.isoformat(),
            "rejects": stream.rejects,
            "assumptions": merge(
                watch_assumptions(v.prepared for v in self.rulesets.used()),
                alert_assumptions(self.alerts.versions if self.alerts is not None else ()),
            ),
        }

    def evaluate(self, patent_id: str, day: dt.date, changed: set[str] | None = None) -> Verdict:
        return self.facts.evaluate(patent_id, day, changed)

    def conditions_holding(self, day: dt.date, fact: dict[str, Any]) -> frozenset[str]:
        return self.facts.conditions_holding(day, fact)

    def snapshot(self) -> pd.DataFrame:
        return self.facts.snapshot()

    def next_annuity(self, patent_id: str, after: dt.date) -> dt.date | None:
        return self.facts.next_annuity(patent_id, after)
