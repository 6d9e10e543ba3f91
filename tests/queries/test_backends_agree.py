"""Every canned query gives identical rows on the embedded store, both SPARQL servers and Neo4j.

One store holds examples/ and every shared sample (Popolo, Wikidata, GDELT, IATI, FtM) plus the
seed article, loaded by policykg into the embedded store. The Oxigraph server and Fuseki get
that store's source graphs through their own atomic load (``replace_graphs``), and Neo4j its
mirror, all three at once, once per module. Each query then asks its YAML example and a few
more parameter sets of every backend (one test per query and backend) and the rows must equal
the embedded store's. One answer per query is also checked against the raw files, read here
with json, csv and yaml, on every backend.
"""

from __future__ import annotations

import csv
import json
import shlex
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import neo4j
import pytest
import yaml

from policykg.graph.store import OxigraphStore, Store
from policykg.graph.store_remote import SparqlStore
from policykg.load import load_paths
from policykg.queries import get_query, load_queries, run_query
from tests.conftest import EXAMPLES, SHARED_SAMPLES
from tests.queries.conftest import mirrored_driver
from tests.sparql_fixtures import KINDS, empty

POPOLO = sorted((SHARED_SAMPLES / "popolo").glob("*.json"))
FTM_PAYMENTS = SHARED_SAMPLES / "ftm" / "de_parteispenden_payments.entities.ftm.json"
SEED = SHARED_SAMPLES.parent / "seed" / "mexico-us-immigration-partner.txt"
SOURCES = [EXAMPLES, *POPOLO, *sorted((SHARED_SAMPLES / "wikidata").glob("*.json")),
           SHARED_SAMPLES / "gdelt" / "gdelt1_events_20160728_sample.tsv",
           *sorted((SHARED_SAMPLES / "iati").glob("*.iati.xml*")),
           *sorted((SHARED_SAMPLES / "ftm").glob("*.ftm.json")), SEED]
QUERY_DIR = Path(__file__).resolve().parents[2] / "policykg" / "queries"
BACKENDS = [*KINDS, pytest.param("neo4j", marks=pytest.mark.neo4j)]

Rows = list[dict[str, Any]]

#: Each query's parameter sets: its YAML example first (checked below), then more. Chosen to
#: reach every branch of the query text (each optional filter, empty answers, the big actors
#: of IATI and Popolo) while staying quick on the servers.
QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "profile": [{"actor": "Pena Nieto"}, {"actor": "DHS"}, {"actor": "Bustamante"},
                {"actor": "Mexico"}, {"actor": "Vladimir Putin"}, {"actor": "CDU"},
                {"actor": "Barack Obama"}, {"actor": "Senate"}, {"actor": "ZANU PF"}],
    "relations": [{"actor": "Mexico", "type": "cooperates_with", "depth": 2},
                  {"actor": "Mexico"}, {"actor": "Vladimir Putin"},
                  {"actor": "Jorge Castañeda", "depth": 2}, {"actor": "CDU", "type": "funds"},
                  {"actor": "Barack Obama", "depth": 2}],
    "path": [{"source": "Jorge Bustamante", "target": "Donald Trump", "max_hops": 4},
             {"source": "Jorge Bustamante", "target": "Belize", "max_hops": 2},
             {"source": "Donald Trump", "target": "Mexico", "max_paths": 3},
             {"source": "Address Matiirira", "target": "Alice Chimbudzi", "roles": "include"}],
    "funding": [{"country": "Mexico", "stage": "committed", "since": "2016-01-01"},
                {"stage": "appropriated"}, {"program": "Merida Initiative", "until": "2017"},
                {"stage": "announced"}, {"until": "2009-12-31"},
                {"recipient": "Mexico", "until": "2017-06"}, {"funder": "DHS", "since": "2016"},
                {"recipient": "CDU"}],
    "statements": [{"by": "Bustamante"}, {"about": "Mexico", "since": "2017-01-27"}, {},
                   {"until": "2017"}, {"since": "2017-01-28"}],
    "office-at": [{"date": "2017-03-01", "org": "DHS"}, {"date": "2017-03-01"},
                  {"date": "2002"}, {"date": "2012-06-01"}, {"date": "2014-01"},
                  {"date": "2005-06-01", "org": "Senate"}],
    "cooperation": [{"a": "Mexico", "b": "United States"}, {"a": "Russia", "b": "United States"},
                    {"a": "Burundi", "b": "Zimbabwe"}],
    "central": [{"measure": "betweenness", "type": "Person", "limit": 10}, {},
                {"measure": "degree", "limit": 100000}, {"roles": "include", "limit": 50},
                {"type": "GovernmentAgency", "measure": "pagerank"}],
    "timeline": [{"actor": "Donald Trump"}, {"actor": "Vladimir Putin"}, {"actor": "Mexico"},
                 {"actor": "DHS"}],
}


# ---------------------------------------------------------------- the stores, once


@pytest.fixture(scope="module")
def embedded() -> Iterator[OxigraphStore]:
    store = OxigraphStore()
    load_paths(store, SOURCES)
    yield store
    store.close()


def _copy_to_server(store: Store, url: str) -> SparqlStore:
    empty(url)
    remote = SparqlStore(url, timeout=120)  # big questions take long on a busy machine
    remote.replace_graphs((graph, store.graph_triples(graph)) for graph in store.graphs())
    return remote


@pytest.fixture(scope="module")
def servers(embedded: OxigraphStore, sparql_servers: dict[str, str]) -> dict[str, SparqlStore]:
    """Server kind -> a store there with the embedded store's graphs (loaded side by side)."""
    with ThreadPoolExecutor(len(KINDS)) as pool:  # the servers work in their own processes
        copies = {kind: pool.submit(_copy_to_server, embedded, sparql_servers[kind])
                  for kind in KINDS}
        return {kind: copy.result() for kind, copy in copies.items()}


@pytest.fixture(scope="module")
def graph(neo4j_server: dict[str, Any],
          embedded: OxigraphStore) -> Iterator[neo4j.Driver]:
    """A driver on the Neo4j mirror of the embedded store."""
    yield from mirrored_driver(neo4j_server, embedded)


def backend(request: pytest.FixtureRequest, kind: str) -> Any:
    """The embedded store, a server's store or the Neo4j mirror."""
    if kind == "neo4j":
        return request.getfixturevalue("graph")
    if kind == "embedded":
        return request.getfixturevalue("embedded")
    return request.getfixturevalue("servers")[kind]


_ROWS: dict[tuple[int, str, str], Rows] = {}


def rows_of(on: Any, name: str, params: dict[str, Any]) -> Rows:
    """The rows of one question on one backend, asked once per module."""
    key = (id(on), name, json.dumps(params, sort_keys=True))
    if key not in _ROWS:
        _ROWS[key] = run_query(on, name, **params)
    return _ROWS[key]


# ---------------------------------------------------------------- every query, every backend


def test_every_canned_query_and_its_example_is_asked() -> None:
    assert set(QUESTIONS) == set(load_queries())
    for path in sorted(QUERY_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert QUESTIONS[data["name"]][0] == example_params(data["name"], data["example"])


def example_params(name: str, example: str) -> dict[str, Any]:
    """The parameters of a ``policykg query NAME ...`` command line (``--format`` dropped)."""
    words = shlex.split(example)
    assert words[:3] == ["policykg", "query", name]
    query = get_query(name)
    positional = [p for p in query.params if p.positional]
    params: dict[str, Any] = {}
    rest = iter(words[3:])
    for word in rest:
        if word.startswith("--"):
            key, value = word[2:].replace("-", "_"), next(rest)
            if key != "format":
                kind = query.param(key).type
                params[key] = int(value) if kind == "int" else value
        else:
            params[positional.pop(0).name] = word
    return params


@pytest.mark.timeout(600)
@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_rows_agree(request: pytest.FixtureRequest, embedded: OxigraphStore, name: str,
                    kind: str) -> None:
    other = backend(request, kind)
    for params in QUESTIONS[name]:
        expected = rows_of(embedded, name, params)
        got = rows_of(other, name, params)
        assert got == expected, (name, params, _first_difference(expected, got))


def _first_difference(expected: Rows, got: Rows) -> Any:
    for index, (a, b) in enumerate(zip(expected, got, strict=False)):
        if a != b:
            return index, {k: (a.get(k), b.get(k)) for k in a if a.get(k) != b.get(k)}
    return f"{len(expected)} rows expected, {len(got)} given"


# ---------------------------------------------------------------- answers from the raw files


def _yaml(name: str) -> Any:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def _actors() -> dict[str, dict[str, Any]]:
    records = _yaml("01-actors.yaml")
    return {e["id"]: e for section in ("entities", "policies") for e in records[section]}


def _popolo(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_profile(rows_for: Callable[..., Rows]) -> None:
    record = _actors()["enrique-pena-nieto"]
    rows = rows_for("profile", actor="Pena Nieto")
    assert [r["value"] for r in rows if r["field"] == "name"] == [record["name"]]
    assert {r["value"] for r in rows if r["field"] == "alias"} == set(record["aliases"])
    assert {r["value"] for r in rows if r["field"] == "description"} == {record["description"]}


def check_relations(rows_for: Callable[..., Rows]) -> None:
    actors = _actors()
    raw = {(actors[r["subject"]]["name"], actors[r["object"]]["name"])
           for r in _yaml("03-facts.yaml")["relations"] if r["type"] == "cooperates_with"}
    rows = rows_for("relations", actor="Mexico", type="cooperates_with", depth=2)
    curated = {(r["from_name"], r["to_name"]) for r in rows if r["depth"] == 1
               and [Path(s).name for s in r["sources"]] == ["03-facts.yaml"]}
    assert curated == raw


def check_path(rows_for: Callable[..., Rows]) -> None:
    # Two Zimbabwean senators: two hops, through the organizations both are members of (a
    # membership's party, ``on_behalf_of``, is a detail of it, not a direct relationship).
    (data,) = [_popolo(p) for p in POPOLO if p.name.startswith("zimbabwe")]
    names = {p["id"]: p["name"] for p in data["persons"]}
    orgs = {o["id"]: o["name"] for o in data["organizations"]}
    belongs: dict[str, set[str]] = {}
    for m in data["memberships"]:
        belongs.setdefault(names[m["person_id"]], set()).add(orgs[m["organization_id"]])
    shared = belongs["Address Matiirira"] & belongs["Alice Chimbudzi"]
    rows = rows_for("path", source="Address Matiirira", target="Alice Chimbudzi",
                    roles="include")
    assert {r["hop"] for r in rows} == {1, 2}
    assert {r["to_name"] for r in rows if r["hop"] == 1} == shared


def check_funding(rows_for: Callable[..., Rows]) -> None:
    # The FtM donations to the party named CDU: how many, and their sum in euros.
    entities = [json.loads(line) for line in
                FTM_PAYMENTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    named = {e["id"] for e in entities if e["properties"].get("name") == ["CDU"]}
    amounts = [Decimal(a) for e in entities if e["schema"] == "Payment"
               and set(e["properties"]["beneficiary"]) & named
               for a in e["properties"]["amountEur"]]
    rows = rows_for("funding", recipient="CDU")
    assert [(r["currency"], Decimal(str(r["amount"])), r["flows"]) for r in rows
            if r["kind"] == "total"] == [("EUR", sum(amounts), len(amounts))]
    assert {r["recipient_name"] for r in rows if r["kind"] == "flow"} == {"CDU"}


def check_statements(rows_for: Callable[..., Rows]) -> None:
    raw = [s for s in _yaml("03-facts.yaml")["statements"] if s["speaker"] == "jorge-bustamante"]
    rows = rows_for("statements", by="Bustamante")
    curated = [r for r in rows if [Path(s).name for s in r["sources"]] == ["03-facts.yaml"]]
    assert sorted(r["quote"] for r in curated) == sorted(s["text"] for s in raw)
    assert {r["date"] for r in curated} == {str(s["date"]) for s in raw}


def check_office_at(rows_for: Callable[..., Rows]) -> None:
    with (EXAMPLES / "02-offices.memberships.csv").open(encoding="utf-8", newline="") as fh:
        raw = [r for r in csv.DictReader(fh) if r["organization"] == "dhs"]
    day = "2017-03-01"
    held = {(_actors()[r["member"]]["name"], r["role"]) for r in raw
            if r["start"] <= day and (not r["end"] or r["end"] >= day)}
    rows = rows_for("office-at", date=day, org="DHS")
    assert held and {(r["person"], r["role"]) for r in rows} == held


def check_cooperation(rows_for: Callable[..., Rows]) -> None:
    actors = _actors()
    flows = [f for f in _yaml("03-facts.yaml")["funding"] if f["recipient"] == "mexico"]
    rows = rows_for("cooperation", a="Mexico", b="United States")
    funds = {(r["from_name"], r["program"], r["amount"]) for r in rows if r["relation"] == "FUNDS"
             and r["to_name"] == "Mexico"}
    assert {(actors[f["funder"]]["name"], actors[f["program"]]["name"], f["amount"])
            for f in flows} <= funds


def check_central(rows_for: Callable[..., Rows]) -> None:
    # A legislature's degree counts its memberships: one direct relationship each.
    rows = {r["name"]: r for r in rows_for("central", measure="degree", limit=100000)}
    for path in POPOLO:
        data = _popolo(path)
        for org in data["organizations"]:
            if org.get("classification") == "legislature":
                members = sum(1 for m in data["memberships"] if m["organization_id"] == org["id"])
                assert rows[org["name"]]["degree"] == members, org["name"]


def check_timeline(rows_for: Callable[..., Rows]) -> None:
    with (EXAMPLES / "02-offices.memberships.csv").open(encoding="utf-8", newline="") as fh:
        raw = {(r["start"], r["end"], r["role"]) for r in csv.DictReader(fh)
               if r["member"] == "donald-trump"}
    rows = rows_for("timeline", actor="Donald Trump")
    assert raw and {(r["date"], r["end"], r["detail"]) for r in rows if r["kind"] == "post"} \
        >= raw


RAW_CHECKS: dict[str, Callable[[Callable[..., Rows]], None]] = {
    "profile": check_profile, "relations": check_relations, "path": check_path,
    "funding": check_funding, "statements": check_statements, "office-at": check_office_at,
    "cooperation": check_cooperation, "central": check_central, "timeline": check_timeline,
}


def test_every_query_has_a_raw_check() -> None:
    assert set(RAW_CHECKS) == set(load_queries())


@pytest.mark.timeout(600)
@pytest.mark.parametrize("kind", ["embedded", *BACKENDS])
def test_answers_match_the_raw_files(request: pytest.FixtureRequest, kind: str) -> None:
    on = backend(request, kind)
    for check in RAW_CHECKS.values():
        check(lambda query, **params: rows_of(on, query, params))
