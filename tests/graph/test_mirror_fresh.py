"""The first mirror's CREATE path (an empty database) against the exact MERGE path."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

import pytest
from rdflib.compare import isomorphic

from policykg.graph.mirror import mirror, pull
from policykg.graph.store import OxigraphStore

if TYPE_CHECKING:
    from tests.neo4j_fixtures import Neo4jDB


def _mirror(kg: Any, db: Neo4jDB, **options: Any) -> Any:
    store = OxigraphStore(kg.store)
    try:
        return mirror(store, db.driver, db.database, **options)
    finally:
        store.close()


@pytest.mark.neo4j
@pytest.mark.timeout(900)
def test_fresh_first_mirror_then_incremental_equals_a_clean_mirror(kg: Any,
                                                                     neo4j_db: Neo4jDB) -> None:
    kg("load", "examples/")
    # Tiny batches: endpoints are created ahead of their own batch and updated there.
    first = _mirror(kg, neo4j_db, batch_size=7)
    assert first.fresh and first.sources_sent == 3
    fresh_dump = neo4j_db.dump()
    store = OxigraphStore(kg.store)
    try:
        assert isomorphic(pull(neo4j_db.driver, neo4j_db.database), store.union_graph())
    finally:
        store.close()
    # The exact path rewrites every subject over what the fresh path wrote: nothing changes.
    again = _mirror(kg, neo4j_db, full=True)
    assert not again.fresh and again.sources_sent == 3
    assert neo4j_db.dump() == fresh_dump

    # One answer against the raw file: a MEMBER_OF edge per membership row.
    with (kg.cwd / "examples" / "02-offices.memberships.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert neo4j_db.run("MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS c") == [{"c": len(rows)}]

    # Change one source; the incremental mirror equals a clean (fresh) mirror of the result.
    path = kg.cwd / "examples" / "02-offices.memberships.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(rows[0]["member"]))
                    + f"{rows[1]['member']},{rows[0]['organization']},Adviser,2019-03-01,\n",
                    encoding="utf-8")
    kg("load", "examples/02-offices.memberships.csv")
    changed = _mirror(kg, neo4j_db, batch_size=7)
    assert not changed.fresh and changed.sources_sent == 1
    incremental = neo4j_db.dump()
    neo4j_db.clear()
    clean = _mirror(kg, neo4j_db)
    assert clean.fresh
    assert neo4j_db.dump() == incremental
    assert neo4j_db.run("MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS c") == [{"c": len(rows)}]
