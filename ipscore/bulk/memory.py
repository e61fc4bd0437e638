"""Allocator settings for the command line's long runs (the process is the CLI's own).

Measured on 5,000,000 real-shaped rows in chunks of 500,000 (`ipscore classify FILE.parquet`,
BENCHMARKS.md): Arrow's own buffers stay near 0.3 GB and Python's near 0.1 GB, yet the
peak was 1.6 GB. The rest was allocator retention:
- glibc gives every thread that allocates its own arena and keeps freed memory in each;
  the chunk threads, Arrow's and Polars' pools make many. Two arenas (the `MALLOC_ARENA_MAX`
  knob, set here with mallopt) brought the peak to 1.23 GB, in no more time.
- Arrow's jemalloc pool hands freed chunk buffers back sooner than its default, mimalloc.
An environment that sets MALLOC_ARENA_MAX or ARROW_DEFAULT_MEMORY_POOL always wins, and
a library caller's process is left as it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys

import pyarrow as pa

#: glibc's mallopt parameter number for the arena limit (malloc.h: M_ARENA_MAX).
M_ARENA_MAX = -8
ARENAS = 2


def tune_allocators() -> None:
    """Two glibc arenas and Arrow's jemalloc pool, unless the environment chose."""
    if sys.platform.startswith("linux") and not os.environ.get("MALLOC_ARENA_MAX"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to limit
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(M_ARENA_MAX, ARENAS)
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        # A pyarrow built without jemalloc keeps its default.
        with contextlib.suppress(NotImplementedError):
            pa.set_memory_pool(pa.jemalloc_memory_pool())


__all__ = ["tune_allocators"]
