"""Names a researcher can use: IATI organisations known only by a name become their namesake.

Expected values come from the raw files read here (ElementTree over the IATI XML, yaml over
examples/), never from our loaders. Small IATI and curated files written for these tests cover
the rules one at a time: one namesake (merged), two (left apart), a not-same judgement (left
apart), a preferred name beating an alias; and every canned query naming an actor the way
``funding`` does, on both backends.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
import yaml
from click.testing import CliRunner
from rdflib import URIRef

from policykg.graph.store import OxigraphStore
from policykg.identity import normalize_name
from policykg.load import load_paths
from policykg.queries import run_query
from tests.conftest import CLI, EXAMPLES, SHARED_SAMPLES
from tests.queries.conftest import mirrored_driver, on_both_backends

IATI_FILES = [SHARED_SAMPLES / "iati" / "usg-dhs-mexico.iati.xml",
              SHARED_SAMPLES / "iati" / "usg-state-mexico.iati.xml.gz"]
SEED = SHARED_SAMPLES.parent / "seed" / "mexico-us-immigration-partner.txt"
#: What the IATI standard accepts as an organisation identifier: a prefix, a hyphen, the rest.
ORG_REF = re.compile(r"^[A-Za-z0-9]{2,}-[A-Za-z0-9][A-Za-z0-9._\-/]*$")


# ---------------------------------------------------------------- raw readings


def _elements() -> Iterator[tuple[str, ET.Element, ET.Element]]:
    """(iati-identifier, activity, participating-org) over both raw IATI files."""
    for path in IATI_FILES:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as fh:
            root = ET.parse(fh).getroot()
        for activity in root.iter("iati-activity"):
            identifier = (activity.findtext("iati-identifier") or "").strip()
            for org in activity.findall("participating-org"):
                yield identifier, activity, org


def curated_record(alias: str) -> dict[str, Any]:
    """The one curated record of examples/ that has ``alias`` among its aliases (yaml)."""
    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for record in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entities", []):
            if alias in (record.get("aliases") or []):
                found.append(record)
    (record,) = found
    return record


def names_of_ref(ref: str) -> set[str]:
    """Every name the raw IATI files give organisation ``ref`` (any ``*-org`` element)."""
    names = set()
    for path in IATI_FILES:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as fh:
            for element in ET.parse(fh).getroot().iter():
                if element.tag.endswith("-org") and (element.get("ref") or "").strip() == ref:
                    names |= {(n.text or "").strip() for n in element.iter("narrative")} - {""}
    return names


# ---------------------------------------------------------------- the combined samples


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> CLI:
    """A CLI on one store holding examples/, both IATI files and the seed article."""
    work = tmp_path_factory.mktemp("combined")
    kg = CLI(CliRunner(), work / "store", work)
    kg("load", str(EXAMPLES), *map(str, IATI_FILES), str(SEED))
    return kg


def test_department_of_state_is_one_entity(combined: CLI) -> None:
    kg = combined
    record = curated_record("Department of State")
    ref = record["identifiers"]["iati"]
    shown = kg("show", "Department of State").output.splitlines()[0]
    assert shown.endswith("/" + record["id"])
    # Every name IATI gives the identifier, and every name of a ref-less element that is one of
    # the curated record's names, finds the same entity.
    curated = {record["name"], *record["aliases"]}
    ref_less = {(org.findtext("narrative") or "").strip() for _, _, org in _elements()
                if not ORG_REF.match((org.get("ref") or "").strip())}
    for name in sorted(names_of_ref(ref) | (ref_less & (curated | names_of_ref(ref)))):
        assert kg("show", name).output.splitlines()[0] == shown, name


def test_ref_less_participations_hang_on_the_curated_entity(combined: CLI) -> None:
    kg = combined
    record = curated_record("Department of State")
    ref = record["identifiers"]["iati"]
    known = {normalize_name(n) for n in {record["name"], *record["aliases"], *names_of_ref(ref)}}
    expected = 0
    ref_less = 0
    for _, _, org in _elements():
        org_ref = (org.get("ref") or "").strip()
        name = normalize_name((org.findtext("narrative") or "").strip())
        if org_ref == ref:
            expected += 1
        elif not ORG_REF.match(org_ref) and name in known:
            expected += 1
            ref_less += 1
    assert ref_less > 0  # the samples do have such elements
    iri = kg("show", "Department of State").output.splitlines()[0]
    query = (f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{ ?r pkg:relSubject <{iri}> }}"
             f" ?g pkg:format \"iati\" }}")
    rows = json.loads(kg("sparql", query, "--format", "json").output)
    assert int(rows[0]["n"]) == expected
    output = kg("query", "funding", "--funder", "Department of State", "--stage", "committed",
                "--format", "json").output
    totals = json.loads(output)["totals"]
    commitments = 0
    for path in IATI_FILES:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as fh:
            for activity in ET.parse(fh).getroot().iter("iati-activity"):
                reporting = activity.find("reporting-org")
                if reporting is not None and reporting.get("ref") == ref:
                    commitments += sum(1 for t in activity.findall("transaction")
                                       if t.find("transaction-type") is not None
                                       and t.find("transaction-type").get("code") == "2")
    assert commitments > 0
    assert [t["flows"] for t in totals] == [commitments]  # reached by name, not by IRI


def test_the_load_reports_every_rewrite(kg: CLI) -> None:
    (kg.cwd / "acme.yaml").write_text(_curated(("acme", "Acme Relief", [])), encoding="utf-8")
    (kg.cwd / "a.iati.xml").write_text(_iati("Acme Relief"), encoding="utf-8")
    result = kg("load", "acme.yaml", "a.iati.xml")
    line = [x for x in result.output.splitlines() if x.startswith("same entity:")]
    assert line == ["same entity: <https://w3id.org/policykg/id/org/acme-relief> is "
                    "<https://w3id.org/policykg/id/org/acme> (same name 'Acme Relief')"]
    rows = json.loads(kg("show", "https://w3id.org/policykg/id/org/acme", "--format",
                         "json").output)["facts"]
    assert any(r["predicate"] == "owl:sameAs" and r["value"].endswith("/org/acme-relief")
               for r in rows)
    assert kg("show", "Acme Relief").output.splitlines()[0].endswith("/org/acme")


# ---------------------------------------------------------------- small files, one rule each


def _curated(*records: tuple[str, str, list[str]]) -> str:
    lines = ["entities:"]
    for key, name, aliases in records:
        lines.append(f"  - {{id: {key}, type: NGO, name: {name}, aliases: {json.dumps(aliases)}}}")
    return "\n".join(lines) + "\n"


def _iati(name: str) -> str:
    """One activity: reporter XX-1 pays the ref-less ``name`` 100 USD for Mexico."""
    return f"""<iati-activities version="2.03">
 <iati-activity default-currency="USD">
  <iati-identifier>XX-1-A</iati-identifier>
  <reporting-org ref="XX-1" type="10"><narrative>Reporter Agency</narrative></reporting-org>
  <title><narrative>A programme</narrative></title>
  <recipient-country code="MX"/>
  <participating-org role="4"><narrative>{name}</narrative></participating-org>
  <transaction>
   <transaction-type code="3"/><transaction-date iso-date="2016-01-01"/>
   <value currency="USD">100</value>
   <receiver-org><narrative>{name}</narrative></receiver-org>
  </transaction>
  <transaction>
   <transaction-type code="3"/><transaction-date iso-date="2016-02-01"/>
   <value currency="USD">7</value>
  </transaction>
 </iati-activity>
</iati-activities>
"""


def _recipient_of_first_flow(kg: CLI) -> str:
    rows = json.loads(kg("query", "funding", "--format", "json").output)["rows"]
    return next(r["recipient_name"] for r in rows if r["amount"] == 100)


def _same_lines(output: str) -> list[str]:
    return [x for x in output.splitlines() if x.startswith("same entity:")]


def test_two_namesakes_are_not_merged(kg: CLI) -> None:
    (kg.cwd / "two.yaml").write_text(_curated(("acme-a", "Acme Relief", []),
                                              ("acme-b", "Acme Relief", [])), encoding="utf-8")
    (kg.cwd / "a.iati.xml").write_text(_iati("Acme Relief"), encoding="utf-8")
    result = kg("load", "two.yaml", "a.iati.xml")
    assert _same_lines(result.output) == []
    shown = kg("show", "Acme Relief", ok=False)
    assert shown.exit_code == 1 and "ambiguous" in shown.output
    assert shown.output.count("<https://w3id.org/policykg/id/org/") == 3  # all three remain


def test_a_preferred_name_beats_an_alias(kg: CLI) -> None:
    (kg.cwd / "two.yaml").write_text(_curated(("acme", "Acme Relief", []),
                                              ("other", "Other Relief", ["Acme Relief"])),
                                     encoding="utf-8")
    (kg.cwd / "a.iati.xml").write_text(_iati("Acme Relief"), encoding="utf-8")
    lines = _same_lines(kg("load", "two.yaml", "a.iati.xml").output)
    assert lines == ["same entity: <https://w3id.org/policykg/id/org/acme-relief> is "
                     "<https://w3id.org/policykg/id/org/acme> (same name 'Acme Relief')"]
    assert kg("show", "Acme Relief").output.splitlines()[0].endswith("/org/acme")


def test_an_alias_is_enough_when_it_is_the_only_one(kg: CLI) -> None:
    (kg.cwd / "one.yaml").write_text(_curated(("other", "Other Relief", ["Acme Relief"])),
                                     encoding="utf-8")
    (kg.cwd / "a.iati.xml").write_text(_iati("ACME relief"), encoding="utf-8")
    lines = _same_lines(kg("load", "one.yaml", "a.iati.xml").output)
    assert len(lines) == 1 and lines[0].endswith("/org/other> (same name (an alias of the "
                                                 "other) 'ACME relief')")
    assert _recipient_of_first_flow(kg) == "Other Relief"


def test_not_same_undoes_and_blocks_the_rewrite(kg: CLI) -> None:
    (kg.cwd / "acme.yaml").write_text(_curated(("acme", "Acme Relief", [])), encoding="utf-8")
    (kg.cwd / "a.iati.xml").write_text(_iati("Acme Relief"), encoding="utf-8")
    assert len(_same_lines(kg("load", "acme.yaml", "a.iati.xml").output)) == 1
    assert _recipient_of_first_flow(kg) == "Acme Relief"
    kg("not-same", "https://w3id.org/policykg/id/org/acme",
       "https://w3id.org/policykg/id/org/acme-relief")
    result = kg("load", "--force", "a.iati.xml")  # the source's own IRIs come back
    assert _same_lines(result.output) == []
    shown = kg("show", "Acme Relief", ok=False)
    assert shown.exit_code == 1 and "ambiguous" in shown.output
    assert "/org/acme>" in shown.output and "/org/acme-relief>" in shown.output


# ---------------------------------------------------------------- display names everywhere


MEXICO_TWICE = """\
entities:
  - {id: mexico, type: Country, name: United Mexican States, country_code: MX}
"""


@pytest.fixture(scope="module")
def two_named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """A country named twice: by a curated record and by the IATI loader's country table."""
    folder = tmp_path_factory.mktemp("two-named")
    (folder / "mexico.yaml").write_text(MEXICO_TWICE, encoding="utf-8")
    (folder / "a.iati.xml").write_text(_iati("Acme Relief"), encoding="utf-8")
    store = OxigraphStore()
    load_paths(store, [folder / "mexico.yaml", folder / "a.iati.xml"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def two_named_graph(neo4j_server: dict[str, Any],
                    two_named: OxigraphStore) -> Iterator[neo4j.Driver]:
    yield from mirrored_driver(neo4j_server, two_named)


on = on_both_backends("two_named", "two_named_graph")


def test_every_query_names_an_actor_as_funding_does(on: Any, two_named: OxigraphStore) -> None:
    country = next(str(r["s"]) for r in two_named.select(
        "SELECT ?s WHERE { ?s a pkg:Country }"))
    labels = {str(r["l"]) for r in two_named.select(
        "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }", {"s": URIRef(country)})}
    assert "United Mexican States" in labels and len(labels) == 2  # two preferred names
    funding = run_query(on, "funding", recipient=country)
    shown = {r["recipient_name"] for r in funding if r["kind"] == "flow"}
    assert shown == {"United Mexican States"}  # the curated name wins (the rule)
    reporter = next(r["funder_name"] for r in funding if r["kind"] == "flow")
    relations = run_query(on, "relations", actor=country)
    funds = [r for r in relations if r["relation"] == "FUNDS"]
    assert funds and {r["to_name"] for r in funds} == shown
    assert {r["from_name"] for r in funds} == {reporter}
    path = run_query(on, "path", source=reporter, target=country)
    assert path and {r["to_name"] for r in path if r["to_uri"] == country} == shown
    central = run_query(on, "central", limit=100)
    assert {r["name"] for r in central if r["uri"] == country} == shown


def test_both_backends_name_alike(two_named: OxigraphStore,
                                  two_named_graph: neo4j.Driver) -> None:
    country = next(str(r["s"]) for r in two_named.select(
        "SELECT ?s WHERE { ?s a pkg:Country }"))
    for name, params in (("relations", {"actor": country}), ("central", {"limit": 100})):
        assert run_query(two_named, name, **params) == run_query(two_named_graph, name, **params)
