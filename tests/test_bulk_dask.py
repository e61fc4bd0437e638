"""The same chunks on a real Dask cluster give the local answer (issue 11).

A `dask scheduler` and two `dask worker` processes are started on loopback, as an
operator would start them; the register is classified through the Python API with a
Client and through the CLI with --dask tcp://…, and both are compared with the local run.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import Client

from ipscore import api
from tests.test_bulk import AS_OF, REGISTER, _write


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dask(*args: str) -> list[str]:
    """The dask CLI of this interpreter's environment."""
    found = shutil.which("dask", path=str(Path(sys.executable).parent))
    return [found, *args] if found else [sys.executable, "-m", "dask", *args]


@pytest.fixture(scope="module")
def cluster():
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(
            _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    _dask("worker", address, "--nthreads", "1", "--no-dashboard"),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        client = Client(address, timeout="60s")
        client.wait_for_workers(2, timeout=90)
        yield address, client
        client.close()
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_dask_result_equals_local(cluster, tmp_path):
    _, client = cluster
    path = _write(REGISTER, tmp_path, ".parquet")
    local = api.classify_file(path, AS_OF, chunk_rows=20)
    distributed = api.classify_file(path, AS_OF, chunk_rows=20, client=client)
    assert distributed.to_json() == local.to_json()
    assert distributed.batch.rejects.astype(str).equals(local.batch.rejects.astype(str))
    assert len(client.scheduler_info()["workers"]) == 2


def test_cli_dask_address(cluster, tmp_path):
    address, _ = cluster
    path = _write(REGISTER, tmp_path, ".csv")
    common = [sys.executable, "-m", "ipscore", "classify", str(path), "--as-of", "2023-12-31"]
    started = time.perf_counter()
    remote = subprocess.run(
        [*common, "--json", "--chunk-rows", "30", "--dask", address],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert remote.returncode == 0, remote.stderr
    local = subprocess.run([*common, "--json"], capture_output=True, text=True, timeout=120)
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert time.perf_counter() - started < 170


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    from tests.hostile.conftest import run_ipscore

    path = _write(REGISTER, tmp_path, ".csv")
    run = run_ipscore(
        "classify", str(path), "--dask", f"tcp://127.0.0.1:{_free_port()}", seconds=60
    )
    assert run.code == 2
    assert "cannot reach the scheduler" in run.stderr
    assert "Traceback" not in run.stderr
