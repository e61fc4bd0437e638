"""Hostile event files (issue 15, "Events"): rejects with the file's line numbers, never a
traceback; events after --until are reported, not applied; late events are counted."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ipscore.cli import app
from ipscore.events.stream import read_events

runner = CliRunner()
GOOD = {"id": "CN1", "date": "2024-01-02", "type": "lapsed"}


def lines(tmp_path, text: str | bytes, name: str = "e.jsonl"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return read_events(path)


def test_a_bom_does_not_lose_the_first_event(tmp_path):
    stream = lines(tmp_path, b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    assert len(stream.events) == 1 and not stream.rejects


def test_utf16_and_gbk_json_lines_are_read(tmp_path):
    text = json.dumps(
        {**GOOD, "type": "transferred", "payload": {"owner_country": "美国"}}, ensure_ascii=False
    )
    for data in ((text + "\n").encode("utf-16"), (text + "\n").encode("gbk")):
        stream = lines(tmp_path, data)
        assert stream.events[0].payload["owner_country"] == "US", stream.rejects


def test_u2028_inside_a_string_does_not_split_the_line(tmp_path):
    event = {**GOOD, "type": "award", "payload": {"code": "a\u2028b"}}
    stream = lines(tmp_path, json.dumps(event, ensure_ascii=False) + "\n")
    assert stream.read == 1 and len(stream.events) == 1


def test_non_objects_and_deep_nesting_are_rejects_with_the_file_line(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    text = "\n".join(["[1, 2]", "3", deep, json.dumps({**GOOD, "line": 99}), "{nope"])
    stream = lines(tmp_path, text)
    assert [r["line"] for r in stream.rejects] == [1, 2, 3, 5]
    assert "not a JSON object" in stream.rejects[0]["reason"]
    assert stream.events[0].line == 4  # its own "line" key does not count


def test_iso_week_dates_and_unknown_countries_are_rejected(tmp_path):
    text = "\n".join(
        [
            json.dumps({**GOOD, "date": "2024-W10-1"}),
            json.dumps({**GOOD, "type": "transferred", "payload": {"owner_country": "Narnia"}}),
        ]
    )
    stream = lines(tmp_path, text)
    assert [r["line"] for r in stream.rejects] == [1, 2]
    assert "YYYY-MM-DD" in stream.rejects[0]["reason"]
    assert "Narnia" in stream.rejects[1]["reason"]


def test_reordered_counts_late_events(tmp_path):
    dates = ["2024-01-05", "2024-01-01", "2024-01-06", "2024-01-07", "2024-01-02"]
    text = "\n".join(json.dumps({**GOOD, "date": d}) for d in dates)
    assert lines(tmp_path, text).reordered == 2


def test_events_after_until_are_reported_not_applied(tmp_path):
    portfolio = tmp_path / "p.csv"
    portfolio.write_text(
        "id,patent_type,filing_date,grant_date,status,ipc,owner_country\n"
        "CN1,invention,2015-01-01,2018-01-01,valid,B65D 81/00,CN\n",
        "utf-8",
    )
    events = tmp_path / "e.jsonl"
    events.write_text(
        "\n".join(json.dumps({**GOOD, "date": d}) for d in ["2024-01-02", "2025-06-01"]),
        "utf-8",
    )
    result = runner.invoke(
        app, ["watch", str(events), "--initial", str(portfolio), "--until", "2024-12-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.splitlines()[-1])["summary"]
    assert summary["after_until"] == 1 and summary["events_applied"] == 1
    assert summary["events_read"] == (
        summary["events_applied"] + summary["events_rejected"] + summary["after_until"]
    )


def test_each_reject_reason_is_worded_for_the_reader(tmp_path):
    """The reasons as a user reads them, one per kind of bad line (stated by hand)."""
    deep = "[" * 100_000 + "]" * 100_000
    no_id = {k: v for k, v in GOOD.items() if k != "id"}
    text = "\n".join([deep, json.dumps(no_id), json.dumps({**GOOD, "id": "  "})])
    stream = lines(tmp_path, text)
    assert [(r["line"], r["reason"]) for r in stream.rejects] == [
        (1, "not JSON: nested too deeply"),
        (2, "missing id"),
        (3, "missing id"),
    ]
