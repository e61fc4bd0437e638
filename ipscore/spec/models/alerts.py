"""`kind: alert`: portfolio alerts, patterns over a stream of patent events.

An alert has exactly one pattern:
- `event` (+ `when`): one event, with a condition on the event and on the patent's state
  before (`was_…`) and after it; clock events may be announced `notice` days early;
- `sequence`: events on the same patent, in order, within a window;
- `absent` … `after` … `within`: an expected event that does not follow within a window;
- `count` … `at_least` … `within` … `by`: matching events of one group within a window.
The patterns are compiled to durable_rules rulesets (ipscore/alerts/compile.py).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from ipscore.expr import Node, parse
from ipscore.expr.errors import did_you_mean
from ipscore.plugins import load_one
from ipscore.spec.models.common import (
    Expression,
    Identifier,
    Parameter,
    RuleId,
    Source,
    Strict,
    Window,
    check_versions_do_not_overlap,
)

#: Events the watcher's clock emits; a `notice` may announce them early.
CLOCK_EVENTS = ("annuity_due", "crosses_10_years", "until")
Severity = Literal["info", "low", "medium", "high", "critical"]
_SPAN = re.compile(r"^(\d+)\s*([dw])$")
_UNIT_DAYS = {"d": 1, "w": 7}


def window_days(text: Any, params: dict[str, Parameter]) -> int:
    """A window such as `30d`, `8w` or `$grace` (a parameter holding one), in days."""
    raw = text
    if isinstance(text, str) and text.startswith("$"):
        name = text[1:]
        if name not in params:
            raise ValueError(f"unknown parameter {text}{did_you_mean(name, params)}")
        raw = params[name].value
    found = _SPAN.match(str(raw).strip()) if isinstance(raw, str) else None
    if found is None:
        raise ValueError(
            f"window {raw!r} needs a whole number and a unit: d (days) or w (weeks), e.g. 30d"
        )
    return int(found.group(1)) * _UNIT_DAYS[found.group(2)]


class Step(Strict):
    """One event of a pattern and its condition."""

    event: str
    when: Expression | None = None

    @property
    def node(self) -> Node | None:
        return parse(self.when) if self.when else None


class Alert(Strict):
    id: Identifier
    label: str
    label_en: str
    severity: Severity
    source: Source | None = None
    # the pattern: exactly one of event / sequence / absent / count
    event: str | None = None
    sequence: list[Step] | None = None
    absent: str | None = None
    count: str | None = None
    # its parts
    when: Expression | None = Field(None, description="condition on the event (`after` for absent)")
    after: str | None = None
    within: str | None = None
    ahead: str | None = Field(
        None, description="absent: the expected event also counts this long before `after`"
    )
    notice: str | None = None
    at_least: int | None = Field(None, ge=1)
    by: str | None = None

    @model_validator(mode="after")
    def _one_pattern(self) -> Alert:
        kinds = [k for k in ("event", "sequence", "absent", "count") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "an alert has exactly one pattern: event, sequence, absent or count"
                + (f" (found {', '.join(kinds)})" if kinds else "")
            )
        needs = {
            "event": (),
            "sequence": ("within",),
            "absent": ("after", "within"),
            "count": ("within", "at_least", "by"),
        }[kinds[0]]
        missing = [k for k in needs if getattr(self, k) in (None, "")]
        if missing:
            raise ValueError(f"a {kinds[0]} pattern needs {', '.join(missing)}")
        allowed = {
            "event": {"when", "notice"},
            "sequence": {"within"},
            "absent": {"after", "within", "when", "ahead"},
            "count": {"within", "at_least", "by", "when"},
        }[kinds[0]]
        stray = [
            k
            for k in ("when", "after", "within", "notice", "at_least", "by", "ahead")
            if getattr(self, k) is not None and k not in allowed
        ]
        if stray:
            raise ValueError(f"a {kinds[0]} pattern takes no {', '.join(stray)}")
        if self.sequence is not None and len(self.sequence) < 2:
            raise ValueError("a sequence needs two events or more")
        return self

    @property
    def pattern(self) -> str:
        return next(k for k in ("event", "sequence", "absent", "count") if getattr(self, k))

    @property
    def steps(self) -> list[Step]:
        """The events the pattern matches, with their conditions, in order."""
        match self.pattern:
            case "event":
                return [Step(event=self.event, when=self.when)]
            case "sequence":
                return list(self.sequence or [])
            case "absent":
                return [Step(event=self.after, when=self.when), Step(event=self.absent)]
        return [Step(event=self.count, when=self.when)]


class AlertVersion(Strict):
    effective: Window
    confidence: Literal["confirmed", "unconfirmed", "assumption"] = "confirmed"
    note: str | None = None
    parameters: dict[Identifier, Parameter] = {}
    alerts: list[Alert] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> AlertVersion:
        ids = [a.id for a in self.alerts]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"alert ids repeat: {', '.join(repeated)}")
        return self

    def days(self, alert: Alert, key: str) -> int:
        return window_days(getattr(alert, key), dict(self.parameters))


class ExampleEvent(Strict):
    id: str
    date: dt.date
    type: str
    payload: dict[str, Any] = {}


class ExpectedAlert(Strict):
    alert: str
    id: str
    date: dt.date


class AlertExample(Strict):
    id: str
    description: str | None = None
    initial: list[dict[str, Any]] = Field(description="the portfolio before the events")
    events: list[ExampleEvent] = []
    start: dt.date | None = Field(None, description="default: the first event's date")
    until: dt.date
    expect: list[ExpectedAlert]


class AlertRule(Strict):
    id: RuleId
    title: str
    title_en: str
    kind: Literal["alert"]
    description: str | None = None
    source: Source
    patent_rule: str = "cn-high-value-invention"
    versions: list[AlertVersion] = Field(min_length=1)
    examples: list[AlertExample] = []
    _origin: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _windows_do_not_overlap(self) -> AlertRule:
        check_versions_do_not_overlap([v.effective for v in self.versions])
        return self

    def version_for(self, day: dt.date) -> AlertVersion | None:
        return next((v for v in self.versions if v.effective.contains(day)), None)

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Unknown events and fields, bad windows, and patterns that can never fire."""
        alert_problems = load_one("spec.alert_problems")
        problems = []
        for index, version in enumerate(self.versions):
            for position, alert in enumerate(version.alerts):
                for key, message in alert_problems(alert, version):
                    problems.append((("versions", index, "alerts", position, *key), message))
        for index, example in enumerate(self.examples):
            known = {a.id for v in self.versions for a in v.alerts}
            for position, expected in enumerate(example.expect):
                if expected.alert not in known:
                    problems.append(
                        (
                            ("examples", index, "expect", position, "alert"),
                            f"unknown alert {expected.alert!r}"
                            + did_you_mean(expected.alert, known),
                        )
                    )
        return problems
