"""Pytest fixtures for tests that need a real Neo4j (use as ``pytest_plugins`` or star-import).

* ``neo4j_server`` (session): ``{"uri", "user", "password"?}``. Uses ``NEO4J_URI`` (with
  ``NEO4J_USERNAME``/``NEO4J_PASSWORD``) when set; otherwise starts a throwaway server with
  ``tests/neo4j_server.start_server`` and stops it at the end of the session.
* ``neo4j_auth_server`` (session): a server that requires a password (a second throwaway server,
  or the ``NEO4J_URI`` one when ``NEO4J_PASSWORD`` is set); skips when neither is possible.
* ``neo4j_db`` (function): a :class:`Neo4jDB` over an emptied database, with ``NEO4J_URI``,
  ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` set for the CLI.

Tests using them should be marked ``@pytest.mark.neo4j``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

try:
    from tests.neo4j_server import start_server, stop_server
except ImportError:  # tests/ itself on sys.path
    from neo4j_server import start_server, stop_server  # type: ignore[no-redef,import-not-found]

__all__ = ["Neo4jDB", "neo4j_server", "neo4j_auth_server", "neo4j_db", "dump_graph", "clear"]


def _auth(info: dict[str, Any]) -> tuple[str, str] | None:
    password = info.get("password")
    return (str(info.get("user") or "neo4j"), str(password)) if password else None


def clear(driver: neo4j.Driver, database: str = "neo4j") -> None:
    """Delete every node and relationship (in batches, so big graphs do not exhaust memory)."""
    with driver.session(database=database) as session:  # relationships first: dense nodes
        session.run(
            "MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if hasattr(value, "iso_format"):
        return f"{type(value).__name__}({value.iso_format()})"
    return value


def dump_graph(driver: neo4j.Driver, database: str = "neo4j") -> dict[str, list[Any]]:
    """Every node and relationship with labels/type and properties, sorted (no element ids)."""

    def node_key(labels: list[str], props: dict[str, Any]) -> tuple[Any, ...]:
        return (tuple(sorted(labels)), tuple(sorted((k, _plain(v)) for k, v in props.items())))

    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        nodes = sorted(
            (node_key(r["l"], r["p"]) for r in session.run(
                "MATCH (n) RETURN labels(n) AS l, properties(n) AS p")),
            key=repr,
        )
        rels = sorted(
            ((r["a"], r["t"], r["b"], tuple(sorted((k, _plain(v)) for k, v in r["p"].items())))
             for r in session.run(
                 "MATCH (a)-[r]->(b) RETURN coalesce(a.uri, a.id, 'x') AS a, type(r) AS t, "
                 "coalesce(b.uri, b.id, 'x') AS b, properties(r) AS p")),
            key=repr,
        )
    return {"nodes": nodes, "relationships": rels}


class Neo4jDB:
    """A connected, emptied database plus what the CLI needs to reach it."""

    def __init__(self, info: dict[str, Any], database: str = "neo4j") -> None:
        self.info = info
        self.uri = str(info["uri"])
        self.user = str(info.get("user") or "neo4j")
        self.password: str | None = info.get("password")
        self.database = database
        self.driver = neo4j.GraphDatabase.driver(self.uri, auth=_auth(info),
                                                 notifications_min_severity="OFF")

    def env(self) -> dict[str, str]:
        """The NEO4J_* variables that point the CLI at this database."""
        env = {"NEO4J_URI": self.uri, "NEO4J_USERNAME": self.user,
               "NEO4J_DATABASE": self.database}
        if self.password:
            env["NEO4J_PASSWORD"] = self.password
        return env

    def run(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts."""
        records, _, _ = self.driver.execute_query(cypher, params, database_=self.database)
        return [r.data() for r in records]

    def clear(self) -> None:
        """Empty the database."""
        clear(self.driver, self.database)

    def dump(self) -> dict[str, list[Any]]:
        """See :func:`dump_graph`."""
        return dump_graph(self.driver, self.database)

    def close(self) -> None:
        self.driver.close()


def _external() -> dict[str, Any] | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    info: dict[str, Any] = {"uri": uri, "user": os.environ.get("NEO4J_USERNAME") or "neo4j",
                            "external": True}
    if os.environ.get("NEO4J_PASSWORD"):
        info["password"] = os.environ["NEO4J_PASSWORD"]
    return info


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The Neo4j server of the session (started here unless NEO4J_URI is set)."""
    external = _external()
    if external is not None:
        yield external
        return
    directory = Path(tmp_path_factory.mktemp("neo4j-server"))
    info = start_server(directory)
    try:
        yield dict(info)
    finally:
        stop_server(directory)


@pytest.fixture(scope="session")
def neo4j_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server that checks passwords."""
    external = _external()
    if external is not None:
        if not external.get("password"):
            pytest.skip("NEO4J_URI is set without NEO4J_PASSWORD: no auth-enabled server")
        yield external
        return
    directory = Path(tmp_path_factory.mktemp("neo4j-auth-server"))
    info = start_server(directory, auth=True)
    try:
        yield dict(info)
    finally:
        stop_server(directory)


@pytest.fixture
def neo4j_db(neo4j_server: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Neo4jDB]:
    """An emptied database, with NEO4J_* set for the CLI for the duration of the test."""
    db = Neo4jDB(neo4j_server, os.environ.get("NEO4J_DATABASE") or "neo4j")
    db.clear()
    for key, value in db.env().items():
        monkeypatch.setenv(key, value)
    if not db.password:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    try:
        yield db
    finally:
        db.close()
