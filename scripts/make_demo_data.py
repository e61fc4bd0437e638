"""Write the bundled SYNTHETIC demo register: ipscore/data/demo-patents-SYNTHETIC.csv.

    python scripts/make_demo_data.py

24,000 synthetic patents across Guangdong's 21 cities (seed 20231231), exported the way
CNIPA registers are (Chinese headers and values, mixed IPC spellings), plus a dozen
deliberately malformed rows. Nothing in it is statistics.
"""

from pathlib import Path

from ipscore.synthetic import SEED, generate, register_export

OUT = Path(__file__).resolve().parents[1] / "ipscore" / "data" / "demo-patents-SYNTHETIC.csv"

if __name__ == "__main__":
    register_export(generate(24_000, SEED), SEED).to_csv(OUT, index=False, encoding="utf-8")
    print(f"wrote {OUT}")
