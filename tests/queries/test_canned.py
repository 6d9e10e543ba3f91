"""Every canned query on the embedded store and on a Neo4j mirror of the same data.

One parametrized suite: each case runs on both backends and the rows must be identical; the
embedded side is also checked against facts known from examples/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.exceptions import AmbiguousName, QueryError
from policykg.graph.store import OxigraphStore
from policykg.queries import load_queries, query_graph, run_query, to_networkx

Rows = list[dict[str, Any]]


def _names(rows: Rows, column: str) -> set[Any]:
    return {r[column] for r in rows}


def check_profile(rows: Rows) -> None:
    fields = {(r["field"], r["value"]) for r in rows}
    assert ("name", "Enrique Peña Nieto") in fields
    assert ("alias", "Peña Nieto") in fields
    assert ("membership", "Presidency of Mexico") in fields
    assert {("type", "Person"), ("type", "Actor")} <= fields


def check_profile_funding_and_statements(rows: Rows) -> None:
    funds = [r for r in rows if r["field"] == "funds"]
    assert [(r["value"], r["detail"], r["amount"], r["currency"], r["start"]) for r in funds] == [
        ("Mexico", "Mérida Initiative", 75000000, "USD", "2017-01")]
    assert funds[0]["sources"] == ["examples/03-facts.yaml"]


def check_profile_statements(rows: Rows) -> None:
    made = [r for r in rows if r["field"] == "statement"]
    assert len(made) == 3
    assert {r["detail"] for r in made} == {"IndirectSpeech"}
    assert all(r["start"] == "2017-01-27" for r in made)


def check_profile_statements_about(rows: Rows) -> None:
    about = {(r["value"], r["field"]) for r in rows if r["field"] in ("statement about",
                                                                      "funded by")}
    assert ("Jorge Bustamante", "statement about") in about
    assert ("Duncan Wood", "statement about") in about
    assert ("United States Department of State", "funded by") in about


def check_profile_org(rows: Rows) -> None:
    fields = {(r["field"], r["value"]) for r in rows}
    assert ("member", "John Kelly") in fields
    assert ("has part", "U.S. Immigration and Customs Enforcement") in fields
    assert ("jurisdiction", "United States") in fields
    assert ("type", "GovernmentAgency") in fields


def check_relations(rows: Rows) -> None:
    assert ("Mexico", "COOPERATES_WITH", "United States") in {
        (r["from_name"], r["relation"], r["to_name"]) for r in rows}
    assert {r["depth"] for r in rows} == {1}


def check_relations_typed(rows: Rows) -> None:
    assert rows and {r["relation"] for r in rows} == {"COOPERATES_WITH"}


def check_relations_deep(rows: Rows) -> None:
    assert {r["depth"] for r in rows} == {1, 2}
    assert "Jorge Castañeda" in _names(rows, "from_name")


def check_path(rows: Rows) -> None:
    assert rows, "a path from Bustamante to Trump exists"
    assert max(r["hop"] for r in rows) == 2
    assert rows[0]["from_name"] == "Jorge Bustamante"
    assert rows[-1]["to_name"] == "Donald Trump"
    assert all(r["sources"] for r in rows)


def check_no_path(rows: Rows) -> None:
    assert rows == []


def check_funding(rows: Rows) -> None:
    flows = [r for r in rows if r["kind"] == "flow"]
    totals = [r for r in rows if r["kind"] == "total"]
    assert len(flows) == 1
    assert flows[0]["amount"] == 75000000
    assert flows[0]["stage"] == "Appropriated"
    assert flows[0]["sources"] == ["examples/03-facts.yaml"] or flows[0]["sources"]
    assert [(t["currency"], t["stage"], t["amount"], t["flows"]) for t in totals] == [
        ("USD", "Appropriated", 75000000, 1)]


def check_funding_none(rows: Rows) -> None:
    assert rows == []


def check_statements_by(rows: Rows) -> None:
    assert len(rows) == 3
    assert _names(rows, "speaker") == {"Jorge Bustamante"}
    assert all(r["sources"] for r in rows)


def check_statements_about(rows: Rows) -> None:
    assert rows
    assert all("Mexico" in r["about_names"] for r in rows)
    assert "Jorge Castañeda" not in _names(rows, "speaker")


def check_office_at(rows: Rows) -> None:
    held = {(r["person"], r["role"]) for r in rows}
    assert ("John Kelly", "Secretary of Homeland Security") in held
    assert ("Donald Trump", "President of the United States") in held
    assert "Jorge Castañeda" not in _names(rows, "person")


def check_office_2002(rows: Rows) -> None:
    assert ("Jorge Castañeda", "Secretary of Foreign Affairs") in {
        (r["person"], r["role"]) for r in rows}
    assert "John Kelly" not in _names(rows, "person")


def check_office_org(rows: Rows) -> None:
    assert [(r["person"], r["organization"]) for r in rows] == [
        ("John Kelly", "United States Department of Homeland Security")]


def check_cooperation(rows: Rows) -> None:
    triples = {(r["from_name"], r["relation"], r["to_name"]) for r in rows}
    assert ("Mexico", "COOPERATES_WITH", "United States") in triples
    assert ("United States Department of State", "FUNDS", "Mexico") in triples
    funding = [r for r in rows if r["relation"] == "FUNDS"]
    assert funding[0]["program"] == "Mérida Initiative"


def check_central(rows: Rows) -> None:
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["name"] == "Mexico"


def check_central_degree(rows: Rows) -> None:
    scores = [r["score"] for r in rows]
    assert len(rows) == 5 and scores == sorted(scores, reverse=True)
    assert rows[0]["name"] == "Jorge Castañeda"  # five distinct neighbours


def check_central_people(rows: Rows) -> None:
    assert rows and len(rows) <= 5
    assert all(r["uri"].split("/")[-2] == "person" for r in rows)


def check_timeline(rows: Rows) -> None:
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    kinds = {r["kind"] for r in rows}
    assert {"post", "event", "issued", "relation"} <= kinds


CASES: list[tuple[str, dict[str, Any], Callable[[Rows], None]]] = [
    ("profile", {"actor": "Pena Nieto"}, check_profile),
    ("profile", {"actor": "DHS"}, check_profile_org),
    ("profile", {"actor": "State Department"}, check_profile_funding_and_statements),
    ("profile", {"actor": "Bustamante"}, check_profile_statements),
    ("profile", {"actor": "Mexico"}, check_profile_statements_about),
    ("relations", {"actor": "Mexico"}, check_relations),
    ("relations", {"actor": "Mexico", "type": "cooperates_with"}, check_relations_typed),
    ("relations", {"actor": "Mexico", "depth": 2}, check_relations_deep),
    ("path", {"source": "Jorge Bustamante", "target": "Donald Trump"}, check_path),
    ("path", {"source": "Jorge Bustamante", "target": "Belize", "max_hops": 2}, check_no_path),
    ("funding", {}, check_funding),
    ("funding", {"funder": "State Department", "since": "2016-01-01"}, check_funding),
    ("funding", {"program": "Merida Initiative", "until": "2017"}, check_funding),
    ("funding", {"until": "2016-12-31"}, check_funding_none),
    ("statements", {"by": "Bustamante"}, check_statements_by),
    ("statements", {"about": "Mexico", "since": "2017-01-27"}, check_statements_about),
    ("office-at", {"date": "2017-03-01"}, check_office_at),
    ("office-at", {"date": "2002"}, check_office_2002),
    ("office-at", {"date": "2017-03-01", "org": "Homeland Security"}, check_office_org),
    ("cooperation", {"a": "Mexico", "b": "United States"}, check_cooperation),
    ("central", {}, check_central),
    ("central", {"measure": "betweenness", "type": "Person", "limit": 5}, check_central_people),
    ("central", {"measure": "degree", "limit": 5}, check_central_degree),
    ("timeline", {"actor": "Donald Trump"}, check_timeline),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def test_every_canned_query_is_covered() -> None:
    assert {name for name, _, _ in CASES} == set(load_queries())


@pytest.mark.parametrize(("name", "params", "check"), CASES, ids=IDS)
def test_embedded(example_store: OxigraphStore, name: str, params: dict[str, Any],
                  check: Callable[[Rows], None]) -> None:
    rows = run_query(example_store, name, **params)
    check(rows)
    assert rows == run_query(example_store, name, **params)  # deterministic


@pytest.mark.neo4j
@pytest.mark.parametrize(("name", "params", "check"), CASES, ids=IDS)
def test_neo4j_matches_embedded(example_store: OxigraphStore, example_graph: neo4j.Driver,
                                name: str, params: dict[str, Any],
                                check: Callable[[Rows], None]) -> None:
    embedded = run_query(example_store, name, **params)
    mirrored = run_query(example_graph, name, **params)
    assert mirrored == embedded
    check(mirrored)


@pytest.mark.neo4j
@pytest.mark.parametrize("text", ["Jorge", "Jorje Bustamente"])
def test_name_errors_match(example_store: OxigraphStore, example_graph: neo4j.Driver,
                           text: str) -> None:
    errors = []
    for target in (example_store, example_graph):
        with pytest.raises(QueryError) as info:
            run_query(target, "profile", actor=text)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_ambiguous_and_unknown_names(example_store: OxigraphStore) -> None:
    with pytest.raises(AmbiguousName) as info:
        run_query(example_store, "profile", actor="Jorge")
    assert {label for _, label, _ in info.value.candidates} == {"Jorge Bustamante",
                                                               "Jorge Castañeda"}
    with pytest.raises(QueryError, match="did you mean: Jorge Bustamante"):
        run_query(example_store, "profile", actor="Jorje Bustamente")


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "2017-13-01"}, "not a date"),
    ({"date": "yesterday"}, "not a date"),
    ({}, "needs 'date'"),
    ({"date": "2017", "colour": "red"}, "no parameter 'colour'"),
])
def test_parameter_validation(example_store: OxigraphStore, params: dict[str, Any],
                              message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run_query(example_store, "office-at", **params)


def test_unknown_query(example_store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="known: central"):
        run_query(example_store, "nope")


def test_networkx_views(example_store: OxigraphStore) -> None:
    graph = query_graph(example_store, "relations", actor="Mexico")
    assert graph.number_of_edges() == len(run_query(example_store, "relations", actor="Mexico"))
    path = to_networkx(run_query(example_store, "path", source="Bustamante", target="Trump"))
    assert "https://w3id.org/policykg/id/person/donald-trump" in path


def test_cli_canned(kg: Any) -> None:
    kg("load", "examples/")
    out = kg("query", "office-at", "2017-03-01", "--format", "csv").output
    assert "John Kelly,Secretary of Homeland Security" in out
    out = kg("query", "funding", "--funder", "State Department", "--since", "2016-01-01",
             "--format", "json").output
    assert '"amount": 75000000' in out
    out = kg("query", "path", "Jorge Bustamante", "Donald Trump", "--max-hops", "4",
             "--wide").output
    assert "THREATENS" in out
    listing = kg("queries", "--format", "csv").output
    assert all(name in listing for name in load_queries())
    result = kg("query", "profile", "Jorge", ok=False)
    assert result.exit_code == 1
    assert "ambiguous" in result.output and "Jorge Castañeda" in result.output
    result = kg("query", "office-at", "someday", ok=False)
    assert result.exit_code == 1 and "not a date" in result.output


def test_every_command_has_an_example() -> None:
    runner = CliRunner()
    for args in (["queries"], ["sparql"], ["cypher"], ["query"],
                 *[["query", name] for name in load_queries()]):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output, args


@pytest.mark.neo4j
def test_cli_neo4j_backend(kg: Any, neo4j_db: Any) -> None:
    kg("load", "examples/")
    from policykg.graph.mirror import mirror
    from policykg.graph.store import OxigraphStore as Ox

    store = Ox(kg.store)
    try:
        mirror(store, neo4j_db.driver, neo4j_db.database, full=True)
    finally:
        store.close()
    embedded = kg("query", "statements", "--by", "Bustamante", "--format", "json").output
    mirrored = kg("query", "statements", "--by", "Bustamante", "--format", "json",
                  "--backend", "neo4j").output
    assert embedded == mirrored
