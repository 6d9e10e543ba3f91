"""A load killed half-way is rolled back when the store next opens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from policykg.graph.store import OxigraphStore
from policykg.load import load_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])  # native bulk path, then the Python path
def test_killed_load_leaves_the_store_as_it_was(tmp_path: Path, suffix: str) -> None:
    store_path = tmp_path / "store"
    store = OxigraphStore(store_path)
    load_paths(store, [EXAMPLES])
    before = store.union_graph()
    store.close()

    big = tmp_path / f"big{suffix}"
    with big.open("w", encoding="utf-8") as fh:
        for i in range(600_000):
            fh.write(f"<https://example.org/s{i}> <https://example.org/p> \"value {i}\" .\n")
    env = {**os.environ, "POLICYKG_STORE": str(store_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "policykg.cli", "load", str(big)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    # Kill it once it is writing: the store's files start growing.
    deadline = time.monotonic() + 60
    start_size = sum(f.stat().st_size for f in store_path.rglob("*") if f.is_file())
    while time.monotonic() < deadline and proc.poll() is None:
        size = sum(f.stat().st_size for f in store_path.rglob("*") if f.is_file())
        if size > start_size + 2_000_000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the load finished before it could be killed; make it bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    reopened = OxigraphStore(store_path)
    try:
        assert isomorphic(before, reopened.union_graph())
        assert len(reopened.graphs()) == 3
    finally:
        reopened.close()
