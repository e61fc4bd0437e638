"""Run one alert scenario in a child process (forkserver).

durable_rules 2.0.28 segfaults now and then when many alert watches run one after another
in one process (see ipscore/alerts/engine.py); one watch per process (the command line)
has not crashed in any run here. Each scenario therefore runs in a child forked from the
test process; a crash there fails the test, with the signal, instead of killing the run."""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any


def _child(connection, function, args) -> None:
    try:
        connection.send(("ok", function(*args)))
    except BaseException:  # everything goes back to the parent
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


_CONTEXT = multiprocessing.get_context("forkserver")
# The children fork from a clean single-threaded server (a fork of the test process itself
# can hang on locks its other threads held), with the package imported once.
_CONTEXT.set_forkserver_preload(["ipscore.api", "ipscore.events.watch", "ipscore.alerts.engine"])


def isolated(function: Callable[..., Any], *args: Any, timeout: float = 300) -> Any:
    context = _CONTEXT
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, function, args))
    process.start()
    child.close()
    ready = parent.poll(timeout)
    status, value = parent.recv() if ready else ("error", "no answer in time")
    process.join(10)
    if process.exitcode and process.exitcode < 0:
        raise AssertionError(
            f"the child running {function.__name__} died of signal "
            f"{-process.exitcode} (durable_rules crashed)"
        )
    if status == "error":
        raise AssertionError(value)
    return value
