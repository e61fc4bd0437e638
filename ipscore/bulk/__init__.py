"""Registers past one pass in memory: chunks on this machine's cores, or a Dask cluster.

`classify_register` evaluates a register chunk by chunk with the same per-chunk function
everywhere; see ipscore/bulk/engine.py and the README's "Scale" section.
"""

from ipscore.bulk.engine import CHUNK_ROWS, classify_chunk, classify_register, run_dask

__all__ = ["CHUNK_ROWS", "classify_chunk", "classify_register", "run_dask"]
