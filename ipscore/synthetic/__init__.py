"""SYNTHETIC patent registers for the demo, the tests and the benchmarks.

Nothing here is statistics. The generator is calibrated so that, under the bundled rule
and the real 2021 SEI–IPC table at 2023-12-31, about 40–46 % of domestic valid invention patents are
high-value and about 70 % of those pass 战略性新兴产业 — the shares CNIPA published for
2023 (FACTS.md §1: 166.5万 of 401.5万, 116.6万 of them SEI).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Guangdong's 21 prefecture-level cities, with a made-up weight for where patents sit.
CITY_WEIGHTS = {
    "深圳市": 44,
    "广州市": 21,
    "东莞市": 9,
    "佛山市": 8,
    "珠海市": 4,
    "中山市": 3,
    "惠州市": 3,
    "江门市": 1.5,
    "汕头市": 1.2,
    "肇庆市": 0.8,
    "湛江市": 0.6,
    "清远市": 0.5,
    "揭阳市": 0.4,
    "韶关市": 0.4,
    "茂名市": 0.4,
    "梅州市": 0.3,
    "潮州市": 0.3,
    "河源市": 0.3,
    "阳江市": 0.2,
    "汕尾市": 0.2,
    "云浮市": 0.2,
}
#: Codes the real 2021 SEI–IPC table covers through a plain rule (checked by the tests).
SEI_CODES = [
    "G06F 16/30",
    "G06F 3/048",
    "G06F 21/60",
    "G05B 19/418",
    "G06N 3/08",
    "H01L 21/02",
    "H04W 72/04",
    "G03G 15/00",
    "H03K 19/00",
    "C02F 1/00",
    "B01D 53/00",
    "C12N 15/00",
    "F03D 7/00",
    "H02J 3/00",
    "B60L 53/00",
    "C22B 59/00",
    "A01B 69/00",
]
#: Codes the table covers only through a keyword-filter row (…相关关键词), with its terms.
KEYWORD_CODES = {
    "H04L 9/32": "区块链",
    "G06Q 10/00": "区块链",
    "B29C 64/10": "产品",
    "A61B 5/00": "癫痫",
}
#: Codes outside the table.
OTHER_CODES = [
    "A47J 27/00",
    "B65D 81/00",
    "F16K 31/00",
    "A47L 9/00",
    "E04F 13/00",
    "A45C 11/00",
    "F24C 7/00",
    "D06F 37/00",
    "A63B 21/00",
    "B62B 3/00",
    "F25D 23/00",
    "A61K 36/00",
    "H01M 10/00",
    "B29C 45/00",
]
#: Shares of main codes; calibrated so about 70 % of high-value patents pass SEI.
SEI_SHARE, KEYWORD_SHARE = 0.25, 0.05
TITLE_NOUNS = ["装置", "方法", "系统", "组件", "设备"]
SEED = 20231231
#: The register is exported on this day: nothing is granted or lapses after it.
SNAPSHOT = "2025-06-30"


def _pick(rng, options, size, p=None):
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def _dates(start, days):
    return (np.datetime64(start, "D") + days.astype("m8[D]")).astype("M8[D]")


def _ipc_lists(rng, n):
    u = rng.random(n)
    main = np.select(
        [u < SEI_SHARE, u < SEI_SHARE + KEYWORD_SHARE],
        [_pick(rng, SEI_CODES, n), _pick(rng, list(KEYWORD_CODES), n)],
        _pick(rng, OTHER_CODES, n),
    )
    extra = rng.random(n) < 0.35
    second = _pick(rng, OTHER_CODES, n)
    return np.where(extra, main + ";" + second, main)


def generate(n: int, seed: int = SEED) -> pd.DataFrame:
    """n synthetic patents with the schema's snake_case columns (typed)."""
    rng = np.random.default_rng(seed)
    patent_type = _pick(rng, ["invention", "utility_model", "design"], n, [0.8, 0.15, 0.05])
    # Registers are young: most valid patents were filed in the last few years.
    age_days = np.minimum(rng.exponential(3.8 * 365, n), 19.5 * 365).astype(np.int64)
    filing = _dates(SNAPSHOT, -age_days)
    lag = np.where(
        patent_type == "invention", rng.integers(400, 1500, n), rng.integers(120, 400, n)
    )
    grant = filing + lag.astype("m8[D]")
    snapshot = np.datetime64(SNAPSHOT, "D")
    pending = (rng.random(n) < 0.05) | (grant > snapshot)
    lapse = grant + rng.integers(200, 4000, n).astype("m8[D]")
    lapsed = ~pending & (rng.random(n) < 0.22) & (lapse <= snapshot)
    status = np.where(pending, "pending", np.where(lapsed, "lapsed", "valid"))
    family = np.where(
        rng.random(n) < 0.07,
        _pick(rng, ["US", "US;EP", "EP;JP", "JP", "KR"], n),
        np.where(rng.random(n) < 0.03, "HK", ""),
    )
    pledged = rng.random(n) < 0.04
    pledge = np.where(pledged, np.round(rng.lognormal(np.log(600), 1.0, n), 1), np.nan)
    awards = np.where(
        rng.random(n) < 0.004,
        _pick(
            rng,
            [
                "china_patent_gold",
                "china_patent_silver",
                "china_patent_excellence",
                "national_sci_tech",
                "guangdong_patent_award",
            ],
            n,
        ),
        "",
    )
    weights = np.array(list(CITY_WEIGHTS.values()))
    ipc = _ipc_lists(rng, n)
    return pd.DataFrame(
        {
            "id": [
                f"CN{y}{i:08d}"
                for y, i in zip(filing.astype("M8[Y]").astype(int) + 1970, range(n), strict=True)
            ],
            "patent_type": patent_type,
            "filing_date": filing,
            "grant_date": np.where(pending, np.datetime64("NaT"), grant).astype("M8[D]"),
            "status": status,
            "lapse_date": np.where(lapsed, lapse, np.datetime64("NaT")).astype("M8[D]"),
            "ipc": ipc,
            "owner_country": _pick(
                rng, ["CN", "HK", "TW", "US", "JP"], n, [0.93, 0.03, 0.01, 0.02, 0.01]
            ),
            "region": _pick(rng, list(CITY_WEIGHTS), n, weights / weights.sum()),
            "family_granted": family,
            "pledge_amount": pledge,
            "awards": awards,
            "title": _titles(rng, ipc),
        }
    )


def _titles(rng, ipc: np.ndarray) -> np.ndarray:
    """名称: half the patents filed under a keyword-row code name its term; 15 % have none."""
    n = len(ipc)
    main = np.array([codes.split(";")[0] for codes in ipc], dtype=object)
    term = np.array([KEYWORD_CODES.get(code, "") for code in main], dtype=object)
    named = (term != "") & (rng.random(n) < 0.5)
    noun = _pick(rng, TITLE_NOUNS, n)
    title = np.where(named, "一种基于" + term + "的" + noun, "一种" + noun)
    return np.where(rng.random(n) < 0.15, "", title)


#: Register-export spellings: CNIPA-style Chinese headers and values.
CHINESE_HEADERS = {
    "id": "申请号",
    "patent_type": "专利类型",
    "filing_date": "申请日",
    "grant_date": "授权公告日",
    "status": "法律状态",
    "lapse_date": "失效日",
    "ipc": "IPC分类号",
    "owner_country": "专利权人国别",
    "region": "行政区划",
    "family_granted": "海外同族授权",
    "pledge_amount": "质押融资金额",
    "awards": "获奖",
    "title": "名称",
}
CHINESE_VALUES = {
    "patent_type": {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"},
    "status": {"valid": "有效", "lapsed": "失效", "pending": "审中"},
    "awards": {
        "china_patent_gold": "中国专利金奖",
        "china_patent_silver": "中国专利银奖",
        "china_patent_excellence": "中国专利优秀奖",
        "national_sci_tech": "国家科学技术奖",
        "guangdong_patent_award": "广东专利奖",
    },
}

#: Deliberately broken rows, one defect each, so the demo shows rejects reconciling.
MALFORMED = [
    ("patent_type", "发明专利申请", "unknown patent type"),
    ("filing_date", "2019-02-30", "impossible date"),
    ("filing_date", "yesterday", "not a date"),
    ("grant_date", "2001-01-01", "grant before filing"),
    ("ipc", "G06F-16/30", "unreadable IPC code"),
    ("ipc", "Z99Z 1/00", "unreadable IPC code"),
    ("pledge_amount", "-50", "negative amount"),
    ("pledge_amount", "五百", "not a number"),
    ("status", "暂停", "unknown status"),
    ("family_granted", "USA", "unknown jurisdiction"),
    ("id", "", "missing id"),
    ("id", "<repeat>", "repeated id"),
]


def _ipc_spellings(codes: pd.Series, rng) -> pd.Series:
    """Mix the spellings registers use: spaced, compact and EPO fixed width."""
    compact = codes.str.replace(" ", "", regex=False)
    fixed = codes.str.replace(
        r"^(\w{4}) (\d+)/(\d+)$",
        lambda m: f"{m[1]}{int(m[2]):04d}{m[3]:<06}".replace(" ", "0"),
        regex=True,
    )
    choice = rng.integers(0, 3, len(codes))
    return pd.Series(
        np.select([choice == 0, choice == 1], [codes, compact], fixed),
        index=codes.index,
        dtype=object,
    )


def register_export(frame: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """`frame` as a Chinese register export: headers, values, IPC spellings, broken rows."""
    rng = np.random.default_rng(seed + 1)
    out = frame.copy()
    for column, mapping in CHINESE_VALUES.items():
        out[column] = out[column].map(lambda v, m=mapping: m.get(v, v))
    out["ipc"] = (
        out["ipc"].str.split(";").explode().pipe(_ipc_spellings, rng).groupby(level=0).agg(";".join)
    )
    for column in ("filing_date", "grant_date", "lapse_date"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), "")
    broken = out.sample(len(MALFORMED), random_state=seed).copy()
    for i, (column, value, _) in enumerate(MALFORMED):
        broken.iloc[i, broken.columns.get_loc("id")] = f"{broken.iloc[i, 0]}X"
        if value == "<repeat>":
            value = out.iloc[0]["id"]
        broken.iloc[i, broken.columns.get_loc(column)] = value
    out = pd.concat([out, broken], ignore_index=True)
    return out.rename(columns=CHINESE_HEADERS)
