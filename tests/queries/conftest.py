"""Fixtures for the query tests: the examples in an embedded store and mirrored into Neo4j."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from tests.neo4j_fixtures import clear, neo4j_db, neo4j_server  # noqa: F401 - fixtures

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_examples(path: Path | None = None) -> OxigraphStore:
    """A store holding examples/."""
    store = OxigraphStore(path)
    load_paths(store, [EXAMPLES])
    return store


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


def mirrored(server: dict[str, Any], store: OxigraphStore) -> Iterator[neo4j.Driver]:
    """A driver on the session's Neo4j database holding the mirror of ``store``."""
    password = server.get("password")
    auth = (str(server.get("user") or "neo4j"), str(password)) if password else None
    driver = neo4j.GraphDatabase.driver(server["uri"], auth=auth,
                                        notifications_min_severity="OFF")
    mirror_into(store, driver)
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def example_graph(neo4j_server: dict[str, Any],  # noqa: F811 - fixture
                  example_store: OxigraphStore) -> Iterator[neo4j.Driver]:
    """A driver on a Neo4j database holding the mirror of ``example_store``."""
    yield from mirrored(neo4j_server, example_store)
