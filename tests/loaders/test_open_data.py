"""Open-data loaders (FtM, Popolo, IATI, GDELT, Wikidata) on small fixtures written for policykg."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from policykg.cli import cli
from policykg.exceptions import LoaderError
from policykg.graph.store import OxigraphStore
from policykg.identity import entity_iri
from policykg.load import LoadResult, load_paths
from policykg.loaders.base import LoadContext
from policykg.loaders.opendata import Evidence, country
from policykg.loaders.registry import detect_loader

DATA = Path(__file__).resolve().parents[1] / "data" / "opendata"
PKG = "https://w3id.org/policykg/ns#"


def load(*paths: Path, strict: bool = False) -> tuple[OxigraphStore, list[LoadResult]]:
    store = OxigraphStore()
    results = load_paths(store, list(paths), strict=strict)
    return store, results


def values(store: OxigraphStore, subject: URIRef, predicate: str) -> set[str]:
    rows = store.select(f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}", {"s": subject})
    return {str(r["o"]) for r in rows}


def gz_copy(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / (path.name + ".gz")
    with path.open("rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(("name", "loader"), [
    ("sample.ftm.json", "ftm"), ("sample.popolo.json", "popolo"), ("sample.iati.xml", "iati"),
    ("sample.gdelt.tsv", "gdelt"), ("sample.wikidata.json", "wikidata"),
    ("sample.wikidata.jsonl", "wikidata"),
])
def test_formats_are_detected_plain_and_gzip(name: str, loader: str, tmp_path: Path) -> None:
    assert detect_loader(DATA / name).name == loader
    assert detect_loader(gz_copy(DATA / name, tmp_path)).name == loader


# ---------------------------------------------------------------- FtM


FUNDING_QUERY = """
SELECT ?f ?funder ?recipient ?amount ?currency ?stage ?verification ?date ?program WHERE {
  ?f a pkg:FundingFlow ; pkg:funder ?funder ; pkg:recipient ?recipient ; pkg:amount ?amount ;
     pkg:currency ?currency ; pkg:stage ?stage ; pkg:verification ?verification ; pkg:ftmId ?id .
  OPTIONAL { ?f pkg:date ?date } OPTIONAL { ?f pkg:program/skos:prefLabel ?program }
  FILTER(?id = "pay-2019-001")
}
"""


def test_ftm_payment_becomes_a_reported_disbursed_funding_flow() -> None:
    store, results = load(DATA / "sample.ftm.json")
    assert results[0].loader == "ftm" and not results[0].warnings
    (row,) = store.select(FUNDING_QUERY)
    assert row["funder"] == entity_iri("GovernmentAgency", key="ftm-pb-inm")
    assert row["recipient"] == entity_iri("Company", key="ftm-comp-seguridad")
    assert row["amount"] == Literal("1250000.5", datatype=XSD.decimal)
    assert str(row["currency"]) == "MXN"
    assert str(row["stage"]) == PKG + "Disbursed"
    assert str(row["verification"]) == PKG + "Reported"  # a disclosure, not a researcher's check
    assert row["date"] == Literal("2019-03-15", datatype=XSD.date)
    assert str(row["program"]) == "Programa Frontera Sur"


def test_ftm_amount_eur_person_payer_and_stub_for_undefined_entity() -> None:
    store, _ = load(DATA / "sample.ftm.json")
    rows = store.select("""
        SELECT ?f ?funder ?recipient ?amount ?currency ?date ?label ?type WHERE {
          ?f pkg:ftmId "pay-2019-002" ; pkg:funder ?funder ; pkg:recipient ?recipient ;
             pkg:amount ?amount ; pkg:currency ?currency ; pkg:date ?date .
          ?recipient skos:prefLabel ?label ; a ?type }""")
    (row,) = rows
    assert row["funder"] == entity_iri("Person", key="ftm-pers-ana")  # a person, found by pass 1
    assert str(row["amount"]) == "5000" and str(row["currency"]) == "EUR"
    assert row["date"] == Literal("2019-06", datatype=XSD.gYearMonth)
    assert str(row["label"]) == "ext-unknown-org" and str(row["type"]) == PKG + "Organization"


def test_ftm_entities_keep_ids_names_datasets_and_addresses() -> None:
    store, _ = load(DATA / "sample.ftm.json")
    ana = entity_iri("Person", key="ftm-pers-ana")
    assert values(store, ana, "skos:prefLabel") == {"Ana Lucía Robles"}
    assert values(store, ana, "skos:altLabel") == {"Ана Лусия Роблес", "A. L. Robles"}
    assert values(store, ana, "pkg:ftmId") == {"pers-ana", "mx-sfp-00451"}
    assert values(store, ana, "pkg:dataset") == {"mx_officials"}
    assert values(store, ana, "pkg:jurisdiction") == {str(entity_iri("Country", name="Mexico"))}
    # The Address comes after the person in the file: resolved all the same, not an actor.
    assert values(store, ana, "schema:address") == {"Av. Insurgentes Sur 1000, Ciudad de México"}
    assert not store.ask('ASK { ?a pkg:ftmId "addr-1" }')
    inm = entity_iri("GovernmentAgency", key="ftm-pb-inm")
    assert values(store, inm, "rdf:type") == {PKG + "GovernmentAgency"}
    ev = store.select("""SELECT ?e ?record ?extractor ?confidence WHERE {
        ?e pkg:evidence [ pkg:record ?record ; pkg:extractor ?extractor ;
                          pkg:confidence ?confidence ] }""", {"e": ana})
    assert [(str(r["record"]), str(r["extractor"]), str(r["confidence"])) for r in ev] == [
        ("pers-ana", "policykg.ftm", "1")]


def test_ftm_links_membership_relationship_sanction_and_post() -> None:
    store, _ = load(DATA / "sample.ftm.json")
    ana = entity_iri("Person", key="ftm-pers-ana")
    rows = store.select("""
        SELECT ?m ?org ?role ?start ?end WHERE {
          ?m a pkg:Membership ; org:member ?ana ; org:organization ?org .
          OPTIONAL { ?m pkg:role ?role } OPTIONAL { ?m schema:startDate ?start }
          OPTIONAL { ?m schema:endDate ?end } }""".replace("?ana", f"<{ana}>"))
    facts = {(str(r["org"]).rsplit("/", 1)[-1], str(r.get("role", "")), str(r.get("start", "")),
              str(r.get("end", ""))) for r in rows}
    assert facts == {
        ("ftm-pb-inm", "advisor", "2018-12-01", "2020-01-31"),
        ("ftm-comp-seguridad", "director", "2021", ""),
        # Occupancy: the post's organization, the post's name as role.
        ("ftm-pb-inm", "Commissioner of the National Migration Institute", "2020-02-01", ""),
    }
    (rel,) = store.select("""SELECT ?r ?type ?desc ?obj WHERE { ?r a pkg:Relationship ;
        pkg:relSubject ?s ; pkg:relObject ?obj ; pkg:relationType ?type ;
        schema:description ?desc }""".replace("?s ", f"<{ana}> "))
    assert str(rel["type"]) == PKG + "relatedTo"
    assert str(rel["desc"]) == "FtM Ownership: owns, 40%"
    (sanction,) = store.select("""SELECT ?e ?label ?date WHERE { ?e a pkg:Event ;
        pkg:classification "FtM:Sanction" ; skos:prefLabel ?label ; pkg:date ?date ;
        pkg:participant ?p }""".replace("?p ", f"<{entity_iri('Company', key='ftm-comp-seguridad')}> "))
    assert str(sanction["date"]) == "2022-02-10"
    assert "Secretaría de la Función Pública" in str(sanction["label"])
    post = entity_iri("Post", key="ftm-pos-commissioner")
    assert values(store, post, "rdf:type") == {PKG + "Post"}


def test_ftm_bad_records_are_skipped_with_warnings(tmp_path: Path) -> None:
    store, (result,) = load(DATA / "bad.ftm.json")
    assert result.skipped == {"malformed JSON": 1, "unknown FtM schema": 1}
    locations = [w.location for w in result.warnings]
    assert any(loc.endswith("bad.ftm.json:2") for loc in locations)
    assert any("bad.ftm.json:3" in loc and "x-1" in loc for loc in locations)
    assert "Spaceship" in " ".join(w.message for w in result.warnings)
    # The good lines on both sides of the bad ones are loaded.
    assert store.ask('ASK { ?p pkg:ftmId "pers-ana" }')
    assert store.ask('ASK { ?p pkg:ftmId "pb-inm" }')


def test_ftm_strict_fails_naming_file_and_line_and_loads_nothing() -> None:
    store = OxigraphStore()
    with pytest.raises(LoaderError) as info:
        load_paths(store, [DATA / "bad.ftm.json"], strict=True)
    assert info.value.line == 2 and "bad.ftm.json" in str(info.value)
    assert len(store) == 0


def test_ftm_gzip_loads_the_same_facts(tmp_path: Path) -> None:
    plain, _ = load(DATA / "sample.ftm.json")
    zipped, _ = load(gz_copy(DATA / "sample.ftm.json", tmp_path))
    query = "SELECT ?f ?amount WHERE { ?f a pkg:FundingFlow ; pkg:amount ?amount }"
    assert {tuple(r.values()) for r in plain.select(query)} == {
        tuple(r.values()) for r in zipped.select(query)}


def test_fast_evidence_matches_context_evidence() -> None:
    context = LoadContext(source=URIRef("https://w3id.org/policykg/source/x"))
    fact = URIRef("https://w3id.org/policykg/id/relation/abc")
    fast = Evidence(context, "policykg.gdelt", "0.1", 0.5)
    expected = context.evidence(fact, extractor="policykg.gdelt", version="0.1",
                                record="f.tsv:3#9", confidence=0.5)
    assert set(fast(fact, "f.tsv:3#9")) == set(expected)


# ---------------------------------------------------------------- Popolo


def test_popolo_membership_role_party_area_and_period_dates() -> None:
    store, (result,) = load(DATA / "sample.popolo.json")
    assert result.loader == "popolo"
    maria = entity_iri("Person", wikidata="Q98765001")
    (row,) = store.select("""
        SELECT ?m ?org ?role ?party ?start ?end ?post ?area WHERE {
          ?m a pkg:Membership ; org:member ?maria ; org:organization ?org ; pkg:role ?role ;
             pkg:onBehalfOf ?party ; schema:startDate ?start ; schema:endDate ?end ;
             pkg:post ?post ; pkg:jurisdiction ?area }""".replace("?maria", f"<{maria}>"))
    assert str(row["role"]) == "senator"
    assert row["party"] == entity_iri("PoliticalParty", wikidata="Q98765002")
    assert row["org"] == entity_iri("Legislature", key="popolo-senate")
    # No dates on the membership: those of its legislative period.
    assert row["start"] == Literal("2018-09-01", datatype=XSD.date)
    assert str(row["end"]) == "2021-08-31"
    assert values(store, row["area"], "skos:prefLabel") == {"Chiapas"}
    assert values(store, row["post"], "skos:prefLabel") == {"Senator for Chiapas"}


def test_popolo_entities_classes_and_identifiers() -> None:
    store, _ = load(DATA / "sample.popolo.json")
    party = entity_iri("PoliticalParty", wikidata="Q98765002")
    assert values(store, party, "rdf:type") == {PKG + "PoliticalParty"}
    assert values(store, party, "pkg:wikidataId") == {"Q98765002"}
    committee = entity_iri("Legislature", key="popolo-com-frontera")
    assert values(store, committee, "org:subOrganizationOf") == {
        str(entity_iri("Legislature", key="popolo-senate"))}
    maria = entity_iri("Person", wikidata="Q98765001")
    assert values(store, maria, "skos:altLabel") == {"Mafer Ochoa"}
    assert values(store, maria, "pkg:popoloId") == {"p-1"}
    (period,) = store.select("SELECT ?e ?date WHERE { ?e a pkg:Event ; pkg:date ?date }")
    assert str(period["date"]) == "2018-09-01"
    chair = store.select("""SELECT ?m ?start ?end WHERE { ?m pkg:role "chair" ;
        schema:startDate ?start ; schema:endDate ?end }""")
    assert [(str(r["start"]), str(r["end"])) for r in chair] == [("2019-02-05", "2020-07-30")]


def test_popolo_unknown_person_is_a_bad_record() -> None:
    store, (result,) = load(DATA / "sample.popolo.json")
    assert result.skipped == {"unknown person id": 1}
    assert "memberships[2]" in result.warnings[0].location
    with pytest.raises(LoaderError, match="p-404"):
        load(DATA / "sample.popolo.json", strict=True)


# ---------------------------------------------------------------- IATI


def test_iati_activity_program_orgs_and_country() -> None:
    store, (result,) = load(DATA / "sample.iati.xml")
    program = entity_iri("Program", key="iati-XX-TEST-1-BORDER-2019")
    assert values(store, program, "skos:prefLabel") == {"Border Management Support"}
    assert values(store, program, "pkg:iatiRef") == {"XX-TEST-1-BORDER-2019"}
    mexico = country("MX")
    assert mexico is not None
    assert values(store, program, "pkg:jurisdiction") == {str(mexico.iri)}
    assert str(mexico.iri).endswith("/place/mexico")
    assert any(v.startswith("sector:1:15190") for v in values(store, program,
                                                              "pkg:classification"))
    assert values(store, program, "schema:startDate") == {"2019-02-15"}  # actual beats planned
    rels = store.select("""SELECT ?r ?org ?type WHERE { ?r a pkg:Relationship ;
        pkg:relSubject ?org ; pkg:relObject ?p ; pkg:relationType ?type }""".replace(
        "?p ", f"<{program}> "))
    by_org = {str(r["org"]).rsplit("/", 1)[-1]: str(r["type"]).rsplit("#", 1)[-1] for r in rels}
    assert by_org == {"iati-xx-test-1": "funds", "iati-xm-dac-47066": "implements",
                      "test-ministry-of-interior": "relatedTo"}
    iom = entity_iri("Organization", key="iati-XM-DAC-47066")
    assert values(store, iom, "rdf:type") == {PKG + "InternationalOrganization"}


def test_iati_transactions_stage_value_currency_and_parties() -> None:
    store, (result,) = load(DATA / "sample.iati.xml")
    rows = store.select("""SELECT ?f ?stage ?amount ?currency ?date ?funder ?recipient WHERE {
        ?f a pkg:FundingFlow ; pkg:stage ?stage ; pkg:amount ?amount ; pkg:currency ?currency ;
           pkg:verification pkg:Reported .
        OPTIONAL { ?f pkg:date ?date } OPTIONAL { ?f pkg:funder ?funder }
        OPTIONAL { ?f pkg:recipient ?recipient } }""")
    short = {(str(r["stage"]).rsplit("#", 1)[-1], str(r["amount"]), str(r["currency"]),
              str(r.get("date", "")), str(r.get("funder", "")).rsplit("/", 1)[-1],
              str(r.get("recipient", "")).rsplit("/", 1)[-1]) for r in rows}
    assert short == {
        # commitment: default currency, value-date, reporting org as funder
        ("Committed", "2500000", "USD", "2019-01-10", "iati-xx-test-1", "iati-xm-dac-47066"),
        ("Disbursed", "750000", "EUR", "2019-06-28", "iati-xx-test-1", "iati-xm-dac-47066"),
        # no receiver-org: the activity's only recipient country
        ("Disbursed", "12000", "USD", "2019-10-01", "iati-xx-test-1", "mexico"),
        # incoming commitment: received by the reporting org
        ("Committed", "300000", "CAD", "2020-03-01", "test-donor-foundation", "iati-xx-test-1"),
    }
    assert result.skipped == {"transaction without value": 1}
    assert "XX-TEST-1-BORDER-2019/transaction[3]" in result.warnings[0].location


def test_iati_strict_and_gzip(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match=r"transaction\[3\]"):
        load(DATA / "sample.iati.xml", strict=True)
    store, (result,) = load(gz_copy(DATA / "sample.iati.xml", tmp_path))
    assert result.loader == "iati"
    assert len(store.select("SELECT ?f WHERE { ?f a pkg:FundingFlow }")) == 4


# ---------------------------------------------------------------- GDELT


def test_gdelt_relations_types_dates_and_citations() -> None:
    store, (result,) = load(DATA / "sample.gdelt.tsv")
    rows = store.select("""SELECT ?r ?s ?o ?type ?date ?url WHERE { ?r a pkg:Relationship ;
        pkg:relSubject ?s ; pkg:relObject ?o ; pkg:relationType ?type ; pkg:date ?date ;
        schema:citation ?url }""")
    facts = {(str(r["type"]).rsplit("#", 1)[-1], str(r["date"]), str(r["url"])) for r in rows}
    assert ("negotiatesWith", "2019-06-07",
            "https://news.example.com/2019/06/07/acuerdo-migratorio") in facts
    assert ("threatens", "2019-05-30", "https://news.example.com/2019/05/30/aranceles") in facts
    assert ("conflictWith", "2019-06-10", "https://news.example.com/2019/06/10/guardia") in facts
    usa, mexico = country("USA"), country("MEX")
    assert usa is not None and mexico is not None
    (threat,) = [r for r in rows if str(r["type"]).endswith("threatens")]
    assert (threat["s"], threat["o"]) == (usa.iri, mexico.iri)
    (row,) = store.select("""SELECT ?r ?c WHERE { ?r schema:citation ?u ;
        pkg:classification ?c FILTER(STRSTARTS(?c, "Goldstein:")) }""".replace(
        "?u ", "<https://news.example.com/2019/05/30/aranceles> "))
    assert str(row["c"]) == "Goldstein:-7.0"


def test_gdelt_actors_events_and_bad_row() -> None:
    store, (result,) = load(DATA / "sample.gdelt.tsv")
    # MEXGOV named "MEXICO" is Mexico's government as a sector: a role bound to Mexico.
    gov = entity_iri("RoleActor", key="gdelt-government-MEX")
    assert values(store, gov, "rdf:type") == {PKG + "RoleActor"}
    assert values(store, gov, "skos:prefLabel") == {"Government (Mexico)"}
    assert values(store, gov, "pkg:gdeltCode") == {"MEXGOV"}
    assert values(store, gov, "pkg:jurisdiction") == {str(entity_iri("Country", name="Mexico"))}
    # One actor only: an event with a participant.
    (event,) = store.select("""SELECT ?e ?p WHERE { ?e a pkg:Event ; pkg:participant ?p }""")
    assert str(event["p"]).endswith("/place/guatemala")
    # The 12-field row is reported with its line; the rest loads.
    assert result.skipped == {"wrong number of fields": 1}
    assert result.warnings[0].location.endswith("sample.gdelt.tsv:4: record 830000004")
    ev = store.select("""SELECT ?r ?conf ?rec WHERE { ?r pkg:evidence [ pkg:confidence ?conf ;
        pkg:record ?rec ] ; pkg:relationType pkg:threatens }""")
    assert [(str(r["conf"]), str(r["rec"])) for r in ev] == [
        ("0.5", "sample.gdelt.tsv:2#830000002")]


def test_gdelt_strict_raises_on_ragged_row(tmp_path: Path) -> None:
    with pytest.raises(LoaderError) as info:
        load(DATA / "sample.gdelt.tsv", strict=True)
    assert info.value.line == 4
    store, (result,) = load(gz_copy(DATA / "sample.gdelt.tsv", tmp_path))
    assert result.loader == "gdelt" and result.skipped == {"wrong number of fields": 1}


# ---------------------------------------------------------------- Wikidata


def test_wikidata_positions_with_dates_and_party() -> None:
    store, (result,) = load(DATA / "sample.wikidata.json")
    maria = entity_iri("Person", wikidata="Q98765001")
    assert values(store, maria, "skos:prefLabel") == {"Maria Fernanda Ochoa"}
    assert "María Fernanda Ochoa" in values(store, maria, "skos:altLabel")
    assert values(store, maria, "owl:sameAs") == {"http://www.wikidata.org/entity/Q98765001"}
    assert values(store, maria, "pkg:jurisdiction") == {str(entity_iri("Country",
                                                                       name="Mexico"))}
    rows = store.select("""SELECT ?m ?org ?role ?start ?end ?post WHERE {
        ?m org:member ?maria ; org:organization ?org ; pkg:role ?role .
        OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end }
        OPTIONAL { ?m pkg:post ?post } }""".replace("?maria", f"<{maria}>"))
    facts = {(str(r["org"]).rsplit("/", 1)[-1], str(r["role"]), str(r.get("start", "")),
              str(r.get("end", "")), str(r.get("post", "")).rsplit("/", 1)[-1]) for r in rows}
    assert facts == {
        # P39 with a P642 qualifier: the organization; the position's label as role.
        ("wd-Q98765011", "Senator of Mexico", "2018-09-01", "2021-08-31", "wd-Q98765010"),
        # P39 without: the post itself, role the QID (label unknown); year precision.
        ("wd-Q98765012", "Q98765012", "2012", "", "wd-Q98765012"),
        ("wd-Q98765002", "member", "2010-03", "", ""),
        ("wd-Q98765013", "employee", "", "", ""),
    }
    typed = store.select("SELECT ?s ?start WHERE { ?m schema:startDate ?start }".replace(
        "?m ", "?s "))
    assert Literal("2010-03", datatype=XSD.gYearMonth) in {r["start"] for r in typed}
    party = entity_iri("PoliticalParty", wikidata="Q98765002")
    assert values(store, party, "skos:prefLabel") == {"Partido Verde"}  # defined: no stub label
    assert values(store, entity_iri("Organization", wikidata="Q98765013"),
                  "skos:prefLabel") == {"Q98765013"}
    assert result.skipped == {"unknown claim datatype": 1}
    assert "Q98765001/P9999" in result.warnings[0].location


def test_wikidata_dump_lines_stream_and_report_truncated_line(tmp_path: Path) -> None:
    store, (result,) = load(DATA / "sample.wikidata.jsonl")
    assert result.loader == "wikidata"
    assert result.skipped == {"unknown claim datatype": 1, "malformed JSON": 1}
    assert any(w.location.endswith("sample.wikidata.jsonl:4") for w in result.warnings)
    maria = entity_iri("Person", wikidata="Q98765001")
    assert values(store, maria, "pkg:wikidataId") == {"Q98765001"}
    with pytest.raises(LoaderError, match="P9999"):
        load(DATA / "sample.wikidata.jsonl", strict=True)
    zipped, _ = load(gz_copy(DATA / "sample.wikidata.jsonl", tmp_path))
    assert values(zipped, maria, "pkg:wikidataId") == {"Q98765001"}


# ---------------------------------------------------------------- CLI


def test_cli_loads_open_data_and_reports_skips(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "s"), "load",
                                      str(DATA / "sample.gdelt.tsv"), str(DATA / "bad.ftm.json")])
    assert result.exit_code == 0, result.output
    assert "gdelt" in result.output and "ftm" in result.output
    assert "skipped 1 record(s)" in result.output
    assert "wrong number of fields" in result.output
    strict = CliRunner().invoke(cli, ["--store", str(tmp_path / "t"), "load", "--strict",
                                      str(DATA / "bad.ftm.json")])
    assert strict.exit_code != 0
    assert "bad.ftm.json:2" in strict.output
