"""A HAND-WRITTEN DuckDB reference for `ipscore classify FILE --as-of D --json` under the
bundled rule cn-high-value-invention (2021 version), for the bulk benchmark (issue 11).

Everything below is SQL written by hand from the rule file (rules/patents/cn-high-value-
invention.yaml) and ipscore's documented reading of the input; nothing calls ipscore. The
data tables the rule itself names are read as data: the SEI–IPC table
(rules/tables/sei-ipc-2021.jsonl, its patterns parsed to levels in SQL), and the spelling
vocabularies rules/tables/patent-types.csv and legal-status.csv.

It answers: read, rejected, evaluated, eligible, high_value, the five criteria (eligible
patents passing each), and high-value patents per city (行政区划 text rolled up to its 市).

Scope, stated so a difference is never mistaken for a bug: it reads the register shape
benchmarks/make_real_register.py writes (headers 序号 … 获奖), and rejects what that generator
plants and what ipscore rejects on such files: missing id / type / status / country, unknown
patent type, legal status or 国省代码, unreadable dates (and impossible ones), filing before
1985-04-01, grant before filing, lapse before grant, unreadable IPC codes, unknown family
jurisdictions (any two-letter code counts as known here; ipscore checks ISO 3166), pledge
amounts that are not numbers or negative, and repeated 申请号 (the first in 序号 order is kept).
Not covered: NFKC folding of full-width text, EPO fixed-width IPC (H04L0009320000), the
sei_keywords "require" mode, and `;`-joined type/status histories.

    python benchmarks/duckdb_reference.py FILE.parquet --as-of 2024-12-31
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "rules" / "tables"
CRITERIA = ("strategic_emerging", "overseas_family", "maintained", "pledge", "award")
#: The rule's 2021 parameters (rules/patents/cn-high-value-invention.yaml), written here by hand.
MAINTENANCE_YEARS = 10  # years after 申请日 (maintenance_start: filing_date)
PLEDGE_THRESHOLD = 1000  # 万元, compared >=
NOT_OVERSEAS = ("CN", "HK", "MO", "TW", "WO")  # hk_mo_tw_is_overseas: false; WO is no grant

SETUP = r"""
CREATE OR REPLACE TABLE types AS
  SELECT lower(spelling) AS spelling, patent_type AS code
  FROM read_csv($types, all_varchar = true, header = true);
CREATE OR REPLACE TABLE statuses AS
  SELECT lower(spelling) AS spelling, status AS code
  FROM read_csv($statuses, all_varchar = true, header = true);
CREATE OR REPLACE TABLE countries(spelling VARCHAR, code VARCHAR);
INSERT INTO countries VALUES ('中国','CN'),('中国大陆','CN'),('中国香港','HK'),('香港','HK'),
  ('中国澳门','MO'),('澳门','MO'),('中国台湾','TW'),('台湾','TW'),('美国','US'),('日本','JP'),
  ('德国','DE'),('韩国','KR');
-- Dates as exports write them: 2019-09-24, 2019.09.24, 2019/9/24, 2019年9月24日, 20190924,
-- with a time, an Excel serial (43732); 0 is what some exports write for "no date".
CREATE OR REPLACE MACRO no_date(t) AS coalesce(TRY_CAST(t AS DOUBLE) = 0, false);
CREATE OR REPLACE MACRO date_of(t) AS CAST(coalesce(
  try_strptime(replace(translate(t, './年月', '----'), '日', ''), '%Y-%m-%d'),
  try_strptime(t, '%Y%m%d'),
  CASE WHEN length(t) = 5 AND TRY_CAST(t AS INTEGER) BETWEEN 20000 AND 80000
    THEN CAST(DATE '1899-12-30' + CAST(t AS INTEGER) AS TIMESTAMP) END,
  try_strptime(t, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y%m%d.0'])
) AS DATE);
-- The SEI–IPC table: one row per pattern or exclusion, with its level and the key a code is
-- compared on at that level (G16* class, G06F* subclass, G06F11* main group, G06F9/44 exact).
CREATE OR REPLACE TABLE sei_patterns AS
WITH rules AS (
  SELECT row_number() OVER () AS rule, ipc_patterns, ipc_exclusions
  FROM read_json($sei, format = 'newline_delimited',
                 columns = {ipc_patterns: 'VARCHAR[]', ipc_exclusions: 'VARCHAR[]'})
), listed AS (
  SELECT rule, unnest(ipc_patterns) AS pattern, false AS exclusion FROM rules
  UNION ALL
  SELECT rule, unnest(ipc_exclusions), true FROM rules
), compact AS (
  SELECT rule, exclusion, upper(regexp_replace(pattern, '\s+', '', 'g')) AS p FROM listed
), levelled AS (
  SELECT *, CASE
      WHEN regexp_full_match(p, '[A-H]\d{2}\*') THEN 'class'
      WHEN regexp_full_match(p, '[A-H]\d{2}[A-Z]\*?') THEN 'subclass'
      WHEN regexp_full_match(p, '[A-H]\d{2}[A-Z]\d{1,4}\*?') THEN 'main_group'
      WHEN regexp_full_match(p, '[A-H]\d{2}[A-Z]\d{1,4}/\d{1,6}') THEN 'exact'
    END AS level,
    rtrim(regexp_extract(p, '/(\d+)$', 1), '0') AS sub
  FROM compact
)
SELECT rule, exclusion, level, CASE level
    WHEN 'class' THEN substr(p, 1, 3)
    WHEN 'subclass' THEN substr(p, 1, 4)
    WHEN 'main_group' THEN substr(p, 1, 4) || ' '
      || CAST(CAST(regexp_extract(p, '^.{4}(\d+)', 1) AS INTEGER) AS VARCHAR) || '/00'
    ELSE substr(p, 1, 4) || ' '
      || CAST(CAST(regexp_extract(p, '^.{4}(\d+)', 1) AS INTEGER) AS VARCHAR) || '/'
      || CASE WHEN length(sub) < 2 THEN rpad(sub, 2, '0') ELSE sub END
  END AS key
FROM levelled;
"""

QUERY = r"""
WITH src AS __MATERIALIZED__ (
  SELECT
    CAST("序号" AS BIGINT) AS row,
    nullif(upper(trim("申请号")), '') AS id,
    nullif(trim("专利类型"), '') AS type_text,
    nullif(trim("法律状态"), '') AS status_text,
    nullif(trim("国省代码"), '') AS country_text,
    nullif(trim("行政区划"), '') AS region_text,
    nullif(trim("申请日"), '') AS filing_text,
    nullif(trim("授权公告日"), '') AS grant_text,
    nullif(trim("失效日期"), '') AS lapse_text,
    "分类号" AS ipc_text, "海外同族授权" AS family_text, "获奖" AS award_text,
    nullif(replace(trim("质押金额"), ',', ''), '') AS amount_text
  FROM __SOURCE__
),
-- IPC codes: split, normalised once per distinct spelling, matched against the table once
-- per distinct code (an exclusion removes a code from its own rule only).
ipc_items AS (
  SELECT row, trim(unnest(string_split(ipc_text, ';'))) AS raw FROM src
),
ipc_spellings AS (
  SELECT raw,
    upper(regexp_replace(regexp_replace(raw, '\(\d{4}\.\d{2}\)$', ''), '\s+', '', 'g')) AS c
  FROM (SELECT DISTINCT raw FROM ipc_items WHERE raw <> '')
),
ipc_canonical AS (
  SELECT raw, CASE
      WHEN regexp_full_match(c, '[A-H]\d{2}[A-Z]') THEN c
      WHEN regexp_full_match(c, '[A-H]\d{2}[A-Z]\d{1,4}/\d{1,6}') THEN substr(c, 1, 4) || ' '
        || CAST(CAST(regexp_extract(c, '^.{4}(\d+)/', 1) AS INTEGER) AS VARCHAR) || '/'
        || CASE WHEN length(rtrim(regexp_extract(c, '/(\d+)$', 1), '0')) < 2
             THEN rpad(rtrim(regexp_extract(c, '/(\d+)$', 1), '0'), 2, '0')
             ELSE rtrim(regexp_extract(c, '/(\d+)$', 1), '0') END
    END AS code
  FROM ipc_spellings
),
code_keys AS (
  SELECT code, substr(code, 1, 3) AS class, substr(code, 1, 4) AS subclass,
    CASE WHEN contains(code, ' ') THEN split_part(code, '/', 1) || '/00' END AS main_group
  FROM (SELECT DISTINCT code FROM ipc_canonical WHERE code IS NOT NULL)
),
pattern_hits AS (
  SELECT k.code, p.rule, p.exclusion FROM code_keys k
    JOIN sei_patterns p ON p.level = 'class' AND p.key = k.class
  UNION ALL SELECT k.code, p.rule, p.exclusion FROM code_keys k
    JOIN sei_patterns p ON p.level = 'subclass' AND p.key = k.subclass
  UNION ALL SELECT k.code, p.rule, p.exclusion FROM code_keys k
    JOIN sei_patterns p ON p.level = 'main_group' AND p.key = k.main_group
  UNION ALL SELECT k.code, p.rule, p.exclusion FROM code_keys k
    JOIN sei_patterns p ON p.level = 'exact' AND p.key = k.code
),
sei_codes AS (
  SELECT DISTINCT code FROM pattern_hits GROUP BY code, rule
  HAVING bool_or(NOT exclusion) AND NOT bool_or(exclusion)
),
spelling_flags AS (
  SELECT raw, code IS NULL AS unreadable, code IN (SELECT code FROM sei_codes) AS sei
  FROM ipc_canonical
),
ipc_rows AS (
  SELECT row, bool_or(unreadable) AS bad_ipc, bool_or(sei) AS sei
  FROM ipc_items JOIN spelling_flags USING (raw) GROUP BY row
),
-- Families: a member granted anywhere but CN, HK, MO, TW (and never WO, an application).
family_rows AS (
  SELECT row,
    bool_or(NOT regexp_full_match(code, '[A-Z]{2}')) AS bad_family,
    bool_or(regexp_full_match(code, '[A-Z]{2}') AND code NOT IN __NOT_OVERSEAS__) AS overseas
  FROM (
    SELECT f.row, coalesce(c.code, upper(f.raw)) AS code
    FROM (
      SELECT row, trim(unnest(string_split(family_text, ';'))) AS raw
      FROM src WHERE family_text IS NOT NULL
    ) f LEFT JOIN countries c ON c.spelling = f.raw WHERE f.raw <> ''
  ) GROUP BY row
),
-- Awards: 中国专利奖 (金/银/优秀) and the 国家科学技术奖 family; editions and years stripped;
-- 中国外观设计奖 and provincial awards never count.
award_rows AS (
  SELECT row, bool_or(regexp_full_match(award,
      '中国专利(金|银|优秀)?奖|国家最高科学技术奖|国家自然科学奖(特等奖|一等奖|二等奖)?'
      || '|国家技术发明奖(特等奖|一等奖|二等奖)?|国家(科学技术|科技)进步奖(特等奖|一等奖|二等奖)?'
      || '|(中华人民共和国)?国际科学技术合作奖|国家科学技术奖')) AS award
  FROM (
    SELECT row, regexp_replace(regexp_replace(
        regexp_replace(trim(unnest(string_split(award_text, ';'))), '\s+', '', 'g'),
        '^(第[0-9一二三四五六七八九十百零〇]+届|[0-9]{4}年度?)+'
        || '|[(\[【]?(第[0-9一二三四五六七八九十百零〇]+届|[0-9]{4}年度?)[)\]】]?$', '', 'g'),
        '^中国专利奖(金|银|优秀)奖$', '中国专利\1奖') AS award
    FROM src WHERE award_text IS NOT NULL
  ) GROUP BY row
),
-- Repeated 申请号: the first in 序号 order is kept, every later one rejected.
repeated AS (
  SELECT id, min(row) AS first FROM src WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1
),
places AS (
  SELECT country_text, CASE
      WHEN cn.code IS NOT NULL THEN cn.code
      WHEN place_code IN ('71', '81', '82') THEN 'not mainland'
      WHEN regexp_full_match(place_code, '\d{2}')
        THEN CASE WHEN CAST(place_code AS INTEGER) BETWEEN 11 AND 65 THEN 'CN' END
      WHEN regexp_full_match(place_code, '[A-Za-z]{2}') THEN upper(place_code)
    END AS country
  FROM (
    SELECT country_text, coalesce(
        nullif(regexp_extract(country_text, '\((\w+)\)$', 1), ''),
        nullif(regexp_extract(country_text, '^(\d{2}|[A-Za-z]{2})$', 1), '')) AS place_code
    FROM (SELECT DISTINCT country_text FROM src WHERE country_text IS NOT NULL)
  ) LEFT JOIN countries cn ON cn.spelling = country_text
),
statuses_found AS (
  SELECT s.status_text, coalesce(st.code, st2.code) AS status
  FROM (SELECT DISTINCT status_text FROM src WHERE status_text IS NOT NULL) s
  LEFT JOIN statuses st ON st.spelling = lower(s.status_text)
  LEFT JOIN statuses st2 ON st.code IS NULL AND contains(s.status_text, '-')
    AND st2.spelling = lower(trim(split_part(s.status_text, '-', 1)))
),
typed AS (
  SELECT s.row, s.region_text, s.id, s.type_text, s.status_text, s.country_text,
    t.code AS patent_type, st.status, p.country,
    date_of(s.filing_text) AS filing, date_of(s.grant_text) AS grant_date,
    date_of(s.lapse_text) AS lapse,
    s.filing_text, s.grant_text, s.lapse_text,
    TRY_CAST(s.amount_text AS DOUBLE) AS amount, s.amount_text,
    s.row > r.first AS repeat
  FROM src s
  LEFT JOIN places p USING (country_text)
  LEFT JOIN types t ON t.spelling = lower(s.type_text)
  LEFT JOIN statuses_found st USING (status_text)
  LEFT JOIN repeated r ON r.id = s.id
),
checked AS (
  SELECT t.*,
    coalesce(i.sei, false) AS sei, coalesce(f.overseas, false) AS overseas,
    coalesce(a.award, false) AS award,
    t.id IS NULL
    OR t.type_text IS NULL OR t.patent_type IS NULL
    OR t.status_text IS NULL OR t.status IS NULL
    OR t.country_text IS NULL OR t.country IS NULL
    OR (t.filing_text IS NOT NULL AND t.filing IS NULL AND NOT no_date(t.filing_text))
    OR (t.grant_text IS NOT NULL AND t.grant_date IS NULL AND NOT no_date(t.grant_text))
    OR (t.lapse_text IS NOT NULL AND t.lapse IS NULL AND NOT no_date(t.lapse_text))
    OR coalesce(t.filing < DATE '1985-04-01', false)
    OR coalesce(t.grant_date < t.filing, false)
    OR coalesce(t.lapse < t.grant_date, false)
    OR coalesce(i.bad_ipc, false) OR coalesce(f.bad_family, false)
    OR (t.amount_text IS NOT NULL AND (t.amount IS NULL OR isinf(t.amount) OR t.amount < 0))
    OR coalesce(t.repeat, false)
      AS rejected
  FROM typed t
  LEFT JOIN ipc_rows i USING (row)
  LEFT JOIN family_rows f USING (row)
  LEFT JOIN award_rows a USING (row)
),
verdicts AS (
  SELECT rejected, region_text,
    NOT rejected AND patent_type = 'invention'
      AND coalesce(grant_date <= $as_of, false)
      AND NOT coalesce(lapse <= $as_of, false)
      AND (coalesce(status = 'valid', false) OR coalesce(lapse > $as_of, false))
      AND country = 'CN' AS eligible,
    sei AS strategic_emerging,
    overseas AS overseas_family,
    coalesce(CAST(filing + INTERVAL __YEARS__ YEAR AS DATE) < $as_of, false) AS maintained,
    coalesce(amount >= __PLEDGE__, false) AS pledge,
    award
  FROM checked
),
counted AS (
  SELECT
    grouping(region_text) = 0 AS by_region, region_text,
    count(*) AS read,
    count(*) FILTER (rejected) AS rejected,
    count(*) FILTER (NOT rejected) AS evaluated,
    count(*) FILTER (eligible) AS eligible,
    count(*) FILTER (eligible AND (strategic_emerging OR overseas_family OR maintained
                                   OR pledge OR award)) AS high_value,
    count(*) FILTER (eligible AND strategic_emerging) AS strategic_emerging,
    count(*) FILTER (eligible AND overseas_family) AS overseas_family,
    count(*) FILTER (eligible AND maintained) AS maintained,
    count(*) FILTER (eligible AND pledge) AS pledge,
    count(*) FILTER (eligible AND award) AS award
  FROM verdicts
  GROUP BY GROUPING SETS ((), (region_text))
)
-- 行政区划 text rolled up to its 市 (广东省深圳市南山区 → 深圳市), once per distinct text.
SELECT by_region AS by_city,
  CASE WHEN by_region THEN regexp_extract(region_text, '^(?:.+?省|.+?自治区)?(.+?市)', 1) END
    AS city,
  sum(read) AS read, sum(rejected) AS rejected, sum(evaluated) AS evaluated,
  sum(eligible) AS eligible, sum(high_value) AS high_value,
  sum(strategic_emerging) AS strategic_emerging, sum(overseas_family) AS overseas_family,
  sum(maintained) AS maintained, sum(pledge) AS pledge, sum(award) AS award
FROM counted GROUP BY ALL
"""


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def source_sql(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_literal(path)})"
    return f"read_csv({_literal(path)}, all_varchar = true, header = true)"


def materialized(path: Path) -> str:
    """Parquet is columnar: each part of the query re-reads only the columns it needs, which
    takes less memory than keeping every column of `src`. A CSV is parsed once and kept."""
    return "NOT MATERIALIZED" if path.suffix.lower() == ".parquet" else "MATERIALIZED"


def run(path: str | Path, as_of: dt.date, threads: int | None = None) -> dict[str, Any]:
    path = Path(path)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    setup = SETUP
    for name, file in (
        ("$types", "patent-types.csv"),
        ("$statuses", "legal-status.csv"),
        ("$sei", "sei-ipc-2021.jsonl"),
    ):
        setup = setup.replace(name, _literal(TABLES / file))
    con.execute(setup)
    query = (
        QUERY.replace("__SOURCE__", source_sql(path))
        .replace("__MATERIALIZED__", materialized(path))
        .replace("__NOT_OVERSEAS__", "(" + ", ".join(f"'{c}'" for c in NOT_OVERSEAS) + ")")
        .replace("__YEARS__", str(MAINTENANCE_YEARS))
        .replace("__PLEDGE__", str(PLEDGE_THRESHOLD))
    )
    rows = con.execute(query, {"as_of": as_of}).fetchall()  # as_of binds as a DATE
    names = [d[0] for d in con.description]
    found = [dict(zip(names, row, strict=True)) for row in rows]
    total = next(r for r in found if not r["by_city"])
    return {
        **{k: total[k] for k in ("read", "rejected", "evaluated", "eligible", "high_value")},
        "criteria": {c: total[c] for c in CRITERIA},
        "regions": {
            r["city"]: r["high_value"]
            for r in sorted(found, key=lambda r: str(r["city"]))
            if r["by_city"] and r["city"]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="hand-written DuckDB reference for classify")
    parser.add_argument("file", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    began = time.perf_counter()
    answer = run(args.file, args.as_of, args.threads)
    answer["seconds"] = round(time.perf_counter() - began, 3)
    print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main()
