"""The real 2021 SEI–IPC table, read as the official table means it (FACTS.md §1).

Every code and rule number below is from the bundled table (rules/tables/sei-ipc-2021.jsonl).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipscore import api
from ipscore.bundled import bundled_dir
from ipscore.cli import app
from ipscore.errors import InputError
from ipscore.expr.columns import ListColumn
from ipscore.patents.sei import load_ipc_table

TABLE = bundled_dir("rules") / "tables" / "sei-ipc-2021.jsonl"
AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def table():
    return load_ipc_table(TABLE)


def industries(table, code: str) -> set[str]:
    return {m["industry"] for m in table.explain_code(code) if m["matched"]}


def rules_matched(table, code: str) -> set[tuple[str, int, str]]:
    return {
        (m["industry"], m["rule_no"], m["pattern"])
        for m in table.explain_code(code)
        if m["matched"]
    }


def test_the_bundled_table_is_the_real_one(table):
    d = table.describe()
    assert (d["rules"], d["industries"], d["keyword_filters"]) == (303, 40, 9)


def test_subclass_pattern_covers_the_subclass(table):
    assert ("1.1", 2, "G06F*") in rules_matched(table, "G06F 16/30")


def test_main_group_pattern_is_not_a_string_prefix(table):
    # H04L1* (rule 1 of 1.1) is main group H04L 1, never H04L 12/…
    assert ("1.1", 1, "H04L1*") in rules_matched(table, "H04L 1/00")
    assert all(m["pattern"] != "H04L1*" for m in table.explain_code("H04L 12/28"))


def test_subgroup_pattern_matches_that_subgroup_only(table):
    assert ("1.5", 3, "G06F1/16") in rules_matched(table, "G06F 1/16")
    assert "1.5" not in industries(table, "G06F 1/1632")


def test_the_two_quirks_and_the_class_patterns(table):
    assert ("1.3", 4, "H03M13") in rules_matched(table, "H03M 13/05")  # main group
    assert ("1.5", 7, "G16H") in rules_matched(table, "G16H 10/60")  # subclass
    assert ("1.3", 2, "G16*") in rules_matched(table, "G16C 10/00")  # class G16


def test_exclusions_at_main_group_and_subgroup_level_remove_from_their_rule_only(table):
    found = {
        (m["rule_no"], m["industry"]): m["excluded_by"] for m in table.explain_code("G06F 11/14")
    }
    assert found[(1, "1.1")] == "G06F11/14"  # a subgroup exclusion
    assert found[(2, "1.1")] == "G06F11*"  # a main-group exclusion
    assert found[(5, "1.2")] is None  # … and another rule still matches it
    assert industries(table, "G06F 11/14") == {"1.2"}


def test_a_code_in_several_industries(table):
    assert industries(table, "H03M 13/05") == {"1.2", "1.3"}
    assert industries(table, "G16H 10/60") == {"1.3", "1.5"}


def register(tmp_path: Path, rows: list[dict], name: str = "r.csv") -> Path:
    base = {
        "申请号": "",
        "专利类型": "发明",
        "申请日": "2020-01-10",
        "授权公告日": "2022-02-01",
        "法律状态": "有效",
        "专利权人国别": "CN",
    }
    path = tmp_path / name
    pd.DataFrame([{**base, **row} for row in rows]).to_csv(path, index=False)
    return path


def test_every_register_spelling_gives_the_same_industries(tmp_path):
    spellings = ["H03M 13/05", "H03M13/05", "H03M0013050000", "H03M 13/05 (2006.01)", "h03m13/05"]
    rows = [{"申请号": f"CN2020100000{i:02d}", "IPC分类号": s} for i, s in enumerate(spellings)]
    result = api.classify_file(register(tmp_path, rows), AS_OF)
    assert result.batch.rejected == 0
    assert set(result.verdicts["sei_industries"].astype(str)) == {"1.2;1.3"}


KEYWORD_ROWS = [
    {"申请号": "CN202010000001", "IPC分类号": "H04L9/32", "名称": "一种基于区块链的存证方法"},
    {"申请号": "CN202010000002", "IPC分类号": "H04L9/32", "名称": "一种加密装置"},
    {"申请号": "CN202010000003", "IPC分类号": "H04L9/32;G06F16/30", "名称": "一种加密装置"},
]


@pytest.mark.parametrize(("mode", "expected"), [("ignore", [1, 1, 1]), ("require", [1, 0, 1])])
def test_sei_keywords_with_text(tmp_path, mode, expected):
    path = register(tmp_path, KEYWORD_ROWS)
    result = api.classify_file(path, AS_OF, overrides={"sei_keywords": mode})
    assert result.verdicts["strategic_emerging"].astype(int).tolist() == expected
    caliber = {row["sei_keywords"]: row for row in result.caliber}
    assert caliber["ignore"]["strategic_emerging"] == 3
    assert caliber["require"]["strategic_emerging"] == 2
    assert caliber["require"]["unverifiable"] == 0


def test_sei_keywords_without_text_is_unverifiable_never_silent(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "名称"} for row in KEYWORD_ROWS]
    result = api.classify_file(
        register(tmp_path, rows), AS_OF, overrides={"sei_keywords": "require"}
    )
    # The patent with G06F 16/30 passes by a plain rule; the other two cannot be checked.
    assert result.verdicts["strategic_emerging"].astype(int).tolist() == [0, 0, 1]
    caliber = {row["sei_keywords"]: row for row in result.caliber}
    assert caliber["require"]["unverifiable"] == 2
    assert caliber["ignore"]["strategic_emerging"] == 3


def test_explain_names_rule_pattern_and_exclusion(tmp_path):
    path = register(tmp_path, [{"申请号": "CN202010000009", "IPC分类号": "G06F11/14"}])
    data = api.explain_file(path, "CN202010000009", AS_OF)
    matches = next(c for c in data["conditions"] if c["id"] == "strategic_emerging")["matches"]
    assert {(m["industry"], m["rule_no"], m["pattern"], m["excluded_by"]) for m in matches} == {
        ("1.1", 1, "G06F11*", "G06F11/14"),
        ("1.1", 2, "G06F*", "G06F11*"),
        ("1.2", 5, "G06F11/14", None),
    }


def test_industry_breakdown_counts_each_industry_once_per_patent(tmp_path):
    rows = [
        {"申请号": "CN202010000001", "IPC分类号": "H03M13/05;H03M13/09"},  # 1.2 and 1.3
        {"申请号": "CN202010000002", "IPC分类号": "G06F16/30"},  # 1.1
        {"申请号": "CN202010000003", "IPC分类号": "A47J27/00"},  # none
    ]
    by_code = {
        r["code"]: r for r in api.classify_file(register(tmp_path, rows), AS_OF).industries()
    }
    assert {c: (r["patents"], r["high_value"]) for c, r in by_code.items()} == {
        "1": (2, 2),
        "1.1": (1, 1),
        "1.2": (1, 1),
        "1.3": (1, 1),
    }
    assert by_code["1"]["level"] == 1 and by_code["1.2"]["name"] == "电子核心产业"


# --- properties -------------------------------------------------------------------------

CODES = [
    "G06F 16/30", "G06F 1/16", "G06F 1/1632", "G06F 11/14", "H04L 1/00", "H04L 12/28",
    "H04L 9/32", "H03M 13/05", "G16H 10/60", "G16B 5/00", "C08L 23/00", "C08F 10/00",
    "B29C 64/10", "A47J 27/00", "B65D 81/00", "G06N 10/00", "E21B 33/10", "C22B 59/00",
    "G06Q 10/00", "A61B 5/00", "H04W 72/04", "A01B 69/00", "G06F", "H01M 10/00",
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CODES), min_size=1, max_size=30), st.randoms())
def test_matching_a_batch_equals_matching_each_code_alone(table, codes, rnd):
    shuffled = codes[:]
    rnd.shuffle(shuffled)
    batch = table.matches(np.array(codes, dtype=object))
    alone = [table.match_one(c) for c in codes]
    assert batch.tolist() == alone
    again = dict(zip(shuffled, table.matches(np.array(shuffled, dtype=object)), strict=True))
    assert [again[c] for c in codes] == alone


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(CODES), max_size=4), min_size=1, max_size=12),
    st.sampled_from(["ignore", "require"]),
    st.lists(
        st.sampled_from([None, "一种区块链装置", "一种装置", "癫痫检测"]), min_size=12, max_size=12
    ),
)
def test_scalar_explanation_lists_the_industries_the_vectorized_path_found(
    table, rows, mode, titles
):
    titles = titles[: len(rows)]
    column = ListColumn.from_lists(rows)
    title = pd.Series(pd.Categorical(titles))
    labels = table.labels(table.row_bits(column, mode, title, None)).astype(str)
    for i, codes in enumerate(rows):
        scalar = table.record_bits(tuple(codes), mode, titles[i], None)
        assert labels[i] == str(table.labels(np.array([scalar], dtype=np.uint64))[0])
        if mode == "ignore":
            explained = set().union(*(industries(table, c) for c in codes)) if codes else set()
            assert set(filter(None, labels[i].split(";"))) == explained


# --- --sei-table and the CLI ---------------------------------------------------------------

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_sei_lookup_json():
    result = run("sei", "lookup", "G06F 11/14", "H03M13/05", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first, second = data["codes"]
    assert [i["code"] for i in first["industries"]] == ["1.2"]
    assert [i["code"] for i in second["industries"]] == ["1.2", "1.3"]
    assert data["table"]["rules"] == 303


def test_sei_lookup_refuses_a_non_code():
    result = run("sei", "lookup", "Z99")
    assert result.exit_code == 2 and "'Z99' is not an IPC code" in result.stderr


def test_set_sei_keywords_on_classify_and_unknown_key(tmp_path):
    path = str(register(tmp_path, KEYWORD_ROWS))
    key = "cn-high-value-invention.sei_keywords=require"
    data = json.loads(run("classify", path, "--as-of", "2023-12-31", "--set", key, "--json").stdout)
    assert data["criteria"]["strategic_emerging"] == 2
    assert {a["name"]: a["value"] for a in data["assumptions"]}["sei_keywords"] == "require"
    bad = run("classify", path, "--set", "cn-high-value-invention.sei_keyword=require")
    assert bad.exit_code == 2 and "did you mean 'sei_keywords'" in bad.stderr


def test_old_one_code_a_row_layout_still_reads(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(
        "ipc,sei_code,sei_name\nG06F,1.1,a\nH04L 9/00,1.2,b\nA01B 3/42,2.1,c\n", "utf-8"
    )
    old = load_ipc_table(path)
    assert old.layout == "one code a row"
    codes = ["G06F 16/30", "H04L 9/32", "H04L 12/28", "A01B 3/42", "A01B 3/421"]
    assert old.matches(np.array(codes, dtype=object)).tolist() == [True, True, False, True, False]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"sei_code": "1.1", "ipc_patterns": ["G06F*", "G06-F"]}',
            "unreadable IPC pattern 'G06-F'",
        ),
        ('{"sei_code": "1.9", "ipc_patterns": ["G06F*"]}', "unknown industry code '1.9'"),
        ('{"sei_code": "1.1"}', "missing 'ipc_patterns'"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_bad_sei_table_exits_2_naming_file_line_and_value(tmp_path, line, message):
    path = tmp_path / "t.jsonl"
    path.write_text('{"sei_code": "1.1", "ipc_patterns": ["G06F*"]}\n' + line + "\n", "utf-8")
    with pytest.raises(InputError, match=rf"t\.jsonl:2: .*{message}"):
        load_ipc_table(path)
    result = run("sei", "lookup", "G06F 16/30", "--sei-table", str(path))
    assert result.exit_code == 2 and "t.jsonl:2" in result.stderr


def test_csv_rule_layout_with_a_missing_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sei_code,patterns\n1.1,G06F*\n", "utf-8")
    with pytest.raises(InputError, match=r"t\.csv: an SEI–IPC table needs columns"):
        load_ipc_table(path)
    path.write_text("sei_code,ipc_patterns,ipc_exclusions\n1.1,G06F*;H04L1*,G06F11*\n", "utf-8")
    assert load_ipc_table(path).describe()["exclusions"] == 1
