"""What each event changes in a patent's record, and what the watcher must do after it:
which fields to rebuild the fact from, and whether the patent's dates moved.

An event that cannot apply (an unknown patent, a grant before the filing, ...) changes
nothing and gives the reason it is rejected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ipscore.events.facts import LIST_FIELDS
from ipscore.events.stream import Event
from ipscore.patents.validate import validate

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


def fields_changed_by(event_type: str) -> set[str] | None:
    """The fields whose part of the fact must be rebuilt before the patent is judged again."""
    return EVENT_FIELDS[event_type]


def moves_dates(event_type: str) -> bool:
    """Whether the patent's queued dates are stale after this event (only date events move
    the dates time acts on)."""
    return event_type in DATE_EVENTS


def apply_event(
    event: Event, records: dict[str, dict[str, Any]], annuity_paid: dict[str, dt.date]
) -> str | None:
    """Change the patent's record (or add it, when filed); a reason when the event cannot
    apply, and then nothing changed."""
    if event.type == "filed":
        if event.id in records:
            return "filed: the patent is already in the portfolio"
        return _file(event, records)
    record = records.get(event.id)
    if record is None:
        return "unknown patent id"
    impossible = _impossible(event, record)
    if impossible:
        return impossible
    if event.type == "annuity_paid":
        annuity_paid[event.id] = event.date
    else:
        _change(record, event)
    return None


def _change(record: dict[str, Any], event: Event) -> None:
    payload = event.payload
    match event.type:
        case "granted":
            record.update(grant_date=pd.Timestamp(event.date), status="valid")
        case "family_granted":
            record["family_granted"] = _added(record["family_granted"], payload["jurisdiction"])
        case "pledge_registered":
            record["pledge_amount"] = (record.get("pledge_amount") or 0) + payload["amount"]
        case "pledge_released":
            # Released without an amount: the whole pledge.
            left = (record.get("pledge_amount") or 0) - payload.get("amount", float("inf"))
            record["pledge_amount"] = left if left > 0 else None
        case "award":
            record["awards"] = _added(record["awards"], payload["code"])
        case "lapsed":
            record.update(status="lapsed", lapse_date=pd.Timestamp(event.date))
        case "restored":
            record.update(status="valid", lapse_date=None)
        case "transferred":
            for key in ("owner_country", "region"):
                if key in payload:
                    record[key] = payload[key]


def _file(event: Event, records: dict[str, dict[str, Any]]) -> str | None:
    """A new record, validated like a register's row: a bad filing is rejected whole."""
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
    records[event.id] = batch.record(0)
    return None


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
