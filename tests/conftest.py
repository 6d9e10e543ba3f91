"""Shared fixtures: the example data, a CLI runner, stores of every backend, and Neo4j."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policykg.cli import cli
from policykg.graph.store import MemoryStore, OxigraphStore, Store

# Helpers beside this file (neo4j_server.py) import as top-level modules too.
sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent

#: Real-Neo4j fixtures (neo4j_server, neo4j_auth_server, neo4j_db) for every test module.
#: Session SPARQL servers (sparql_servers) started by scripts/sparql-test-server on first use.
pytest_plugins = ["tests.neo4j_fixtures", "tests.sparql_fixtures"]
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
SHARED_SAMPLES = ROOT.parent / "shared" / "samples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class CLI:
    """Runs policykg commands against one store folder, from a working directory."""

    def __init__(self, runner: CliRunner, store: Path, cwd: Path) -> None:
        self.runner = runner
        self.store = store
        self.cwd = cwd

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        old = os.getcwd()
        os.chdir(self.cwd)
        try:
            result = self.runner.invoke(cli, ["--store", str(self.store), *args], input=input,
                                        catch_exceptions=False)
        finally:
            os.chdir(old)
        if ok:
            assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def kg(tmp_path: Path, runner: CliRunner) -> CLI:
    """A CLI bound to a fresh store, working in the folder that holds it (as the default store
    ``.policykg`` is) and a copy of examples/; source keys are relative to that folder."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(EXAMPLES, work / "examples")
    return CLI(runner, work / ".policykg", work)


#: Every backend the store contract suite runs on: name -> factory given a fresh folder.
#: A backend joins the suite by adding one entry (a remote one may start its server here).
STORE_FACTORIES: dict[str, Callable[[Path], Store]] = {
    "oxigraph-memory": lambda folder: OxigraphStore(),
    "oxigraph-disk": lambda folder: OxigraphStore(folder / "ox"),
    "rdflib-memory": lambda folder: MemoryStore(),
}
#: The SPARQL servers of tests/sparql_fixtures.py, emptied before each test.
REMOTE_STORES = ("oxigraph-server", "fuseki")


@pytest.fixture(params=[*STORE_FACTORIES, *REMOTE_STORES])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store backend in turn, for the contract suite."""
    store: Store
    if request.param in REMOTE_STORES:
        from tests.sparql_fixtures import emptied_store

        store = emptied_store(request.getfixturevalue("sparql_servers")[request.param])
    else:
        store = STORE_FACTORIES[request.param](tmp_path)
    yield store
    store.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test proves nothing: turn any skip into a failed run."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped:
        print(f"\nCI: {skipped} test(s) were skipped; every test must run in CI.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
