"""``kg.cypher`` on a real Neo4j mirror, credentials from the environment."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import policykg
from policykg.exceptions import QueryError
from policykg.graph.mirror import mirror
from tests.neo4j_fixtures import neo4j_db, neo4j_server  # noqa: F401 - fixtures

from ..conftest import EXAMPLES


def test_cypher_rows_are_plain_values(neo4j_db: Any, tmp_path: Path,  # noqa: F811
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    raw = yaml.safe_load((tmp_path / "examples" / "01-actors.yaml").read_text(encoding="utf-8"))
    persons = sorted(e["name"] for e in raw["entities"] if e["type"] == "Person")
    with policykg.open(tmp_path / ".policykg") as kg:
        kg.load("examples")
        mirror(kg.store, neo4j_db.driver, neo4j_db.database, full=True)
        rows = kg.cypher("MATCH (p:Person) WHERE p.prefLabel IN $names "
                         "RETURN p.prefLabel AS name, p.uri AS uri ORDER BY name",
                         names=persons)
        assert [r["name"] for r in rows] == persons
        assert all(isinstance(r["uri"], str) and r["uri"].startswith("https://") for r in rows)
        counted = kg.cypher("MATCH (p:Person) RETURN count(p) AS n")
        assert isinstance(counted[0]["n"], int) and counted[0]["n"] >= len(persons)
        with pytest.raises(QueryError):
            kg.cypher("CREATE (:Person {prefLabel: 'x'})")
