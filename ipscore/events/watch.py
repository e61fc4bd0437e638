"""Watch a portfolio through its lifecycle events with durable_rules deciding every verdict.

Patents are plain records; an event changes one record, the record becomes a fact (its
fields, the features the compiled conditions need, as of the event's date), and the fact is
asserted into the ruleset compiled from the rule's version in force on that date. The rules
that fire are the conditions that hold. Time passes too: between events a patent is
re-evaluated on the dates its conditions compare with `as_of` (see timeline.py), and every
patent on the first day of a new rule version.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ipscore.assumptions import alert_assumptions, merge, watch_assumptions
from ipscore.events.host import RecordingHost
from ipscore.events.stream import Event, EventStream
from ipscore.events.timeline import breakpoints, record_breakpoints, time_comparisons
from ipscore.expr.durable import ALWAYS, Compiled, DurableCompiler, FactBuilder
from ipscore.expr.env import Env
from ipscore.patents.classify import Prepared, evaluate, prepare
from ipscore.patents.validate import PatentBatch, validate
from ipscore.spec import PatentRule

LIST_FIELDS = ("ipc", "family_granted", "awards")
#: Events that change the dates conditions compare with `as_of`.
DATE_EVENTS = {"filed", "granted", "lapsed", "restored"}
#: The record fields each event changes (None: a new record, all of them).
EVENT_FIELDS: dict[str, set[str] | None] = {
    "filed": None,
    "granted": {"grant_date", "status"},
    "family_granted": {"family_granted"},
    "pledge_registered": {"pledge_amount"},
    "pledge_released": {"pledge_amount"},
    "award": {"awards"},
    "annuity_paid": set(),
    "lapsed": {"status", "lapse_date"},
    "restored": {"status", "lapse_date"},
    "transferred": {"owner_country", "region"},
}


@dataclass(frozen=True)
class Transition:
    id: str
    date: dt.date
    became: bool
    because: list[str]
    event: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "transition",
            "id": self.id,
            "date": self.date.isoformat(),
            "from": "not_high_value" if self.became else "high_value",
            "to": "high_value" if self.became else "not_high_value",
            "because": self.because,
            "event": self.event,
        }


@dataclass
class VersionRules:
    """A rule version compiled twice for durable_rules: one rule deciding the verdict (one
    action per fact at most: actions are what durable_rules spends its time on), and one rule
    per condition, asked only when a verdict changes, to say why."""

    prepared: Prepared
    verdict: str
    conditions: str
    compiled: list[Compiled]
    build: FactBuilder
    times: list  # the version's comparisons with as_of (timeline.time_comparisons)


@dataclass
class Verdict:
    high_value: bool
    passed: frozenset[str] | None  # known for the bulk-classified first day


@dataclass
class Watcher:
    rule: PatentRule
    records: dict[str, dict[str, Any]]
    table_files: dict[str, str] | None = None
    host: RecordingHost = field(default_factory=RecordingHost)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    annuity_paid: dict[str, dt.date] = field(default_factory=dict)
    _static: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _versions: dict[dt.date, VersionRules] = field(default_factory=dict)
    _queue: list[tuple[dt.date, int, str, int]] = field(default_factory=list)
    _generation: dict[str, int] = field(default_factory=dict)
    _order: int = 0
    _batch: PatentBatch | None = None  # the initial register, classified in bulk
    _last_fact: dict[str, Any] = field(default_factory=dict)
    start_day: dt.date | None = None
    final_day: dt.date | None = None
    start_high_value: int = 0
    transitions: list[Transition] = field(default_factory=list)
    alerts: Any = None  # an ipscore.alerts.engine.AlertEngine, when alerts are watched
    after_until: list[Event] = field(default_factory=list)

    @classmethod
    def from_batch(cls, rule: PatentRule, batch: PatentBatch | None, **options) -> Watcher:
        records = {} if batch is None else {str(r["id"]): r for r in batch.records()}
        return cls(rule, records, _batch=batch, **options)

    # --- durable_rules ------------------------------------------------------------------

    def _version(self, day: dt.date) -> VersionRules:
        version = self.rule.version_for(day)
        key = version.effective.start
        if key not in self._versions:
            prepared = prepare(self.rule, day, None, self.table_files)
            compiler = DurableCompiler(prepared.env)
            conditions = {c.id: compiler.compile(c.node) for _, c in version.conditions}
            name = f"{self.rule.id}@{key}"
            self.host.add_ruleset(name, {k: v.condition for k, v in conditions.items()})
            eligible = [conditions[i].condition for i in prepared.eligibility_ids]
            criteria = [conditions[i].condition for i in prepared.criteria_ids]
            verdict = {"$and": [*eligible, {"$or": criteria or [{ALWAYS: False}]}]}
            self.host.add_ruleset(f"{name}#verdict", {"high_value": verdict})
            compiled = list(conditions.values())
            self._versions[key] = VersionRules(
                prepared,
                f"{name}#verdict",
                name,
                compiled,
                FactBuilder(compiled, prepared.env),
                time_comparisons(version),
            )
        return self._versions[key]

    def evaluate(self, patent_id: str, day: dt.date, changed: set[str] | None = None) -> Verdict:
        """Assert the patent's fact as of `day`; the rules that fire are the conditions that
        hold. The date-free part of the fact is kept, and rebuilt for the `changed` fields
        only (None: all of them)."""
        compiled = self._version(day)
        record = self.records[patent_id]
        key = (compiled.conditions, patent_id)
        previous = self._static.get(key)
        if previous is None or changed is None:
            cached = compiled.build.static(record)
        elif changed:
            cached = compiled.build.static(record, changed, previous)
            if cached == previous and patent_id in self.verdicts:
                # The event changed nothing a condition reads, and time acts only on the
                # scheduled dates: the verdict stands without asking durable_rules.
                return self.verdicts[patent_id]
        else:
            cached = previous
        self._static[key] = cached
        fact = compiled.build(record, {"as_of": pd.Timestamp(day)}, cached)
        fact["id"] = patent_id
        self._last_fact = fact
        return Verdict("high_value" in self.host.passing(compiled.verdict, fact), None)

    def conditions_holding(self, day: dt.date, fact: dict[str, Any]) -> frozenset[str]:
        return frozenset(self.host.passing(self._version(day).conditions, fact))

    # --- time ---------------------------------------------------------------------------

    def _schedule(self, ids: list[str], columns, after: dt.date, until: dt.date) -> None:
        """Queue the dates on which time may change these patents' verdicts."""
        rules = self._version(after)
        dates = breakpoints(rules.prepared.version, columns, len(ids), self._env(rules, after))
        window = (dates > np.datetime64(after, "D")) & (dates <= np.datetime64(until, "D"))
        for row, column in zip(*np.nonzero(window), strict=True):
            patent_id = ids[row]
            generation = self._generation.setdefault(patent_id, 1)
            self._push(dates[row, column].astype(dt.date), patent_id, generation)

    def _reschedule(self, patent_id: str, after: dt.date, until: dt.date) -> None:
        """An event moved this patent's dates: forget its queued dates, queue the new ones."""
        generation = self._generation.get(patent_id, 0) + 1
        self._generation[patent_id] = generation
        rules = self._version(after)
        env = self._env(rules, after)
        for day in record_breakpoints(rules.times, self.records[patent_id], env):
            if after < day <= until:
                self._push(day, patent_id, generation)

    def _push(self, day: dt.date, patent_id: str, generation: int) -> None:
        # Ties on one day go by patent id (a new rule version, "*", first), never by the
        # order the register listed them in: the transitions' order is the input's no more.
        self._order += 1
        heapq.heappush(self._queue, (day, patent_id, self._order, generation))

    @staticmethod
    def _env(rules: VersionRules, day: dt.date) -> Env:
        return Env(rules.prepared.params, {"as_of": pd.Timestamp(day)}, rules.prepared.tables)

    def _update(
        self, patent_id: str, day: dt.date, cause: str, changed: set[str] | None = frozenset()
    ) -> Transition | None:
        before = self.verdicts.get(patent_id)
        after = self.evaluate(patent_id, day, changed)
        self.verdicts[patent_id] = after
        if before is None or before.high_value == after.high_value:
            return None
        passed = self.conditions_holding(day, self._last_fact)
        prepared = self._version(day).prepared
        if after.high_value:
            because = [c for c in prepared.criteria_ids if c in passed]
        else:
            because = [e for e in prepared.eligibility_ids if e not in passed] or ["no_criterion"]
        return Transition(patent_id, day, after.high_value, because, cause)

    # --- the run --------------------------------------------------------------------------

    def run(
        self, stream: EventStream, until: dt.date | None = None, start: dt.date | None = None
    ) -> Iterator[Any]:
        """Transitions in date order, the events' and time's, with the alerts raised."""
        events = stream.events
        start = start or (events[0].date if events else (until or dt.date.today()))
        until = until or (events[-1].date if events else start)
        self._initial(start, until)
        if self.alerts is not None:
            self.alerts.start(self.records, start, until)
        self.start_day, self.final_day = start, until
        self.start_high_value = sum(v.high_value for v in self.verdicts.values())
        self.transitions = []
        boundaries = [
            v.effective.start for v in self.rule.versions if start < v.effective.start <= until
        ]
        for boundary in boundaries:
            self._push(boundary, "*", 0)
        self.after_until = [e for e in events if e.date > until]
        for event in [e for e in events if e.date <= until]:
            yield from self._time_until(event.date, until)
            before = dict(self.records.get(event.id) or {})
            was = self.verdicts.get(event.id)
            reason = self._apply(event)
            if reason:
                stream.reject(event, reason)
                continue
            found = self._update(event.id, event.date, event.type, EVENT_FIELDS[event.type])
            if event.type in DATE_EVENTS:  # only these move the dates time acts on
                self._reschedule(event.id, event.date, until)
            if found:
                self.transitions.append(found)
                yield found
            if self.alerts is not None:
                yield from self._observe(event, before, was)
        yield from self._time_until(until + dt.timedelta(days=1), until)
        if self.alerts is not None:
            yield from self.alerts.finish(until, self.records, self.verdicts)

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

    def _initial(self, start: dt.date, until: dt.date) -> None:
        """The portfolio's verdicts on the first day, by the vectorized bulk path (durable_rules
        is the event engine, not the bulk path), and the dates time will act on."""
        if not self.records:
            return
        batch = self._batch or validate(self.snapshot(), "initial portfolio")
        prepared = self._version(start).prepared
        verdicts = evaluate(batch, prepared)
        conditions = [c.id for _, c in prepared.version.conditions]
        passed = verdicts[conditions].to_numpy()
        ids = [str(i) for i in verdicts["id"]]
        for row, patent_id in enumerate(ids):
            self.verdicts[patent_id] = Verdict(
                bool(verdicts["high_value"].iat[row]),
                frozenset(c for c, ok in zip(conditions, passed[row], strict=True) if ok),
            )
        self._schedule(ids, batch.columns, start, until)

    def _time_until(self, before: dt.date, until: dt.date) -> Iterator[Any]:
        """Time passes, day by day where something is due: first the verdicts time changes,
        then the alerts' clock (clock events and timers) on that day."""
        while True:
            days = [self._queue[0][0]] if self._queue else []
            if self.alerts is not None and self.alerts.next_day() is not None:
                days.append(self.alerts.next_day())
            day = min(days) if days else None
            if day is None or day >= before:
                return
            for when, patent_id in self._due_all(day + dt.timedelta(days=1)):
                found = self._update(patent_id, when, "time")
                if found:
                    self.transitions.append(found)
                    yield found
            if self.alerts is not None:
                yield from self.alerts.tick(day, self.records, self.verdicts)

    def _due_all(self, before: dt.date) -> Iterator[tuple[dt.date, str]]:
        while self._queue and self._queue[0][0] < before:
            day, patent_id, _, generation = heapq.heappop(self._queue)
            if patent_id == "*":  # a new rule version: everyone is judged again
                yield from ((day, p) for p in sorted(self.records))
            elif self._generation.get(patent_id) == generation and patent_id in self.records:
                yield day, patent_id

    # --- events -----------------------------------------------------------------------------

    def _apply(self, event: Event) -> str | None:
        """Change the record; a reason when the event cannot apply."""
        if event.type == "filed":
            if event.id in self.records:
                return "filed: the patent is already in the portfolio"
            return self._file(event)
        record = self.records.get(event.id)
        if record is None:
            return "unknown patent id"
        payload = event.payload
        impossible = _impossible(event, record)
        if impossible:
            return impossible
        match event.type:
            case "granted":
                record.update(grant_date=pd.Timestamp(event.date), status="valid")
            case "family_granted":
                record["family_granted"] = _added(record["family_granted"], payload["jurisdiction"])
            case "pledge_registered":
                record["pledge_amount"] = (record.get("pledge_amount") or 0) + payload["amount"]
            case "pledge_released":
                left = (record.get("pledge_amount") or 0) - payload.get("amount", float("inf"))
                record["pledge_amount"] = left if left > 0 else None
            case "award":
                record["awards"] = _added(record["awards"], payload["code"])
            case "annuity_paid":
                self.annuity_paid[event.id] = event.date
            case "lapsed":
                record.update(status="lapsed", lapse_date=pd.Timestamp(event.date))
            case "restored":
                record.update(status="valid", lapse_date=None)
            case "transferred":
                for key in ("owner_country", "region"):
                    if key in payload:
                        record[key] = payload[key]
        return None

    def _file(self, event: Event) -> str | None:
        row = {
            "id": event.id,
            "filing_date": event.date.isoformat(),
            "status": "pending",
            "grant_date": None,
            **{k: v for k, v in event.payload.items() if k not in ("id", "filing_date")},
        }
        for key in LIST_FIELDS:
            if isinstance(row.get(key), list):
                row[key] = ";".join(row[key])
        batch = validate(pd.DataFrame([row], dtype=object), "event")
        if not len(batch):
            return "filed: " + "; ".join(batch.rejects["reason"])
        self.records[event.id] = batch.record(0)
        return None

    def summary(self, stream: EventStream, warn_days: int | None = None) -> dict[str, Any]:
        until = self.final_day
        end = sum(v.high_value for v in self.verdicts.values())
        transitions = self.transitions
        data = {
            "patents": len(self.records),
            "events_read": stream.read,
            "events_applied": stream.read - len(stream.rejects) - len(self.after_until),
            "events_rejected": len(stream.rejects),
            "after_until": len(self.after_until),
            "reordered": stream.reordered,
            "became": sum(t.became for t in transitions),
            "lost": sum(not t.became for t in transitions),
            "high_value_start": self.start_high_value,
            "high_value_end": end,
            "start": self.start_day.isoformat(),
            "until": until.isoformat(),
            "rejects": stream.rejects,
            "assumptions": merge(
                watch_assumptions(v.prepared for v in self._versions.values()),
                alert_assumptions(self.alerts.versions if self.alerts is not None else ()),
            ),
        }
        if self.alerts is not None:
            data["alerts"] = self.alerts.summary()
        if warn_days is not None:
            horizon = until + dt.timedelta(days=warn_days)
            due = sorted(
                (self.next_annuity(p, until), p)
                for p, v in self.verdicts.items()
                if v.high_value and self.records[p].get("filing_date") is not None
            )
            data["warn_until"] = horizon.isoformat()
            data["annuity_due"] = [{"id": p, "due": d.isoformat()} for d, p in due if d <= horizon]
        return data

    # --- reading the state --------------------------------------------------------------------

    def snapshot(self) -> pd.DataFrame:
        """The records as a register (lists joined with ;), for the vectorized classifier."""
        rows = []
        for record in self.records.values():
            row = dict(record)
            for key in LIST_FIELDS:
                row[key] = ";".join(row.get(key) or ())
            rows.append(row)
        return pd.DataFrame(rows)

    def next_annuity(self, patent_id: str, after: dt.date) -> dt.date | None:
        """The first filing anniversary after `after` (or after the last annuity paid)."""
        filing = self.records[patent_id].get("filing_date")
        if filing is None:
            return None
        from ipscore.expr.dates import _anniversary_scalar

        start = pd.Timestamp(filing).date()
        paid = self.annuity_paid.get(patent_id)
        floor = max(after, paid) if paid else after
        year = floor.year
        while _anniversary_scalar(start, year) <= floor:
            year += 1
        return _anniversary_scalar(start, year)


def _impossible(event: Event, record: dict[str, Any]) -> str | None:
    """Events that would give the record impossible dates are rejected, not applied."""
    day = pd.Timestamp(event.date)
    filed, granted = record.get("filing_date"), record.get("grant_date")
    if event.type == "granted" and granted is not None:
        return f"already granted on {pd.Timestamp(granted).date()}"
    if event.type == "granted" and filed is not None and day < filed:
        return f"granted before it was filed ({pd.Timestamp(filed).date()})"
    if event.type == "lapsed" and (granted is None or day < granted):
        return "lapsed before it was granted"
    return None


def _added(codes: tuple[str, ...] | None, code: str) -> tuple[str, ...]:
    codes = tuple(codes or ())
    return codes if code in codes else (*codes, code)
