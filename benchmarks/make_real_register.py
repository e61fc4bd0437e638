"""Write a SYNTHETIC patent register shaped like a real Chinese export, for the benchmarks.

Every value is made up (seeded, deterministic); only the SHAPE follows real exports:
- Chinese headers as CNIPA / PatSnap exports spell them (序号, 申请号, 专利类型, 申请日,
  授权公告日, 法律状态, 失效日期, 分类号, 国省代码, 行政区划, 海外同族授权, 质押金额, 获奖;
  see ipscore/patents/schema.py VENDOR_ALIASES and tests/fixtures/cn-export-61-columns-sample.csv);
- Chinese values: 专利类型 (rules/tables/patent-types.csv), 法律状态 (rules/tables/legal-status.csv,
  compound ones such as 失效-未缴年费 too), 国省代码 such as 广东(44) / 美国(US), places as
  行政区划 text (广东省广州市, 北京市海淀区 …);
- every column is TEXT, dates in a mix of real spellings (2019-09-24, 2019.09.24, 20190924,
  2019/09/24, 2019年9月24日);
- 1–6 IPC codes a patent joined by `;`, mostly compact (`H04L9/32`, `G06F16/2458`), some
  spaced (`H04L 9/32`), over tens of thousands of distinct codes (a Zipf-like draw; the
  subclasses are those of the real SEI–IPC table rules/tables/sei-ipc-2021.jsonl plus others,
  so a realistic share falls in 战略性新兴产业); `--stress` draws about 1,000,000 distinct codes;
- overseas family members, pledge amounts (万元) and awards (rules/tables/awards.csv spellings)
  on a share of rows;
- a few % malformed rows, so that rejects are exercised: impossible or unreadable dates,
  unknown legal status, unreadable IPC codes, grant before filing, repeated 申请号 (half
  exact duplicates, half with different content).

Vectorized (numpy + pyarrow): no Python loop per row; 5M rows take well under a minute.
The Python loops below run over small vocabularies (distinct dates, subclasses, cities) only.

    python benchmarks/make_real_register.py --rows 5000000 --out-dir benchmarks/out
    python benchmarks/make_real_register.py --rows 5000000 --stress --out-dir benchmarks/out

Writes <out-dir>/real-<rows>[-stress].parquet (all columns strings) and .csv (UTF-8 with BOM).
Evaluate with --as-of 2024-12-31 (the date the shares below were chosen for).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SEI_TABLE = ROOT / "rules" / "tables" / "sei-ipc-2021.jsonl"

HEADERS = (
    "序号",
    "申请号",
    "专利类型",
    "申请日",
    "授权公告日",
    "法律状态",
    "失效日期",
    "分类号",
    "国省代码",
    "行政区划",
    "海外同族授权",
    "质押金额",
    "获奖",
)

# (行政区划 spelling, 国省代码 of its province, weight): Guangdong-heavy, as a Guangdong register
# is; all cities end in 市 so the DuckDB reference can roll districts up with one regex.
PLACES = (
    ("广东省广州市", "广东(44)", 14),
    ("广东省广州市天河区", "广东(44)", 3),
    ("广东省深圳市", "广东(44)", 16),
    ("广东省深圳市南山区", "广东(44)", 4),
    ("广东省东莞市", "广东(44)", 6),
    ("广东省佛山市", "广东(44)", 6),
    ("广东省珠海市", "广东(44)", 3),
    ("广东省中山市", "广东(44)", 2),
    ("广东省惠州市", "广东(44)", 2),
    ("广东省汕头市", "广东(44)", 1),
    ("广东省江门市", "广东(44)", 1),
    ("广东省湛江市", "广东(44)", 1),
    ("北京市海淀区", "北京(11)", 6),
    ("北京市", "北京(11)", 3),
    ("上海市浦东新区", "上海(31)", 3),
    ("上海市", "上海(31)", 3),
    ("江苏省苏州市", "江苏(32)", 4),
    ("江苏省南京市", "江苏(32)", 3),
    ("浙江省杭州市", "浙江(33)", 4),
    ("浙江省宁波市", "浙江(33)", 2),
    ("四川省成都市", "四川(51)", 2),
    ("湖北省武汉市", "湖北(42)", 2),
    ("山东省青岛市", "山东(37)", 2),
    ("河南省郑州市", "河南(41)", 1),
    ("福建省厦门市", "福建(35)", 1),
    ("陕西省西安市", "陕西(61)", 1),
    ("广西壮族自治区南宁市", "广西(45)", 1),
)
FOREIGN_OWNERS = ("美国(US)", "日本(JP)", "德国(DE)", "韩国(KR)", "香港(81)", "台湾(71)")

TYPES = (("发明专利", 20), ("发明授权", 15), ("授权发明", 5), ("发明", 10), ("发明公开", 3))
OTHER_TYPES = (("实用新型", 30), ("外观设计", 10))
VALID = (("有效", 50), ("有权-审定授权", 20), ("授权", 20), ("权利恢复", 1), ("部分无效", 1))
LAPSED = (
    ("失效", 30),
    ("未缴年费", 15),
    ("失效-未缴年费", 15),
    ("期限届满", 5),
    ("专利权终止", 10),
    ("权利终止", 5),
    ("放弃-主动放弃", 3),
    ("全部无效", 2),
)
PENDING = (("审中", 40), ("审中-实质审查", 30), ("实质审查", 10), ("驳回", 8), ("视为撤回", 7))
UNKNOWN_STATUS = ("状态未知", "其他", "待定")
FAMILY = (
    ("US", 30),
    ("EP", 20),
    ("JP", 15),
    ("KR", 8),
    ("DE", 5),
    ("美国", 6),
    ("日本", 4),
    ("WO", 15),
    ("HK", 6),
    ("中国香港", 2),
    ("TW", 2),
    ("GB", 3),
    ("AU", 2),
)
AWARDS = (
    ("中国专利金奖", 3),
    ("中国专利银奖", 4),
    ("中国专利优秀奖", 30),
    ("第二十三届中国专利优秀奖", 8),
    ("中国专利奖", 2),
    ("国家科学技术进步奖二等奖", 5),
    ("2019年度国家技术发明奖二等奖", 2),
    ("广东专利金奖", 10),
    ("中国外观设计金奖", 1),
)
BAD_DATES = ("2019-02-30", "2021-13-01", "暂无", "2020-00-15", "N/A")
BAD_IPC = ("H04L9/3A", "XYZ", "G06F-16/30", "H4L9/32")

#: Real IPC classes outside the SEI table's subclasses, to make codes no SEI rule names.
OTHER_CLASSES = (
    "A01",
    "A21",
    "A23",
    "A24",
    "A41",
    "A42",
    "A43",
    "A44",
    "A45",
    "A46",
    "A47",
    "A62",
    "A63",
    "B02",
    "B03",
    "B04",
    "B05",
    "B06",
    "B07",
    "B08",
    "B21",
    "B23",
    "B24",
    "B25",
    "B26",
    "B27",
    "B28",
    "B29",
    "B30",
    "B31",
    "B32",
    "B41",
    "B42",
    "B43",
    "B44",
    "B60",
    "B61",
    "B62",
    "B63",
    "B64",
    "B65",
    "B66",
    "B67",
    "B68",
    "C01",
    "C02",
    "C03",
    "C04",
    "C05",
    "C06",
    "C07",
    "C08",
    "C09",
    "C10",
    "C11",
    "C13",
    "C14",
    "C21",
    "C22",
    "C23",
    "C25",
    "C30",
    "D01",
    "D02",
    "D03",
    "D04",
    "D05",
    "D06",
    "D07",
    "D10",
    "D21",
    "E01",
    "E02",
    "E03",
    "E04",
    "E05",
    "E06",
    "E21",
    "F01",
    "F02",
    "F03",
    "F04",
    "F15",
    "F16",
    "F17",
    "F21",
    "F22",
    "F23",
    "F24",
    "F25",
    "F26",
    "F27",
    "F28",
    "F41",
    "G01",
    "G02",
    "G03",
    "G04",
    "G05",
    "G07",
    "G08",
    "G09",
    "G10",
    "G11",
    "G12",
    "H01",
    "H02",
    "H03",
    "H05",
)
STRESS_DISTINCT = 1_000_000


def _choice(rng: np.random.Generator, options, n: int) -> np.ndarray:
    """Indices into weighted (value, weight) options."""
    weights = np.array([option[-1] for option in options], dtype=float)
    return rng.choice(len(options), size=n, p=weights / weights.sum())


def _take(options, index: np.ndarray) -> pa.Array:
    return pa.array([v for v, _ in options], pa.string()).take(pa.array(index))


def _subclasses(rng: np.random.Generator) -> list[str]:
    sei = set()
    for line in SEI_TABLE.read_text(encoding="utf-8").splitlines():
        for pattern in json.loads(line)["ipc_patterns"]:
            if len(pattern) >= 4 and pattern[3].isalpha():
                sei.add(pattern[:4])
    letters = np.array(list("ABCDFGHJKLMNPQ"))
    others = {c + str(rng.choice(letters)) for c in OTHER_CLASSES for _ in range(3)} - sei
    return sorted(sei) + sorted(others)


def _code_vocabulary(rng: np.random.Generator, distinct: int) -> pa.Array:
    """`distinct` distinct IPC codes in compact spelling (H04L9/32, G06F16/2458, B65D81/00)."""
    subclasses = np.array(_subclasses(rng))
    groups = np.concatenate([np.arange(1, 100), np.arange(100, 1000, 7)])
    # Subgroups as published: 00 (main group), two digits, some three or four digits.
    subgroups = np.concatenate(
        [
            np.arange(0, 100, 2),
            np.arange(1, 100, 2),
            np.arange(100, 1000, 3),
            np.arange(1000, 9999, 37),
        ]
    )
    if distinct < 200_000:  # the common shape: main groups below 100, short subgroups
        groups, subgroups = groups[:99], subgroups[:150]
    space = len(subclasses) * len(groups) * len(subgroups)
    picks = rng.choice(space, size=min(distinct, space), replace=False)
    sc, rest = np.divmod(picks, len(groups) * len(subgroups))
    g, s = np.divmod(rest, len(subgroups))
    sub = subgroups[s]
    sub_text = pc.utf8_lpad(pa.array(sub.astype(str)), 2, "0")
    return pc.binary_join_element_wise(
        pa.array(subclasses[sc]), pa.array(groups[g].astype(str)), "/", sub_text, ""
    )


def _ipc_column(rng: np.random.Generator, n: int, stress: bool) -> tuple[pa.Array, int]:
    distinct = STRESS_DISTINCT if stress else 60_000
    vocab = _code_vocabulary(rng, distinct)
    counts = rng.choice(np.arange(1, 7), size=n, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
    total = int(counts.sum())
    if stress:  # near-uniform: every code of the vocabulary appears
        drawn = rng.integers(0, len(vocab), size=total)
    else:  # Zipf-like: a few thousand common codes, a long tail of rare ones
        weights = 1.0 / (np.arange(len(vocab)) + 20.0) ** 1.05
        drawn = rng.choice(len(vocab), size=total, p=weights / weights.sum())
    values = vocab.take(pa.array(drawn))
    spaced = rng.random(total) < 0.1  # `H04L 9/32`: the spaced spelling beside the compact one
    values = pc.if_else(
        pa.array(spaced), pc.replace_substring_regex(values, r"^(....)", r"\1 "), values
    )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), values)
    return pc.binary_join(lists, ";"), len(np.unique(drawn))


def _date_texts(days: np.ndarray, style: np.ndarray) -> pa.Array:
    """Dates (int days since 1970, -1 = none) as text in the row's spelling; formatted once
    per distinct date and spelling, then gathered."""
    distinct, inverse = np.unique(np.where(days < 0, 0, days), return_inverse=True)
    table = []
    for day in distinct.tolist():
        d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
        table += [
            d.isoformat(),
            d.strftime("%Y.%m.%d"),
            d.strftime("%Y%m%d"),
            d.strftime("%Y/%m/%d"),
            f"{d.year}年{d.month}月{d.day}日",
        ]
    texts = pa.array(table, pa.string()).take(pa.array(inverse * 5 + style))
    return pc.if_else(pa.array(days < 0), pa.scalar(None, pa.string()), texts)


def _days(text: str) -> int:
    return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days


def _list_column(rng, options, n: int, share: float, most: int) -> pa.Array:
    """`;`-joined draws on `share` of the rows, null elsewhere."""
    has = rng.random(n) < share
    counts = np.where(has, rng.integers(1, most + 1, size=n), 0)
    values = _take(options, _choice(rng, options, int(counts.sum())))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), values), ";")
    return pc.if_else(pa.array(has), joined, pa.scalar(None, pa.string()))


def generate(n: int, seed: int = 11, stress: bool = False) -> tuple[pa.Table, dict]:
    rng = np.random.default_rng(seed)
    # --- type, dates, status ---------------------------------------------------------------
    invention = rng.random(n) < 0.55
    type_text = pc.if_else(
        pa.array(invention),
        _take(TYPES, _choice(rng, TYPES, n)),
        _take(OTHER_TYPES, _choice(rng, OTHER_TYPES, n)),
    )
    first, last = _days("1996-01-01"), _days("2024-10-31")
    filing = (first + (last - first) * np.cbrt(rng.random(n))).astype(np.int64)  # more recent
    delay = np.where(invention, rng.integers(300, 2200, n), rng.integers(90, 420, n))
    grant = filing + delay
    pending = grant > _days("2024-12-31") - rng.integers(0, 400, n)
    grant = np.where(pending, -1, grant)
    lapsed = ~pending & (rng.random(n) < 0.35)
    lapse = np.where(lapsed, grant + rng.integers(365, 365 * 16, n), -1)
    # A lapse after the export date is no lapse yet: the patent is still valid.
    lapsed &= lapse <= _days("2025-06-30")
    lapse = np.where(lapsed, lapse, -1)
    status_index = np.where(
        pending,
        _choice(rng, PENDING, n),
        np.where(lapsed, _choice(rng, LAPSED, n), _choice(rng, VALID, n)),
    )
    status_options = [*VALID, *LAPSED, *PENDING]
    offset = np.where(pending, len(VALID) + len(LAPSED), np.where(lapsed, len(VALID), 0))
    status = _take(status_options, status_index + offset)
    styles = rng.choice(5, size=(3, n), p=[0.5, 0.15, 0.2, 0.1, 0.05])
    # --- owners and places ------------------------------------------------------------------
    domestic = rng.random(n) < 0.94
    place = _choice(rng, PLACES, n)
    region = pa.array([p for p, _, _ in PLACES], pa.string()).take(pa.array(place))
    province = pa.array([c for _, c, _ in PLACES], pa.string()).take(pa.array(place))
    foreign = pa.array(FOREIGN_OWNERS, pa.string()).take(
        pa.array(rng.integers(0, len(FOREIGN_OWNERS), n))
    )
    owner_place = pc.if_else(pa.array(domestic), province, foreign)
    region = pc.if_else(pa.array(domestic), region, pa.scalar(None, pa.string()))
    # --- ipc, families, pledges, awards -----------------------------------------------------
    ipc, distinct_codes = _ipc_column(rng, n, stress)
    family = _list_column(rng, FAMILY, n, 0.08, 4)
    pledged = rng.random(n) < 0.015
    amount = np.round(rng.lognormal(np.log(300), 1.2, n), 1)
    amount_text = pc.if_else(
        pa.array(amount >= 1000),
        # exports write thousands with a separator: 1,250.5
        pc.binary_join_element_wise(
            pa.array((amount // 1000).astype(np.int64).astype(str)),
            pc.utf8_lpad(pa.array(np.round(amount % 1000, 1).astype(str)), 5, "0"),
            ",",
        ),
        pa.array(amount.astype(str)),
    )
    amount_text = pc.if_else(pa.array(pledged), amount_text, pa.scalar(None, pa.string()))
    awards = _list_column(rng, AWARDS, n, 0.0005, 1)
    # --- ids: CN + year + kind digit + serial + check digit ----------------------------------
    year = (np.datetime64("1970-01-01") + filing.astype("m8[D]")).astype("M8[Y]").astype(int) + 1970
    kind = np.where(invention, 1, 2)
    serial = np.arange(n) % 10_000_000
    check = (year + kind + serial) % 10
    ids = pc.binary_join_element_wise(
        pa.array(np.char.add("CN", year.astype(str))),
        pa.array(kind.astype(str)),
        pc.utf8_lpad(pa.array(serial.astype(str)), 7, "0"),
        ".",
        pa.array(check.astype(str)),
        "",
    )
    # --- malformed rows -----------------------------------------------------------------------
    filing_text = _date_texts(filing, styles[0])
    grant_text = _date_texts(grant, styles[1])
    bad_date = rng.random(n) < 0.004
    bad_date_text = pa.array(BAD_DATES, pa.string()).take(
        pa.array(rng.integers(0, len(BAD_DATES), n))
    )
    which = rng.random(n) < 0.5
    filing_text = pc.if_else(pa.array(bad_date & which), bad_date_text, filing_text)
    grant_text = pc.if_else(pa.array(bad_date & ~which & ~pending), bad_date_text, grant_text)
    swapped = ~pending & (rng.random(n) < 0.001)  # grant before filing: the dates swapped
    filing_text, grant_text = (
        pc.if_else(pa.array(swapped), grant_text, filing_text),
        pc.if_else(pa.array(swapped), filing_text, grant_text),
    )
    unknown = rng.random(n) < 0.003
    status = pc.if_else(
        pa.array(unknown),
        pa.array(UNKNOWN_STATUS, pa.string()).take(pa.array(rng.integers(0, 3, n))),
        status,
    )
    bad_ipc = rng.random(n) < 0.002
    ipc = pc.if_else(
        pa.array(bad_ipc),
        pc.binary_join_element_wise(
            ipc, pa.array(BAD_IPC, pa.string()).take(pa.array(rng.integers(0, 4, n))), ";"
        ),
        ipc,
    )
    columns = {
        "序号": pa.array((np.arange(n) + 1).astype(str)),
        "申请号": ids,
        "专利类型": type_text,
        "申请日": filing_text,
        "授权公告日": grant_text,
        "法律状态": status,
        "失效日期": _date_texts(lapse, styles[2]),
        "分类号": ipc,
        "国省代码": owner_place,
        "行政区划": region,
        "海外同族授权": family,
        "质押金额": amount_text,
        "获奖": awards,
    }
    table = pa.table(columns)
    table = _repeat_ids(rng, table, n)
    stats = {
        "rows": n,
        "seed": seed,
        "stress": stress,
        "distinct_ipc_codes_drawn": distinct_codes,
        "planted": {
            "bad_date": int(bad_date.sum()),
            "grant_before_filing": int(swapped.sum()),
            "unknown_status": int(unknown.sum()),
            "bad_ipc": int(bad_ipc.sum()),
        },
    }
    return table, stats


def _repeat_ids(rng: np.random.Generator, table: pa.Table, n: int) -> pa.Table:
    """About 1 % of rows repeat an earlier row's 申请号: half are the whole earlier row again
    (a duplicate export line), half keep their own content (a conflict)."""
    later = np.flatnonzero(rng.random(n) < 0.01)
    later = later[later > 0]
    earlier = (rng.random(len(later)) * later).astype(np.int64)
    whole = rng.random(len(later)) < 0.5
    source = np.arange(n)
    source[later[whole]] = earlier[whole]
    out = {}
    for name in table.column_names:
        column = table[name].combine_chunks()
        if name == "序号":
            out[name] = column
        elif name == "申请号":
            id_source = source.copy()
            id_source[later] = earlier
            out[name] = column.take(pa.array(id_source))
        else:
            out[name] = column.take(pa.array(source))
    return pa.table(out)


def write(table: pa.Table, stem: Path) -> tuple[Path, Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    pq.write_table(table, parquet, row_group_size=1_000_000)
    with csv.open("wb") as handle:
        handle.write("\ufeff".encode())  # UTF-8 with BOM, as Chinese Excel exports are
        pacsv.write_csv(table, handle)
    return parquet, csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--stress", action="store_true", help="about 1,000,000 distinct IPC codes")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    began = time.perf_counter()
    table, stats = generate(args.rows, args.seed, args.stress)
    made = time.perf_counter() - began
    stem = args.out_dir / f"real-{args.rows}{'-stress' if args.stress else ''}"
    parquet, csv = write(table, stem)
    stats["seconds_generate"] = round(made, 1)
    stats["seconds_total"] = round(time.perf_counter() - began, 1)
    stats["files"] = [str(parquet), str(csv)]
    print(json.dumps(stats, ensure_ascii=False))


if __name__ == "__main__":
    main()
