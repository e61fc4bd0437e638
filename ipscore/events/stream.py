"""Patent lifecycle events: read JSONL or CSV, check each one, keep the bad ones as rejects."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.patents.readers import read_csv_text
from ipscore.patents.schema import AWARDS, COUNTRIES

#: Each event type and the payload keys it needs.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "filed": ("patent_type", "ipc", "owner_country"),
    "granted": (),
    "family_granted": ("jurisdiction",),
    "pledge_registered": ("amount",),
    "pledge_released": (),
    "award": ("code",),
    "annuity_paid": (),
    "lapsed": (),
    "restored": (),
    "transferred": (),
}


@dataclass(frozen=True)
class Event:
    line: int
    id: str
    date: dt.date
    type: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventStream:
    events: list[Event]
    rejects: list[dict[str, Any]]
    read: int
    reordered: int  # events that came out of date order and were put back in it

    def reject(self, event: Event, reason: str) -> None:
        self.rejects.append(
            {
                "line": event.line,
                "id": event.id,
                "date": str(event.date),
                "type": event.type,
                "reason": reason,
            }
        )


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        rows = []
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append({"line": number, **json.loads(line)})
                except json.JSONDecodeError as err:
                    rows.append({"line": number, "_error": f"not JSON: {err.msg}"})
        return rows
    frame = read_csv_text(path, dtype=str)
    missing = [c for c in ("id", "date", "type") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected id, date, "
            "type, payload (JSON)"
        )
    return [
        {"line": i + 2, **{k: v for k, v in row.items() if isinstance(v, str)}}
        for i, row in enumerate(frame.to_dict("records"))
    ]


def _payload(raw: Any) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    value = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(value, dict):
        raise ValueError("payload is not a JSON object")
    return value


def _check(row: dict[str, Any]) -> Event:
    if "_error" in row:
        raise ValueError(row["_error"])
    patent_id = str(row.get("id") or "").strip()
    if not patent_id:
        raise ValueError("missing id")
    kind = str(row.get("type") or "").strip()
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}{did_you_mean(kind, EVENT_TYPES)}")
    try:
        date = dt.date.fromisoformat(str(row.get("date", "")).strip())
    except ValueError:
        raise ValueError(f"date {row.get('date')!r} is not a YYYY-MM-DD date") from None
    try:
        payload = _payload(row.get("payload"))
    except (ValueError, json.JSONDecodeError) as err:
        raise ValueError(f"payload: {err}") from None
    missing = [k for k in EVENT_TYPES[kind] if k not in payload]
    if missing:
        raise ValueError(f"{kind} needs payload key(s) {', '.join(missing)}")
    return Event(row["line"], patent_id, date, kind, _normalized(kind, payload))


def _normalized(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    payload = dict(payload)
    if "jurisdiction" in payload:
        code = COUNTRIES.get(
            str(payload["jurisdiction"]).strip(), str(payload["jurisdiction"]).strip().upper()
        )
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"jurisdiction {payload['jurisdiction']!r} is not a 2-letter code")
        payload["jurisdiction"] = code
    if "amount" in payload:
        amount = pd.to_numeric(payload["amount"], errors="coerce")
        if pd.isna(amount) or amount < 0:
            raise ValueError(f"amount {payload['amount']!r} is not a number ≥ 0 (万元)")
        payload["amount"] = float(amount)
    if "code" in payload and kind == "award":
        payload["code"] = AWARDS.get(
            str(payload["code"]).strip(), str(payload["code"]).strip().lower()
        )
    if "owner_country" in payload and kind == "transferred":
        text = str(payload["owner_country"]).strip()
        payload["owner_country"] = COUNTRIES.get(text, text.upper())
    return payload


def read_events(path: str | Path) -> EventStream:
    """Events in date order (stable for one date); bad ones become rejects, with lines."""
    rows = _rows(Path(path))
    events, rejects = [], []
    for row in rows:
        try:
            events.append(_check(row))
        except ValueError as err:
            rejects.append(
                {
                    "line": row.get("line"),
                    "id": row.get("id"),
                    "date": row.get("date"),
                    "type": row.get("type"),
                    "reason": str(err),
                }
            )
    ordered = sorted(events, key=lambda e: e.date)  # stable: same-day order is kept
    reordered = sum(a is not b for a, b in zip(events, ordered, strict=True))
    return EventStream(ordered, rejects, len(rows), reordered)


#: One row (with its `line`) checked into an Event; ValueError names what is wrong.
check_row = _check
