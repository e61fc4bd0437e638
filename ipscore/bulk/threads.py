"""Work on two threads, results in order, a bounded number of items in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def ordered_map(function: Callable[..., Any], items: Iterable, workers: int = 2) -> Iterator:
    """function(*item) for each item on `workers` threads, yielded in the items' order,
    with at most `workers + 1` submitted at once (so memory holds that many, not all):
    the Arrow, Polars and numpy kernels doing the work release the GIL."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future] = deque()
        for item in items:
            pending.append(pool.submit(function, *item))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


__all__ = ["ordered_map"]
