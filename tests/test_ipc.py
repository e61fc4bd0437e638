"""IPC normalisation and level-aware SEI matching."""

from __future__ import annotations

import pandas as pd
import pytest

from ipscore.patents.ipc import level, normalize
from ipscore.patents.sei import load_ipc_table


@pytest.mark.parametrize(
    "raw",
    [
        "H04L 9/32",
        "H04L9/32",
        "H04L0009320000",
        "h04l 9/32",
        "Ｈ０４Ｌ　９／３２",
        "  H04L   9/32 ",
        "H04L 9/32 (2006.01)",
    ],
)
def test_spellings_normalise_to_one_code(raw):
    assert normalize([raw])[0] == "H04L 9/32"


@pytest.mark.parametrize("raw", ["G06F-16/30", "Z99Z 1/00", "H04L 12345/1", "9/32", "H04"])
def test_unreadable_codes_are_nan(raw):
    assert pd.isna(normalize([raw])[0])


def test_fixed_width_keeps_significant_subgroup_digits():
    assert normalize(["G05B0019418000", "A01B0003421000", "G06F0001000000"]).tolist() == [
        "G05B 19/418",
        "A01B 3/421",
        "G06F 1/00",
    ]


def test_levels():
    assert [level(c) for c in ("G06F", "G06F 1/00", "G06F 1/16")] == [
        "subclass",
        "main_group",
        "subgroup",
    ]


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "sei.csv"
    path.write_text(
        "ipc,sei_code,sei_name\nG06F,1.1,a\nH04L 9/00,1.2,b\nA01B 3/42,2.1,c\n", encoding="utf-8"
    )
    return load_ipc_table(path)


def test_subclass_row_matches_the_whole_subclass(table):
    assert table.matches(["G06F 16/30", "G06F 1/16", "G06N 3/08"]).tolist() == [True, True, False]


def test_main_group_row_matches_its_main_group_only(table):
    assert table.matches(["H04L 9/32", "H04L 9/00", "H04L 12/28"]).tolist() == [True, True, False]


def test_subgroup_row_is_never_a_string_prefix(table):
    # A01B 3/421 is not necessarily under A01B 3/42: IPC dot levels are not prefixes.
    assert table.matches(["A01B 3/42", "A01B 3/421", "A01B 3/4"]).tolist() == [True, False, False]


def test_unreadable_table_row_names_the_line(tmp_path):
    from ipscore.errors import InputError

    path = tmp_path / "sei.csv"
    path.write_text("ipc,sei_code,sei_name\nG06F,1.1,a\nnot-a-code,1.2,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"sei.csv:3: ipc: unreadable IPC code 'not-a-code'"):
        load_ipc_table(path)
