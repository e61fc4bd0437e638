"""What the watcher knows of each patent: its record, its verdict, and the fact durable_rules
judges it by.

A record becomes a fact (its fields, the features the compiled conditions need, as of a day)
asserted into the ruleset of the rule version in force that day; the rules that fire are the
conditions that hold. The first day's verdicts come from the vectorized bulk path instead:
durable_rules is the event engine, not the bulk path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ipscore.events.rulesets import Rulesets
from ipscore.expr.dates import _anniversary_scalar
from ipscore.patents.classify import evaluate
from ipscore.patents.validate import PatentBatch

#: Record fields holding lists; a register joins them with ";".
LIST_FIELDS = ("ipc", "family_granted", "awards")


@dataclass
class Verdict:
    high_value: bool
    passed: frozenset[str] | None  # known for the bulk-classified first day


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
class FactState:
    rulesets: Rulesets
    records: dict[str, dict[str, Any]]
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    annuity_paid: dict[str, dt.date] = field(default_factory=dict)  # no condition reads it
    # The date-free part of each patent's fact, per ruleset: an event rebuilds only what the
    # fields it changed feed.
    _static: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _last_fact: dict[str, Any] = field(default_factory=dict)

    def judge_in_bulk(self, batch: PatentBatch, day: dt.date) -> list[str]:
        """Every patent's verdict on `day` by the vectorized classifier; their ids."""
        prepared = self.rulesets.for_day(day).prepared
        verdicts = evaluate(batch, prepared)
        conditions = [c.id for _, c in prepared.version.conditions]
        passed = verdicts[conditions].to_numpy()
        ids = [str(i) for i in verdicts["id"]]
        for row, patent_id in enumerate(ids):
            self.verdicts[patent_id] = Verdict(
                bool(verdicts["high_value"].iat[row]),
                frozenset(c for c, ok in zip(conditions, passed[row], strict=True) if ok),
            )
        return ids

    def judge(
        self, patent_id: str, day: dt.date, cause: str, changed: set[str] | None = frozenset()
    ) -> Transition | None:
        """The patent's verdict on `day`, kept; a transition when it changed."""
        before = self.verdicts.get(patent_id)
        after = self.evaluate(patent_id, day, changed)
        self.verdicts[patent_id] = after
        if before is None or before.high_value == after.high_value:
            return None
        return Transition(patent_id, day, after.high_value, self._because(day, after), cause)

    def evaluate(self, patent_id: str, day: dt.date, changed: set[str] | None = None) -> Verdict:
        """Assert the patent's fact as of `day`; the rules that fire are the conditions that
        hold. The date-free part of the fact is kept, and rebuilt for the `changed` fields
        only (None: all of them)."""
        rules = self.rulesets.for_day(day)
        record = self.records[patent_id]
        key = (rules.conditions, patent_id)
        previous = self._static.get(key)
        if previous is None or changed is None:
            static = rules.build.static(record)
        elif changed:
            static = rules.build.static(record, changed, previous)
            if static == previous and patent_id in self.verdicts:
                # The event changed nothing a condition reads, and time acts only on the
                # scheduled dates: the verdict stands without asking durable_rules.
                return self.verdicts[patent_id]
        else:
            static = previous
        self._static[key] = static
        fact = rules.build(record, {"as_of": pd.Timestamp(day)}, static)
        fact["id"] = patent_id
        self._last_fact = fact
        verdict = self.rulesets.host.passing(rules.verdict, fact)
        return Verdict("high_value" in verdict, None)

    def conditions_holding(self, day: dt.date, fact: dict[str, Any]) -> frozenset[str]:
        return frozenset(self.rulesets.host.passing(self.rulesets.for_day(day).conditions, fact))

    def high_value_count(self) -> int:
        return sum(v.high_value for v in self.verdicts.values())

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
        start = pd.Timestamp(filing).date()
        paid = self.annuity_paid.get(patent_id)
        floor = max(after, paid) if paid else after
        year = floor.year
        while _anniversary_scalar(start, year) <= floor:
            year += 1
        return _anniversary_scalar(start, year)

    def annuities_due(self, until: dt.date, warn_days: int) -> dict[str, Any]:
        """The high-value patents whose next annuity falls due within `warn_days` of
        `until`, the last day watched."""
        horizon = until + dt.timedelta(days=warn_days)
        due = sorted(
            (self.next_annuity(p, until), p)
            for p, v in self.verdicts.items()
            if v.high_value and self.records[p].get("filing_date") is not None
        )
        return {
            "warn_until": horizon.isoformat(),
            "annuity_due": [{"id": p, "due": d.isoformat()} for d, p in due if d <= horizon],
        }

    def _because(self, day: dt.date, after: Verdict) -> list[str]:
        """Why the verdict changed: the criteria that now hold, or the eligibility
        conditions that now fail (asked of durable_rules only when a verdict changes)."""
        passed = self.conditions_holding(day, self._last_fact)
        prepared = self.rulesets.for_day(day).prepared
        if after.high_value:
            return [c for c in prepared.criteria_ids if c in passed]
        return [e for e in prepared.eligibility_ids if e not in passed] or ["no_criterion"]
