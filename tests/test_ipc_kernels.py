"""The Polars/Arrow kernels that parse IPC codes and date spellings agree with the plain
pandas definitions they replaced (issue 11), on any spelling Hypothesis writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ipscore.patents import ipc
from ipscore.patents.validate import _distinct_dates

_COMPACT = r"^(?P<subclass>[A-H][0-9]{2}[A-Z])(?:(?P<group>[0-9]{1,4})/(?P<sub>[0-9]{1,6}))?$"
_FIXED = r"^(?P<subclass>[A-H][0-9]{2}[A-Z])(?P<group>[0-9]{4})(?P<sub>[0-9]{6})$"


def pandas_normalize(raw: list[str]) -> pd.Series:
    """The first release's pandas definition (digits ASCII, as the kernel's)."""
    text = (
        pd.Series(raw, dtype=object)
        .astype("string")
        .str.normalize("NFKC")
        .str.upper()
        .str.replace(r"\([0-9]{4}\.[0-9]{2}\)$", "", regex=True)
        .str.replace(r"\s+", "", regex=True)
    )
    parts = text.str.extract(_COMPACT).fillna(text.str.extract(_FIXED))
    group = parts["group"].str.lstrip("0").replace("", "0")
    sub = parts["sub"].str.rstrip("0").str.pad(2, side="right", fillchar="0")
    out = (parts["subclass"] + " " + group + "/" + sub).where(
        parts["group"].notna(), parts["subclass"]
    )
    return out.astype(object).where(out.notna(), np.nan)


section = st.sampled_from("ABCDEFGHXabcdefghＡＨ")
digits = st.text(alphabet="0123456789０１９", min_size=0, max_size=7)
ipc_like = st.builds(
    lambda s, d1, letter, g, sep, sub, tail: f"{s}{d1}{letter}{g}{sep}{sub}{tail}",
    section,
    st.text(alphabet="0123456789", min_size=1, max_size=3),
    st.sampled_from("ABFLNZaz"),
    st.sampled_from(["", " ", "  ", "\u3000"]) | digits,
    st.sampled_from(["/", "／", "", " / "]),
    digits,
    st.sampled_from(["", "(2006.01)", " (2006.01)", "（2006.01）", ";", "x"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ipc_like | st.text(max_size=12), max_size=40))
def test_polars_ipc_kernel_equals_the_pandas_definition(spellings):
    got = ipc.normalize(spellings)
    want = pandas_normalize(spellings)
    assert got.fillna("<unreadable>").tolist() == want.fillna("<unreadable>").tolist()


def test_ipc_kernel_examples():
    got = ipc.normalize(
        ["h04l9/32", "H04L0009320000", "G06F", " g06f 1/16 (2006.01)", "Ｈ０４Ｌ９／３２"]
    )
    assert got.tolist() == ["H04L 9/32", "H04L 9/32", "G06F", "G06F 1/16", "H04L 9/32"]
    assert ipc.normalize(["H04L 9/32x", "H04L ٣/32", None]).isna().all()


def pandas_cleaned(text: pd.Series) -> pd.Series:
    return (
        text.str.replace(r"(\.0+)?$", "", regex=True)
        .str.replace(r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$", "", regex=True)
        .str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3", regex=True)
        .str.replace(r"[./年月]", "-", regex=True)
        .str.replace("日", "")
    )


date_like = st.builds(
    lambda y, m, d, sep, tail: f"{y}{sep}{m}{sep if sep != '年' else '月'}{d}{tail}",
    st.integers(1900, 2100).map(str),
    st.integers(0, 13).map(str) | st.integers(1, 12).map(lambda m: f"{m:02d}"),
    st.integers(0, 32).map(str) | st.integers(1, 31).map(lambda d: f"{d:02d}"),
    st.sampled_from(["-", ".", "/", "", "年"]),
    st.sampled_from(["", "日", " 00:00:00", "T12:30", ".0"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(date_like | st.integers(0, 90000).map(str) | st.text(max_size=10), max_size=30))
def test_date_cleaning_kernel_equals_the_pandas_definition(spellings):
    text = pd.Series(list(dict.fromkeys(spellings)), dtype="str")
    dates, reasons = _distinct_dates(text)
    cleaned = pandas_cleaned(text)
    want = pd.to_datetime(cleaned, format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(cleaned.where(cleaned.str.fullmatch(r"[0-9]{5}")), errors="coerce")
    in_range = serial.between(20000, 80000)
    want = want.where(~in_range, np.datetime64("1899-12-30") + pd.to_timedelta(serial, "D"))
    want = want.where(~cleaned.str.fullmatch(r"0+").fillna(False).astype(bool))
    assert (dates.isna() == want.isna()).all()
    assert (dates.dropna() == want.dropna()).all()
    assert (reasons.notna() == (want.isna() & ~cleaned.str.fullmatch("0+").astype(bool))).all()


def test_date_examples():
    dates, reasons = _distinct_dates(
        pd.Series(
            [
                "2019-09-24",
                "2019.9.24",
                "2019年9月24日",
                "20190924",
                "43732",
                "0",
                "2019-02-30",
                "soon",
            ],
            dtype="str",
        )
    )
    assert dates.iloc[:5].dt.strftime("%Y-%m-%d").tolist() == ["2019-09-24"] * 5
    assert pd.isna(dates.iloc[5]) and pd.isna(reasons.iloc[5])
    assert reasons.iloc[6:].tolist() == ["impossible date", "not a date (expected YYYY-MM-DD)"]
