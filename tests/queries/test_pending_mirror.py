"""Queries on Neo4j while the mirror is half done warn, or refuse with --strict."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.mirror import SOURCE_LABEL, mirror
from tests.neo4j_fixtures import Neo4jDB
from tests.queries.conftest import load_examples

WARNING = ("warning: the Neo4j mirror is half done (1 of 3 sources pending): answers may "
           "differ from the embedded store; run policykg mirror")


@pytest.fixture
def half_done(neo4j_db: Neo4jDB) -> Neo4jDB:
    """The examples mirrored, then one source marked pending the way a mirror starts one.

    ``mirror`` sets ``state = 'pending'`` on every source it is about to write and ``'done'``
    only after the last batch, so a mirror killed in between leaves exactly this state
    (tests/graph/test_mirror.py kills one to check it).
    """
    store = load_examples()
    try:
        mirror(store, neo4j_db.driver, neo4j_db.database, full=True)
    finally:
        store.close()
    sources = neo4j_db.run(f"MATCH (s:{SOURCE_LABEL}) RETURN s.uri AS uri ORDER BY uri")
    assert len(sources) == 3
    neo4j_db.run(f"MATCH (s:{SOURCE_LABEL} {{uri: $uri}}) SET s.state = 'pending'",
                 uri=sources[0]["uri"])
    return neo4j_db


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.neo4j
def test_cypher_warns_while_mirror_is_half_done(half_done: Neo4jDB) -> None:
    result = _invoke("cypher", "MATCH (n:Person) RETURN count(n) AS n", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == WARNING
    assert json.loads(result.stdout)[0]["n"] > 0
    result = _invoke("cypher", "--strict", "MATCH (n:Person) RETURN count(n) AS n")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: refused (--strict): " + WARNING[len("warning: "):]


@pytest.mark.neo4j
def test_canned_query_warns_while_mirror_is_half_done(half_done: Neo4jDB) -> None:
    result = _invoke("query", "funding", "--backend", "neo4j", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == WARNING
    result = _invoke("query", "funding", "--backend", "neo4j", "--strict")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: refused (--strict): the Neo4j mirror is "
                                            "half done (1 of 3 sources pending)")


@pytest.mark.neo4j
def test_no_warning_once_the_mirror_is_done(half_done: Neo4jDB) -> None:
    half_done.run(f"MATCH (s:{SOURCE_LABEL}) SET s.state = 'done'")
    result = _invoke("cypher", "--strict", "MATCH (n:Person) RETURN count(n) AS n")
    assert result.exit_code == 0 and result.stderr == "", result.output
    result = _invoke("query", "funding", "--backend", "neo4j", "--strict")
    assert result.exit_code == 0 and result.stderr == "", result.output
