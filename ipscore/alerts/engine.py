"""Alerts at run time: facts into durable_rules as the watcher's stream and clock advance.

The watcher (ipscore/events/watch.py) tells this engine each applied event, with the
patent's state before and after, and lets it act on each simulated day. The engine:
- turns events into facts and asserts them into every alert ruleset (compile.py);
- runs the clock: `annuity_due` on each filing anniversary while the patent is in force,
  `crosses_10_years` on the day its maintenance exceeds 10 years (announced `notice` days
  early where an alert asks), `until` at the end, and the timers absences wait on;
- retracts a fact once no pattern can use it (older than the longest window over its type:
  every pattern bounds its later facts by `e0._day + W`, and the clock only moves forward);
- reports what durable_rules fired. Several firings with one trigger fact (a count reached
  by more than one combination of earlier facts) are one alert, listing every fact involved.

durable_rules 2.0.28 behaviours relied on or worked around here:
- `id` is a fact's identity: a second fact with the same `id` raises
  MessageObservedException. Each fact's `id` is its stream position; the patent id is
  `_patent`, and conditions may not read the record's `id` (ipscore/alerts/names.py).
- Exceptions raised inside an action are swallowed: actions only record what fired.
- An unmatched fact raises MessageNotHandledException: it is kept, it just fired nothing.
- Host() starts background timer/dispatch threads; this host never starts them (`_run`)
  and is used from one thread.
- With facts, every combination that satisfies a rule fires (once); retracting a fact
  drops its pending combinations.
- A stored fact's `id` and `sid` still point into the JSON text the fact was asserted with
  (copyMessage in src/rules/state.c re-points every other string into its own copy). The
  host keeps that text until the fact is retracted; before it did, joins read freed memory
  and segfaulted now and then (valgrind: invalid reads in reduceExpressionSequence).
- Rulesets are never freed: one host per process makes each distinct ruleset once, and
  every watch runs in a session (`sid`) of its own, with fact ids unique in the process,
  and retracts its facts when it ends. A ruleset holds about 1,024 sessions, so a process
  can run about a thousand watches with alerts (`delete_state` crashed it, so sessions
  are not deleted).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine
import pandas as pd
from durable import engine

from ipscore.alerts.compile import CompiledVersion, compile_version, day_number
from ipscore.alerts.names import STREAM_EVENTS
from ipscore.expr.dates import _anniversary_scalar
from ipscore.spec.models.alerts import AlertRule

CLOCK_ORDER = {"clock": 0, "timer": 1}
RETRACT = True


@dataclass(frozen=True)
class AlertHit:
    alert: str
    severity: str
    id: str  # the patent, or the group (owner, region) of a count
    date: dt.date
    message: str
    because: list[str]
    rule: str
    version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "alert",
            "alert": self.alert,
            "severity": self.severity,
            "id": self.id,
            "date": self.date.isoformat(),
            "message": self.message,
            "because": self.because,
            "rule": self.rule,
            "version": self.version,
        }


class AlertHost(engine.Host):
    """Records every firing: (rule name, the named facts it matched)."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, dict[str, Any]]] = []
        self._texts: dict[tuple[str, int], str] = {}
        super().__init__()

    def _run(self) -> None:  # no background threads: time is simulated (module docstring)
        return None

    def get_action(self, action_name: str):
        def record(c) -> None:
            self.fired.append((action_name, dict(c._m)))

        return record

    def assert_recorded(self, ruleset: str, fact: dict[str, Any]) -> list:
        """Assert a fact; the rules that fired, with the facts each matched."""
        self.fired.clear()
        rules = self.get_ruleset(ruleset)
        # The engine keeps a pointer into the JSON text it was given for a fact's `id` and
        # `sid` (copyMessage re-points every string but those two), so the text must live
        # as long as the fact does: it is kept until the fact is retracted.
        text = json.dumps(fact, ensure_ascii=False)
        self._texts[(ruleset, fact["id"])] = text
        result = durable_rules_engine.assert_fact(rules._handle, text)
        # An unmatched fact raises MessageNotHandledException: it is kept all the same.
        with contextlib.suppress(engine.MessageNotHandledException):
            rules.do_actions(rules._handle_result(result, fact), _raise_error)
        return list(self.fired)

    def retract(self, ruleset: str, fact: dict[str, Any]) -> None:
        self.retract_fact(ruleset, fact)
        self._texts.pop((ruleset, fact["id"]), None)


@dataclass
class AlertEngine:
    rules: list[tuple[AlertRule, set[str] | None]]
    host: AlertHost = field(default_factory=lambda: shared_host())
    versions: list[CompiledVersion] = field(default_factory=list)
    hits: list[AlertHit] = field(default_factory=list)
    _queue: list = field(default_factory=list)
    _expiry: list = field(default_factory=list)
    _seq: int = 0
    _order: int = 0
    _until: dt.date | None = None
    _clock_types: set[tuple[str, int]] = field(default_factory=set)
    _types: set[str] = field(default_factory=set)
    _seen: set[tuple[str, str, int]] = field(default_factory=set)
    _pending: list = field(default_factory=list)
    _live: dict = field(default_factory=dict)  # pending facts still asserted
    _retracted: set[int] = field(default_factory=set)
    facts_asserted: int = 0

    def __post_init__(self) -> None:
        self._seq = next_ids()
        # Each watch in a session of its own: with one shared session, what earlier watches
        # left in the engine's frames crashed later joins (segfaults, every other test run).
        self.sid = str(self._seq)
        for rule, only in self.rules:
            for index in range(len(rule.versions)):
                compiled = compile_version(rule, index, only)
                if not compiled.alerts:
                    continue
                if compiled.name not in self.host._ruleset_directory:
                    # durable_rules keeps the definition; a JSON round trip gives it a copy.
                    definition = json.loads(json.dumps(compiled.definition))
                    self.host.register_rulesets({compiled.name: definition})
                self.versions.append(compiled)
                self._clock_types |= compiled.clock
                self._types |= set(compiled.keeps)

    # --- the clock ----------------------------------------------------------------------

    def start(self, records: Mapping[str, dict[str, Any]], start: dt.date, until: dt.date) -> None:
        self._until = until
        for patent_id, record in records.items():
            self.schedule_patent(patent_id, record, start)

    def schedule_patent(self, patent_id: str, record: dict[str, Any], after: dt.date) -> None:
        """Queue a new patent's clock events from `after` on (its filing date is known)."""
        filing = record.get("filing_date")
        if filing is None or pd.isna(filing) or not self._clock_types:
            return
        filed = pd.Timestamp(filing).date()
        for kind, notice in self._clock_types:
            if kind == "annuity_due":
                year = max(after.year, filed.year + 1)
                if _anniversary_scalar(filed, year) < after:
                    year += 1
                self._push(_anniversary_scalar(filed, year), "clock", (patent_id, kind, notice))
            else:  # crosses_10_years: the day after the 10th anniversary, `notice` days early
                crosses = _anniversary_scalar(filed, filed.year + 10) + dt.timedelta(days=1)
                day = crosses - dt.timedelta(days=notice)
                if day >= after:
                    self._push(day, "clock", (patent_id, kind, notice))

    def _push(self, day: dt.date, kind: str, item: Any) -> None:
        if self._until is not None and day > self._until:
            return
        self._order += 1
        heapq.heappush(self._queue, (day, CLOCK_ORDER[kind], self._order, kind, item))

    def next_day(self) -> dt.date | None:
        return self._queue[0][0] if self._queue else None

    def tick(self, day: dt.date, records: Mapping[str, dict[str, Any]], verdicts) -> list[AlertHit]:
        """Everything the clock has on `day`: expired facts go, clock events and timers come."""
        self._expire(day)
        found: list[AlertHit] = []
        while self._queue and self._queue[0][0] <= day:
            when, _, _, kind, item = heapq.heappop(self._queue)
            if kind == "timer":
                compiled, timer, pending = item
                found += self._assert_to(compiled, timer, when)
                self._retract(compiled.name, pending)  # its window is over either way
                continue
            patent_id, event, notice = item
            record = records.get(patent_id)
            if record is None:
                continue
            if event == "annuity_due":  # the next anniversary is queued whatever happens
                filed = pd.Timestamp(record["filing_date"]).date()
                nxt = _anniversary_scalar(filed, when.year + 1)
                self._push(nxt, "clock", item)
            if _in_force(record, when):
                verdict = verdicts.get(patent_id)
                high = bool(verdict and verdict.high_value)
                found += self.observe(
                    event, patent_id, when, record, high, record, high, {}, notice
                )
        return found

    def finish(self, until: dt.date, records, verdicts) -> list[AlertHit]:
        found = self.tick(until, records, verdicts)
        if "until" in self._types:
            found += self.observe("until", "*", until, {}, False, {}, False, {})
        self._expire(dt.date.max)  # the watch is over: leave no fact behind
        for name, pending in list(self._live.values()):
            self._retract(name, pending)
        return found

    # --- facts --------------------------------------------------------------------------

    def observe(
        self,
        kind: str,
        patent_id: str,
        day: dt.date,
        before: Mapping[str, Any],
        was_high_value: bool,
        after: Mapping[str, Any],
        high_value: bool,
        payload: Mapping[str, Any],
        notice: int = 0,
    ) -> list[AlertHit]:
        """An event (or clock event) on one patent: its fact into every ruleset that uses it."""
        if kind not in self._types:
            return []  # no pattern names this event type: no rule could match its fact
        self._seq += 1
        source = dict(after)
        source.update({f"was_{k}": v for k, v in before.items()})
        source.update(high_value=high_value, was_high_value=was_high_value)
        source.update({k: v for k, v in payload.items() if k in STREAM_EVENTS.get(kind, ())})
        source.pop("id", None)
        found: list[AlertHit] = []
        context = {"as_of": pd.Timestamp(day)}
        for compiled in self.versions:
            if kind not in compiled.keeps:
                continue
            if compiled.end() is not None and day > compiled.end() + dt.timedelta(
                days=compiled.keeps[kind]
            ):
                continue  # past this version and every window that could reach into it
            fact = compiled.build(source, context)
            fact.update(
                sid=self.sid,
                id=self._seq,
                _t="event",
                _type=kind,
                _patent=patent_id,
                _day=day_number(day),
                _seq=self._seq,
                _notice=notice,
            )
            for days in compiled.ends:
                fact[f"_end_{days}"] = fact["_day"] + days
            for group in compiled.groups:
                value = after.get(group)
                fact[f"_g_{group}"] = "" if value is None or pd.isna(value) else str(value)
            found += self._assert(compiled, fact, day)
            self._assert_pending()
            if compiled.keeps[kind]:
                heapq.heappush(
                    self._expiry,
                    (day + dt.timedelta(days=compiled.keeps[kind]), self._seq, compiled.name, fact),
                )
            else:
                self._retract(compiled.name, fact)
        return found

    def _assert_to(self, compiled: CompiledVersion, fact: dict, day: dt.date) -> list[AlertHit]:
        found = self._assert(compiled, fact, day)
        self._retract(compiled.name, fact)  # a timer is asked once
        return found

    def _assert(self, compiled: CompiledVersion, fact: dict, day: dt.date) -> list[AlertHit]:
        self.facts_asserted += 1
        fired = self.host.assert_recorded(compiled.name, fact)
        by_trigger: dict[tuple[str, int], list[dict]] = {}
        for name, facts in fired:
            if name.endswith("#arm"):
                self._arm(compiled, name.removesuffix("#arm"), facts["e0"])
                continue
            if name.endswith("#met"):  # the expected event came in time: nothing is pending
                self._retract(compiled.name, facts["p"])
                continue
            by_trigger.setdefault((name, fact["_seq"]), []).append(facts)
        found = []
        for (name, _), combos in by_trigger.items():
            key = (compiled.name, name, fact["_seq"])
            if key in self._seen:
                continue
            self._seen.add(key)
            found.append(self._hit(compiled, name, combos, day))
        self.hits += found
        return found

    def _arm(self, compiled: CompiledVersion, alert_id: str, anchor: dict) -> None:
        """The arm rule's consequent: a `pending` fact for the anchor, and durable_rules'
        start_timer in simulated days: the timer fact comes the day after the window."""
        within = compiled.alerts[alert_id].within
        day = dt.date.fromordinal(EPOCH_ORDINAL + anchor["_day"]) + dt.timedelta(days=within + 1)
        self._seq += 1
        pending = {
            "sid": self.sid,
            "id": self._seq,
            "_t": "pending",
            "_alert": alert_id,
            "_anchor": anchor["_seq"],
            "_patent": anchor["_patent"],
            "_day": anchor["_day"],
            "_from": anchor["_day"] - compiled.alerts[alert_id].ahead,
            f"_end_{within}": anchor["_day"] + within,
            "anchor": anchor,
        }
        self._seq += 1
        timer = {
            "sid": self.sid,
            "id": self._seq,
            "_t": "timer",
            "_alert": alert_id,
            "_anchor": anchor["_seq"],
            "_day": day_number(day),
            "_seq": self._seq,
        }
        self._pending.append((compiled, pending))
        self._live[pending["id"]] = (compiled.name, pending)
        self._push(day, "timer", (compiled, timer, pending))

    def _assert_pending(self) -> list[AlertHit]:
        """Assert the pending facts the last assert armed: after it, as durable_rules is not
        re-entrant from inside an assert."""
        found: list[AlertHit] = []
        while self._pending:
            compiled, pending = self._pending.pop(0)
            self.facts_asserted += 1
            fired = self.host.assert_recorded(compiled.name, pending)
            if fired:  # only #met can fire on a pending fact: the event came already
                self._retract(compiled.name, pending)
        return found

    def _retract(self, ruleset: str, fact: dict) -> None:
        self._live.pop(fact["id"], None)
        if (not RETRACT and fact["_t"] != "pending") or fact["id"] in self._retracted:
            return  # retracting twice is not asked of durable_rules
        self._retracted.add(fact["id"])
        self.host.retract(ruleset, fact)

    def _expire(self, day: dt.date) -> None:
        while self._expiry and self._expiry[0][0] < day:
            _, _, name, fact = heapq.heappop(self._expiry)
            self._retract(name, fact)

    # --- reporting ------------------------------------------------------------------------

    def _hit(self, compiled: CompiledVersion, name: str, combos: list[dict], day) -> AlertHit:
        spec = compiled.alerts[name]
        alert = spec.alert
        involved = {f["_seq"]: f for c in combos for f in c.values() if f.get("_t") == "event"}
        involved |= {c["p"]["anchor"]["_seq"]: c["p"]["anchor"] for c in combos if "p" in c}
        events = [involved[k] for k in sorted(involved)]
        because = [f"{f['_type']} {f['_patent']} {_date(f['_day'])}" for f in events]
        first = events[0]
        subject = first["_patent"]
        match alert.pattern:
            case "event":
                detail = f"{alert.event} on {_date(first['_day'])}"
                if spec.notice:
                    due = _date(first["_day"] + spec.notice)
                    detail = f"{alert.event} on {due} ({spec.notice} days' notice)"
                    because = [f"{alert.event} {subject} {due}"]
                if alert.when:
                    because.append(alert.when)
            case "sequence":
                detail = " then ".join(f"{f['_type']} {_date(f['_day'])}" for f in events)
            case "absent":
                deadline = _date(first["_day"] + spec.within)
                detail = f"{alert.after} on {_date(first['_day'])}, no {alert.absent} by {deadline}"
                because.append(f"no {alert.absent} by {deadline}")
            case _:
                subject = first[f"_g_{alert.by}"]
                patents = sorted({f["_patent"] for f in events})
                detail = (
                    f"{len(patents)} patents of {alert.by} {subject}: {alert.count} within "
                    f"{spec.within} days"
                )
        return AlertHit(
            alert.id,
            alert.severity,
            subject,
            day,
            f"{alert.label}: {detail}",
            because,
            compiled.rule.id,
            str(compiled.version.effective.start),
        )

    def summary(self) -> list[dict[str, Any]]:
        """Per alert: how many fired, in the order the rules list them."""
        rows = {}
        for compiled in self.versions:
            for alert_id, spec in compiled.alerts.items():
                rows.setdefault(
                    alert_id,
                    {
                        "alert": alert_id,
                        "severity": spec.alert.severity,
                        "label": spec.alert.label,
                        "label_en": spec.alert.label_en,
                        "rule": compiled.rule.id,
                        "fired": 0,
                    },
                )
        for hit in self.hits:
            rows[hit.alert]["fired"] += 1
        return list(rows.values())


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SHARED: list[AlertHost] = []


def shared_host() -> AlertHost:
    """One host per process, its rulesets made once per distinct definition, each watch in a
    process-unique fact ids. durable_rules 2.0.28 never frees a ruleset."""
    if not _SHARED:
        _SHARED.append(AlertHost())
    return _SHARED[0]


_IDS = [0]


def next_ids(block: int = 1 << 40) -> int:
    """Where this engine's fact ids start: fact ids are unique in the whole process."""
    _IDS[0] += block
    return _IDS[0]


def _date(day: int) -> str:
    return dt.date.fromordinal(EPOCH_ORDINAL + day).isoformat()


def _in_force(record: Mapping[str, Any], day: dt.date) -> bool:
    granted = record.get("grant_date")
    if record.get("status") != "valid" or granted is None or pd.isna(granted):
        return False
    return pd.Timestamp(granted).date() <= day


def _raise_error(error, _state) -> None:
    if error:
        raise error
