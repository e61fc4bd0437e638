"""Patent lifecycle events: read JSONL or CSV, check each one, keep the bad ones as rejects."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.patents.readers import read_csv_text
from ipscore.patents.schema import AWARDS, COUNTRIES

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
        return [_json_row(number, line) for number, line in _json_lines(path) if line.strip()]
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


def _json_lines(path: Path) -> list[tuple[int, str]]:
    """JSON lines: split on newlines only (U+2028 is text inside a JSON string, not a line
    break); a UTF-8 BOM is dropped; UTF-16 (by its BOM) and GBK are read too."""
    data = path.read_bytes()
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(encoding)
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as err:
                raise InputError(f"{path}: neither UTF-8 nor GBK text ({err.reason})") from None
    return list(enumerate(text.replace("\r\n", "\n").split("\n"), 1))


def _json_row(number: int, line: str) -> dict[str, Any]:
    """One line's object; its own "line" key never replaces the file's line number."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        return {"line": number, "_error": f"not JSON: {err.msg}"}
    except RecursionError:
        return {"line": number, "_error": "not JSON: nested too deeply"}
    if not isinstance(value, dict):
        return {"line": number, "_error": f"not a JSON object but a {type(value).__name__}"}
    return {**value, "line": number}


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
        text = str(row.get("date", "")).strip()
        if not _ISO_DAY.match(text):  # fromisoformat also takes 2024-W10-1 and 20240301
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
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
        code = COUNTRIES.get(text, text.upper())
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"owner_country {payload['owner_country']!r} is not a 2-letter code")
        payload["owner_country"] = code
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
    reordered = _late(events)
    return EventStream(ordered, rejects, len(rows), reordered)


def _late(events: list[Event]) -> int:
    """Events dated before an event that came earlier in the file: the ones put back."""
    late, latest = 0, None
    for event in events:
        if latest is not None and event.date < latest:
            late += 1
        else:
            latest = event.date
    return late


#: One row (with its `line`) checked into an Event; ValueError names what is wrong.
check_row = _check
