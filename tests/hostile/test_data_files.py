"""Hostile and broken data files: exit 2 with a message naming file, line or column; no
traceback, no hang, no silent loss (issue 15, "Data files")."""

from __future__ import annotations

import os
import threading
import time
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ipscore.cli import app
from ipscore.patents.validate import validate
from tests.conftest import BASE

runner = CliRunner()
HEADER = ",".join(BASE)
LIMIT_S = 20


def row(**change) -> str:
    values = {**BASE, **change}
    return ",".join(f'"{v}"' if "," in str(v) else str(v) for v in values.values())


def register(tmp_path, lines: list[str], name: str = "r.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding)
    return path


def run(*args) -> tuple[int, str]:
    start = time.monotonic()
    result = runner.invoke(app, [str(a) for a in args])
    assert time.monotonic() - start < LIMIT_S
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.output


def refused(*args, naming: tuple[str, ...]) -> str:
    code, output = run(*args)
    assert code == 2, output
    flat = "".join(output.split())  # Rich may wrap anywhere in a long path
    for part in naming:
        assert "".join(part.split()) in flat, (part, output)
    return output


def test_a_quote_closed_ten_lines_later_is_found_with_its_line(tmp_path):
    lines = [row(id=f"CN2020{i:08d}") for i in range(100)]
    lines[40] = lines[40].replace(",A47J 27/00,", ',"A47J 27/00,', 1)
    lines[50] = lines[50].replace(",A47J 27/00,", ',A47J 27/00",', 1)
    path = register(tmp_path, lines)
    refused("classify", path, naming=("r.csv:42", "column ipc", "11 lines", "quote"))


def _two_sheets(path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, ids in (("A", range(3)), ("B", range(3, 5))):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, list(BASE))
        for r, i in enumerate(ids, start=1):
            sheet.write_row(r, 0, [str(v) for v in {**BASE, "id": f"CN2020{i:08d}"}.values()])
    book.close()


def test_every_non_empty_sheet_is_read_or_named(tmp_path):
    path = tmp_path / "two.xlsx"
    _two_sheets(path)
    code, output = run("classify", path, "--json")
    assert code == 0 and '"read": 3' in output and '"value": "B"' in output
    code, output = run("classify", path, "--json", "--sheet", "all")
    assert code == 0 and '"read": 5' in output and '"warnings": []' in output


def test_a_formula_without_a_cached_value_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "专利"
    sheet.append(list(BASE))
    sheet.append([*list(BASE.values())[:-1], ""])
    sheet["L2"] = '=CONCATENATE("中国专利","金奖")'  # openpyxl stores no cached value
    path = tmp_path / "formula.xlsx"
    book.save(path)
    refused("classify", path, naming=("formula.xlsx", "'专利'", "L2", "cached value"))


def test_a_truncated_workbook(tmp_path):
    path = tmp_path / "two.xlsx"
    _two_sheets(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    refused("classify", cut, naming=("cut.xlsx", "XLSX"))


@pytest.mark.parametrize("amount", ["inf", "Infinity", "1e309", "-inf"])
def test_non_finite_amounts_are_rejects(tmp_path, amount):
    path = register(tmp_path, [row(pledge_amount=amount), row(id="CN202010000002")])
    rejects = tmp_path / "rejects.csv"
    code, output = run("classify", path, "--json", "--rejects", rejects)
    assert code == 0 and '"rejected": 1' in output
    found = pd.read_csv(rejects, dtype=str)
    assert found[["row", "column", "value"]].values.tolist() == [["1", "pledge_amount", amount]]
    assert found["reason"].tolist() == ["not a finite number"]


def test_id_spellings_are_one_id():
    spellings = [
        "CN202010000001",
        "CN2020\u200b10000001",
        "ＣＮ２０２０１００００００１",
        "cn202010000001",
        "CN20201\u00ad0000001",
    ]
    frame = pd.DataFrame([{**BASE, "id": s} for s in spellings])
    batch = validate(frame, "ids")
    assert (len(batch), batch.rejected) == (1, 4)
    assert set(batch.rejects["reason"]) == {"repeated id (first at row 1)"}


def test_a_conflicting_repeat_says_so_and_keeps_the_first():
    frame = pd.DataFrame([BASE, {**BASE, "ipc": "G06F 1/16"}])
    batch = validate(frame, "ids")
    assert batch.rejects["reason"].tolist() == [
        "repeated id with different content (first at row 1 is kept)"
    ]
    assert batch.columns["ipc"].row(0) == ("A47J 27/00",)


def test_the_duplicate_check_is_linear():
    n = 200_000  # 100k duplicated pairs
    ids = np.char.add("CN", np.char.zfill(np.arange(n // 2).astype(str), 12))
    frame = pd.DataFrame({**{k: [v] * n for k, v in BASE.items()}, "id": np.repeat(ids, 2)})
    start = time.monotonic()
    batch = validate(frame, "pairs")
    assert time.monotonic() - start < LIMIT_S
    assert (len(batch), batch.rejected) == (n // 2, n // 2)


def test_a_nested_parquet_column(tmp_path):
    table = pa.table(
        {
            **{k: [v] for k, v in BASE.items() if k != "awards"},
            "awards": pa.array([{"name": "中国专利金奖"}]),
        }
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    refused("classify", path, naming=("nested.parquet", "'awards'", "nested"))


def test_both_an_id_and_an_application_number_column(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text(f"{HEADER},申请号\n{row()},CN209900000001\n", "utf-8")
    refused("classify", path, naming=("both.csv", "'id'", "'申请号'", "keep one"))


def test_a_directory_named_like_a_csv(tmp_path):
    folder = tmp_path / "x.csv"
    folder.mkdir()
    refused("classify", folder, naming=("x.csv", "directory"))


@pytest.mark.parametrize(
    ("text", "naming"),
    [
        ("region,year,population\n广州市,inf,1881\n", ("pop.csv:2", "year")),
        ("region,year,population\n广州市,2021,inf\n", ("pop.csv:2", "population")),
        ("region,year,population\n广州市,1e400,1881\n", ("pop.csv:2", "year")),
    ],
)
def test_bad_population_years_and_values(tmp_path, text, naming):
    patents = register(tmp_path, [row()])
    population = tmp_path / "pop.csv"
    population.write_text(text, "utf-8")
    refused("classify", patents, "--population", population, naming=naming)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_gbk_fifo_is_read_once_and_decoded(tmp_path):
    fifo = tmp_path / "gbk.csv"
    os.mkfifo(fifo)
    data = ("\n".join([HEADER, row(region="广州市"), row(id="CN202010000002")]) + "\n").encode(
        "gbk"
    )

    def write():
        with open(fifo, "wb") as handle:
            handle.write(data)

    threading.Thread(target=write, daemon=True).start()
    code, output = run("classify", fifo, "--json")
    assert code == 0 and '"read": 2' in output and '"rejected": 0' in output


def test_an_unknown_country_is_a_reject(tmp_path):
    path = register(tmp_path, [row(owner_country="Narnia"), row(id="CN2", owner_country="XX")])
    code, output = run("classify", path, "--json")
    assert code == 0 and '"rejected": 2' in output


def _actuals(tmp_path, text: str):
    path = tmp_path / "actuals.csv"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "naming"),
    [
        (
            "全国,每万人口高价值发明专利拥有量,2021,7.5\n全国,每万人口高价值发明专利拥有量,2021,7.9\n",
            ("actuals.csv:3", "line 2"),
        ),
        ("全国,每万人口高价值发明专利拥有量,inf,7.5\n", ("actuals.csv:2", "year")),
        ("全国,每万人口高价值发明专利拥有量,2021.5,7.5\n", ("actuals.csv:2", "year")),
        ("全国,每万人口高价值发明专利拥有量,1e400,7.5\n", ("actuals.csv:2", "year")),
    ],
)
def test_bad_actuals(tmp_path, rows, naming):
    path = _actuals(tmp_path, "地区,指标,年份,数值\n" + rows)
    refused("monitor", "cn-14th-ip", "--actuals", path, naming=naming)


def test_identical_repeats_in_actuals_are_harmless(tmp_path):
    line = "全国,每万人口高价值发明专利拥有量,2021,7.5\n"
    code, output = run(
        "monitor", "cn-14th-ip", "--actuals", _actuals(tmp_path, "地区,指标,年份,数值\n" + line * 2)
    )
    assert code == 0, output


def test_a_truncated_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    refused("classify", path, naming=("empty.xlsx",))
