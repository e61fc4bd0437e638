"""Hostile index data (issue 15): conflicting duplicates, fractional or infinite years and
values are one-line errors naming the file and line; identical duplicates are harmless."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from ipscore.errors import InputError
from ipscore.index.data import load_unit_data

RULE = api.resolve_rule("gd-strong-city")
HEADER = "unit,indicator,year,value\n"
runner = CliRunner()


def write(tmp_path, rows: str):
    path = tmp_path / "units.csv"
    path.write_text(HEADER + rows, "utf-8")
    return path


def test_conflicting_duplicate_rows_name_both_lines(tmp_path):
    path = write(
        tmp_path,
        "广州市,high_value_per_10k,2021,20\n深圳市,high_value_per_10k,2021,30\n"
        "广州市,high_value_per_10k,2021,21\n",
    )
    with pytest.raises(InputError) as err:
        load_unit_data(path, RULE)
    message = str(err.value)
    assert f"{path}:4:" in message and f"conflicts with {path}:2" in message
    assert "21" in message and "20" in message


def test_identical_duplicate_rows_are_harmless(tmp_path):
    path = write(
        tmp_path, "广州市,high_value_per_10k,2021,20\n广州市,high_value_per_10k,2021,20.0\n"
    )
    data = load_unit_data(path, RULE)
    assert data.values[0, 0] == 20


@pytest.mark.parametrize("year", ["2020.5", "inf", "-inf", "nan", "二〇二一"])
def test_a_year_that_is_not_a_whole_number_is_an_error(tmp_path, year):
    path = write(tmp_path, f"广州市,high_value_per_10k,{year},20\n")
    with pytest.raises(InputError, match=f"{path}:2: .*has no whole-number year"):
        load_unit_data(path, RULE)


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan", "1e999"])
def test_infinite_or_nan_values_are_rejected(tmp_path, value):
    path = write(tmp_path, f"广州市,high_value_per_10k,2021,{value}\n")
    with pytest.raises(InputError, match=f"{path}:2: high_value_per_10k = .* is not a number"):
        load_unit_data(path, RULE)


def test_the_cli_exits_2_with_one_line_per_problem(tmp_path):
    path = write(
        tmp_path, "广州市,high_value_per_10k,2020.5,20\n广州市,ip_pledge_amount,2021,inf\n"
    )
    result = runner.invoke(app, ["score", "gd-strong-city", "--data", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"{path}:2:" in result.stderr and f"{path}:3:" in result.stderr
