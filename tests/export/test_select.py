"""The view graph: facts collapsed from the ontology's annotations, selections and filters."""

from __future__ import annotations

import networkx as nx
import pytest

from policykg.exceptions import QueryError
from policykg.export.select import (
    Filters,
    GraphReader,
    SelectionTooLarge,
    date_interval,
    run_selection,
)
from policykg.lookup import find_entity

ID = "https://w3id.org/policykg/id/"


def edges_of(view: nx.MultiDiGraph, type_: str) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in view.edges(data=True) if d["type"] == type_]


def test_date_intervals() -> None:
    assert date_interval({"date": "2017-01"}, point=True) == ("2017-01-01", "2017-01-31")
    assert date_interval({"date": "2016-02"}, point=True) == ("2016-02-01", "2016-02-29")
    assert date_interval({"date": "2008"}, point=False) == ("2008-01-01", None)
    assert date_interval({"startDate": "2017-01-20", "endDate": "2017-07-31", "date": "1999"},
                         point=True) == ("2017-01-20", "2017-07-31")
    assert date_interval({}, point=True) == (None, None)


def test_whole_store_collapses_every_fact_kind(whole: nx.MultiDiGraph) -> None:
    trump, white_house = ID + "person/donald-trump", ID + "org/white-house"
    member = [d for u, v, d in edges_of(whole, "MEMBER_OF") if (u, v) == (trump, white_house)]
    assert member and member[0]["role"] == "President of the United States"
    assert (member[0]["start"], member[0]["end"]) == ("2017-01-20", "2021-01-20")
    funds = [d for u, v, d in edges_of(whole, "FUNDS") if d.get("factType") == "FundingFlow"]
    assert funds[0]["amount"] == 75000000.0 and funds[0]["currency"] == "USD"
    assert funds[0]["stage"] == "Appropriated"
    assert funds[0]["evidence"][0]["confidence"] == 0.9
    assert funds[0]["evidence"][0]["source"].endswith("03-facts.yaml")
    # A statement about two things is two COMMENTED_ON edges sharing the fact IRI.
    castaneda = [d for u, v, d in edges_of(whole, "COMMENTED_ON")
                 if u == ID + "person/jorge-castaneda"]
    assert len(castaneda) == 3 and len({d["fact"] for d in castaneda}) == 1
    assert "DEA or ICE" in castaneda[0]["text"]
    assert edges_of(whole, "CANCELLED_MEETING_WITH")
    assert edges_of(whole, "JURISDICTION")  # plain links between entities too
    # Facts, evidence, sources and vocabulary terms are never nodes.
    types = {d["type"] for _, d in whole.nodes(data=True)}
    assert not types & {"Membership", "Statement", "Evidence", "Source", "FundingStage"}
    node = whole.nodes[trump]
    assert node["label"] == "Donald Trump" and node["types"] == ["Person", "Actor"]
    assert node["wikidataId"] == "Q22686" and "Trump" in node["altLabel"]


def test_actor_depth(reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    trump = find_entity(store, "Donald Trump")
    zero = run_selection(reader, actor=trump, depth=0)
    assert list(zero.nodes) == [trump]
    one = run_selection(reader, actor=trump, depth=1)
    two = run_selection(reader, actor=trump, depth=2)
    assert set(one) < set(two)
    assert ID + "place/mexico" in one and ID + "org/white-house" in one
    assert all(nx.has_path(one.to_undirected(), trump, n) for n in one)
    # Induced: every edge among the selected nodes is there.
    for u, v in two.edges():
        assert u in two and v in two
    assert two.number_of_edges() >= one.number_of_edges()


def test_rel_type_and_node_type_filters(reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    mexico = find_entity(store, "Mexico")
    funds = run_selection(reader, actor=mexico, depth=2, filters=Filters(rel_types=frozenset({"FUNDS"})))
    assert {d["type"] for *_, d in funds.edges(data=True)} == {"FUNDS"}
    assert ID + "org/us-state-department" in funds
    people = run_selection(reader, filters=Filters(node_types=frozenset({"Person"})))
    assert {d["type"] for _, d in people.nodes(data=True)} == {"Person"}
    orgs = run_selection(reader, filters=Filters(node_types=frozenset({"Organization"})))
    assert "GovernmentAgency" in {d["type"] for _, d in orgs.nodes(data=True)}


def test_time_window_keeps_overlapping_facts(reader: GraphReader) -> None:
    view = run_selection(reader, filters=Filters(since="2017-02-01", until="2017-12-31"))
    assert view.number_of_edges() > 0
    for *_, d in view.edges(data=True):
        assert d.get("start") or d.get("end")
        assert (d.get("end") or "9999") >= "2017-02-01" and (d.get("start") or "0") <= "2017-12-31"
    kinds = {d["type"] for *_, d in view.edges(data=True)}
    assert "MEMBER_OF" in kinds and "THREATENS" not in kinds  # January 2017 only
    assert "JURISDICTION" not in kinds  # undated
    undated = run_selection(reader, filters=Filters(since="2017-02-01", keep_undated=True))
    assert "JURISDICTION" in {d["type"] for *_, d in undated.edges(data=True)}


def test_source_selection_keeps_only_its_statements(reader: GraphReader) -> None:
    view = run_selection(reader, source="03-facts.yaml")
    assert view.number_of_edges() > 0
    assert all(any(s.endswith("03-facts.yaml") for s in d["sources"])
               for *_, d in view.edges(data=True))
    assert ID + "place/mexico" in view
    with pytest.raises(QueryError, match="no source"):
        run_selection(reader, source="nope.yaml")


def test_sparql_selection_is_induced(reader: GraphReader) -> None:
    view = run_selection(reader, sparql="SELECT ?p WHERE { ?p a pkg:Person }")
    assert {d["type"] for _, d in view.nodes(data=True)} == {"Person"}
    assert edges_of(view, "CANCELLED_MEETING_WITH")


def test_iris_of_facts_stand_for_their_ends(reader: GraphReader, whole: nx.MultiDiGraph) -> None:
    fact = next(d["fact"] for *_, d in edges_of(whole, "HEADS"))
    view = run_selection(reader, iris=[fact, "https://example.org/not-there"])
    assert set(view) == {ID + "person/john-kelly", ID + "org/dhs"}


def test_size_cap(reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    mexico = find_entity(store, "Mexico")
    with pytest.raises(SelectionTooLarge, match="more than --max-nodes 5.*--truncate"):
        run_selection(reader, actor=mexico, depth=3, filters=Filters(max_nodes=5))
    view = run_selection(reader, actor=mexico, depth=3, filters=Filters(max_nodes=5, truncate=True))
    assert view.number_of_nodes() == 5 and mexico in view and view.graph["truncated"]
    with pytest.raises(SelectionTooLarge):
        run_selection(reader, filters=Filters(max_nodes=3))


def test_excluded_sources_and_max_degree(reader: GraphReader, store) -> None:  # type: ignore[no-untyped-def]
    # A fact stays while one source that states it is not excluded; unsourced links stay.
    filters = Filters(exclude_sources=("open/*", "*.tsv"))
    assert filters.source_ok(["open/a.xml", "curated.yaml"])
    assert not filters.source_ok(["open/a.xml", "b.tsv"])
    assert filters.source_ok([])
    assert not filters.edge_ok({"type": "FUNDS", "sources": ["open/x"]})
    assert filters.active and not Filters().active
    # The walk keeps the neighbours linked by the most facts and counts those it left out.
    mexico = find_entity(store, "Mexico")
    whole = run_selection(reader, actor=mexico, depth=1)
    capped = run_selection(reader, actor=mexico, depth=1, filters=Filters(max_degree=2))
    assert capped.number_of_nodes() == 3
    assert capped.nodes[mexico]["omittedNeighbours"] == whole.number_of_nodes() - 3
    again = run_selection(reader, actor=mexico, depth=1, filters=Filters(max_degree=2))
    assert list(again) == list(capped)  # the same choice each time
