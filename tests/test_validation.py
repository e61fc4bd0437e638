"""Bad input: every malformed row is a reject with a reason; counts reconcile."""

from __future__ import annotations

import pandas as pd
import pytest

from ipscore import api
from ipscore.errors import InputError
from ipscore.patents.readers import read_patent_table
from tests.conftest import BASE, batch_of


def reasons(batch) -> dict[str, str]:
    return {f"{r.column}={r.value}": r.reason for r in batch.rejects.itertuples()}


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"filing_date": "2021-02-30"}, "filing_date", "impossible date"),
        ({"filing_date": "next week"}, "filing_date", "not a date"),
        ({"filing_date": "1984-12-31", "grant_date": "1986-01-01"}, "filing_date", "Patent Law"),
        ({"grant_date": "2019-01-01"}, "grant_date", "grant date before filing date"),
        ({"pledge_amount": "-1"}, "pledge_amount", "negative amount"),
        ({"pledge_amount": "五百"}, "pledge_amount", "not a number"),
        ({"ipc": "A47J 27/00;G06F-16/30"}, "ipc", "unreadable IPC code"),
        ({"patent_type": "商标"}, "patent_type", "unknown value"),
        ({"status": "暂停"}, "status", "unknown value"),
        ({"family_granted": "USA"}, "family_granted", "unknown jurisdiction"),
        ({"id": " "}, "id", "missing id"),
        ({"owner_country": ""}, "owner_country", "missing value"),
    ],
)
def test_malformed_values_become_rejects_and_the_rest_is_kept(change, column, reason):
    batch = batch_of({}, change, {"ipc": "G06F 1/16"})
    assert batch.read == 3 and len(batch) == 2 and batch.rejected == 1
    (reject,) = batch.rejects.itertuples()
    assert reject.row == 2 and reject.column == column and reason in reject.reason


def test_repeated_ids_reject_every_occurrence_after_the_first():
    batch = batch_of({"id": "CN1"}, {}, {"id": "CN1"}, {"id": "CN1"})
    assert batch.rejects["row"].tolist() == [3, 4]
    assert set(batch.rejects["reason"]) == {"repeated id (first at row 1)"}
    assert batch.read == len(batch) + batch.rejected


def test_a_row_with_two_problems_lists_both_and_counts_once():
    batch = batch_of({"filing_date": "x", "pledge_amount": "-3"})
    assert batch.rejected == 1 and len(batch.rejects) == 2


def test_chinese_headers_and_values_are_accepted(tmp_path):
    path = tmp_path / "cn.csv"
    row = {
        "申请号": "CN1",
        "专利类型": "发明",
        "申请日": "2010/01/05",
        "授权公告日": "20120301",
        "法律状态": "有效",
        "主分类号": "G06F0016300000",
        "专利权人国别": "中国",
    }
    pd.DataFrame([row]).to_csv(path, index=False)
    batch = api.load_patents(path)
    assert len(batch) == 1 and batch.absent == [
        "lapse_date",
        "region",
        "owner",
        "family_granted",
        "pledge_amount",
        "awards",
        "title",
        "abstract",
    ]
    record = batch.record(0)
    assert record["ipc"] == ("G06F 16/30",) and record["owner_country"] == "CN"
    assert str(record["grant_date"].date()) == "2012-03-01"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "p.csv"
    pd.DataFrame([{**BASE, "region": "广州市", "patent_type": "发明"}]).to_csv(
        path, index=False, encoding=encoding
    )
    batch = api.load_patents(path)
    assert batch.record(0)["region"] == "广州市" and batch.record(0)["patent_type"] == "invention"


def test_undecodable_bytes_are_an_input_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"id,patent_type\n\x81\xff\xfe,x\n")
    with pytest.raises(InputError, match="not readable as utf-8-sig or gb18030"):
        read_patent_table(path)


def test_missing_required_columns_are_named(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([{"id": "CN1", "patent_type": "发明"}]).to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_patent_table(path)
    message = str(caught.value)
    for name in ("filing_date", "grant_date", "status", "ipc", "owner_country"):
        assert name in message
    assert "申请日" in message  # the accepted Chinese header is suggested


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".csv"])
def test_formats_read_the_same(tmp_path, suffix, rule):
    frame = pd.DataFrame([BASE, {**BASE, "id": "CN2", "ipc": "G06F 1/16", "pledge_amount": 5}])
    path = tmp_path / f"p{suffix}"
    {".xlsx": frame.to_excel, ".parquet": frame.astype(str).to_parquet, ".csv": frame.to_csv}[
        suffix
    ](path, index=False)
    result = api.classify_file(path, api.DEMO_AS_OF)
    assert (result.batch.read, result.eligible, result.high_value) == (2, 2, 1)


def test_empty_input_gives_an_empty_report(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(BASE) + "\n", encoding="utf-8")
    result = api.classify_file(path, api.DEMO_AS_OF)
    data = result.to_json()
    assert (data["read"], data["rejected"], data["eligible"], data["high_value"]) == (0, 0, 0, 0)
    assert data["criteria"] == dict.fromkeys(data["criteria"], 0)


def test_unknown_format_is_an_input_error(tmp_path):
    path = tmp_path / "p.docx"
    path.write_text("x")
    with pytest.raises(InputError, match="unknown format"):
        read_patent_table(path)
