"""A load killed half-way is rolled back when the store next opens."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from policykg.graph.store import OxigraphStore
from policykg.load import file_hash, list_sources, load_paths

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


# The child process loads a folder of three files with the store's internals wrapped so that it
# stops at one chosen moment, says so on stdout and waits to be killed: the moments are exact,
# not timed. ``write N AFTER`` stops in the Nth file's triples once AFTER went in (-1: at the
# end of its Python triples, before its N-Triples are bulk-loaded). ``staging``/``staged`` stop
# when a replaced source's new version is in the scratch store and the old one dumped, before or
# after its difference is staged in the store. A ``disk:`` prefix makes every scratch store one
# on disk (the path of sources too big for memory).
_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from policykg.graph.store import NativeContent, OxigraphStore
    from policykg.load import load_paths

    store_path, folder, moment, *args = sys.argv[1:]
    if moment.startswith("disk:"):
        import policykg.graph.store as store_module
        store_module._MEMORY_SCRATCH_QUADS = 0
        moment = moment.removeprefix("disk:")

    def stop():
        print("stopped", flush=True)
        time.sleep(600)

    original_replace = OxigraphStore.replace_graphs

    def paused(source, after):
        for n, triple in enumerate(source):
            if n == after:
                stop()
            yield triple
        if after < 0:
            stop()

    def replace_graphs(self, items):
        def wrapped():
            for n, (graph, triples) in enumerate(items, start=1):
                if moment == "write" and n == int(args[0]):
                    after = int(args[1])
                    if isinstance(triples, NativeContent):
                        triples = NativeContent(paused(triples.triples, after), triples.files)
                    else:
                        triples = paused(triples, after)
                yield graph, triples
        return original_replace(self, wrapped())

    OxigraphStore.replace_graphs = replace_graphs
    if moment.endswith("commit"):
        original_commit = OxigraphStore._commit

        def commit(self, created, changes):
            if moment == "before-commit":
                stop()
            original_commit(self, created, changes)
            if moment == "after-commit":
                stop()

        OxigraphStore._commit = commit
    if moment.startswith("stag"):
        original_stage = OxigraphStore._stage_change

        def stage_change(self, *stage_args):
            if moment == "staging":
                stop()
            result = original_stage(self, *stage_args)
            stop()
            return result

        OxigraphStore._stage_change = stage_change
    load_paths(OxigraphStore(store_path), [Path(folder)])
    print("finished", flush=True)
""")


def _turtle(path: Path, version: int, count: int) -> None:
    lines = ["@prefix ex: <https://example.org/> ."]
    for i in range(count):
        value = f"v{i}" if i % 100 else f"v{i} version {version}"  # a few triples change
        lines.append(f'ex:{path.stem}{i} ex:p "{value}" ; ex:q [ ex:r {i} ] .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _snapshot(store_path: Path) -> tuple[Graph, dict[str, str]]:
    store = OxigraphStore(store_path)
    try:
        return store.union_graph(), {s.key: s.content_hash for s in list_sources(store)}
    finally:
        store.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A store before the load (examples plus a.ttl version 1), one after it, and the folder."""
    root = tmp_path_factory.mktemp("multi")
    folder = root / "data"
    folder.mkdir()
    _turtle(folder / "a.ttl", 1, 3000)
    before = root / "before"
    store = OxigraphStore(before)
    load_paths(store, [EXAMPLES, folder])
    store.close()
    # The load under test: a.ttl changed (replaces a source), b.ttl and c.nt are new.
    _turtle(folder / "a.ttl", 2, 3000)
    _turtle(folder / "b.ttl", 1, 3000)
    with (folder / "c.nt").open("w", encoding="utf-8") as fh:
        for i in range(3000):
            fh.write(f'<https://example.org/c{i}> <https://example.org/p> "c {i}" .\n')
    after = root / "after"
    shutil.copytree(before, after)
    store = OxigraphStore(after)
    results = load_paths(store, [folder])
    store.close()
    assert [r.status for r in results] == ["loaded"] * 3
    return {"before": before, "after": after, "folder": folder, "root": root}


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("moment", "args", "outcome"), [
    ("write", ["1", "1000"], "before"),   # inside file 1, a source being replaced
    ("write", ["2", "1000"], "before"),   # inside file 2, a new source
    ("write", ["3", "0"], "before"),      # between files 2 and 3: 1 and 2 fully written
    ("write", ["3", "-1"], "before"),     # file 3's triples in, its N-Triples not yet
    ("before-commit", [], "before"),      # every file written, nothing committed
    ("after-commit", [], "after"),        # committed, scratch files not yet cleaned up
    ("staging", [], "before"),            # file 1's new version in scratch, old one dumped
    ("staged", [], "before"),             # file 1's difference staged in the store
    ("disk:write", ["1", "1000"], "before"),  # the same moments with a scratch store on disk
    ("disk:staging", [], "before"),
    ("disk:staged", [], "before"),
    ("disk:before-commit", [], "before"),
    ("disk:after-commit", [], "after"),
])
def test_killed_multi_file_load_is_all_or_nothing(
    stores: dict[str, Path], tmp_path: Path, moment: str, args: list[str], outcome: str
) -> None:
    store_path = tmp_path / "store"
    shutil.copytree(stores["before"], store_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(store_path), str(stores["folder"]), moment, *args],
        cwd=Path.cwd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        assert ready, "the child never reached the moment"
        assert proc.stdout.readline().strip() == "stopped", proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    got_graph, got_sources = _snapshot(store_path)
    want_graph, want_sources = _snapshot(stores[outcome])
    assert got_sources == want_sources
    assert isomorphic(got_graph, want_graph)
    assert not list(tmp_path.glob(".store.scratch-*"))  # the scratch store is gone too
    # Independent of our loader: the hash of a.ttl recorded is that of the file's bytes now
    # (after) or not (before: version 1 was overwritten).
    a_key = next(key for key in got_sources if key.endswith("a.ttl"))
    assert (got_sources[a_key] == file_hash(stores["folder"] / "a.ttl")) == (outcome == "after")
