"""Each rule version compiled for durable_rules once, on the first day it is needed.

The schedule reads a version's comparisons with `as_of`, the fact state its fact builder and
rulesets: both ask this cache, so a version is compiled once whichever needs it first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ipscore.events.timeline import time_comparisons
from ipscore.expr.durable import ALWAYS, Compiled, DurableCompiler, FactBuilder
from ipscore.expr.env import Env
from ipscore.patents.classify import Prepared, prepare
from ipscore.spec import PatentRule

if TYPE_CHECKING:  # durable_rules is imported by the watcher alone (absent on 3.13+)
    from ipscore.events.host import RecordingHost


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

    def env(self, day: dt.date) -> Env:
        """The version's parameters and tables, with `as_of` set to `day`."""
        prepared = self.prepared
        return Env(prepared.params, {"as_of": pd.Timestamp(day)}, prepared.tables)


@dataclass
class Rulesets:
    """The versions of one rule, compiled into `host` on first use, keyed by their start."""

    rule: PatentRule
    table_files: dict[str, str] | None
    host: RecordingHost
    _by_start: dict[dt.date, VersionRules] = field(default_factory=dict)

    def for_day(self, day: dt.date) -> VersionRules:
        """The compiled version in force on `day`."""
        start = self.rule.version_for(day).effective.start
        if start not in self._by_start:
            self._by_start[start] = self._compile(day, start)
        return self._by_start[start]

    def used(self) -> Iterable[VersionRules]:
        """Every version compiled so far: the ones the run judged by."""
        return self._by_start.values()

    def _compile(self, day: dt.date, start: dt.date) -> VersionRules:
        prepared = prepare(self.rule, day, None, self.table_files)
        compiler = DurableCompiler(prepared.env)
        conditions = {c.id: compiler.compile(c.node) for _, c in prepared.version.conditions}
        name = f"{self.rule.id}@{start}"
        self.host.add_ruleset(name, {k: v.condition for k, v in conditions.items()})
        eligible = [conditions[i].condition for i in prepared.eligibility_ids]
        criteria = [conditions[i].condition for i in prepared.criteria_ids]
        # A version without criteria makes nothing high value.
        verdict = {"$and": [*eligible, {"$or": criteria or [{ALWAYS: False}]}]}
        self.host.add_ruleset(f"{name}#verdict", {"high_value": verdict})
        compiled = list(conditions.values())
        return VersionRules(
            prepared,
            f"{name}#verdict",
            name,
            compiled,
            FactBuilder(compiled, prepared.env),
            time_comparisons(prepared.version),
        )
