"""Write N SYNTHETIC patents to Parquet for the benchmarks.

python benchmarks/make_patents.py 5000000 benchmarks/out/patents-5m.parquet
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore.synthetic import generate


def make(n: int, path: Path, seed: int = 7) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = []
    for start in range(0, n, 1_000_000):
        chunk = generate(min(1_000_000, n - start), seed + start)
        # ids unique across chunks
        chunk["id"] = chunk["id"].str.slice(0, 6) + pd.Series(
            np.arange(start, start + len(chunk)), dtype=str
        ).str.zfill(9)
        chunks.append(chunk)
    pd.concat(chunks, ignore_index=True).to_parquet(path, index=False)


if __name__ == "__main__":
    count, out = int(sys.argv[1]), Path(sys.argv[2])
    began = time.perf_counter()
    make(count, out)
    print(f"wrote {count:,} patents to {out} in {time.perf_counter() - began:.1f} s")
