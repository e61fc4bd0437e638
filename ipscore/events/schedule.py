"""The dates on which time alone may change a verdict, in one queue.

Between events a patent is judged again only on the dates its conditions compare with
`as_of` (timeline.py), and every patent on the first day of a new rule version. An event
that moves a patent's dates makes its queued dates stale: each patent's entries carry a
generation, and only those of its latest generation are due."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ipscore.events.rulesets import Rulesets
from ipscore.events.timeline import breakpoints, record_breakpoints
from ipscore.spec import PatentRule

#: The queue's name for "a new rule version starts": it sorts before every patent id, so on
#: that day everyone is judged by the new version before any single patent's date.
NEW_VERSION = "*"


@dataclass
class Schedule:
    rulesets: Rulesets
    # (day, patent id, push order, generation): ties on one day go by patent id, never by
    # the order the register listed them in, so the transitions' order is not the input's.
    _queue: list[tuple[dt.date, str, int, int]] = field(default_factory=list)
    _generation: dict[str, int] = field(default_factory=dict)
    _pushed: int = 0

    def add_portfolio(self, ids: Sequence[str], columns, after: dt.date, until: dt.date) -> None:
        """Queue the dates in (after, until] on which time may change these patents'
        verdicts, computed for the register's columns at once."""
        rules = self.rulesets.for_day(after)
        dates = breakpoints(rules.prepared.version, columns, len(ids), rules.env(after))
        window = (dates > np.datetime64(after, "D")) & (dates <= np.datetime64(until, "D"))
        for row, column in zip(*np.nonzero(window), strict=True):
            patent_id = ids[row]
            generation = self._generation.setdefault(patent_id, 1)
            self._push(dates[row, column].astype(dt.date), patent_id, generation)

    def add_version_starts(self, rule: PatentRule, after: dt.date, until: dt.date) -> None:
        """Queue the first day of each rule version starting in (after, until]."""
        for version in rule.versions:
            if after < version.effective.start <= until:
                self._push(version.effective.start, NEW_VERSION, 0)

    def reschedule(
        self, patent_id: str, record: Mapping[str, Any], after: dt.date, until: dt.date
    ) -> None:
        """An event moved this patent's dates: forget its queued dates, queue the new ones."""
        generation = self._generation.get(patent_id, 0) + 1
        self._generation[patent_id] = generation
        rules = self.rulesets.for_day(after)
        for day in record_breakpoints(rules.times, record, rules.env(after)):
            if after < day <= until:
                self._push(day, patent_id, generation)

    def next_day(self) -> dt.date | None:
        return self._queue[0][0] if self._queue else None

    def due_before(
        self, before: dt.date, records: Mapping[str, Any]
    ) -> Iterator[tuple[dt.date, str]]:
        """(day, patent id) for every queued date before `before`, in queue order, skipping
        stale dates and patents no longer in `records`."""
        while self._queue and self._queue[0][0] < before:
            day, patent_id, _, generation = heapq.heappop(self._queue)
            if patent_id == NEW_VERSION:
                yield from ((day, p) for p in sorted(records))
            elif self._generation.get(patent_id) == generation and patent_id in records:
                yield day, patent_id

    def _push(self, day: dt.date, patent_id: str, generation: int) -> None:
        self._pushed += 1
        heapq.heappush(self._queue, (day, patent_id, self._pushed, generation))
