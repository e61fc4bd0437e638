"""Outputs and rule size (issue 15): a write that cannot happen is exit 2 with the reason and
no temporary file left; temporaries of killed runs are cleaned; limits come before the work;
a rule with many conditions costs no more than one with few."""

from __future__ import annotations

import errno
import os
import stat

import pandas as pd
import pytest

from ipscore.report import export
from ipscore.report.export import TableSink, remove_stale_temporaries
from tests.hostile.conftest import assert_rejected, rule_copy, run_ipscore
from tests.test_bulk import REGISTER, _write


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.fixture
def register(tmp_path):
    return _write(REGISTER, tmp_path, ".csv")


def test_out_naming_a_folder(tmp_path, register):
    folder = tmp_path / "results.csv"
    folder.mkdir()
    run = run_ipscore("classify", str(register), "--out", str(folder))
    assert_rejected(run, file=folder, mentions=("directory",), within=10)
    assert _leftovers(tmp_path) == []


def test_out_inside_something_that_is_not_a_folder(tmp_path, register):
    target = tmp_path / "notes.txt" / "out.csv"
    (tmp_path / "notes.txt").write_text("x")
    run = run_ipscore("classify", str(register), "--out", str(target))
    assert_rejected(run, mentions=("cannot write",), within=10)


def test_out_that_is_the_input_is_refused_before_the_work(register):
    run = run_ipscore("classify", str(register), "--rejects", str(register))
    assert_rejected(run, file=register, mentions=("input",), within=10)
    assert register.read_text("utf-8-sig").startswith("申请号")  # untouched


def test_a_full_disk_is_exit_2_and_leaves_nothing(tmp_path, register, monkeypatch):
    def full(self, frame):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(TableSink, "_write_csv", full)
    run = run_ipscore("classify", str(register), "--out", str(tmp_path / "out.csv"))
    assert_rejected(run, mentions=("out.csv", "No space left on device"), within=20)
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / "out.csv").exists()


def test_temporaries_of_killed_runs_are_removed(tmp_path, register):
    target = tmp_path / "out.csv"
    dead = tmp_path / ".out.csv.ipscore-999999999-deadbeef.part"
    alive = tmp_path / f".out.csv.ipscore-{os.getpid()}-cafef00d.part"
    other = tmp_path / ".other.csv.ipscore-999999999-deadbeef.part"
    for path in (dead, alive, other):
        path.write_text("half")
    run = run_ipscore("classify", str(register), "--out", str(target))
    assert run.code == 0, run.stderr
    assert not dead.exists()
    assert alive.exists() and other.exists()  # a running process's, another target's
    assert remove_stale_temporaries(target) == []


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_outputs_honour_the_umask(tmp_path, mask):
    previous = os.umask(mask)
    try:
        path = export.write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_streamed_xlsx_reads_back(tmp_path):
    path = tmp_path / "t.xlsx"
    with TableSink(path) as sink:
        for start in (0, 3, 6):
            sink.write(pd.DataFrame({"id": [f"CN{i}" for i in range(start, start + 3)], "n": 1}))
    back = pd.read_excel(path, dtype=str)
    assert back["id"].tolist() == [f"CN{i}" for i in range(9)]


def test_many_conditions_cost_no_more_than_few(tmp_path, register):
    """20 criteria and 25 eligibility conditions: 2^45 labels were the old encoding."""

    def many(data):
        version = data["versions"][0]
        version["criteria"] = [
            dict(version["criteria"][i % len(version["criteria"])], id=f"c{i}") for i in range(20)
        ]
        version["eligibility"] = [
            dict(version["eligibility"][i % len(version["eligibility"])], id=f"e{i}")
            for i in range(25)
        ]
        data.pop("examples", None)  # they name the conditions replaced here

    rule = rule_copy(tmp_path, edit=many)
    run = run_ipscore(
        "classify",
        str(register),
        "--rules",
        str(rule),
        "--as-of",
        "2021-12-31",
        "--json",
        seconds=30,
    )
    assert run.code == 0, run.stderr
    assert '"c19"' in run.stdout
