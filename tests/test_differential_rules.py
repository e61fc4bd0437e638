"""The three evaluators agree on the REAL bundled rule (issue 14): every condition of
rules/patents/cn-high-value-invention.yaml, with its own dates (as_of around the 2026
version boundary and the 10-year anniversaries), `field()`, the IPC functions on the real
SEI–IPC table and the award table functions, and with its assumption parameters varied
(main-IPC scope, keyword rows, the maintenance start, Hong Kong as overseas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore.expr import ScalarEvaluator
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.validate import validate
from tests.test_properties import durable_truth

IPCS = ["A47J 27/00", "G06F 1/16", "H04L 9/32", "G06F 11/14", "B65D 81/00", "C12N 15/10"]
AS_OF = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2021, 1, 1), dt.date(2023, 3, 2)]
OVERRIDES = st.fixed_dictionaries(
    {},
    optional={
        "sei_ipc_scope": st.sampled_from(["any", "main"]),
        "sei_keywords": st.sampled_from(["ignore", "require"]),
        "maintenance_start": st.sampled_from(["filing_date", "grant_date"]),
        "hk_mo_tw_is_overseas": st.booleans(),
    },
)

rows = st.fixed_dictionaries(
    {
        "patent_type": st.sampled_from(["invention", "实用新型"]),
        "filing_date": st.dates(dt.date(2010, 1, 1), dt.date(2016, 12, 31)).map(str),
        "grant_date": st.sampled_from(["", "2013-03-02", "2015-12-31", "2026-01-01"]),
        "status": st.sampled_from(["valid", "lapsed", "pending"]),
        "lapse_date": st.sampled_from(["", "2025-12-31", "2026-01-02"]),
        "ipc": st.lists(st.sampled_from(IPCS), min_size=1, max_size=3).map(";".join),
        "owner_country": st.sampled_from(["CN", "HK"]),
        "family_granted": st.sampled_from(["", "HK", "US", "TW;JP"]),
        "pledge_amount": st.sampled_from(["", "999.9", "1000"]),
        "awards": st.sampled_from(["", "中国专利金奖", "广东专利奖", "国家技术发明奖"]),
        "title": st.sampled_from(["", "区块链数据存储方法", "一种锅"]),
        "abstract": st.just(""),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(rows, min_size=1, max_size=6), st.sampled_from(AS_OF), OVERRIDES)
def test_vectorized_scalar_and_durable_agree_on_the_real_rule(rule, patents, as_of, overrides):
    frame = pd.DataFrame(
        [{"id": f"CN2010100000{i:02d}", **p} for i, p in enumerate(patents)], dtype=object
    )
    batch = validate(frame, "differential")
    prepared = prepare(rule, as_of, overrides)
    vector = evaluate(batch, prepared)
    env = prepared.env
    records = [batch.record(i) for i in range(len(batch))]
    for _, condition in prepared.version.conditions:
        scalar = [ScalarEvaluator(r, env).truth(condition.node) for r in records]
        assert vector[condition.id].tolist() == scalar, (condition.id, as_of, overrides)
        durable = durable_truth(condition.node, records, env)
        assert durable == scalar, (condition.id, as_of, overrides)
