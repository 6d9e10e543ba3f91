"""Merging and splitting after a mirror leaves Neo4j equal to a clean mirror (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from tests.neo4j_fixtures import Neo4jDB


def run(store: Path, db: Neo4jDB, *args: str) -> str:
    result = CliRunner(env=db.env()).invoke(cli, ["--store", str(store), *args],
                                             catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.neo4j
def test_split_after_a_mirror_leaves_neo4j_equal_to_a_clean_mirror(
    work: Path, neo4j_db: Neo4jDB
) -> None:
    store = work / "store"
    run(store, neo4j_db, "load", "examples/", "extra.yaml")
    run(store, neo4j_db, "mirror")
    clean = neo4j_db.dump()

    run(store, neo4j_db, "merge", "Enrique Peña Nieto", "https://w3id.org/policykg/id/person/pena-nieto")
    run(store, neo4j_db, "mirror")
    merged = neo4j_db.dump()
    assert merged != clean
    # After the merge the quote of the duplicate hangs on the canonical person in Neo4j too.
    rows = neo4j_db.run(
        "MATCH (p:Person {uri: $uri})-[:COMMENTED_ON|MEMBER_OF]->() RETURN count(*) AS n",
        uri="https://w3id.org/policykg/id/person/enrique-pena-nieto")
    assert rows[0]["n"] >= 1
    said = neo4j_db.run(
        "MATCH (s:Statement)-[:SPEAKER]->(p:Person) WHERE s.text = $text RETURN p.uri AS uri",
        text="Mexico will not pay for the wall.")
    assert said == [{"uri": "https://w3id.org/policykg/id/person/enrique-pena-nieto"}]

    run(store, neo4j_db, "split", "Enrique Peña Nieto")
    run(store, neo4j_db, "mirror")
    assert neo4j_db.dump() == clean

    # And a mirror from scratch of the split store is the same graph again.
    neo4j_db.clear()
    run(store, neo4j_db, "mirror", "--full")
    assert neo4j_db.dump() == clean
