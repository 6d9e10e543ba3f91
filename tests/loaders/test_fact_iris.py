"""Fact IRIs: pinned against recipes computed here, shared by the curated and article loaders,
and minted by :mod:`policykg.facts` only (a scan of the loaders' source)."""

from __future__ import annotations

import ast
import functools
import hashlib
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from policykg.facts import Membership, Relationship, source_fact_iri
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.ontology.namespace import PKG

ROOT = Path(__file__).resolve().parents[2]
LOADERS = ROOT / "policykg" / "loaders"
ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
ID = "https://w3id.org/policykg/id/"
NS = "https://w3id.org/policykg/ns#"

FIXTURE = textwrap.dedent(
    """\
    entities:
      - {id: mexico, type: Country, name: Mexico}
      - {id: inm, type: GovernmentAgency, name: Instituto Nacional de Migracion}
      - {id: ana, type: Person, name: Ana Perez}
    memberships:
      - {member: ana, organization: inm, role: Commissioner, start: 2016-02-01}
      - {id: m-2, member: ana, organization: mexico}
    funding:
      - {funder: mexico, recipient: inm, amount: 250000, currency: MXN, stage: disbursed, date: 2016}
    statements:
      - {speaker: ana, text: "We enforce the law.", date: 2016-03-04}
    relations:
      - {subject: inm, type: cooperates_with, object: mexico, start: 2014-07}
    observations:
      - {subject: mexico, measure: deportations, value: 118000, period: 2015}
    """
)


def recipe(kind: str, *parts: object) -> URIRef:
    """The fact IRI recipe, written out: SHA-1 of the parts joined by U+001F, 20 hex digits."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return URIRef(f"{ID}{kind}/{hashlib.sha1(joined.encode('utf-8')).hexdigest()[:20]}")


def expected_iris(records: dict[str, list[dict[str, object]]]) -> dict[URIRef, set[URIRef]]:
    """The IRIs each fact class should get, from the raw records (read with yaml, not ours)."""
    families = {"Country": "place", "GovernmentAgency": "org", "Person": "person"}
    entity = {e["id"]: f"{ID}{families[str(e['type'])]}/{e['id']}" for e in records["entities"]}
    found: dict[URIRef, set[URIRef]] = {}

    def add(cls: str, iri: URIRef) -> None:
        found.setdefault(URIRef(NS + cls), set()).add(iri)

    for m in records["memberships"]:
        add("Membership", recipe("membership", m.get("id", ""), entity[m["member"]],
                                 entity[m["organization"]], m.get("role"), m.get("start")))
    for f in records["funding"]:
        add("FundingFlow", recipe("funding", "", entity[f["funder"]], entity[f["recipient"]],
                                  None, f["amount"], f["currency"], f["date"], None, f["stage"]))
    for s in records["statements"]:
        add("Statement", recipe("statement", "", entity[s["speaker"]], s["text"], s["date"]))
    for r in records["relations"]:
        add("Relationship", recipe("relation", "", entity[r["subject"]], NS + "cooperatesWith",
                                   entity[r["object"]], None, r["start"]))
    for o in records["observations"]:
        add("Observation", recipe("observation", "", entity[o["subject"]], o["measure"],
                                  o["period"]))
    return found


def test_curated_fact_iris_follow_the_recipe(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(FIXTURE, encoding="utf-8")
    store = OxigraphStore()
    load_paths(store, [path])
    graph = store.union_graph()
    # yaml reads dates as dates and numbers as ints: their text is what the recipe hashes.
    expected = expected_iris(yaml.safe_load(FIXTURE))
    assert set(expected) == {PKG.Membership, PKG.FundingFlow, PKG.Statement, PKG.Relationship,
                             PKG.Observation}
    for cls, iris in expected.items():
        assert set(graph.subjects(RDF.type, cls)) == iris, cls


def test_a_membership_extracted_and_curated_is_one_fact(tmp_path: Path) -> None:
    """The article's "a sociologist at the University of Notre Dame" and a curated record of
    it (no id, no start: what an article can know) mint one IRI with two pieces of evidence."""
    store = OxigraphStore()
    load_paths(store, [ARTICLES / "border-partner.txt"])
    graph = store.union_graph()
    member = URIRef(ID + "person/jorge-bustamante")
    (fact,) = [m for m in graph.subjects(PKG.role, Literal("sociologist"))
               if (m, URIRef("http://www.w3.org/ns/org#member"), member) in graph]
    organization = graph.value(fact, URIRef("http://www.w3.org/ns/org#organization"))
    assert fact == recipe("membership", "", member, organization, "sociologist", None)
    record = tmp_path / "same.memberships.csv"
    record.write_text(f"member,organization,role\n{member},{organization},sociologist\n",
                      encoding="utf-8")
    load_paths(store, [record])
    graph = store.union_graph()
    extractors = {str(graph.value(node, PKG.extractor)) for node in graph.objects(fact,
                                                                                 PKG.evidence)}
    assert extractors == {"policykg.article", "policykg.curated"}


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(role=st.none() | _text, start=st.none() | st.dates().map(str))
def test_membership_recipe_is_the_written_out_one(role: str | None, start: str | None) -> None:
    member, organization = URIRef(ID + "person/a"), URIRef(ID + "org/b")
    fact = Membership(member, organization, role=role,
                      start=Literal(start) if start is not None else None)
    assert fact.record_iri() == recipe("membership", "", member, organization, role, start)
    assert fact.record_iri("r1") == recipe("membership", "r1", member, organization, role,
                                           start)


def test_source_recipe_puts_the_source_name_first() -> None:
    assert source_fact_iri(Relationship.kind, "gdelt", "498765") == recipe(
        "relation", "gdelt", "498765")


# ------------------------------------------------------------------- no loader mints an IRI

#: Namespace IRIs a loader must take from a closed namespace (rdflib's or ours), never spell.
_SPELLED = ("http://www.w3.org/ns/org#", "https://schema.org/", "http://schema.org/",
            "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#",
            "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/0.1/",
            "http://www.w3.org/2001/XMLSchema#", "http://www.wikidata.org/entity/",
            "https://w3id.org/policykg/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#")
_MINTERS = {"fact_iri"}
PACKAGE = ROOT / "policykg"
#: The one place namespaces are spelled and IRIs built from them.
ONTOLOGY = PACKAGE / "ontology"


def _loader_modules() -> list[Path]:
    return sorted(LOADERS.rglob("*.py"))


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {id(owner.body[0].value) for owner in ast.walk(tree)
                  if isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and ast.get_docstring(owner, clean=False) is not None
                  and isinstance(owner.body[0], ast.Expr)}
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if name in _MINTERS:
                found.append(f"{where}: calls {name} (mint fact IRIs in policykg.facts)")
            if name == "URIRef" and any(isinstance(arg, ast.BinOp | ast.JoinedStr)
                                        for arg in node.args):
                found.append(f"{where}: builds an IRI from strings")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and any(ns in node.value for ns in _SPELLED)):
            found.append(f"{where}: spells a namespace IRI")
    return found


def _module_names(tree: ast.Module) -> dict[str, object]:
    """Names bound at module level, with the value when it is a plain constant."""
    names: dict[str, object] = {}
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        value = getattr(statement, "value", None)
        for target in targets:
            if isinstance(target, ast.Name):
                names[target.id] = value.value if isinstance(value, ast.Constant) else None
    return names


def _leading(node: ast.expr) -> ast.expr:
    """The first piece of a ``+`` chain or an f-string: what the IRI starts with."""
    while isinstance(node, ast.BinOp):
        node = node.left
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        return first.value if isinstance(first, ast.FormattedValue) else first
    return node


def _iri_problems(path: Path) -> list[str]:
    """Spelled namespaces, and IRIs built from a string or module constant that is not a
    ``urn:``. An IRI made under another one at run time (an evidence node under its fact)
    starts with a variable and passes."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants = _module_names(tree)
    found = [p for p in _problems(path) if p.endswith("spells a namespace IRI")]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "URIRef" and node.args
                and isinstance(node.args[0], ast.BinOp | ast.JoinedStr)):
            continue
        first = _leading(node.args[0])
        if isinstance(first, ast.Constant):
            start = first.value
        elif isinstance(first, ast.Name) and first.id in constants:
            start = constants[first.id] or ""
        else:
            continue  # starts with a value known at run time: an IRI made under another
        if not str(start).startswith("urn:"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: builds an IRI from a constant")
    return sorted(found)


def _package_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ONTOLOGY not in p.parents)


def _scan_outside_the_repo(scan: Callable[[Path], list[str]], path: Path) -> list[str]:
    """Run ``scan`` on a file in a temporary folder (problems name paths relative to ROOT)."""
    original = globals()["ROOT"]
    globals()["ROOT"] = path.parent
    try:
        return scan(path)
    finally:
        globals()["ROOT"] = original


def test_the_scan_catches_minting(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent(
        '''\
        """A loader."""
        from rdflib import URIRef
        from policykg.identity import fact_iri
        ORG = "http://www.w3.org/ns/org#"
        iri = fact_iri("membership", ["x"])
        member = URIRef(ORG + "member")
        other = URIRef(f"{iri}/ev/1")
        '''), encoding="utf-8")
    problems = _scan_outside_the_repo(_problems, bad)
    assert sorted(p.split(": ", 1)[1] for p in problems) == [
        "builds an IRI from strings", "builds an IRI from strings",
        "calls fact_iri (mint fact IRIs in policykg.facts)", "spells a namespace IRI"]


@pytest.mark.parametrize("path", _loader_modules(), ids=lambda p: str(p.relative_to(LOADERS)))
def test_no_loader_mints_iris_or_spells_namespaces(path: Path) -> None:
    assert _problems(path) == []


def test_the_package_scan_tells_constants_from_derived_iris(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent(
        '''\
        """A module; its docstring may name https://schema.org/ freely."""
        from rdflib import URIRef
        from policykg.ontology.namespace import PKG
        BASE = str(PKG)
        STAGING = "urn:policykg:staging:"
        label = URIRef(BASE + "Person")
        spelled = "http://www.w3.org/2000/01/rdf-schema#label"
        def evidence(fact: URIRef, key: str) -> URIRef:
            staged = URIRef(STAGING + key)
            return URIRef(f"{fact}/ev/{key}")
        '''), encoding="utf-8")
    problems = _scan_outside_the_repo(_iri_problems, bad)
    assert [p.split(":", 1)[1] for p in problems] == [
        "6: builds an IRI from a constant", "7: spells a namespace IRI"]


@pytest.mark.parametrize("path", _package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_the_ontology_spells_or_concatenates_iris(path: Path) -> None:
    assert _iri_problems(path) == []


# ----------------------------------------------- no vocabulary list written outside the model

#: Modules that map records to entities: loaders, identity, name lookup and resolution. The
#: article extractor's pipeline and statement stage are left out: their mention kinds ("person",
#: "org") are the extractor's own categories of text spans, which the article loader maps to
#: classes.
VOCABULARY_READERS = sorted(
    {*LOADERS.rglob("*.py"), PACKAGE / "identity.py", PACKAGE / "lookup.py",
     *(PACKAGE / "resolution").rglob("*.py")} - {LOADERS / "article" / "extract.py", LOADERS / "article" / "statements.py"})


@functools.cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """Words that name the ontology's vocabulary, read from the Turtle with rdflib (not through
    the model): policykg class local names and record sections, and the IRI families."""
    graph = Graph().parse(ONTOLOGY / "policykg.ttl", format="turtle")
    classes = {str(c)[len(NS):] for c in graph.subjects(RDF.type, OWL.Class)
               if str(c).startswith(NS)}
    sections = {str(o) for o in graph.objects(None, PKG.recordSection)}
    families = frozenset(str(o) for o in graph.objects(None, PKG.iriFamily))
    return frozenset(classes | sections | families), families


def _vocabulary_problems(path: Path) -> list[str]:
    """Lists, sets or tuples of class names, families or section names (and dicts of nothing
    else) written as literals, and a ``family`` compared with a written family name: each
    belongs in an ontology annotation read through :mod:`policykg.ontology.model`."""
    words, families = _vocabulary()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def all_words(nodes: list[ast.expr | None]) -> bool:
        return len(nodes) >= 2 and all(isinstance(n, ast.Constant) and n.value in words
                                       for n in nodes)

    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.List | ast.Set | ast.Tuple) and all_words(list(node.elts)):
            found.append(f"{where}: writes a type/family/section list")
        elif isinstance(node, ast.Dict) and all_words([*node.keys, *node.values]):
            found.append(f"{where}: writes a type/family/section table")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names = {s.attr if isinstance(s, ast.Attribute) else getattr(s, "id", None)
                     for s in sides}
            if "family" in names and any(isinstance(s, ast.Constant) and s.value in families
                                         for s in sides):
                found.append(f"{where}: compares a family with a written family name")
    return sorted(found, key=lambda p: int(p.split(":")[1]))


def test_the_vocabulary_scan_catches_written_lists(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent(
        '''\
        """A loader."""
        PLACES = frozenset({"Country", "Jurisdiction"})
        ENTITY_SECTIONS = ("entities", "policies", "events")
        DEFAULTS = {"policies": "Policy", "events": "Event"}
        FTM = ("Person", "Audio", "Company")
        def compare(record) -> bool:
            return record.family == "person" or record.kind == "person"
        '''), encoding="utf-8")
    problems = _scan_outside_the_repo(_vocabulary_problems, bad)
    assert [p.split(":", 1)[1] for p in problems] == [
        "2: writes a type/family/section list", "3: writes a type/family/section list",
        "4: writes a type/family/section table",
        "7: compares a family with a written family name"]


@pytest.mark.parametrize("path", VOCABULARY_READERS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_loader_writes_the_ontologys_vocabulary(path: Path) -> None:
    assert _vocabulary_problems(path) == []
