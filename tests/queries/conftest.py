"""Fixtures for the query tests: the examples in an embedded store and mirrored into Neo4j."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from tests.neo4j_fixtures import clear, neo4j_db, neo4j_server  # noqa: F401 - fixtures

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_examples(path: Path | None = None) -> OxigraphStore:
    """A store holding examples/."""
    store = OxigraphStore(path)
    load_paths(store, [EXAMPLES])
    return store


def quad_count(path: Path) -> int:
    """Quads in the store folder ``path`` (opened and closed again)."""
    store = OxigraphStore(path)
    try:
        return len(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def example_store() -> Iterator[OxigraphStore]:
    """An in-memory store with examples/ (shared by a module: do not write to it)."""
    store = load_examples()
    yield store
    store.close()


def mirror_into(store: OxigraphStore, driver: neo4j.Driver, database: str = "neo4j") -> None:
    """Empty the database and mirror ``store`` into it."""
    from policykg.graph.mirror import mirror

    clear(driver, database)
    mirror(store, driver, database, full=True)


@pytest.fixture(scope="module")
def example_graph(neo4j_server: dict[str, Any],  # noqa: F811 - fixture
                  example_store: OxigraphStore) -> Iterator[neo4j.Driver]:
    """A driver on a Neo4j database holding the mirror of ``example_store``."""
    yield from mirrored_driver(neo4j_server, example_store)


def mirrored_driver(server: dict[str, Any], store: OxigraphStore) -> Iterator[neo4j.Driver]:
    """For a fixture: a driver on ``server`` holding the mirror of ``store``, closed after."""
    password = server.get("password")
    auth = (str(server.get("user") or "neo4j"), str(password)) if password else None
    driver = neo4j.GraphDatabase.driver(server["uri"], auth=auth,
                                        notifications_min_severity="OFF")
    mirror_into(store, driver)
    yield driver
    driver.close()


@pytest.fixture
def cypher_cli(example_graph: neo4j.Driver,
               neo4j_server: dict[str, Any],  # noqa: F811 - fixture
               monkeypatch: pytest.MonkeyPatch) -> Any:
    """``policykg cypher ARGS...`` against the mirrored examples (NEO4J_* set); a Result."""
    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    monkeypatch.setenv("NEO4J_USERNAME", str(neo4j_server.get("user") or "neo4j"))
    if neo4j_server.get("password"):
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    else:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, ["cypher", *args], catch_exceptions=False)

    return invoke


def on_both_backends(store: str, graph: str) -> Any:
    """A fixture ``on``: the embedded store fixture ``store``, then its Neo4j mirror ``graph``."""
    params: list[Any] = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]

    @pytest.fixture(params=params)
    def on(request: pytest.FixtureRequest) -> Any:
        return request.getfixturevalue(store if request.param == "embedded" else graph)

    return on
