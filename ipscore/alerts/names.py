"""What an alert may name: event types, the fields its conditions read, its group field.
No durable_rules here: rule files are checked without the event engine."""

from __future__ import annotations

from collections.abc import Iterator

from ipscore.expr import ast, check
from ipscore.expr.errors import ExprError, did_you_mean
from ipscore.expr.scalar import ScalarEvaluator
from ipscore.spec.models.alerts import CLOCK_EVENTS, Alert, AlertVersion

#: Events a stream carries (ipscore/events/stream.py) and their payload keys.
STREAM_EVENTS: dict[str, tuple[str, ...]] = {
    "filed": (),
    "granted": (),
    "family_granted": ("jurisdiction",),
    "pledge_registered": ("amount",),
    "pledge_released": ("amount",),
    "award": ("code",),
    "annuity_paid": (),
    "lapsed": (),
    "restored": (),
    "transferred": (),
}
EVENT_NAMES = (*STREAM_EVENTS, *CLOCK_EVENTS)
#: The patent's state as the conditions see it: after the event, and before it (`was_`).
STATE_NAMES = ("high_value",)


def record_fields() -> tuple[str, ...]:
    from ipscore.patents.schema import FIELD_NAMES

    return FIELD_NAMES


def condition_names(event: str) -> tuple[str, ...]:
    """The names a condition on `event` may read."""
    state = (*record_fields(), *STATE_NAMES)
    return (*state, *(f"was_{n}" for n in state), "as_of", *STREAM_EVENTS.get(event, ()))


def alert_problems(alert: Alert, version: AlertVersion) -> Iterator[tuple[tuple, str]]:
    """(key path inside the alert, message) for each problem."""
    steps = alert.steps
    events = [("event",)] if alert.pattern == "event" else []
    keys = {
        "event": [("event",)],
        "sequence": [("sequence", i, "event") for i in range(len(steps))],
        "absent": [("after",), ("absent",)],
        "count": [("count",)],
    }[alert.pattern] or events
    for key, step in zip(keys, steps, strict=True):
        if step.event not in EVENT_NAMES:
            yield key, f"unknown event type {step.event!r}{did_you_mean(step.event, EVENT_NAMES)}"
    conditions = (
        [(("sequence", i, "when"), s) for i, s in enumerate(steps)]
        if alert.pattern == "sequence"
        else [(("when",), steps[0])]
    )
    for key, step in conditions:
        node = step.node
        if node is None or step.event not in EVENT_NAMES:
            continue
        for message in check(node, fields=condition_names(step.event), params=version.parameters):
            yield key, message
        if _never_true(node, version):
            yield key, f"the condition {step.when!r} is never true: the alert can never fire"
    for key in ("within", "notice", "ahead"):
        if getattr(alert, key) is not None:
            try:
                version.days(alert, key)
            except ValueError as err:
                yield (key,), str(err)
    yield from _never_fires(alert)


def _never_fires(alert: Alert) -> Iterator[tuple[tuple, str]]:
    if alert.pattern == "absent" and alert.absent == alert.after:
        yield (
            ("absent",),
            f"absent {alert.absent!r} after {alert.after!r}: the event it follows is itself "
            "the expected event, so the alert can never fire",
        )
    if alert.pattern == "absent" and alert.after == "until":
        yield ("after",), "nothing follows the end of the watch: the alert can never fire"
    if alert.notice is not None and alert.event not in ("annuity_due", "crosses_10_years"):
        yield (
            ("notice",),
            f"notice: only the clock's annuity_due and crosses_10_years can be announced "
            f"ahead, not {alert.event!r}",
        )
    if alert.pattern == "count" and alert.by not in record_fields():
        yield ("by",), f"unknown field {alert.by!r}{did_you_mean(str(alert.by), record_fields())}"


def _never_true(node: ast.Node, version: AlertVersion) -> bool:
    """A condition that reads no field and folds to false can never hold."""
    if any(isinstance(n, ast.Field) for n in ast.walk(node)):
        return False
    params = {k: p.value for k, p in version.parameters.items()}
    try:
        from ipscore.expr.env import Env

        return not ScalarEvaluator({}, Env(params), tracing=False).value(node)
    except (ExprError, KeyError, TypeError, ValueError):
        return False
