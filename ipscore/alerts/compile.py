"""Alert patterns → durable_rules rulesets (JSON definitions), one ruleset per rule version.

Facts. Every event of the stream and of the watcher's clock becomes one fact: `_t: "event"`,
`_type`, `_patent`, `_day` (days since 1970-01-01), `_seq` (its place in the stream),
`_notice` (days a clock event is announced early), `_g_<field>` for count groups, and the
fields and *features* (ipscore/expr/durable.py) its conditions read: the patent's state after
the event (`high_value`, record fields) and before it (`was_…`). Absence windows close on
`_t: "timer"` facts.

What durable_rules decides, by pattern (each behaviour below was measured on 2.0.28):
- **event**: one condition over one fact.
- **sequence**: correlated facts, `{"e1": {"_patent": {"e0": "_patent"}}}`, ordered by
  `_seq`, within `e0._day + W` (`e0._end_<W>`: see _within).
- **absent**: an "arm" rule on the anchor asserts a `pending` fact and asks for a timer; a
  "met" rule joins `pending` with the expected event in the window and its consequent
  retracts `pending`; the alert rule joins `pending` with its timer fact. (Not `none(...)`:
  see the comment in compile_version.) durable_rules' own timers (`start_timer`/`timeout`)
  count wall-clock seconds on background threads; a watch runs in simulated days, so the
  watcher asserts the timer fact when its clock reaches `anchor day + W + 1`, the day the
  absence becomes certain.
- **count**: `at_least` correlated facts of one group, each later in the stream than the
  last, all within `e0._day + W`. durable's `count`/`cap` batch the *firings* of one rule,
  they do not count facts in a window, so the count is a join of N facts.
Facts (`assert_fact`), not events (`post`): `post` consumes an event on the first match, so
one lapse could not count towards two windows, and only one rule would see it.
Every trigger carries the version's window (`_day` within `effective`), so durable decides
which version's alert fires on a date.

durable_rules 2.0.28, read in its C source (jruizgit/rules, src/rules/events.c) and measured:
- after a nested `$and`/`$or` group in a correlated pattern, reduceExpressionSequence
  returns at the group's end, so the comparisons that follow are never evaluated;
  references (`{"e0": ...}`) therefore come first in every correlated pattern, the fact's
  own conditions (which may nest) after them;
- it segfaulted now and then in its joins; the cause found (valgrind, then a fix that held
  over repeated runs) is a dangling pointer to a fact's `id` text, worked around in
  engine.py. While chasing it, `none(...)` and `$add` on a referenced field were replaced
  (a `pending` fact; `_end_<days>` fields); they were not tried again since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ipscore.expr.durable import Compiled, DurableCompiler, FactBuilder
from ipscore.expr.env import Env
from ipscore.spec.models.alerts import Alert, AlertRule, AlertVersion

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


@dataclass
class CompiledAlert:
    alert: Alert
    rule: AlertRule
    version: AlertVersion
    within: int = 0  # days
    notice: int = 0  # days
    ahead: int = 0  # days an absent pattern's expected event may come before its anchor


@dataclass
class CompiledVersion:
    """One alert-rule version as a durable_rules ruleset, and what its facts must carry."""

    name: str
    rule: AlertRule
    version: AlertVersion
    definition: dict[str, Any]
    alerts: dict[str, CompiledAlert]
    build: FactBuilder
    keeps: dict[str, int] = field(default_factory=dict)  # event type → days a fact is kept
    clock: set[tuple[str, int]] = field(default_factory=set)  # (clock event, notice days)
    groups: set[str] = field(default_factory=set)
    ends: set[int] = field(default_factory=set)  # window lengths: facts carry _end_<days>

    def start(self) -> dt.date:
        return self.version.effective.start

    def end(self) -> dt.date | None:
        return self.version.effective.end


def _window(version: AlertVersion) -> list[dict]:
    found = [{"$gte": {"_day": day_number(version.effective.start)}}]
    if version.effective.end is not None:
        found.append({"$lte": {"_day": day_number(version.effective.end)}})
    return found


def _event(kind: str, notice: int = 0) -> list[dict]:
    return [{"_t": "event"}, {"_type": kind}, {"_notice": notice}]


def _within(anchor: str, days: int) -> dict:
    """`_day <= anchor._day + days`, as a comparison with the anchor's `_end_<days>` field:
    durable_rules 2.0.28 crashes now and then evaluating `$add` on a referenced field (a
    segfault in reduceExpressionSequence under isBetaMatch, seen in gdb), so each fact
    carries the ends of the windows it may open (AlertEngine.observe)."""
    return {"$lte": {"_day": {anchor: f"_end_{days}"}}}


def compile_version(rule: AlertRule, index: int, only: set[str] | None) -> CompiledVersion:
    version = rule.versions[index]
    params = {k: p.value for k, p in version.parameters.items()}
    compiler = DurableCompiler(Env(params))
    compiled: list[Compiled] = []
    definition: dict[str, Any] = {}
    alerts: dict[str, CompiledAlert] = {}
    keeps: dict[str, int] = {}
    clock: set[tuple[str, int]] = set()
    groups: set[str] = set()

    def condition(node) -> list[dict]:
        if node is None:
            return []
        result = compiler.compile(node)
        compiled.append(result)
        return [result.condition]

    def keep(kind: str, days: int) -> None:
        keeps[kind] = max(keeps.get(kind, 0), days)

    for alert in version.alerts:
        if only is not None and alert.id not in only:
            continue
        within = version.days(alert, "within") if alert.within else 0
        notice = version.days(alert, "notice") if alert.notice else 0
        ahead = version.days(alert, "ahead") if alert.ahead else 0
        alerts[alert.id] = CompiledAlert(alert, rule, version, within, notice, ahead)
        steps = alert.steps
        for step in steps:
            keep(step.event, within + 1 + ahead if alert.pattern != "event" else 0)
        for step in steps:
            if step.event in ("annuity_due", "crosses_10_years"):
                clock.add((step.event, notice))
        trigger = _window(version)
        match alert.pattern:
            case "event":
                first = [*_event(alert.event, notice), *condition(steps[0].node), *trigger]
                definition[alert.id] = {"all": [{"e0": {"$and": first}}], "run": alert.id}
            case "sequence":
                patterns = []
                for i, step in enumerate(steps):
                    parts = []
                    if i:  # references first: see _refs_first
                        parts += [
                            {"_patent": {"e0": "_patent"}},
                            {"$gt": {"_seq": {f"e{i - 1}": "_seq"}}},
                            _within("e0", within),
                        ]
                    parts += [*_event(step.event), *condition(step.node)]
                    if i == len(steps) - 1:
                        parts += trigger
                    patterns.append({f"e{i}": {"$and": parts}})
                definition[alert.id] = {"all": patterns, "run": alert.id}
            case "absent":
                # Not `none(...)` (`<name>$not`): joined with a timer fact it crashed
                # durable_rules 2.0.28 now and then (a segfault in its beta evaluation). The
                # absence is three rules over a `pending` fact per anchor instead: `#arm`
                # (the anchor came: its consequent asserts `pending` and starts the timer),
                # `#met` (the expected event came in the window: its consequent retracts
                # `pending`) and the alert: `pending` still there when its timer comes.
                anchor = {"$and": [*_event(alert.after), *condition(steps[0].node)]}
                definition[f"{alert.id}#arm"] = {"all": [{"e0": anchor}], "run": f"{alert.id}#arm"}
                pending = {"$and": [{"_t": "pending"}, {"_alert": alert.id}]}
                expected = [
                    {"_patent": {"p": "_patent"}},
                    {"$gte": {"_day": {"p": "_from"}}},
                    _within("p", within),
                    *_event(alert.absent),
                ]
                definition[f"{alert.id}#met"] = {
                    "all": [{"p": pending}, {"e1": {"$and": expected}}],
                    "run": f"{alert.id}#met",
                }
                timer = [{"_anchor": {"p": "_anchor"}}, {"_t": "timer"}, {"_alert": alert.id}]
                definition[alert.id] = {
                    "all": [{"p": pending}, {"timer": {"$and": [*timer, *trigger]}}],
                    "run": alert.id,
                }
            case "count":
                group = f"_g_{alert.by}"
                groups.add(str(alert.by))
                cond = condition(steps[0].node)
                patterns = []
                for i in range(alert.at_least or 1):
                    parts = []
                    if i == 0:
                        parts.append({"$neq": {group: ""}})
                    else:  # references first: see _refs_first
                        parts += [
                            {group: {"e0": group}},
                            {"$gt": {"_seq": {f"e{i - 1}": "_seq"}}},
                            _within("e0", within),
                        ]
                    parts += [*_event(alert.count), *cond]
                    if i == (alert.at_least or 1) - 1:
                        parts += trigger
                    patterns.append({f"e{i}": {"$and": parts}})
                definition[alert.id] = {"all": patterns, "run": alert.id}
    # Named by content: one ruleset per distinct definition in a process (engine.py).
    digest = hashlib.sha1(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:12]
    name = f"{rule.id}@{version.effective.start}#{digest}"
    build = FactBuilder(compiled, Env(params))
    ends = {a.within for a in alerts.values() if a.alert.pattern != "event"}
    return CompiledVersion(
        name, rule, version, definition, alerts, build, keeps, clock, groups, ends
    )
