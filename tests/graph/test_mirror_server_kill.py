"""Kill the Neo4j server in the middle of a mirror, restart it, rerun: a clean end state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policykg.graph.store import OxigraphStore
from tests.graph.test_mirror import _bench_module
from tests.neo4j_fixtures import Neo4jDB
from tests.neo4j_server import kill_server, start_server, stop_server


@pytest.mark.neo4j
def test_mirror_survives_a_killed_server(tmp_path: Path) -> None:
    if os.environ.get("NEO4J_URI"):
        pytest.skip("needs a server this test may kill; NEO4J_URI points at your own")
    server_dir = tmp_path / "neo4j"
    info = start_server(server_dir)
    db = Neo4jDB(info)
    try:
        store_path = tmp_path / "store"
        store = OxigraphStore(store_path)
        _bench_module().populate(store, 40_000, sources=4)
        store.close()
        env = {**os.environ, **db.env()}
        command = [sys.executable, "-m", "policykg.cli", "--store", str(store_path), "mirror",
                   "--batch-size", "500", "--format", "json"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if db.run("MATCH (n:Resource) RETURN count(n) AS c")[0]["c"] > 1500:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the mirror finished before the server could be killed"
        kill_server(server_dir)
        _, err = process.communicate(timeout=300)
        assert process.returncode == 1
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err

        db.driver.close()
        info = start_server(server_dir)  # same data folder, same port
        db = Neo4jDB(info)
        pending = db.run("MATCH (s:_PolicyKGSource) RETURN s.state AS state")
        assert pending and any(r["state"] == "pending" for r in pending)
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        assert json.loads(rerun.stdout)[0]["sources_sent"] >= 1
        resumed = db.dump()
        db.clear()
        subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        assert db.dump() == resumed
    finally:
        db.driver.close()
        stop_server(server_dir)
