"""Answers about actors and offices checked against the raw sample files, on both backends.

The expected values come from reading the raw files here (json over the Popolo and Wikidata
files, csv over the GDELT TSV), never from our loaders. Every check runs on the embedded store
and on a Neo4j mirror of it.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.gdelt import GDELT1_COLUMNS
from policykg.queries import run_query
from tests.conftest import EXAMPLES, SHARED_SAMPLES
from tests.queries.conftest import mirrored_driver, on_both_backends

POPOLO = sorted((SHARED_SAMPLES / "popolo").glob("*.json"))
WIKIDATA = SHARED_SAMPLES / "wikidata" / "Q7747_vladimir_putin.wbgetentities.json"
GDELT = SHARED_SAMPLES / "gdelt" / "gdelt1_events_20160728_sample.tsv"
COLUMN = {name: i for i, name in enumerate(GDELT1_COLUMNS)}

pytestmark = pytest.mark.timeout(600)


def _gdelt_row(fields: dict[str, str]) -> str:
    row = [""] * len(GDELT1_COLUMNS)
    for name, value in fields.items():
        row[COLUMN[name]] = value
    return "\t".join(row)


def _bridge_file(folder: Path) -> Path:
    """Two named presidents linked only through the unnamed role "PRESIDENT" in Nigeria."""
    common = {"SQLDATE": "20160728", "MonthYear": "201607", "Year": "2016",
              "FractionDate": "2016.5699", "IsRootEvent": "1", "EventCode": "042",
              "EventBaseCode": "042", "EventRootCode": "04", "QuadClass": "1",
              "GoldsteinScale": "1.9", "NumMentions": "2", "NumSources": "1",
              "NumArticles": "2", "AvgTone": "1.5", "DATEADDED": "20160728",
              "SOURCEURL": "https://news.example.org/bridge"}
    president = {"Actor2Code": "GOV", "Actor2Name": "PRESIDENT", "Actor2Type1Code": "GOV",
                 "Actor2Geo_Type": "4", "Actor2Geo_FullName": "Abuja, Federal Capital "
                 "Territory, Nigeria", "Actor2Geo_CountryCode": "NI"}
    rows = [
        {**common, "GLOBALEVENTID": "990000001", "Actor1Code": "USAGOV",
         "Actor1Name": "ZEPHYRINE QUILLFEATHER", "Actor1CountryCode": "USA",
         "Actor1Type1Code": "GOV", **president},
        {**common, "GLOBALEVENTID": "990000002", "Actor1Code": "NGAGOV",
         "Actor1Name": "BARNABY OKONKWO-VANTERPOOL", "Actor1CountryCode": "NGA",
         "Actor1Type1Code": "GOV", **president},
    ]
    path = folder / "bridge.gdelt.tsv"
    path.write_text("\n".join(_gdelt_row(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bridge_file(Path(tmp_path_factory.mktemp("gdelt")))


@pytest.fixture(scope="module")
def samples_store(bridge: Path) -> Iterator[OxigraphStore]:
    """examples/ with the Popolo, Wikidata and GDELT samples and the bridge file."""
    store = OxigraphStore()
    load_paths(store, [EXAMPLES, *POPOLO, WIKIDATA, GDELT, bridge])
    yield store
    store.close()


@pytest.fixture(scope="module")
def samples_graph(neo4j_server: dict[str, Any],
                  samples_store: OxigraphStore) -> Iterator[neo4j.Driver]:
    yield from mirrored_driver(neo4j_server, samples_store)


#: The embedded store, then the Neo4j mirror of it.
on = on_both_backends("samples_store", "samples_graph")


def _count(on: Any, sparql: str, cypher: str) -> int:
    if isinstance(on, OxigraphStore):
        (row,) = on.select(sparql)
        return int(row["n"])
    records, _, _ = on.execute_query(cypher, database_="neo4j")
    return int(records[0]["n"])


# ---------------------------------------------------------------- Popolo: who sat where, when


def _popolo_members_on(day: str) -> dict[str, set[str]]:
    """Organization name → names of the persons who were members on ``day``, from the JSON.

    A membership without dates of its own runs over its legislative period (an event).
    """
    found: dict[str, set[str]] = defaultdict(set)
    for path in POPOLO:
        data = json.loads(path.read_text(encoding="utf-8"))
        persons = {p["id"]: p["name"] for p in data["persons"]}
        orgs = {o["id"]: o["name"] for o in data["organizations"]}
        periods = {e["id"]: e for e in data.get("events", [])}
        for membership in data["memberships"]:
            period = periods.get(membership.get("legislative_period_id"), {})
            start = membership.get("start_date") or period.get("start_date")
            end = membership.get("end_date") or period.get("end_date")
            if not start or start > day[:len(start)]:
                continue
            if end and end < day[:len(end)]:
                continue
            found[orgs[membership["organization_id"]]].add(persons[membership["person_id"]])
    return found


@pytest.mark.parametrize("day", ["2012-06-01", "2014-01-01", "2015-05-15", "2016-01-01"])
def test_popolo_members_per_organization_and_date(on: Any, day: str) -> None:
    expected = _popolo_members_on(day)
    assert expected or day == "2015-05-15"  # between two Burundian terms nobody sits
    rows = run_query(on, "office-at", date=day)
    got: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["organization"] in {"Assemblée nationale", "Senate"}:
            got[row["organization"]].add(row["person"])
    assert got == expected
    for name, members in expected.items():
        by_org = run_query(on, "office-at", date=day, org=name)
        assert {r["person"] for r in by_org} == members


# ---------------------------------------------------------------- Wikidata: P39 with dates


def _wikidata_time(snak: dict[str, Any]) -> str:
    value = snak["datavalue"]["value"]
    text = value["time"].lstrip("+").split("T")[0]
    return {9: text[:4], 10: text[:7]}.get(value["precision"], text)


def _p39_terms() -> list[tuple[str, str, str | None]]:
    """(position QID, start, end) of every dated, non-deprecated P39 statement in the JSON."""
    entity = json.loads(WIKIDATA.read_text(encoding="utf-8"))["entities"]["Q7747"]
    terms = []
    for claim in entity["claims"]["P39"]:
        qualifiers = claim.get("qualifiers", {})
        starts = [s for s in qualifiers.get("P580", []) if "datavalue" in s]
        if claim.get("rank") == "deprecated" or not starts:
            continue
        ends = [s for s in qualifiers.get("P582", []) if "datavalue" in s]
        terms.append((claim["mainsnak"]["datavalue"]["value"]["id"], _wikidata_time(starts[0]),
                      _wikidata_time(ends[0]) if ends else None))
    return terms


def test_wikidata_positions_held_with_start_and_end(on: Any) -> None:
    terms = _p39_terms()
    assert len(terms) >= 15
    positions = {qid for qid, _, _ in terms}
    days = sorted({start for _, start, _ in terms} | {end for _, _, end in terms if end}
                  | {"2005-06-01", "2010-01-01", "2020-01-01"})
    for day in days:
        expected = {(qid, start, end) for qid, start, end in terms
                    if start <= day[:len(start)] and (end is None or end >= day[:len(end)])}
        rows = run_query(on, "office-at", date=day)
        # The sample labels only Putin, so a post is named by its QID.
        got = {(r["role"], r["start"], r["end"]) for r in rows
               if r["person"] == "Vladimir Putin" and r["role"] in positions}
        assert got == expected, day


# ---------------------------------------------------------------- GDELT: what an actor is


def _gdelt_actors() -> Iterator[tuple[int, str, dict[str, str]]]:
    """(line, who, actor columns) of every actor of the TSV, read with csv."""
    with GDELT.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            for who in ("Actor1", "Actor2"):
                yield line, who, {key: row[COLUMN[who + column]] for key, column in (
                    ("code", "Code"), ("name", "Name"), ("country", "CountryCode"),
                    ("type", "Type1Code"), ("geo", "Geo_FullName"))}


def test_no_gdelt_person_is_a_government_agency(on: Any) -> None:
    # The examples, as the TSV codes them: government actors with a person's name.
    coded = {a["name"] for _, _, a in _gdelt_actors() if a["type"] == "GOV" and a["country"]}
    for name in ("OBAMA", "BARACK OBAMA", "HILLARY CLINTON", "VLADIMIR PUTIN", "JOE BIDEN"):
        assert name in coded
        rows = run_query(on, "profile", actor=name.title())
        types = {r["value"] for r in rows if r["field"] == "type"}
        assert "Person" in types and "GovernmentAgency" not in types, name
    both = _count(on, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Person, pkg:Organization }",
                  "MATCH (p:Person:Organization) RETURN count(p) AS n")
    assert both == 0


def test_gdelt_putin_is_wikidatas_putin(on: Any) -> None:
    rows = run_query(on, "profile", actor="Putin")
    fields = {(r["field"], r["value"]) for r in rows}
    assert ("name", "Vladimir Putin") in fields
    assert any(field == "membership" for field, _ in fields)  # Wikidata's positions


def _geo_country(geo: str) -> str | None:
    parts = [p.strip() for p in geo.split(",") if p.strip()]
    while parts and parts[-1] in ("The", "Republic Of"):
        parts.pop()
    return parts[-1] if parts else None


def test_no_role_node_spans_countries(on: Any) -> None:
    # From the TSV: the countries that unnamed agents coded "PRESIDENT" are placed in.
    president_countries = {_geo_country(a["geo"]) for _, _, a in _gdelt_actors()
                           if a["name"] == "PRESIDENT" and not a["country"]} - {None}
    assert len(president_countries) >= 4
    if isinstance(on, OxigraphStore):
        found = on.select("""SELECT ?r ?label ?how ?record WHERE {
            ?r a pkg:RoleActor ; skos:prefLabel ?label .
            { ?f pkg:relSubject ?r BIND("Actor1" AS ?how) }
            UNION { ?f pkg:relObject ?r BIND("Actor2" AS ?how) }
            UNION { ?f pkg:participant ?r BIND("either" AS ?how) }
            ?f pkg:evidence/pkg:record ?record }""")
        rows = [(str(r["r"]), str(r["label"]), str(r["how"]), str(r["record"])) for r in found]
    else:
        records, _, _ = on.execute_query(
            "MATCH (r:RoleActor)<-[l:REL_SUBJECT|REL_OBJECT|PARTICIPANT]-(f)-[:EVIDENCE]->(e) "
            "RETURN r.uri AS r, r.prefLabel AS label, e.record AS record, CASE type(l) "
            "WHEN 'REL_SUBJECT' THEN 'Actor1' WHEN 'REL_OBJECT' THEN 'Actor2' ELSE 'either' "
            "END AS how", database_="neo4j")
        rows = [(str(r["r"]), str(r["label"]), str(r["how"]), str(r["record"]))
                for r in records]
    assert {f"President ({c})" for c in president_countries} <= {r[1] for r in rows}
    # Each fact of a role node comes from a TSV line; the actor column it was made from places
    # it in the node's one country: by its own CAMEO country code, or else by its geo name.
    actors: dict[tuple[int, str], dict[str, str]] = {}
    for line, who, actor in _gdelt_actors():
        actors[(line, who)] = actor
    countries: dict[str, set[str]] = defaultdict(set)
    for node, label, how, record in rows:
        file_name, _, rest = record.partition(":")
        if file_name != GDELT.name:
            continue
        line = int(rest.split("#")[0])
        columns = ["Actor1", "Actor2"] if how == "either" else [how]
        made_from = [actors[(line, who)] for who in columns
                     if actors[(line, who)]["code"] or actors[(line, who)]["name"]]
        if how == "either" and len(made_from) != 1:
            continue  # an event with two actors: either could be the role
        (actor,) = made_from
        if actor["country"]:
            # Scoped by its own code: the node is the role in that country (``...-usa``).
            assert node.endswith("-" + actor["country"].casefold()), (node, record)
            countries[node].add(actor["country"])
        else:
            assert actor["name"].title() == label.rpartition(" (")[0], (label, record)
            placed = f"({_geo_country(actor['geo'])})".casefold()
            assert placed == label[label.rindex("("):].casefold(), (label, record)
            countries[node].add(f"geo:{_geo_country(actor['geo'])}")
    assert len(countries) > 100  # role nodes checked against their lines


def test_generic_roles_stay_out_of_central_unless_asked(on: Any) -> None:
    default = run_query(on, "central", limit=100000)
    assert default and not any("/id/role/" in str(r["uri"]) for r in default)
    included = run_query(on, "central", limit=100000, roles="include")
    assert any(str(r["name"]).startswith("President (") for r in included)


def test_paths_do_not_pass_through_generic_roles_unless_asked(on: Any) -> None:
    assert run_query(on, "path", source="Zephyrine Quillfeather",
                     target="Barnaby Okonkwo-Vanterpool") == []
    rows = run_query(on, "path", source="Zephyrine Quillfeather",
                     target="Barnaby Okonkwo-Vanterpool", roles="include")
    assert [(r["hop"], r["to_name"]) for r in rows] == [
        (1, "President (Nigeria)"), (2, "Barnaby Okonkwo-Vanterpool")]
