"""The curated-record loader: mapped facts, and bad input that names file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from policykg.exceptions import LoaderError
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.ontology.namespace import PKG

ID = "https://w3id.org/policykg/id/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"

GOOD = textwrap.dedent(
    """\
    entities:
      - {id: mexico, type: Country, name: Mexico, wikidata: Q96}
      - {id: inm, type: GovernmentAgency, name: Instituto Nacional de Migración, aliases: [INM], country: mexico}
      - {id: ana, type: Person, name: Ana Pérez}
    memberships:
      - {member: ana, organization: inm, role: Commissioner, start: 2016-02-01, end: 2018-11-30}
    funding:
      - {funder: mexico, recipient: inm, amount: "1,500,000", currency: mxn, stage: disbursed, date: 2016}
    statements:
      - {speaker: ana, text: "We enforce the law.", kind: direct, cue: say, about: [mexico]}
    relations:
      - {subject: inm, type: cooperates_with, object: mexico, start: 2014-07}
    observations:
      - {subject: mexico, measure: deportations, value: 118000, unit: persons, period: 2015}
    """
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_good_file_maps_every_kind_of_record(tmp_path: Path) -> None:
    store = OxigraphStore()
    load_paths(store, [write(tmp_path, "good.yaml", GOOD)])
    g = store.union_graph()
    inm = URIRef(ID + "org/inm")
    ana = URIRef(ID + "person/ana")
    assert (inm, RDF.type, PKG.GovernmentAgency) in g
    assert (inm, SKOS.altLabel, Literal("INM")) in g
    assert (URIRef(ID + "place/mexico"), PKG.wikidataId, Literal("Q96")) in g
    membership = g.value(predicate=URIRef(ORG + "member"), object=ana)
    assert g.value(membership, PKG.role) == Literal("Commissioner")
    assert g.value(membership, URIRef(SCHEMA + "startDate")) == Literal("2016-02-01", datatype=XSD.date)
    flow = g.value(predicate=PKG.funder, object=URIRef(ID + "place/mexico"))
    assert g.value(flow, PKG.amount) == Literal("1500000", datatype=XSD.decimal)
    assert g.value(flow, PKG.currency) == Literal("MXN")
    assert g.value(flow, PKG.stage) == PKG.Disbursed
    assert g.value(flow, PKG.date) == Literal("2016", datatype=XSD.gYear)
    statement = g.value(predicate=PKG.speaker, object=ana)
    assert g.value(statement, PKG.statementKind) == PKG.DirectQuote
    relation = g.value(predicate=PKG.relSubject, object=inm)
    assert g.value(relation, PKG.relationType) == PKG.cooperatesWith
    # Every fact has evidence pointing at the file's source with its line.
    evidence = g.value(membership, PKG.evidence)
    assert g.value(evidence, PKG.record) == Literal("good.yaml:6")
    assert (g.value(evidence, PKG.source), RDF.type, PKG.Source) in g


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.yaml", "entities:\n  - {id: a, type: Person, name: A\n", r"bad\.yaml:\d+: malformed YAML"),
        ("people.memberships.csv", "member,role\nana,Chief\n",
         r"people\.memberships\.csv:1: missing column\(s\): organization"),
        ("date.yaml", "entities:\n  - {id: a, type: Person, name: A}\n  - {id: o, type: NGO, name: O}\n"
         "memberships:\n  - {member: a, organization: o, start: 2017-02-30}\n",
         r"date\.yaml:5: field 'start': '2017-02-30' is not a real date"),
        ("type.yaml", "entities:\n  - {id: a, type: Wizard, name: A}\n",
         r"type\.yaml:2: field 'type': unknown type 'Wizard'"),
        ("dangling.yaml", "entities:\n  - {id: a, type: Person, name: A}\n"
         "memberships:\n  - {member: a, organization: nowhere}\n",
         r"dangling\.yaml:4: field 'organization': reference 'nowhere' .*dangling"),
        ("latin1.yaml", "entities:\n  - {id: a, type: Person, name: Pe\xf1a}\n".encode("latin-1"),
         r"latin1\.yaml:2: not UTF-8 text"),
        ("empty.yaml", "", r"empty\.yaml: empty file"),
        ("records.json", '{"entities": [{"id": "a", "type": "Person", "name": "A"},]}',
         r"records\.json:1: malformed JSON"),
        ("field.yaml", "entities:\n  - {id: a, type: Person, name: A, nmae: B}\n",
         r"field\.yaml:2: field 'nmae': unknown field"),
        ("section.yaml", "entites:\n  - {id: a}\n", r"section\.yaml:1: unknown section 'entites'"),
    ],
)
def test_bad_input_names_file_line_and_field_and_changes_nothing(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    store = OxigraphStore(tmp_path / "store")
    load_paths(store, [write(tmp_path, "good.yaml", GOOD)])
    before = set(store.quads())
    bad = write(tmp_path, name, content)
    with pytest.raises(LoaderError, match=expected):
        load_paths(store, [bad])
    assert set(store.quads()) == before


def test_a_failing_file_rolls_back_the_whole_load(tmp_path: Path) -> None:
    store = OxigraphStore()
    first = write(tmp_path, "a.yaml", GOOD)
    second = write(tmp_path, "b.yaml", "entities:\n  - {id: x, type: Nope, name: X}\n")
    with pytest.raises(LoaderError, match=r"b\.yaml:2"):
        load_paths(store, [first, second])
    assert len(store) == 0


def test_a_50_mb_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    store = OxigraphStore()
    big = tmp_path / "huge.yaml"
    line = "  - {id: p%d, type: Person, name: Person number %d}\n"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("entities:\n")
        i = 0
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line % (i, i))
            i += 1
    with pytest.raises(LoaderError, match=r"huge\.yaml: file is 5\d\.\d MB; hand-written records"):
        load_paths(store, [big])
    assert len(store) == 0


def test_lenient_skips_bad_records_with_warnings(tmp_path: Path) -> None:
    store = OxigraphStore()
    text = GOOD + "  - {subject: mexico, measure: broken, value: lots}\n"
    results = load_paths(store, [write(tmp_path, "soft.yaml", text)], lenient=True)
    assert len(results[0].warnings) == 1
    assert "soft.yaml:" in results[0].warnings[0].location
    assert "'lots' is not a number" in results[0].warnings[0].message
    assert store.ask("ASK { ?o pkg:measure \"deportations\" }")


def test_csv_lists_and_line_numbers(tmp_path: Path) -> None:
    entities = write(tmp_path, "x.entities.csv",
                     "id,type,name,aliases\nusa,Country,United States,USA|US\n")
    bad = write(tmp_path, "y.memberships.csv",
                "member,organization,start\nusa,usa,2001-01-01\nusa,usa,not-a-date\n")
    store = OxigraphStore()
    load_paths(store, [entities])
    g = store.union_graph()
    assert set(g.objects(URIRef(ID + "place/usa"), SKOS.altLabel)) == {Literal("USA"), Literal("US")}
    with pytest.raises(LoaderError, match=r"y\.memberships\.csv:3: field 'start'"):
        load_paths(store, [bad])


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(names, min_size=1, max_size=6, unique_by=lambda s: s.strip()),
    amount=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False),
    year=st.integers(min_value=1900, max_value=2100),
)
def test_curated_json_round_trip_is_stable(tmp_path: Path, people: list[str], amount: object,
                                           year: int) -> None:
    """Whatever names and amounts a researcher writes, loading is deterministic and lossless."""
    import json

    records = {
        "entities": [{"id": f"p{i}", "type": "Person", "name": n} for i, n in enumerate(people)]
        + [{"id": "org", "type": "NGO", "name": "Some NGO"}],
        "funding": [{"funder": "p0", "recipient": "org", "amount": str(amount), "date": str(year)}],
    }
    path = tmp_path / "h.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    one, two = OxigraphStore(), OxigraphStore()
    load_paths(one, [path])
    load_paths(two, [path], force=True)
    assert isomorphic(one.union_graph(), two.union_graph())
    g = one.union_graph()
    labels = {str(o) for o in g.objects(None, SKOS.prefLabel)}
    assert {n.strip() for n in people} <= labels
    flow = next(g.subjects(RDF.type, PKG.FundingFlow))
    from decimal import Decimal

    assert Decimal(str(g.value(flow, PKG.amount))) == Decimal(str(amount))
