"""The chunked engine gives exactly the single-pass answer (issue 11).

Single pass: the whole register read by pandas, validated, evaluated and summed at once
(`api.classify`). Chunked: `ipscore.bulk`, which reads with Arrow, finds repeated ids over
the whole register first and adds per-chunk tallies. The two share the validators and the
evaluator, not the reading, the repeat check or the summing, which is what is under test.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore import api
from ipscore.bulk import classify_register
from ipscore.bulk.engine import run_threads
from ipscore.patents.classify import prepare
from ipscore.patents.readers import read_patent_table
from ipscore.patents.validate import validate

AS_OF = dt.date(2023, 12, 31)
RULE = api.patent_rule("cn-high-value-invention")
PREPARED = prepare(RULE, AS_OF)


def _register() -> pd.DataFrame:
    """120 rows of the bundled demo register (SYNTHETIC) as a vendor export would write
    them, plus what must be rejected: repeated ids with the same and with different content,
    a bad date, an unknown status, an unreadable IPC code and a missing id."""
    demo = pd.read_csv(api.DEMO_PATENTS, dtype=str, keep_default_na=False).head(120)
    extra = demo.iloc[[3, 50, 7, 8, 9, 10]].copy()
    extra.iloc[1, extra.columns.get_loc("名称")] = "different content"
    extra.iloc[2, extra.columns.get_loc("申请号")] = "CN209999999999.1"
    extra.iloc[2, extra.columns.get_loc("申请日")] = "2019-02-30"
    extra.iloc[3, extra.columns.get_loc("申请号")] = "CN209999999998.1"
    extra.iloc[3, extra.columns.get_loc("法律状态")] = "maybe"
    extra.iloc[4, extra.columns.get_loc("申请号")] = "CN209999999997.1"
    extra.iloc[4, extra.columns.get_loc("IPC分类号")] = "NOT-A-CODE"
    extra.iloc[5, extra.columns.get_loc("申请号")] = ""
    return pd.concat([demo, extra], ignore_index=True)


REGISTER = _register()


def _single(path: Path):
    result = api.classify(validate(read_patent_table(path), str(path)), RULE, AS_OF)
    return result


def _write(frame: pd.DataFrame, folder: Path, suffix: str) -> Path:
    path = folder / f"register{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        frame.astype(str).to_parquet(path, index=False)
    return path


def _same(single, chunked, out: Path | None = None) -> None:
    assert chunked.to_json() == single.to_json()
    want = single.batch.rejects.astype(str).reset_index(drop=True)
    got = chunked.batch.rejects.astype(str).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    if out is not None:
        written = pd.read_parquet(out)
        expected = single.verdicts.astype({"reasons": str, "sei_industries": str})
        pd.testing.assert_frame_equal(
            written.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
        )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(range(len(REGISTER))),
    chunk_rows=st.integers(min_value=9, max_value=len(REGISTER) + 5),
    suffix=st.sampled_from([".csv", ".parquet"]),
)
def test_chunked_equals_single_pass(tmp_path_factory, order, chunk_rows, suffix):
    folder = tmp_path_factory.mktemp("bulk")
    path = _write(REGISTER.iloc[list(order)], folder, suffix)
    out, rejects = folder / "out.parquet", folder / "rejects.csv"
    chunked = classify_register(path, PREPARED, chunk_rows=chunk_rows, out=out, rejects_out=rejects)
    single = _single(path)
    _same(single, chunked, out)
    written = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert len(written) == len(single.batch.rejects)
    assert written["row"].astype(int).tolist() == single.batch.rejects["row"].tolist()


def test_a_repeat_across_chunks_is_worded_by_the_first_occurrence(tmp_path):
    path = _write(REGISTER, tmp_path, ".csv")
    chunked = classify_register(path, PREPARED, chunk_rows=10)
    reasons = chunked.batch.rejects.set_index("row")["reason"]
    assert reasons[len(REGISTER) - 5] == "repeated id (first at row 4)"
    assert reasons[len(REGISTER) - 4] == (
        "repeated id with different content (first at row 51 is kept)"
    )


def test_rows_are_counted_once_whatever_the_chunk(tmp_path):
    path = _write(REGISTER, tmp_path, ".parquet")
    one = classify_register(path, PREPARED, chunk_rows=len(REGISTER))
    many = classify_register(path, PREPARED, chunk_rows=9, runner=partial(run_threads, workers=2))
    assert many.to_json() == one.to_json()
    assert many.to_json()["read"] == len(REGISTER)
    assert many.to_json()["evaluated"] + many.to_json()["rejected"] == len(REGISTER)


def test_excel_limit_is_refused_before_any_work(tmp_path):
    from ipscore.report.export import EXCEL_ROWS
    from tests.hostile.conftest import run_ipscore

    path = tmp_path / "big.parquet"
    pd.DataFrame({"id": np.arange(EXCEL_ROWS).astype(str)}).to_parquet(path)
    run = run_ipscore("classify", str(path), "--out", str(tmp_path / "x.xlsx"), seconds=10)
    assert run.code == 2
    assert "1,048,576 rows do not fit in an Excel sheet" in run.stderr
    assert ".csv or .parquet" in run.stderr
    assert run.seconds < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".json"])
def test_cli_out_matches_single_pass_verdicts(tmp_path, suffix):
    from tests.hostile.conftest import run_ipscore

    path = _write(REGISTER, tmp_path, ".csv")
    out = tmp_path / f"out{suffix}"
    run = run_ipscore(
        "classify",
        str(path),
        "--as-of",
        "2023-12-31",
        "--out",
        str(out),
        "--chunk-rows",
        "25",
        "--json",
    )
    assert run.code == 0, run.stderr
    read = {
        ".csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False),
        ".parquet": pd.read_parquet,
        ".xlsx": lambda p: pd.read_excel(p, dtype=str, keep_default_na=False),
        ".json": pd.read_json,
    }[suffix]
    written = read(out)
    single = _single(path).verdicts
    assert written["id"].astype(str).tolist() == single["id"].astype(str).tolist()
    assert written["high_value"].astype(str).str.lower().tolist() == (
        single["high_value"].astype(str).str.lower().tolist()
    )


def test_line_numbers_after_multi_line_fields_in_earlier_chunks(tmp_path):
    """Titles running over several lines push the file's line numbers ahead of its row
    numbers; an open quote in a later chunk is still named at its own line, as the single
    pass names it."""
    frame = REGISTER.copy()
    frame.loc[[2, 15, 40], "名称"] = ["two\nlines", "three\nline\ntitle", "a\r\nb"]
    frame.loc[90, "申请日"] = "2019-01-01\n"  # a date spanning lines: an open quote
    path = _write(frame, tmp_path, ".csv")
    with pytest.raises(api.InputError) as single:
        api.classify_file(path, AS_OF)
    with pytest.raises(api.InputError) as chunked:
        classify_register(path, PREPARED, chunk_rows=11)
    line = 2 + 90 + 1 + 2 + 1  # header, 90 rows before, and 4 line breaks in earlier titles
    assert f"{path}:{line}: column filing_date" in str(single.value)
    assert str(chunked.value) == str(single.value)


def test_a_ragged_csv_is_refused_with_its_line_in_chunked_mode(tmp_path):
    """Polars reads the ids of a UTF-8 CSV; a file it refuses is read by Arrow, whose
    message the user gets, as in the single pass."""
    from tests.hostile.conftest import run_ipscore

    path = _write(REGISTER, tmp_path, ".csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[30] += ",an extra field"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_ipscore("classify", str(path), "--chunk-rows", "10", seconds=60)
    assert run.code == 2, run.stderr
    assert "malformed CSV" in run.stderr and "Traceback" not in run.stderr


def test_a_register_changed_between_the_two_reads_is_refused(tmp_path, monkeypatch):
    from ipscore.bulk import engine
    from ipscore.bulk.ids import find_repeats

    path = _write(REGISTER, tmp_path, ".parquet")
    repeats = find_repeats(path, 10)
    _write(REGISTER.head(100), tmp_path, ".parquet")  # rewritten after the id pass
    with pytest.raises(api.InputError, match="the file changed during the run"):
        engine.classify_register(path, PREPARED, chunk_rows=10, repeats=repeats)


def test_rows_sharing_only_the_first_hash_are_not_repeats(tmp_path, monkeypatch):
    """The sort over the first 64-bit hash only nominates candidates; the second hash
    decides. With every first hash made equal, the answer is unchanged."""
    from ipscore.bulk import ids

    path = _write(REGISTER, tmp_path, ".parquet")
    honest = ids.find_repeats(path, 10)
    real_hashes = ids._hashes
    monkeypatch.setattr(
        ids, "_hashes", lambda column: real_hashes(column).with_columns(h1=pl.lit(7, pl.UInt64))
    )
    colliding = ids.find_repeats(path, 10)
    assert len(honest.later) == 2
    for name in ("later", "first_of_later", "firsts"):
        assert getattr(colliding, name).tolist() == getattr(honest, name).tolist()


def test_a_csv_with_bare_cr_line_ends_finds_its_repeats(tmp_path):
    """Polars reads a CSV of bare CR line ends as no rows; such a file is read by Arrow,
    and its repeated ids are rejected as in the single pass."""
    path = _write(REGISTER, tmp_path, ".csv")
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\n", "\r")
    path.write_text(text, encoding="utf-8-sig", newline="")
    chunked = classify_register(path, PREPARED, chunk_rows=10)
    single = _single(path)
    _same(single, chunked)
    assert chunked.batch.rejects["reason"].str.startswith("repeated id").sum() == 2
