"""Patent facts that mutation testing (scripts/mutation.sh patents) found unasserted or
reached by no selected test. Expected values are stated from the rule and the IPC scheme."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ipscore.errors import InputError
from ipscore.patents import ipc
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.explain import explain
from ipscore.patents.sei import load_ipc_table
from ipscore.patents.workbook import read_workbook
from tests.conftest import AS_OF, batch_of


def test_ipc_under_each_level_of_the_parent():
    codes = np.array(["G06N 3/04", "G06N 3/08", "G06F 1/16", None], dtype=object)
    assert ipc.under(codes, "G06N").tolist() == [True, True, False, False]  # subclass
    assert ipc.under(codes, "G06N 3/00").tolist() == [True, True, False, False]  # main group
    assert ipc.under(codes, "G06N 3/04").tolist() == [True, False, False, False]  # subgroup


def test_records_are_plain_values_per_patent():
    batch = batch_of({"ipc": "G03G 15/00;F25D 23/00", "pledge_amount": "600"}, {})
    first, second = batch.records()
    assert first["ipc"] == ("G03G 15/00", "F25D 23/00") and first["pledge_amount"] == 600.0
    assert first["grant_date"] == pd.Timestamp("2022-02-01") and first["lapse_date"] is None
    assert second["pledge_amount"] is None and second["ipc"] == ("A47J 27/00",)


def test_explanation_names_parameters_and_notes(rule):
    batch = batch_of({"ipc": "G03G 15/00;F25D 23/00", "pledge_amount": "600"})
    found = explain(batch, prepare(rule, AS_OF), batch.records()[0]["id"])
    by_id = {c["id"]: c for c in found["conditions"]}
    pledge = by_id["pledge"]["parameters"]
    assert [(p["name"], p["value"], p["unit"]) for p in pledge] == [
        ("pledge_threshold", 1000, "万元")
    ]
    assert [m["note"] for m in by_id["strategic_emerging"]["matches"]] == [""]


def test_reused_columns_are_recomputed_when_a_parameter_changes(rule):
    batch = batch_of({"pledge_amount": "600"}, {"pledge_amount": "1200"})
    before = prepare(rule, AS_OF)
    first = evaluate(batch, before)
    assert first["pledge"].tolist() == [False, True]  # threshold 1000 万元
    lower = prepare(rule, AS_OF, {"pledge_threshold": 500})
    again = evaluate(batch, lower, reuse=(batch, before, first))
    assert again["pledge"].tolist() == [True, True]


def test_a_rule_table_without_rule_numbers_numbers_its_rows(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("sei_code,ipc_patterns\n1.1,G06F*\n1.2,G03G*;H01L*\n", "utf-8")
    table = load_ipc_table(path)
    assert table.rules["rule_no"].tolist() == [1, 2]
    [match] = table.explain_code("G03G 15/00")
    assert (match["industry"], match["industry_name"], match["rule_no"]) == (
        "1.2",
        "电子核心产业",
        2,
    )


def test_a_workbook_with_only_empty_sheets_reads_as_no_rows(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert read_workbook(path).empty


def test_a_rule_tables_own_numbers_are_kept(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("rule_no,sei_code,ipc_patterns\n7,1.1,G06F*\n9,1.2,G03G*\n", "utf-8")
    [match] = load_ipc_table(path).explain_code("G03G 15/00")
    assert match["rule_no"] == 9  # a number, as from a JSON-lines table, not the text "9"


def test_a_rule_number_that_is_not_a_number_is_refused_with_its_line(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("rule_no,sei_code,ipc_patterns\n7,1.1,G06F*\nnine,1.2,G03G*\n", "utf-8")
    with pytest.raises(InputError, match=r"table.csv:3: rule_no: 'nine' is not a whole number"):
        load_ipc_table(path)


def test_a_patent_number_in_any_spelling_has_one_join_key():
    import pyarrow as pa

    from ipscore.patents.joins import number_keys

    spellings = [
        "CN201510000001.2",
        "ＣＮ２０１５１００００００１.２",
        "zl201510000001.2",
        "n/a",
        None,
    ]
    assert number_keys(pa.array(spellings)).to_pylist() == ["201510000001"] * 3 + [None, None]


def test_unknown_values_of_two_tallies_add_up(rule):
    """Chunk A has status 'maybe' once, chunk B twice and 'sometimes' once: the sum says
    maybe 3, sometimes 1 (stated by hand)."""
    from ipscore.patents.summary import tally_of

    prepared = prepare(rule, AS_OF)

    def tally(*statuses):
        batch = batch_of({}, *({"status": s} for s in statuses))
        return tally_of(batch, evaluate(batch, prepared), prepared)[1]

    total = tally("maybe") + tally("maybe", "maybe", "sometimes")
    counts = total.unknown.set_index(["column", "value"])["rows"].to_dict()
    assert counts == {("status", "maybe"): 3, ("status", "sometimes"): 1}
    assert (total.read, total.evaluated) == (6, 2)


def test_family_and_award_lists_are_read_into_codes():
    batch = batch_of({"family_granted": "us; JP ,EP", "awards": "中国专利金奖"}, {})
    families, awards = batch.columns["family_granted"], batch.columns["awards"]
    assert families.row(0) == ("US", "JP", "EP") and families.row(1) == ()
    assert awards.row(0) == ("china_patent.gold",) and awards.row(1) == ()
