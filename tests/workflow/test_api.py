"""The Python API against the examples, checked against the raw files and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
import yaml

import policykg
from policykg.exceptions import AmbiguousName, PolicyKGError, QueryError
from policykg.export.select import GraphReader, run_selection
from policykg.queries import get_query

from ..conftest import CLI, EXAMPLES
from ..neo4j_fixtures import Neo4jDB


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLICYKG_JUDGEMENTS", raising=False)
    return tmp_path


@pytest.fixture
def kg(work: Path) -> Iterator[policykg.KnowledgeGraph]:
    with policykg.open(work / ".policykg") as graph:
        graph.load("examples")
        yield graph


def test_funding_total_matches_the_raw_file(kg: policykg.KnowledgeGraph, work: Path) -> None:
    raw = yaml.safe_load((work / "examples" / "03-facts.yaml").read_text(encoding="utf-8"))
    expected = sum(item["amount"] for item in raw["funding"])
    rows = kg.query("funding")
    (total,) = [r for r in rows if r["kind"] == "total"]
    assert total["amount"] == expected
    assert sum(r["amount"] for r in rows if r["kind"] == "flow") == expected


def test_office_holders_match_the_raw_csv(kg: policykg.KnowledgeGraph, work: Path) -> None:
    with (work / "examples" / "02-offices.memberships.csv").open(encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    date = "2017-03-01"
    # undated memberships (no start) are not offices held on a date
    holding = {r["start"] for r in raw
               if r["start"] and r["start"] <= date and (r["end"] or "9") >= date}
    rows = kg.query("office-at", date=date)
    assert {r["start"] for r in rows} == holding
    assert rows and all(r["sources"] == ["examples/02-offices.memberships.csv"] for r in rows)


def test_query_rows_are_the_cli_json_rows(kg: policykg.KnowledgeGraph, work: Path) -> None:
    kg.close()
    from click.testing import CliRunner

    out = CLI(CliRunner(), work / ".policykg", work)("query", "funding", "--format", "json")
    listing = json.loads(out.stdout)
    with policykg.open(work / ".policykg") as again:
        rows = again.query("funding")  # one plain list; the JSON sets the totals apart
    totals = get_query("funding").totals
    assert totals is not None
    assert [{c: r[c] for c in totals.row_columns} for r in rows
            if r["kind"] == "flow"] == listing["rows"]
    assert [{c: r[c] for c in totals.columns} for r in rows
            if r["kind"] == "total"] == listing["totals"]


def test_frame_has_the_query_columns(kg: policykg.KnowledgeGraph) -> None:
    pytest.importorskip("pandas")  # installed with the test extra; CI fails on skips
    frame = kg.frame("funding")
    assert list(frame.columns)[:3] == ["kind", "date", "funder_name"]
    rows = kg.query("funding")
    flows = [r for r in rows if r["kind"] != "total"]
    assert len(frame) == len(flows) and set(frame["kind"]) == {"flow"}
    # The totals stand apart, so a sum over the frame is the total once, not twice.
    (usd,) = [t for t in frame.attrs["totals"] if t["currency"] == "USD"]
    assert frame[frame["currency"] == "USD"]["amount"].sum() == usd["amount"]


def test_frame_without_pandas_says_what_to_install(kg: policykg.KnowledgeGraph,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(PolicyKGError, match=r"policykg\[frames\]"):
        kg.frame("funding")


def test_sparql_gives_python_values(kg: policykg.KnowledgeGraph, work: Path) -> None:
    rows = kg.sparql("SELECT ?p ?name ?start WHERE { ?m org:member ?p ; schema:startDate ?start . "
                     "?p skos:prefLabel ?name }", name="Luis Videgaray")
    with (work / "examples" / "02-offices.memberships.csv").open(encoding="utf-8") as fh:
        raw = [r for r in csv.DictReader(fh) if r["member"] == "luis-videgaray"]
    assert {r["start"] for r in rows} == {dt.date.fromisoformat(r["start"]) for r in raw}
    assert all(isinstance(r["p"], str) and r["p"].startswith("https://") for r in rows)
    counted = kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s a pkg:Person }")
    assert isinstance(counted[0]["n"], int) and counted[0]["n"] > 0
    with pytest.raises(QueryError):
        kg.sparql("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


@pytest.mark.neo4j
@pytest.mark.timeout(300)
def test_cypher_gives_the_values_sparql_gives(kg: policykg.KnowledgeGraph, work: Path,
                                              neo4j_db: Neo4jDB) -> None:
    from policykg.graph.mirror import mirror

    mirror(kg.store, neo4j_db.driver, neo4j_db.database, full=True)
    with (work / "examples" / "02-offices.memberships.csv").open(encoding="utf-8") as fh:
        raw = [r for r in csv.DictReader(fh) if r["member"] == "luis-videgaray"]
    rows = kg.cypher("MATCH (p:Person {prefLabel: $name})-[r:MEMBER_OF]->(o) "
                     "RETURN p.uri AS p, r.startDate AS start, count(*) AS n",
                     name="Luis Videgaray")
    assert {r["start"] for r in rows} == {dt.date.fromisoformat(r["start"]) for r in raw}
    assert all(type(r["start"]) is dt.date for r in rows)
    assert all(isinstance(r["n"], int) and isinstance(r["p"], str)
               and r["p"].startswith("https://") for r in rows)
    same = kg.sparql("SELECT ?p ?name ?start WHERE { ?m org:member ?p ; schema:startDate ?start . "
                     "?p skos:prefLabel ?name }", name="Luis Videgaray")
    assert sorted((r["p"], r["start"]) for r in same) == sorted((r["p"], r["start"])
                                                                for r in rows)
    (flow,) = kg.cypher("MATCH (f:FundingFlow) RETURN f.amount AS amount")
    facts = yaml.safe_load((work / "examples" / "03-facts.yaml").read_text(encoding="utf-8"))
    assert flow["amount"] == facts["funding"][0]["amount"]
    assert isinstance(flow["amount"], int | float)


def test_subgraph_has_the_attributes_of_the_export(kg: policykg.KnowledgeGraph,
                                                   work: Path) -> None:
    view = kg.subgraph(actor="Jorge Castañeda", depth=1)
    assert isinstance(view, nx.MultiDiGraph)
    kg.close()
    from click.testing import CliRunner

    out = CLI(CliRunner(), work / ".policykg", work)(
        "export-subgraph", "--actor", "Jorge Castañeda", "--depth", "1", "--format", "json")
    exported = json.loads(out.stdout)
    nodes = {n["id"]: n for n in exported["nodes"]}
    assert set(nodes) == set(view.nodes)
    for node, attrs in view.nodes(data=True):
        assert set(attrs) <= set(nodes[node]) | {"id"}
        assert attrs["label"] == nodes[node]["label"]
    assert view.number_of_edges() == len(exported["links"])


def test_subgraph_time_window_drops_later_facts(kg: policykg.KnowledgeGraph) -> None:
    everything = kg.subgraph(actor="Mexico", depth=1)
    early = kg.subgraph(actor="Mexico", depth=1, until="2000")
    assert early.number_of_edges() < everything.number_of_edges()


def test_subgraph_takes_the_export_filters(kg: policykg.KnowledgeGraph, work: Path) -> None:
    everything = kg.subgraph(actor="Mexico", depth=1)
    narrow = kg.subgraph(actor="Mexico", depth=1, max_degree=2)
    assert 0 < narrow.number_of_nodes() < everything.number_of_nodes()
    # Without the source that states Bustamante's statements, none of them is left.
    facts = yaml.safe_load((work / "examples" / "03-facts.yaml").read_text(encoding="utf-8"))
    assert facts["statements"]
    assert any(d["type"] == "COMMENTED_ON" for *_, d in everything.edges(data=True))
    kept = kg.subgraph(actor="Mexico", depth=1, exclude_sources=["*03-facts.yaml"])
    assert kept.number_of_edges() < everything.number_of_edges()
    assert not any(d["type"] == "COMMENTED_ON" for *_, d in kept.edges(data=True))
    assert all(not s.endswith("03-facts.yaml") for *_, d in kept.edges(data=True)
               for s in d["sources"])


def test_unknown_actor_is_an_error_not_a_made_up_node(kg: policykg.KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="no entity named 'Jorge Castañedaz'"):
        kg.subgraph(actor="Jorge Castañedaz")
    with pytest.raises(QueryError):  # the selection itself, as the issue found it
        run_selection(GraphReader(kg.store), actor="Nobody Known At All")
    with pytest.raises(QueryError):
        run_selection(GraphReader(kg.store), actor="https://w3id.org/policykg/id/person/nobody")
    found = run_selection(GraphReader(kg.store), actor="Jorge Castañeda")
    assert "https://w3id.org/policykg/id/person/jorge-castaneda" in found


def test_ambiguous_actor_lists_candidates(kg: policykg.KnowledgeGraph, work: Path) -> None:
    (work / "two.yaml").write_text(
        "entities:\n  - {id: a-smith, type: Person, name: Ana Smith}\n"
        "  - {id: b-smith, type: Person, name: Bea Smith}\n", encoding="utf-8")
    kg.load("two.yaml")
    with pytest.raises(AmbiguousName):
        kg.subgraph(actor="Smith")


def test_export_writes_a_format(kg: policykg.KnowledgeGraph, work: Path) -> None:
    view = kg.subgraph(actor="Jorge Castañeda")
    path = kg.export(view, "graphml", work / "c.graphml")
    assert nx.read_graphml(path).number_of_nodes() == view.number_of_nodes()


def test_in_memory_and_load_keys(work: Path) -> None:
    with policykg.open(":memory:") as kg:
        (result,) = kg.load(work / "examples" / "01-actors.yaml", source_id="actors")
        assert result.status == "loaded"
        assert kg.query("funding") == []
        with pytest.raises(PolicyKGError):
            kg.load("examples", source_id="one-name-for-many")
