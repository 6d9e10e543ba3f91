"""Identity across sources: a curated identifier makes an open-data entity the curated one."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policykg.graph.store import OxigraphStore
from policykg.identity import entity_iri, identifier_iri
from policykg.load import load_paths
from policykg.resolution import find_matches, not_same
from policykg.resolution.judgements import current_rewrites
from tests.conftest import CLI, SHARED_SAMPLES

STATE_XML = SHARED_SAMPLES / "iati" / "usg-state-mexico.iati.xml.gz"
STATE = entity_iri("GovernmentAgency", key="us-state-department")
STATE_IATI = identifier_iri("GovernmentAgency", "iati", "US-GOV-11")

CURATED = """\
entities:
  - {id: us-state-department, type: GovernmentAgency, name: Department of State,
     identifiers: {iati: US-GOV-11}}
"""


def _curated(tmp_path: Path, text: str = CURATED, name: str = "state.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _activities_reported_by(ref: str) -> int:
    """Activities of the raw State file whose reporting-org is ``ref`` (ElementTree)."""
    with gzip.open(STATE_XML) as fh:
        root = ET.parse(fh).getroot()
    return sum(1 for a in root.iter("iati-activity")
               if (a.find("reporting-org") is not None
                   and a.find("reporting-org").get("ref") == ref))  # type: ignore[union-attr]


def _quads(store: OxigraphStore) -> set[tuple[str, str, str, str]]:
    return {(str(s), str(p), str(o), str(g)) for s, p, o, g in store.quads()}


def _issued_by(store: OxigraphStore, iri: object) -> int:
    rows = store.select("SELECT DISTINCT ?p ?o WHERE { ?p pkg:issuedBy ?o }", {"o": iri})
    return len(rows)


@pytest.mark.timeout(300)
def test_iati_org_becomes_the_curated_entity_in_any_order(tmp_path: Path) -> None:
    curated = _curated(tmp_path)
    expected = _activities_reported_by("US-GOV-11")
    assert expected > 400  # the raw file: State reports its own activities

    together = OxigraphStore()
    load_paths(together, [curated, STATE_XML])
    curated_first = OxigraphStore()
    load_paths(curated_first, [curated])
    load_paths(curated_first, [STATE_XML])
    open_data_first = OxigraphStore()
    load_paths(open_data_first, [STATE_XML])
    assert _issued_by(open_data_first, STATE_IATI) == expected  # two entities so far
    load_paths(open_data_first, [curated])

    for store in (together, curated_first, open_data_first):
        assert _issued_by(store, STATE) == expected
        assert _issued_by(store, STATE_IATI) == 0
        # Visible and reversible: the open-data IRI is kept as a trace, its name as an alias.
        assert store.ask("ASK { ?x owl:sameAs ?c }", {"x": STATE_IATI, "c": STATE})
        names = store.select("SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }", {"c": STATE})
        assert [str(r["l"]) for r in names] == ["Department of State"]
    assert _quads(together) == _quads(curated_first) == _quads(open_data_first)


def test_reloading_the_open_data_file_restores_it_without_the_claim(tmp_path: Path) -> None:
    curated = _curated(tmp_path)
    store = OxigraphStore()
    load_paths(store, [curated, STATE_XML])
    _curated(tmp_path, CURATED.replace(",\n     identifiers: {iati: US-GOV-11}", ""))
    load_paths(store, [curated])
    load_paths(store, [STATE_XML], force=True)
    assert _issued_by(store, STATE) == 0
    assert _issued_by(store, STATE_IATI) == _activities_reported_by("US-GOV-11")


def test_not_same_keeps_them_apart(tmp_path: Path) -> None:
    log = tmp_path / "judgements.jsonl"
    store = OxigraphStore()
    load_paths(store, [STATE_XML])
    not_same(store, log, str(STATE), str(STATE_IATI))
    load_paths(store, [_curated(tmp_path)], rewrite=current_rewrites(log))
    assert _issued_by(store, STATE) == 0
    assert _issued_by(store, STATE_IATI) > 0


def test_two_curated_claims_stay_apart_and_dedupe_lists_them_first(tmp_path: Path) -> None:
    text = CURATED + ("  - {id: state-dept-copy, type: GovernmentAgency, name: Foggy Bottom,"
                      " iati: US-GOV-11}\n")
    store = OxigraphStore()
    load_paths(store, [_curated(tmp_path, text), STATE_XML])
    copy = entity_iri("GovernmentAgency", key="state-dept-copy")
    assert _issued_by(store, STATE_IATI) > 0  # neither curated record wins
    matches = find_matches(store)
    assert matches and matches[0].strong == ["iati:US-GOV-11"]
    shared = [m for m in matches if m.strong]
    assert {frozenset((m.a.iri, m.b.iri)) for m in shared} >= {
        frozenset((str(STATE), str(copy)))}
    assert all(m.strong for m in matches[:len(shared)])


def test_curated_identifier_errors_name_the_field(kg: CLI, tmp_path: Path) -> None:
    bad = _curated(kg.cwd, CURATED.replace("iati: US-GOV-11", "duns: 123"), "bad.yaml")
    result = kg("load", str(bad), ok=False)
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "identifiers" in result.output
    assert "unknown identifier scheme(s): duns" in result.output


def test_cli_load_reports_the_match(kg: CLI) -> None:
    path = _curated(kg.cwd)
    result = kg("load", str(path), str(STATE_XML))
    assert f"same entity: <{STATE_IATI}> is <{STATE}> (same iati US-GOV-11)" in result.output
    shown = kg("show", str(STATE), "--format", "json")
    rows = json.loads(shown.output)["facts"]
    assert any(r["predicate"] == "owl:sameAs" and r["value"] == str(STATE_IATI) for r in rows)


@pytest.mark.timeout(300)
def test_a_gdelt_person_becomes_its_one_namesake_in_any_order() -> None:
    gdelt = SHARED_SAMPLES / "gdelt" / "gdelt1_events_20160728_sample.tsv"
    wikidata = SHARED_SAMPLES / "wikidata" / "Q7747_vladimir_putin.wbgetentities.json"
    putin = entity_iri("Person", wikidata="Q7747")
    by_name = entity_iri("Person", name="Vladimir Putin")
    together = OxigraphStore()
    load_paths(together, [gdelt, wikidata])
    gdelt_first = OxigraphStore()
    load_paths(gdelt_first, [gdelt])
    assert gdelt_first.ask("ASK { ?p pkg:nameOnly true }", {"p": by_name})
    load_paths(gdelt_first, [wikidata])
    wikidata_first = OxigraphStore()
    load_paths(wikidata_first, [wikidata])
    load_paths(wikidata_first, [gdelt])
    for store in (together, gdelt_first, wikidata_first):
        assert store.ask("ASK { ?p pkg:gdeltCode \"RUSGOV\" }", {"p": putin})
        assert not store.ask("ASK { ?p pkg:nameOnly ?x }", {"p": putin})
        assert not store.ask("ASK { ?p a ?t }", {"p": by_name})
    assert _quads(together) == _quads(gdelt_first) == _quads(wikidata_first)
