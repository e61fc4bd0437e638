"""A Dask client for `--dask SCHEDULER`: an existing cluster's address, or `local`.

Dask is an optional extra (`pip install 'ipscore[dask]'`): the engine runs without it,
and only `--dask` asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ipscore.errors import InputError

#: Workers of `--dask local`: one process per core of this 2-core class of machine.
LOCAL_WORKERS = 2


@contextmanager
def dask_client(scheduler: str | None) -> Iterator[Any]:
    """None without a scheduler; otherwise a connected Client, closed afterwards."""
    if scheduler is None:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "--dask needs Dask: pip install 'ipscore[dask]' (dask[distributed])"
        ) from None
    if scheduler == "local":
        with (
            LocalCluster(
                n_workers=LOCAL_WORKERS,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    if not scheduler.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise InputError(
            f"--dask {scheduler!r}: give a scheduler address (tcp://host:8786) or local"
        )
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as err:
        raise InputError(f"--dask {scheduler}: cannot reach the scheduler ({err})") from None
    with client:
        yield client
