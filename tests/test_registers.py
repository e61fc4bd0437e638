"""Registers as CNIPA, CNIPR, PatSnap and incoPat export them, and the lists they lack."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from ipscore.patents.awards import award_code
from ipscore.patents.readers import read_patent_table
from ipscore.patents.validate import validate
from tests.conftest import FIXTURES

runner = CliRunner()
AS_OF = dt.date(2023, 12, 31)
PATSNAP = FIXTURES / "patsnap-style.csv"
LISTS = {
    "awards": FIXTURES / "awards-edition-prefixes.csv",
    "pledges": FIXTURES / "pledges.csv",
    "families": FIXTURES / "families.csv",
}


def classify_json(*args: str) -> dict:
    result = runner.invoke(app, ["classify", *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_real_61_column_export_reads_as_it_is():
    data = classify_json(FIXTURES / "cn-export-61-columns-sample.csv", "--as-of", "2024-12-31")
    # 10 records: 7 utility models, 2 pending invention applications (授权公告日 0), and one
    # invention 发明公开;发明授权 granted 2024-04-05 (有权-审定授权), owner in 河南(41); its
    # codes H04L43/02;H04L9/40;H04L67/025 are strategic emerging under the bundled SEI table.
    assert (data["read"], data["rejected"], data["evaluated"]) == (10, 0, 10)
    assert (data["eligible"], data["high_value"]) == (1, 1)
    assert data["criteria"]["strategic_emerging"] == 1
    assert data["regions"] == [
        {
            "region": "郑州市",
            "code": "410100",
            "high_value": 1,
            "population": None,
            "per_10k": None,
            "population_year": None,
        }
    ]
    assert data["unresolved_regions"] == [] and data["unknown_values"] == []


def test_a_patsnap_export_without_the_lists():
    data = classify_json(PATSNAP, "--as-of", "2023-12-31")
    assert (data["read"], data["rejected"], data["evaluated"]) == (10, 1, 9)
    # eligible: rows 1, 2, 3, 6, 7; high-value without lists: SEI (row 1), maintained (row 3)
    assert (data["eligible"], data["high_value"]) == (5, 2)
    assert data["unknown_values"] == [{"column": "status", "value": "未确认", "rows": 1}]


def test_the_lists_join_by_number_in_every_spelling():
    data = classify_json(PATSNAP, "--as-of", "2023-12-31", *_list_options())
    assert (data["eligible"], data["high_value"]) == (5, 5)
    assert data["criteria"] == {
        "strategic_emerging": 1,
        "overseas_family": 1,
        "maintained": 1,
        "pledge": 1,
        "award": 2,
    }
    joins = {j["list"]: j for j in data["joins"]}
    for j in joins.values():  # every list row is accounted for exactly once
        assert j["rows"] == j["matched"] + j["unmatched"] + j["rejected"] + sum(
            j["set_aside"].values()
        )
    awards = joins["awards"]
    assert (awards["matched"], awards["unmatched"], awards["rejected"]) == (3, 1, 2)
    assert {r["line"]: r["value"] for r in awards["rejected_rows"]} == {
        5: "ZL20181108",
        7: "某某创新奖",
    }
    assert awards["unmatched_rows"] == [{"line": 4, "number": "ZL209999999999.1"}]
    pledges = joins["pledges"]
    assert (pledges["matched"], pledges["unmatched"], pledges["rejected"]) == (2, 1, 1)
    assert pledges["set_aside"] == {"after_as_of": 1}
    assert pledges["rejected_rows"][0]["line"] == 5  # inf
    families = joins["families"]
    assert families["set_aside"] == {"not_granted": 2, "wo_application": 1}
    assert (families["matched"], families["rejected"]) == (1, 1)


def _list_options() -> list[str]:
    return [x for name, path in LISTS.items() for x in (f"--{name}", str(path))]


def test_regions_unify_and_aggregate_by_level():
    data = classify_json(PATSNAP, "--as-of", "2023-12-31", *_list_options())
    rows = {(r["region"], r["code"]): r["high_value"] for r in data["regions"]}
    # 广州 (no suffix), 广州市, 广州市天河区 and 广州市海珠区 are one city
    assert rows == {
        ("上海市", "310100"): 1,
        ("广州市", "440100"): 3,
        ("深圳市", "440300"): 1,
        ("佛山市", "440600"): 0,
        ("(none)", None): 0,
    }
    by_province = classify_json(PATSNAP, "--as-of", "2023-12-31", "--by", "province")
    assert {(r["region"], r["code"]) for r in by_province["regions"]} == {
        ("上海市", "310000"),
        ("广东省", "440000"),
        ("(none)", None),
    }
    by_county = classify_json(PATSNAP, "--as-of", "2023-12-31", "--by", "county")
    assert ("天河区", "440106") in {(r["region"], r["code"]) for r in by_county["regions"]}


def test_the_real_25th_award_list_joins_on_its_zl_numbers(tmp_path):
    register = pd.read_csv(PATSNAP, dtype=str)
    register["申请号"] = register["申请号"].str.replace("CN", "").str.replace(".", "")
    path = tmp_path / "register.csv"
    register.to_csv(path, index=False)
    awards = FIXTURES / "china-patent-award-25th-sample.csv"
    data = classify_json(path, "--as-of", "2023-12-31", "--awards", awards)
    (join,) = data["joins"]
    # rows 1–3 of the register are 2025 winners; the list gives the grade in `level`
    assert (join["rows"], join["matched"], join["unmatched"], join["rejected"]) == (16, 3, 13, 0)
    assert data["criteria"]["award"] == 3


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("第二十五届中国专利金奖", "china_patent.gold"),
        ("中国专利奖金奖", "china_patent.gold"),
        ("中国专利优秀奖（第25届）", "china_patent.excellence"),
        ("国家科学技术进步奖二等奖", "national_sci_tech.progress.second"),
        ("2023年度国家技术发明奖一等奖", "national_sci_tech.technical_invention.first"),
        ("中华人民共和国国际科学技术合作奖", "national_sci_tech.international_cooperation"),
        ("中国外观设计金奖", "china_design.gold"),
        ("广东专利奖", "provincial"),
        ("深圳市科技进步奖二等奖", "provincial"),
        ("某某创新奖", None),
    ],
)
def test_award_texts(text, code):
    assert award_code(text) == code


def _verdicts(awards: str, eligible: list[str] | None = None) -> dict:
    row = {
        "id": "CN202010000001",
        "patent_type": "发明授权",
        "filing_date": "20200110",
        "grant_date": "2022/2/1",
        "status": "有权-审定授权",
        "ipc": "A47J 27/00",
        "owner_country": "广东(44)",
        "awards": awards,
    }
    rule = api.patent_rule("cn-high-value-invention")
    overrides = {"eligible_awards": eligible} if eligible else None
    result = api.classify(validate(pd.DataFrame([row]), "t"), rule, AS_OF, overrides)
    return result.to_json()


def test_award_families_grades_provincial_and_unrecognised():
    assert _verdicts("国家科学技术进步奖二等奖")["high_value"] == 1  # was silently ignored
    assert _verdicts("广东专利奖")["high_value"] == 0
    assert _verdicts("中国外观设计金奖")["high_value"] == 0  # designs never apply
    only_first = ["national_sci_tech.progress.first"]
    assert _verdicts("国家科学技术进步奖二等奖", only_first)["high_value"] == 0
    assert _verdicts("广东专利奖", ["provincial"])["high_value"] == 0  # never counted
    data = _verdicts("某某创新奖")
    assert data["evaluated"] == 1 and data["high_value"] == 0
    assert data["warnings"] == [
        {
            "column": "awards",
            "value": "某某创新奖",
            "rows": 1,
            "reason": "award not recognised (rules/tables/awards.csv); not counted",
        }
    ]


@pytest.mark.parametrize(
    ("status", "in_force"),
    [
        ("部分无效", True),
        ("权利恢复", True),
        ("有权", True),
        ("未缴年费", False),
        ("权利终止", False),
        ("期限届满", False),
        ("放弃-视为放弃", False),
        ("审中-实质审查", False),
        ("驳回", False),
        ("PCT指定期满", False),
    ],
)
def test_the_legal_status_vocabulary(status, in_force):
    data = _with({"status": status})
    assert data["rejected"] == 0 and data["eligible"] == int(in_force)


def _with(change: dict) -> dict:
    row = {
        "申请号": "CN202010000001",
        "专利类型": "发明",
        "申请日": "2020-01-10",
        "授权公告日": "2022-02-01",
        "法律状态": "有效",
        "分类号": "A47J 27/00",
        "国省代码": "广东(44)",
    }
    row.update({{"status": "法律状态"}.get(k, k): v for k, v in change.items()})
    frame = pd.DataFrame([row])
    frame.columns = [c for c in frame.columns]
    rule = api.patent_rule("cn-high-value-invention")
    from ipscore.patents.readers import _header_map  # the reader's header mapping

    frame = frame.rename(columns=_header_map(FIXTURES, list(frame.columns)))
    return api.classify(validate(frame, "t"), rule, AS_OF).to_json()


def test_an_unknown_status_is_a_reject_naming_it():
    data = _with({"status": "暂停"})
    assert data["rejected"] == 1
    assert data["unknown_values"] == [{"column": "status", "value": "暂停", "rows": 1}]


@pytest.mark.parametrize(
    ("place", "domestic"),
    [("广东(44)", True), ("44", True), ("美国(US)", False), ("香港(81)", False), ("中国", True)],
)
def test_owner_country_from_guo_sheng_dai_ma(place, domestic):
    data = _with({"国省代码": place})
    assert data["rejected"] == 0 and data["eligible"] == int(domestic)


def test_an_unknown_country_is_a_reject():
    assert _with({"国省代码": "Narnia"})["rejected"] == 1


def _cnipr_workbook(path, second_sheet: bool = False):
    """A CNIPR-style workbook: full-width headers, Excel date cells, a serial and an int."""
    import xlsxwriter

    headers = [
        "申请号", "申请日", "公开（公告）号", "公开（公告）日", "名称", "摘要", "主分类号",
        "分类号", "申请（专利权）人", "发明（设计）人", "地址", "国省代码", "专利权状态",
        "法律状态", "专利类型", "颁证日",
    ]  # fmt: skip
    rows = [
        ["CN201910561574.9", dt.date(2019, 6, 25), "CN110266631B", dt.date(2020, 9, 8),
         "一种发送载波信息的方法", "…", "G06F 1/16", "G06F 1/16；H04L 9/32", "示例通信有限公司",
         "张三", "510000广东省广州市天河区", "广东(44)", "有权", "授权", "发明授权",
         dt.date(2020, 9, 8)],
        ["CN201310068343.7", 41337, "CN104027187B", 20160525, "分支型覆膜支架", "…",
         "A47J 27/00", "A47J 27/00", "示例医疗科技股份有限公司", "李四", "上海市浦东新区",
         "上海(31)", "有权", "授权", "发明", 20160525],
        ["CN202110000004.1", "2021.01.04", "CN113000004B", "2022/6/1", "一种示例装置", "…",
         "A47J 27/00", "A47J 27/00", "示例科技有限公司", "王五", "广东省广州市", "广东(44)",
         "无权", "未缴年费", "发明授权", "2022/6/1"],
    ]  # fmt: skip
    book = xlsxwriter.Workbook(str(path))
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("专利列表")
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            else:
                sheet.write(r, c, value)
    if second_sheet:
        summary = book.add_worksheet("统计")
        summary.write_row(0, 0, ["地区", "件数"])
        summary.write_row(1, 0, ["广州市", 2])
    book.close()


def test_a_cnipr_workbook(tmp_path):
    path = tmp_path / "cnipr.xlsx"
    _cnipr_workbook(path, second_sheet=True)
    data = classify_json(path, "--as-of", "2023-12-31")
    assert (data["read"], data["rejected"], data["eligible"], data["high_value"]) == (3, 0, 2, 2)
    assert data["warnings"] == [
        {
            "column": None,
            "value": "统计",
            "rows": 1,
            "reason": "sheet not read; choose it with --sheet NAME, or --sheet all",
        }
    ]
    frame = read_patent_table(path)
    batch = validate(frame, "cnipr")
    assert str(batch.columns["filing_date"][1].date()) == "2013-03-04"  # Excel serial 41337
    assert str(batch.columns["grant_date"][1].date()) == "2016-05-25"  # integer 20160525


def test_a_named_sheet_and_an_unknown_one(tmp_path):
    path = tmp_path / "cnipr.xlsx"
    _cnipr_workbook(path, second_sheet=True)
    assert classify_json(path, "--sheet", "专利列表")["read"] == 3
    result = runner.invoke(app, ["classify", str(path), "--sheet", "无此表"])
    assert result.exit_code == 2 and "no sheet '无此表'" in result.output


def test_a_cnipa_download_takes_the_grant_date_from_a_grant_publication(tmp_path):
    # CNIPA search downloads have no grant-date column: the latest publication is the grant
    # when its kind code says so (B), else an application (A).
    path = tmp_path / "cnipa.csv"
    path.write_text(
        "申请号,申请日,公开（公告）号,公开（公告）日,申请（专利权）人,分类号,地址,名称,摘要,"
        "专利权状态,法律状态,专利类型,国省代码\n"
        "CN201310068343.7,2013.03.04,CN104027187B,2016.05.25,示例公司,A47J 27/00,"
        "201203上海市浦东新区,分支型覆膜支架,…,有权,授权,发明,上海(31)\n"
        "CN202210000005.X,2022.01.05,CN114000005A,2022.04.05,示例公司,G06F 1/16,"
        "528300广东省佛山市顺德区,示例方法,…,审中,实质审查,发明,广东(44)\n",
        "gbk",
    )
    data = classify_json(path, "--as-of", "2023-12-31")
    assert (data["read"], data["rejected"], data["eligible"], data["high_value"]) == (2, 0, 1, 1)
    assert {r["code"] for r in data["regions"]} == {"310100", "440600"}


def test_a_municipality_is_one_city_however_it_is_written():
    """北京市 written bare (the province code 110000) and its districts (110108, rolled up
    to 110100) are one city; 重庆's districts (5001xx) and counties (5002xx) too."""
    from ipscore.regions.divisions import divisions, place_key
    from ipscore.regions.resolve import resolve_places

    places = ["北京市", "北京市海淀区", "北京", "重庆市", "重庆市渝中区", "重庆市巫溪县", "上海"]
    codes = resolve_places(places).codes
    cities = [place_key(code, "city") for code in codes]
    assert cities == ["110100"] * 3 + ["500100"] * 3 + ["310100"]
    assert {divisions().name(c) for c in cities} == {"北京市", "重庆市", "上海市"}
    assert place_key(codes[1], "province") == "110000"
    assert place_key(codes[1], "county") == "110108"
