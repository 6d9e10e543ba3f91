"""Readers beside readers and a writer on one on-disk store, in separate processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef

from policykg.exceptions import StoreBusyError, StoreError
from policykg.graph.store import MemoryStore, OxigraphStore, open_store, register_store
from policykg.graph.store_lock import lock_path
from tests.conftest import EXAMPLES

POLICYKG = [sys.executable, "-m", "policykg"]
READS = [["stats", "--format", "json"], ["sources", "--format", "json"],
         ["validate", "--format", "json"], ["query", "funding", "--format", "json"]]


def _start(store: Path, *args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*POLICYKG, "--store", str(store), *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    """(store, working folder holding examples/), the examples loaded."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work / "examples")
    store = tmp_path / "store"
    code, _, err = _finish(_start(store, "load", "examples", cwd=work))
    assert code == 0, err
    return store, work


def _example_files() -> set[str]:
    return {p.name for p in EXAMPLES.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_readers_run_together_and_beside_a_notebook_writer(loaded: tuple[Path, Path]) -> None:
    store, work = loaded
    notebook = OxigraphStore(store)  # the Python API opens a writer and keeps it
    try:
        readers = [_start(store, *args, cwd=work) for args in READS]
        waiting_writer = _start(store, "--wait", "240", "load", "examples/03-facts.yaml",
                                cwd=work)
        results = [_finish(p) for p in readers]
        for code, _, err in results:
            assert code == 0, err
        assert waiting_writer.poll() is None  # still waiting for the notebook's lock
    finally:
        notebook.close()
    code, _, err = _finish(waiting_writer)
    assert code == 0, err
    sources = json.loads(results[1][1])
    # Independently of our loader: the files of examples/ are the sources listed.
    loaded_names = {Path(row["source"]).name for row in sources}
    assert loaded_names == _example_files() & loaded_names and loaded_names
    facts = yaml.safe_load((EXAMPLES / "03-facts.yaml").read_text(encoding="utf-8"))
    assert facts  # the file the writer reloaded is real data
    stats = json.loads(results[0][1])
    assert any(row["count"] > 0 for row in stats["rows"])


def test_second_writer_fails_with_one_line_naming_the_holder(loaded: tuple[Path, Path]) -> None:
    store, work = loaded
    with OxigraphStore(store):
        code, out, err = _finish(_start(store, "sources", "--remove", "03-facts.yaml", cwd=work))
    assert code != 0
    message = err.strip().splitlines()
    assert len(message) == 1, err
    assert f"is busy: held by pid {os.getpid()}" in message[0]
    assert str(store) in message[0] and "since" in message[0]
    code, out, _ = _finish(_start(store, "sources", "--format", "json", cwd=work))
    assert code == 0 and any(r["source"].endswith("03-facts.yaml") for r in json.loads(out))


def test_in_process_second_writer_waits_then_fails(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "s")
    try:
        with pytest.raises(StoreBusyError, match="held by pid"):
            OxigraphStore(tmp_path / "s", wait=0.3)
        reader = OxigraphStore(tmp_path / "s", read_only=True)  # never blocked by the writer
        reader.close()
    finally:
        first.close()
    OxigraphStore(tmp_path / "s").close()  # released on close


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    OxigraphStore(folder).close()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    lock_path(folder).write_text(json.dumps({"pid": int(dead.stdout), "command": "policykg load",
                                             "since": "2020-01-01"}), encoding="utf-8")
    store = OxigraphStore(folder, wait=0)
    store.close()


def test_read_only_handle_refuses_writes_and_sees_other_processes_writes(
        loaded: tuple[Path, Path]) -> None:
    store, work = loaded
    reader = OxigraphStore(store, read_only=True)
    try:
        assert "read_only" in reader.capabilities
        with pytest.raises(StoreError, match="read-only"):
            reader.replace_graph(URIRef("https://example.org/g"), [])
        before = reader.change_token()
        code, _, err = _finish(_start(store, "sources", "--remove", "03-facts.yaml", cwd=work))
        assert code == 0, err
        assert reader.change_token() != before  # another process wrote: caches must rebuild
    finally:
        reader.close()


def test_registry_opens_by_scheme_and_names_a_missing_backend(tmp_path: Path) -> None:
    register_store("scratch-memory", "policykg.graph.store:MemoryStore")
    assert isinstance(open_store("scratch-memory://anything"), MemoryStore)
    register_store("broken", "policykg.graph.no_such_backend:Store")
    with pytest.raises(StoreError, match="'broken' is not available"):
        open_store("broken://host/ds")
    with pytest.raises(StoreError, match="unknown store backend 'nope'"):
        open_store("nope://host")
    on_disk = open_store(tmp_path / "s")
    try:
        on_disk.replace_graph(URIRef("https://example.org/g"),
                              [(URIRef("https://example.org/s"), URIRef("https://example.org/p"),
                                Literal("v"))])
    finally:
        on_disk.close()
    with open_store(tmp_path / "s", read_only=True) as reader:
        assert len(reader) == 1
