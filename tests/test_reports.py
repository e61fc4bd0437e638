"""--report: workbooks checked with openpyxl against --json; the web page is self-contained
and draws its charts in headless Chromium; piped output keeps every column."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app

runner = CliRunner()
DEMO = str(api.DEMO_PATENTS)
POPULATION = str(api.DEMO_POPULATION)
CLASSIFY = ["classify", DEMO, "--as-of", "2023-12-31", "--population", POPULATION]


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def as_json(*args: str) -> dict:
    return json.loads(run(*args, "--json").stdout)


def rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def keyed(sheet) -> dict:
    return {r[0]: r[1] for r in rows(sheet)[1:]}


@pytest.fixture(scope="module")
def classify_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "classify.xlsx"
    run(*CLASSIFY, "--report", str(path))
    return openpyxl.load_workbook(path), as_json(*CLASSIFY)


def test_classify_workbook_matches_json(classify_book):
    book, data = classify_book
    for name in ("summary", "criteria", "regions", "industries", "assumptions", "sources"):
        assert name in book.sheetnames
    assert "rejects" in book.sheetnames
    summary = keyed(book["summary"])
    for key in ("as_of", "read", "rejected", "evaluated", "eligible", "high_value"):
        assert summary[key] == data[key]
    assert keyed(book["criteria"]) == data["criteria"]
    regions = rows(book["regions"])
    assert regions[0][:2] == ["地区 region", "高价值发明专利 high_value"]  # Chinese headers
    got = {r[0]: r[1] for r in regions[1:]}
    assert got == {r["region"]: r["high_value"] for r in data["regions"]}
    assert len(rows(book["rejects"])) - 1 == data["rejected"]
    industries = rows(book["industries"])[1:]
    assert [(r[0], r[-1]) for r in industries] == [
        (i["code"], i["high_value"]) for i in data["industries"]
    ]


def test_classify_workbook_has_real_formats(classify_book):
    book, _ = classify_book
    regions = book["regions"]
    assert regions.freeze_panes == "A2"
    assert regions.auto_filter.ref
    header = [c.value for c in regions[1]]
    per_10k = regions.cell(2, header.index("每万人口拥有量 per_10k") + 1)
    assert isinstance(per_10k.value, float) and per_10k.number_format == "#,##0.00"
    count = regions.cell(2, 2)
    assert isinstance(count.value, int) and count.number_format == "#,##0"
    assert regions.column_dimensions["A"].width >= 8
    share = book["criteria"].cell(2, 3)
    assert share.number_format == "0.0%"


def test_monitor_workbook_colours_the_status(tmp_path):
    path = tmp_path / "m.xlsx"
    run("monitor", "gd-13th-ip", "--report", str(path))
    data = as_json("monitor", "gd-13th-ip")
    sheet = openpyxl.load_workbook(path)["indicators"]
    header = [c.value for c in sheet[1]]
    status = header.index("状态 status")
    assert [r[status] for r in rows(sheet)[1:]] == [i["status"] for i in data["indicators"]]
    letter = openpyxl.utils.get_column_letter(status + 1)
    ranges = [str(r.sqref) for r in sheet.conditional_formatting]
    assert any(r.startswith(f"{letter}2") for r in ranges)
    rules = [rule for r in sheet.conditional_formatting for rule in r.rules]
    assert any(rule.formula == ['"met"'] for rule in rules)


def test_advise_workbook_matches_json(tmp_path):
    args = ["advise", DEMO, "--as-of", "2023-12-31", "--population", POPULATION]
    path = tmp_path / "a.xlsx"
    run(*args, "--report", str(path))
    data = as_json(*args)
    book = openpyxl.load_workbook(path)
    paths = rows(book["paths"])
    assert len(paths) - 1 == sum(len(p["paths"]) for p in data["patents"])
    projection = rows(book["projection"])
    header = projection[0]
    high = header.index("高价值发明专利 high_value")
    assert [r[high] for r in projection[1:]] == [p["high_value"] for p in data["projection"]]
    date = book["projection"].cell(2, header.index("日期 date") + 1)
    assert date.is_date and date.value.date().isoformat() == data["projection"][0]["date"]


@pytest.mark.parametrize(
    ("args", "sheet", "check"),
    [
        (["score", "gd-strong-city"], "units", lambda d: len(d["units"])),
        (
            [
                "sweep",
                "pledge-threshold-500",
                "--vary",
                "cn-high-value-invention.pledge_threshold=500:1000:500",
            ],
            "rows",
            lambda d: len(d["rows"]),
        ),
        (
            ["whatif", "pledge-threshold-500"],
            "baseline.regions",
            lambda d: len(d["baseline"]["regions"]),
        ),
    ],
)
def test_other_workbooks(tmp_path, args, sheet, check):
    path = tmp_path / "r.xlsx"
    run(*args, "--report", str(path))
    book = openpyxl.load_workbook(path)
    assert sheet in book.sheetnames
    assert len(rows(book[sheet])) - 1 == check(as_json(*args))
    assert "assumptions" in book.sheetnames


# --- the web page -------------------------------------------------------------------------------

EXTERNAL = re.compile(r"""(<script|<link|@import|url\(|src=|href=["']?(https?:|//))""", re.I)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    made = {}
    for name, args in {
        "classify": CLASSIFY,
        "monitor": ["monitor", "gd-13th-ip"],
        "score": ["score", "gd-strong-city", "--sensitivity", "20"],
        "advise": [
            "advise",
            DEMO,
            "--as-of",
            "2023-12-31",
            "--population",
            POPULATION,
            "--plan",
            "gz-14th-ip",
        ],
    }.items():
        path = folder / f"{name}.html"
        run(*args, "--report", str(path))
        made[name] = path
    return made


def test_html_is_self_contained_with_svg_charts(pages):
    for name, path in pages.items():
        text = path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), name
        assert text.count("<svg") >= 1, name
        assert "<table" in text
    assert "每万人口高价值发明专利" in pages["classify"].read_text(encoding="utf-8")
    assert "序时进度" in pages["monitor"].read_text(encoding="utf-8")


def _png_ink(path: Path) -> float:
    """Share of non-white pixels in an 8-bit RGB(A) PNG (unfiltered here, by the spec)."""
    data = path.read_bytes()
    chunks, offset = [], 8
    width = height = channels = 0
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    ink = 0
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        ink += sum(1 for x in range(0, stride, channels) if min(row[x : x + 3]) < 200)
        previous = row
    return ink / (width * height)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_html_draws_in_headless_chromium(pages, tmp_path):
    shot = tmp_path / "shot.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=800,600",
        pages["advise"].as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert _png_ink(shot) > 0.01  # charts and text drawn, not a blank page
    dom = subprocess.run(
        [*command[:-3], "--dump-dom", pages["advise"].as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    assert dom.count("<svg") >= 2 and "<path" in dom


# --- terminal width -------------------------------------------------------------------------------


def test_piped_output_keeps_the_last_column(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from ipscore.report.terminal import make_console

    console = make_console()
    assert console.width >= 200
    with console.capture() as captured:
        from ipscore.report.plans import render_plan

        render_plan(api.monitor("gz-14th-ip"), console)
    text = captured.get()
    assert "to reach it" in text and "needs +10.7%/yr" in text


def test_report_needs_a_known_extension(tmp_path):
    result = runner.invoke(app, ["monitor", "gz-14th-ip", "--report", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert ".xlsx or .html" in result.stderr


def test_report_to_an_unwritable_place_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    target = blocker / "sub" / "r.xlsx"  # a folder inside a file cannot be made
    result = runner.invoke(app, ["monitor", "gz-14th-ip", "--report", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
