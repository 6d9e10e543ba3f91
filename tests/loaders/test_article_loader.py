"""The article loader and ``policykg extract``: facts with evidence, matching, bad input."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from policykg.exceptions import LoaderError
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.article.extract import read_document
from policykg.loaders.article.loader import ArticleLoader
from policykg.loaders.base import LoadContext
from policykg.loaders.registry import detect_loader
from policykg.ontology.namespace import PKG

#: The ``CLI`` helper of tests/conftest.py (the ``kg`` fixture), typed loosely here.
CLI = Any

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
ID = "https://w3id.org/policykg/id/"
BUSTAMANTE = URIRef(ID + "person/jorge-bustamante")
SOURCE = URIRef("https://w3id.org/policykg/source/test")


@pytest.fixture
def akg(kg: CLI) -> CLI:
    """The CLI of ``kg`` with the article fixtures copied beside examples/."""
    shutil.copytree(ARTICLES, kg.cwd / "articles")
    return kg


def open_store(path: Path) -> OxigraphStore:
    return OxigraphStore(path)


def quads(store_path: Path) -> set[tuple[object, ...]]:
    store = open_store(store_path)
    try:
        return set(store.quads())
    finally:
        store.close()


def union(store_path: Path) -> Graph:
    store = open_store(store_path)
    try:
        return store.union_graph()
    finally:
        store.close()


def lit(graph: Graph, subject: Any, predicate: URIRef) -> Literal:
    """The one literal value of ``predicate``; fails the test when there is none."""
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate, value)
    return value


def statements(graph: Graph) -> list[URIRef]:
    return [URIRef(str(s)) for s in graph.subjects(RDF.type, PKG.Statement)]


# ------------------------------------------------------------------------------- loading


def test_article_facts_land_in_the_store_with_evidence(akg: CLI) -> None:
    akg("load", "articles/border-partner.txt")
    graph = union(akg.store)
    text = read_document(akg.cwd / "articles" / "border-partner.txt").text

    # The source is described.
    sources = list(graph.subjects(RDF.type, PKG.Source))
    assert len(sources) == 1
    source = sources[0]
    assert str(graph.value(source, URIRef("http://purl.org/dc/terms/title"))).startswith(
        "Washington leans on Mexico")
    assert graph.value(source, URIRef("https://schema.org/url")) == Literal(
        "https://example.org/news/border-partner", datatype=XSD.anyURI)
    assert graph.value(source, PKG.date) == Literal("2017-02-03", datatype=XSD.date)
    assert str(graph.value(source, PKG.publisherName)) == "Policykg Test Wire"

    # Statements: exact spans of the text, a speaker who is a named person, evidence.
    found = statements(graph)
    assert len(found) >= 3
    speakers = set()
    for statement in found:
        evidence = graph.value(statement, PKG.evidence)
        start = int(lit(graph, evidence, PKG.charStart))
        end = int(lit(graph, evidence, PKG.charEnd))
        assert str(graph.value(statement, PKG.text)) == text[start:end]
        assert str(graph.value(evidence, PKG.quote)) == text[start:end]
        assert str(graph.value(evidence, PKG.extractor)) == "policykg.article"
        assert graph.value(evidence, PKG.source) == source
        confidence = lit(graph, evidence, PKG.confidence)
        assert confidence.datatype == XSD.decimal and 0 <= confidence.toPython() <= 1
        speaker = graph.value(statement, PKG.speaker)
        assert (speaker, RDF.type, PKG.Person) in graph
        speakers.add(str(graph.value(speaker, SKOS.prefLabel)))
        assert graph.value(statement, PKG.statementKind) in {PKG.DirectQuote,
                                                              PKG.IndirectSpeech}
    assert {"Jorge Bustamante", "Duncan Wood"} <= speakers
    direct = [s for s in found if str(graph.value(s, PKG.text)).startswith("Mexico does this")]
    assert graph.value(direct[0], PKG.speaker) == BUSTAMANTE
    assert graph.value(direct[0], PKG.statementKind) == PKG.DirectQuote

    # The membership from "a sociologist at the University of Notre Dame".
    memberships = list(graph.subjects(RDF.type, PKG.Membership))
    assert any(graph.value(m, URIRef("http://www.w3.org/ns/org#member")) == BUSTAMANTE
               and str(graph.value(m, PKG.role)) == "sociologist" for m in memberships)

    # $75 million from the State Department to Mexico, as an announced, reported flow.
    flows = list(graph.subjects(RDF.type, PKG.FundingFlow))
    assert len(flows) == 1
    flow = flows[0]
    assert graph.value(flow, PKG.amount) == Literal("75000000", datatype=XSD.decimal)
    assert str(graph.value(flow, PKG.currency)) == "USD"
    assert graph.value(flow, PKG.funder) == URIRef(ID + "org/department-of-state")
    assert graph.value(flow, PKG.recipient) == URIRef(ID + "place/mexico")
    assert graph.value(flow, PKG.stage) == PKG.Announced
    assert graph.value(flow, PKG.verification) == PKG.Reported
    quote = str(graph.value(graph.value(flow, PKG.evidence), PKG.quote))
    assert "$75 million" in quote

    # 118,000 deportations in 2015.
    observations = [o for o in graph.subjects(RDF.type, PKG.Observation)
                    if graph.value(o, PKG.value) == Literal("118000", datatype=XSD.decimal)]
    assert len(observations) == 1
    assert graph.value(observations[0], PKG.period) == Literal("2015", datatype=XSD.gYear)

    # New entities: type, one preferred name, real aliases only.
    assert (BUSTAMANTE, SKOS.prefLabel, Literal("Jorge Bustamante")) in graph
    assert (BUSTAMANTE, SKOS.altLabel, Literal("Bustamante")) in graph
    for entity in graph.subjects(RDF.type, PKG.Person):
        assert len(list(graph.objects(entity, SKOS.prefLabel))) == 1
    # Every fact carries evidence from the article.
    for cls in (PKG.Statement, PKG.Membership, PKG.FundingFlow, PKG.Observation,
                PKG.Relationship, PKG.Person, PKG.Country):
        for node in graph.subjects(RDF.type, cls):
            assert graph.value(node, PKG.evidence) is not None, node

    akg("validate")


def test_html_article_drops_scripts_and_boilerplate(akg: CLI) -> None:
    akg("load", "articles/aid-briefing.html")
    graph = union(akg.store)
    texts = [str(graph.value(s, PKG.text)) for s in statements(graph)]
    assert "Training police does not create jobs" in texts
    assert not any("Bustamante" in t or "nothing" in t for t in texts)
    amounts = {str(o) for o in graph.objects(None, PKG.amount)}
    assert amounts == {"40000000"}  # not the $9 billion of the script or the $1 of the nav
    source = next(graph.subjects(RDF.type, PKG.Source))
    assert str(graph.value(source, URIRef("http://purl.org/dc/terms/title"))) == (
        "Washington pledges new border aid to Guatemala")
    assert graph.value(source, PKG.date) == Literal("2019-06-12", datatype=XSD.date)
    akg("validate")


def test_transcript_turns_without_a_named_speaker_are_skipped_with_a_warning(akg: CLI) -> None:
    result = akg("load", "articles/press-call.txt")
    assert "warning:" in result.output and "'Moderator'" in result.output
    graph = union(akg.store)
    texts = {str(graph.value(s, PKG.text)) for s in statements(graph)}
    assert "No decision has been made on assistance." in texts
    assert not any(t.startswith("Good afternoon") for t in texts)
    kestrel = URIRef(ID + "person/kestrel")
    assert (kestrel, SKOS.prefLabel, Literal("Kestrel")) in graph
    assert (kestrel, SKOS.altLabel, Literal("KESTREL")) not in graph
    akg("validate")


def test_reloading_an_article_gives_an_isomorphic_graph(akg: CLI, tmp_path: Path) -> None:
    akg("load", "articles/")
    before = union(akg.store)
    assert json.loads(akg("load", "articles/", "--report", "json").stdout)[0]["status"] == (
        "unchanged")
    forced = akg("load", "articles/", "--force", "--report", "json")
    assert {r["status"] for r in json.loads(forced.stdout)} == {"loaded"}
    assert isomorphic(before, union(akg.store))
    # A fresh store beside the first (source keys are relative to the store's folder) mints
    # the very same IRIs.
    fresh = type(akg)(akg.runner, akg.store.parent / "fresh-store", akg.cwd)
    fresh("load", "articles/")
    assert set(before) == set(union(fresh.store))
    akg("validate")


def test_article_entities_resolve_to_curated_ones(akg: CLI) -> None:
    akg("load", "examples/")
    akg("load", "articles/")
    graph = union(akg.store)
    for statement in statements(graph):
        if str(graph.value(statement, PKG.text)).startswith("Mexico does this"):
            assert graph.value(statement, PKG.speaker) == BUSTAMANTE
    flow = next(f for f in graph.subjects(RDF.type, PKG.FundingFlow)
                if graph.value(f, PKG.currency) == Literal("USD")
                and graph.value(f, PKG.amount) == Literal("75000000", datatype=XSD.decimal)
                and graph.value(f, PKG.stage) == PKG.Announced)
    # "State Department" is the curated agency (an alias), not a new organization.
    assert graph.value(flow, PKG.funder) == URIRef(ID + "org/us-state-department")
    assert (URIRef(ID + "org/department-of-state"), None, None) not in graph
    # "Wilson Center" is an alias of the curated center: no second preferred name.
    wilson = URIRef(ID + "org/wilson-center")
    assert list(graph.objects(wilson, SKOS.prefLabel)) == [
        Literal("Woodrow Wilson International Center for Scholars")]
    notre_dame = URIRef(ID + "org/notre-dame")
    assert any(graph.value(m, URIRef("http://www.w3.org/ns/org#organization")) == notre_dame
               and graph.value(m, URIRef("http://www.w3.org/ns/org#member")) == BUSTAMANTE
               for m in graph.subjects(RDF.type, PKG.Membership)
               if graph.value(m, PKG.role) == Literal("sociologist"))
    akg("validate")
    before = union(akg.store)
    akg("load", "articles/", "--force")
    assert isomorphic(before, union(akg.store))
    akg("validate")


def test_two_articles_naming_a_new_person_give_one_preferred_name(akg: CLI) -> None:
    one = akg.cwd / "a.txt"
    two = akg.cwd / "b.txt"
    one.write_text("Ana Beltrán, a lawyer at the Instituto para las Mujeres en la Migración, "
                   "said the rules were unfair.\n", encoding="utf-8")
    two.write_text("Ana Beltran said the new fee would keep families apart.\n", encoding="utf-8")
    akg("load", "a.txt", "b.txt")
    graph = union(akg.store)
    ana = URIRef(ID + "person/ana-beltran")
    assert len(list(graph.objects(ana, SKOS.prefLabel))) == 1
    assert len(list(graph.subjects(PKG.speaker, ana))) == 2
    akg("validate")


# ------------------------------------------------------------------------------- extract


def test_extract_json_is_exactly_the_contract(akg: CLI) -> None:
    before = quads(akg.store)
    result = akg("extract", "articles/border-partner.txt", "--format", "json")
    data = json.loads(result.stdout)
    assert list(data) == ["source", "persons", "organizations", "amounts", "statistics",
                          "statements", "relations"]
    assert data["source"]["date"] == "2017-02-03"
    assert {p["name"] for p in data["persons"]} >= {"Jorge Bustamante", "Duncan Wood"}
    text = read_document(akg.cwd / "articles" / "border-partner.txt").text
    for statement in data["statements"]:
        assert text[statement["start"]:statement["end"]] == statement["text"]
    assert quads(akg.store) == before  # nothing written


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_extract_table_and_csv_list_every_item_with_its_span(akg: CLI, fmt: str) -> None:
    result = akg("extract", "articles/border-partner.txt", "--format", fmt)
    lines = result.stdout.splitlines()
    if fmt == "csv":
        assert lines[0] == "category,name,details,span"
    for category in ("source", "person", "organization", "amount", "statistic", "statement",
                     "relation"):
        assert any(line.startswith(category) for line in lines[1:]), category
    assert "152-168" in result.stdout  # the span of "Jorge Bustamante"


def test_extract_review_shows_new_and_matched_entities(akg: CLI) -> None:
    fresh = json.loads(akg("extract", "articles/border-partner.txt", "--review", "--format",
                           "json").stdout)
    assert {row["status"] for row in fresh} == {"new"}
    akg("load", "examples/")
    before = quads(akg.store)
    rows = json.loads(akg("extract", "articles/border-partner.txt", "--review", "--format",
                          "json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert by_name["Jorge Bustamante"]["status"] == "matched"
    assert by_name["Jorge Bustamante"]["iri"] == str(BUSTAMANTE)
    assert by_name["Department of State"]["iri"] == ID + "org/us-state-department"
    assert by_name["Department of State"]["matched_name"] == "United States Department of State"
    table = akg("extract", "articles/aid-briefing.html", "--review").stdout
    assert "Marta Quiroga" in table and " new " in table and " matched " in table
    assert quads(akg.store) == before


def test_extract_help_has_an_example(akg: CLI) -> None:
    assert "Example:" in akg("extract", "--help").stdout


# ------------------------------------------------------------------------------- bad input


def _bad_inputs(folder: Path) -> dict[str, Path]:
    files = {
        "empty": ("empty.txt", b""),
        "blank": ("blank.txt", b"  \n\n\t \n"),
        "binary": ("binary.txt", bytes(range(256)) * 64),
        "png": ("image.html", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500),
        "latin1": ("latin1.txt", "Se\xf1or Garc\xeda dijo que no.".encode("latin-1")),
        "too-large": ("big.txt", b"word " * (10 * 1024 * 1024 // 5 + 10)),
        "scripts": ("scripts.html", b"<html><head><script>var a = '\"quoted\" said Ana';"
                    b"</script></head><body><script>" + b"x = 1;" * 5000
                    + b"</script><style>p{}</style></body></html>"),
        "unbalanced": ("unbalanced.txt",
                       "Luis Ortega said \u201cthe plan will fail. Nobody expected it, "
                       "he added \"and then left.\n\nMaria Soto said \u201dwe are ready.\n"
                       .encode()),
        "mixed-quotes": ("mixed.txt",
                         "\u201cWe will not pay,\u201d said Elena Ruiz. \"Never,\" she said.\n"
                         "\u2018Maybe\u2019 said Tom Hale, 'or not.'\n".encode()),
        "spanish": ("spanish.txt",
                    "El secretario de Gobernación, Julio Pérez, dijo que México recibirá "
                    "\u00ab500 millones de pesos\u00bb para la frontera sur.\n".encode()),
        "chinese": ("chinese.txt", "外交部发言人说，两国将继续合作。\n".encode()),
        "front-matter-only": ("front.md", b"---\ntitle: Nothing\n---\n"),
        "nul-late": ("late-nul.txt", b"Ana Ruiz said hello. " * 4000 + b"\x00\x00"),
    }
    out = {}
    for key, (name, content) in files.items():
        path = folder / name
        path.write_bytes(content)
        out[key] = path
    return out


BAD_KEYS = ["empty", "blank", "binary", "png", "latin1", "too-large", "scripts", "unbalanced",
            "mixed-quotes", "spanish", "chinese", "front-matter-only", "nul-late"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_input_is_a_clean_error_or_a_valid_result(akg: CLI, key: str) -> None:
    akg("load", "examples/")
    path = _bad_inputs(akg.cwd)[key]
    before = quads(akg.store)
    for command in (["extract", path.name], ["extract", path.name, "--format", "json"],
                    ["load", path.name]):
        result = akg(*command, ok=False)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception)
        assert "Traceback" not in result.output
        if result.exit_code:
            assert result.exit_code == 1, result.output
            errors = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(errors) == 1, result.stderr
            assert errors[0].startswith(f"Error: {path.name}: "), errors[0]
            assert quads(akg.store) == before
        elif command[-1] == "json":
            json.loads(result.stdout)
    if key in ("empty", "blank", "binary", "png", "latin1", "too-large", "front-matter-only"):
        assert result.exit_code == 1
    if quads(akg.store) != before:
        akg("validate")


@pytest.mark.parametrize("key", ["unbalanced", "mixed-quotes"])
def test_quotes_of_every_style_keep_exact_spans(akg: CLI, key: str) -> None:
    path = _bad_inputs(akg.cwd)[key]
    akg("load", path.name)
    graph = union(akg.store)
    text = read_document(path).text
    for statement in statements(graph):
        evidence = graph.value(statement, PKG.evidence)
        start = int(lit(graph, evidence, PKG.charStart))
        end = int(lit(graph, evidence, PKG.charEnd))
        assert text[start:end] == str(graph.value(statement, PKG.text))
    akg("validate")


def test_sniffing_claims_article_files_and_front_matter_only(tmp_path: Path) -> None:
    front = tmp_path / "note"
    front.write_text("---\ntitle: A note\ndate: 2020-01-02\n---\nAna Ruiz said yes.\n")
    assert detect_loader(front).name == "article"
    for name in ("a.txt", "a.md", "a.html", "a.htm", "a.text"):
        path = tmp_path / name
        path.write_text("Some text.\n")
        assert detect_loader(path).name == "article"
    yaml_file = tmp_path / "facts.yaml"
    yaml_file.write_text("---\nentities: []\n")
    assert detect_loader(yaml_file).name == "curated"


# ------------------------------------------------------------------------------- properties


def _check_triples(triples: list[tuple[object, object, object]]) -> None:
    graph = Graph()
    for s, p, o in triples:
        assert isinstance(s, URIRef) and isinstance(p, URIRef)
        assert isinstance(o, URIRef | Literal)
        graph.add((s, p, o))
    for statement in graph.subjects(RDF.type, PKG.Statement):
        assert graph.value(statement, PKG.speaker) is not None
        assert str(graph.value(statement, PKG.text)).strip()
    for evidence in graph.subjects(RDF.type, PKG.Evidence):
        confidence = lit(graph, evidence, PKG.confidence).toPython()
        assert 0 <= confidence <= 1
        start, end = lit(graph, evidence, PKG.charStart), lit(graph, evidence, PKG.charEnd)
        assert 0 <= int(start) <= int(end)


_ARTICLE_TEXT = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from([
            "Jorge Bustamante, a sociologist at the University of Notre Dame, said ",
            "\u201cWe will cooperate,\u201d ", '"No," ', " she said. ", "$75 million ",
            "118,000 deportations in 2015", "the State Department", "\n\n", "---\n",
            "title: x\n", "<p>", "</p>", "<script>", "Q: ", "MODERATOR: ", "\u00ab", "'",
        ]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_ARTICLE_TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_loading_any_text_gives_valid_triples_or_a_loader_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        context = LoadContext(source=SOURCE)
        try:
            triples = list(ArticleLoader().load(path, context))
        except LoaderError as exc:
            assert str(exc).startswith(str(path))
        else:
            _check_triples(triples)


@settings(max_examples=40, deadline=None)
@given(content=st.one_of(st.binary(max_size=400), _ARTICLE_TEXT.map(
    lambda t: t.encode("utf-8", "surrogatepass"))))
def test_the_store_is_unchanged_when_an_article_fails(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = OxigraphStore()
        try:
            ok = Path(folder) / "ok.txt"
            ok.write_text("Ana Ruiz, a lawyer at the Instituto Nacional de Migración, "
                          "said \u201cthe wall is a mistake.\u201d\n", encoding="utf-8")
            load_paths(store, [ok])
            before = set(store.quads())
            path = Path(folder) / "input.txt"
            path.write_bytes(content)
            try:
                load_paths(store, [path])
            except LoaderError:
                assert set(store.quads()) == before
            else:
                assert set(store.quads()) >= before
        finally:
            store.close()
