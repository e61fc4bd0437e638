"""Write the bundled SYNTHETIC event-stream example for `ipscore watch`:

    python scripts/make_demo_events.py

- ipscore/data/demo-portfolio-SYNTHETIC.csv: a firm-sized portfolio of 300 generated patents;
- ipscore/data/demo-events-SYNTHETIC.jsonl: 2024–2025 lifecycle events for it, including four
  deliberately bad lines (an unknown type, an unknown patent, an impossible date) and events
  out of date order. Nothing in them is real.
"""

import json
import random
from pathlib import Path

from ipscore.synthetic import generate, register_export

DATA = Path(__file__).resolve().parents[1] / "ipscore" / "data"
SEED = 2024


def main() -> None:
    frame = generate(300, SEED)
    frame["region"] = "深圳市"
    export = register_export(frame, SEED).iloc[: len(frame)]  # no malformed rows here
    export.to_csv(DATA / "demo-portfolio-SYNTHETIC.csv", index=False, encoding="utf-8")
    rng = random.Random(SEED)
    inventions = frame[(frame["patent_type"] == "invention") & frame["grant_date"].notna()]
    ids = list(inventions["id"])
    events = []

    def add(kind, date, payload=None, patent=None):
        events.append(
            {
                "id": patent or rng.choice(ids),
                "date": date,
                "type": kind,
                **({"payload": payload} if payload else {}),
            }
        )

    for date, code in [
        ("2024-02-05", "US"),
        ("2024-03-11", "EP"),
        ("2024-05-20", "JP"),
        ("2024-07-08", "HK"),
        ("2024-09-02", "US"),
        ("2025-01-13", "KR"),
    ]:
        add("family_granted", date, {"jurisdiction": code})
    for date, amount in [("2024-04-01", 1200), ("2024-06-15", 300), ("2025-03-03", 2500)]:
        add("pledge_registered", date, {"amount": amount})
    add("pledge_released", "2025-06-30", patent=events[-1]["id"])
    add("award", "2024-12-10", {"code": "中国专利优秀奖"})
    for date in ("2024-03-18", "2024-08-19", "2025-02-24"):
        add("annuity_paid", date)
    lapsing = rng.sample(ids, 3)
    for patent, date in zip(lapsing, ("2024-10-09", "2025-04-14", "2025-08-25"), strict=True):
        add("lapsed", date, patent=patent)
    add("restored", "2025-05-26", patent=lapsing[1])
    add("transferred", "2025-09-15", {"owner_country": "中国香港"})
    new = "CN202430000001"
    add(
        "filed",
        "2024-03-05",
        {"patent_type": "发明", "ipc": "G05B 19/418", "owner_country": "CN", "region": "深圳市"},
        patent=new,
    )
    add("granted", "2025-11-03", patent=new)
    add("awarded", "2024-05-05", {"code": "中国专利金奖"})  # unknown type
    add("lapsed", "2024-06-06", patent="CN000000000000")  # unknown patent
    add("family_granted", "2024-02-30", {"jurisdiction": "US"})  # impossible date
    events.sort(key=lambda e: e["date"])
    events[5], events[9] = events[9], events[5]  # two events out of date order
    with open(DATA / "demo-events-SYNTHETIC.jsonl", "w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    print(f"wrote {len(frame)} patents and {len(events)} events to {DATA}")


if __name__ == "__main__":
    main()
