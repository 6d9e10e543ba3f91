"""Issue 16: the extractor's knowledge as YAML packs, and the store itself as gazetteer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from rdflib.namespace import RDF

from policykg.exceptions import LoaderError
from policykg.graph.store import OxigraphStore
from policykg.loaders.article.extract import document_from_text, extract
from policykg.loaders.article.resources import (
    RESOURCES,
    NameIndex,
    default_lexicon,
    read_pack,
    use_resources,
)
from policykg.ontology.namespace import PKG

#: The ``CLI`` helper of tests/conftest.py (the ``kg`` fixture), typed loosely here.
CLI = Any
ID = "https://w3id.org/policykg/id/"
PACKAGE = RESOURCES.parent

ARTICLE = """Water ministers from six countries met in Kigali on Tuesday. Xolani Dube opened the
meeting, and the Kivu Basin Water Trust presented its plan.

The delegates agreed to meet again in May.
"""
CURATED = """source:
  title: water actors
entities:
  - {id: xolani-dube, type: Person, name: Xolani Dube, aliases: [X. Dube]}
  - {id: kivu-trust, type: NGO, name: Kivu Basin Water Trust}
"""


def names(ex: Any) -> tuple[list[str], list[str]]:
    return [p.name for p in ex.persons], [o.name for o in ex.organizations]


def test_no_domain_literal_is_left_in_the_extractor_code() -> None:
    """Every pack name is in YAML: no module of the extractor spells one."""
    pack = yaml.safe_load((RESOURCES / "packs" / "migration" / "gazetteer.yaml").read_text(
        encoding="utf-8"))
    samples = [o["name"] for o in pack["organizations"][:40]] + [
        p["name"] for p in pack["known_persons"]]
    code = "".join(p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py"))
    assert [s for s in samples if f'"{s}"' in code] == []


def test_shipped_resources_are_package_data() -> None:
    pyproject = (PACKAGE.parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    shipped = list(RESOURCES.glob("*/*.yaml")) + list(RESOURCES.glob("*/*/*.yaml"))
    assert len(shipped) >= 7
    assert "loaders/article/resources/*/*.yaml" in pyproject
    assert "loaders/article/resources/*/*/*.yaml" in pyproject


def test_a_pack_adds_organizations_persons_and_currencies(tmp_path: Path) -> None:
    (tmp_path / "water.yaml").write_text(
        "organizations:\n  - {name: Kivu Basin Water Trust, type: NGO, aliases: [KBWT]}\n"
        "known_persons:\n  - {name: Xolani Dube, surnames: [Dube], named_alone: [Dube]}\n"
        "currencies:\n  - {code: RWF, symbols: [RWF, FRw], units: [Rwandan francs]}\n",
        encoding="utf-8")
    text = ARTICLE + "\nThe KBWT pledged RWF 5 million. Dube thanked it.\n"
    before = extract(document_from_text(text))
    assert "Kivu Basin Water Trust" not in names(before)[1]
    with use_resources([tmp_path]):
        ex = extract(document_from_text(text))
    persons, orgs = names(ex)
    assert "Kivu Basin Water Trust" in orgs
    assert "Kivu Basin Water Trust" not in persons
    trust = next(o for o in ex.organizations if o.name == "Kivu Basin Water Trust")
    assert trust.type == "NGO" and "KBWT" in trust.mentions
    assert [(a.value, a.currency) for a in ex.amounts] == [(5e6, "RWF")]
    # outside the block the shipped packs alone are used again
    assert names(extract(document_from_text(text))) == names(before)


def test_a_malformed_pack_is_a_one_line_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisations:\n  - {name: X}\n", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"bad\.yaml: unknown key 'organisations'"):
        read_pack(tmp_path)
    bad.write_text("organizations:\n  - {name: X, type: Charity}\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="unknown organization type 'Charity'"):
        read_pack(tmp_path)


def test_the_default_packs_are_world_and_migration() -> None:
    lexicon = default_lexicon()
    assert [p.name for p in lexicon.packs] == ["world", "migration"]
    countries = set()
    for path in (RESOURCES / "packs").glob("*/*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        countries |= {c["name"] for c in raw.get("countries") or []}
    assert countries == set(lexicon.countries)
    assert {"Russia", "Ukraine", "Mexico", "Zambia"} <= countries


def test_cli_extract_takes_resources(kg: CLI, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "orgs.yaml").write_text(
        "organizations:\n  - {name: Kivu Basin Water Trust, type: NGO}\n", encoding="utf-8")
    (kg.cwd / "water.txt").write_text(ARTICLE, encoding="utf-8")
    plain = kg("extract", "water.txt", "--format", "csv").output
    added = kg("extract", "water.txt", "--format", "csv", "--resources", str(pack)).output
    assert "organization,Kivu Basin Water Trust" not in plain
    assert "organization,Kivu Basin Water Trust" in added


def test_a_curated_person_is_found_in_an_article_loaded_after_it(kg: CLI) -> None:
    """The store is the gazetteer: names no pack holds are found once they are curated."""
    (kg.cwd / "water.txt").write_text(ARTICLE, encoding="utf-8")
    (kg.cwd / "water-actors.yaml").write_text(CURATED, encoding="utf-8")
    default = default_lexicon()
    assert "Xolani Dube" not in default.known_persons.values()
    assert "Kivu Basin Water Trust" not in default.organizations
    kg("load", "water-actors.yaml")
    kg("load", "water.txt")
    store = OxigraphStore(kg.store)
    try:
        source = next(g for g in store.graphs() if "/water-txt-" in str(g))
        triples = set(store.graph_triples(source))
    finally:
        store.close()
    dube, trust = URIRef(ID + "person/xolani-dube"), URIRef(ID + "org/kivu-trust")
    # the article's graph describes the curated IRIs (evidence of their mention), and mints
    # no person for the trust
    subjects = {s for s, _p, _o in triples} | {o for _s, _p, o in triples}
    assert dube in subjects and trust in subjects
    minted = {s for s, p, o in triples if p == RDF.type and o == PKG.Person}
    assert not any("kivu" in str(s) for s in minted)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Ana Lima", "Lima", "Kivu Trust", "Kivu", "the", "said",
                                 "Ana", ",", ".", "\n", "Ana Limas"]), max_size=30))
def test_name_index_spans_index_the_text_and_never_overlap(words: list[str]) -> None:
    index = NameIndex()
    index.add("Ana Lima", "Ana Lima", "Person")
    index.add("Kivu Trust", "Kivu Trust", "NGO")
    index.add("Lima", "Lima", "Person")  # one word: refused for persons
    text = " ".join(words)
    hits = list(index.find(text))
    last = 0
    for start, end, name, _type in hits:
        assert text[start:end] == name and start >= last
        assert end == len(text) or not (text[end].isalnum() or text[end] in "-_")
        last = end
    assert len(hits) == text.count("Ana Lima") - text.count("Ana Limas") + text.count(
        "Kivu Trust")
