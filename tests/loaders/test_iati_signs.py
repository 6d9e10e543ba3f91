"""IATI transactions: signs and directions, placeholder parties, the country a flow is for.

Fixture: tests/data/opendata/signs.iati.xml (written for policykg). Expected values are read from
the fixture with ElementTree, not from the loader.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.iati import unnamed_party
from policykg.validate import validate_store

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "opendata" / "signs.iati.xml"
PKG = "https://w3id.org/policykg/ns#"

FLOWS = """
SELECT ?record ?amount ?stage ?funder ?recipient ?country ?unnamed_f ?unnamed_r ?verification
WHERE {
  ?flow a pkg:FundingFlow ; pkg:amount ?amount ; pkg:stage ?stage ;
        pkg:verification ?verification ; pkg:evidence/pkg:record ?record .
  OPTIONAL { ?flow pkg:funder/skos:prefLabel ?funder }
  OPTIONAL { ?flow pkg:recipient/skos:prefLabel ?recipient }
  OPTIONAL { ?flow pkg:recipientCountry/pkg:countryCode ?country FILTER(STRLEN(?country) = 2) }
  OPTIONAL { ?flow pkg:unnamedFunder ?unnamed_f }
  OPTIONAL { ?flow pkg:unnamedRecipient ?unnamed_r }
}
"""


@pytest.fixture(scope="module")
def flows() -> dict[str, dict[str, Any]]:
    store = OxigraphStore()
    load_paths(store, [FIXTURE])
    rows = store.select(FLOWS)
    assert [r for r in validate_store(store) if r.severity == "Violation"] == []
    raw = _raw_transactions()
    # The record locator is IDENTIFIER/transaction[N]; key the rows by the raw @ref.
    columns = ["amount", "stage", "funder", "recipient", "country", "unnamed_f", "unnamed_r",
               "verification"]
    return {raw[str(row["record"])]["ref"]: {k: (str(row[k]) if row.get(k) is not None else None)
                                             for k in columns} for row in rows}


def _raw_transactions() -> dict[str, dict[str, Any]]:
    """Each transaction of the fixture, by its record locator ``IDENTIFIER/transaction[N]``."""
    out = {}
    root = ET.parse(FIXTURE).getroot()
    for activity in root.iter("iati-activity"):
        for position, element in enumerate(activity.findall("transaction"), start=1):
            value = element.find("value")
            assert value is not None and value.text
            out[f"{activity.findtext('iati-identifier')}/transaction[{position}]"] = {
                "ref": element.get("ref"), "amount": Decimal(value.text),
                "activity": activity.findtext("iati-identifier")}
    return out


def test_every_transaction_keeps_its_signed_amount(flows: dict[str, dict[str, Any]]) -> None:
    raw = {t["ref"]: t["amount"] for t in _raw_transactions().values()}
    assert {ref: Decimal(row["amount"]) for ref, row in flows.items()} == raw
    assert Decimal(flows["C-2"]["amount"]) == Decimal("-12500.50")


def test_a_correction_keeps_its_direction(flows: dict[str, dict[str, Any]]) -> None:
    grant, correction = flows["C-1"], flows["C-2"]
    for row in (grant, correction):
        assert (row["funder"], row["recipient"]) == ("Test Ministry of Aid",
                                                     "Casa del Migrante Test")
        assert row["stage"] == PKG + "Committed"
    assert Decimal(grant["amount"]) + Decimal(correction["amount"]) == Decimal("67499.50")


def test_placeholders_are_anonymous_parties(flows: dict[str, dict[str, Any]]) -> None:
    refund = flows["D-1"]
    assert refund["recipient"] is None
    assert refund["unnamed_r"] == "Enterprise - Non United States Other (XM-DAC-63000)"
    assert refund["funder"] == "Test Ministry of Aid"
    redacted = flows["D-2"]
    assert redacted["recipient"] is None and redacted["unnamed_r"] == "Information Redacted"
    incoming = flows["I-1"]  # a withheld provider: no funder, and not the reporting org either
    assert (incoming["funder"], incoming["unnamed_f"]) == (None, "XM-DAC-61000")
    assert incoming["recipient"] == "Test Ministry of Aid"


def test_no_actor_is_minted_for_a_placeholder() -> None:
    store = OxigraphStore()
    load_paths(store, [FIXTURE])
    names = {str(r["n"]) for r in store.select(
        "SELECT ?n WHERE { ?a skos:prefLabel ?n FILTER NOT EXISTS { ?a a pkg:Program } }")}
    refs = {str(r["r"]) for r in store.select("SELECT ?r WHERE { ?a pkg:iatiRef ?r }")}
    assert not {"Enterprise - Non United States Other", "Information Redacted",
                "XM-DAC-63000", "XM-DAC-61000"} & names
    assert "Test Legal Aid Network" in names  # a real name under a category code
    assert not {"XM-DAC-63000", "XM-DAC-61000", "XM-DAC-22000"} & refs


def test_the_country_a_flow_is_for(flows: dict[str, dict[str, Any]]) -> None:
    root = ET.parse(FIXTURE).getroot()
    expected = {}
    for activity in root.iter("iati-activity"):
        own = [c.get("code") for c in activity.findall("recipient-country")]
        for element in activity.findall("transaction"):
            on_transaction = element.find("recipient-country")
            code = (on_transaction.get("code") if on_transaction is not None
                    else own[0] if len(own) == 1 else None)
            expected[element.get("ref")] = code
    assert {ref: row["country"] for ref, row in flows.items()} == expected
    assert expected["D-1"] == "MX" and expected["C-1"] == "GT" and expected["R-1"] is None


def test_iati_flows_are_reported_not_verified(flows: dict[str, dict[str, Any]]) -> None:
    assert {row["verification"] for row in flows.values()} == {PKG + "Reported"}


@pytest.mark.parametrize(("xml", "expected"), [
    ('<receiver-org ref="XM-DAC-63000"><narrative>Enterprise - Non United States Other'
     '</narrative></receiver-org>', "Enterprise - Non United States Other (XM-DAC-63000)"),
    ('<receiver-org><narrative>Information Redacted</narrative></receiver-org>',
     "Information Redacted"),
    ('<receiver-org ref="XM-DAC-22000"><narrative>NGO - United States Redacted</narrative>'
     '</receiver-org>', "NGO - United States Redacted (XM-DAC-22000)"),
    ('<provider-org ref="XM-DAC-61000"/>', "XM-DAC-61000"),
    ('<receiver-org ref="XM-DAC-47066"><narrative>International Organisation for Migration'
     '</narrative></receiver-org>', None),
    ('<receiver-org ref="XM-DAC-22000"><narrative>Test Legal Aid Network</narrative>'
     '</receiver-org>', None),
    ('<receiver-org ref="US-GOV-11"/>', None),
    ('<receiver-org/>', None),
])
def test_unnamed_party(xml: str, expected: str | None) -> None:
    assert unnamed_party(ET.fromstring(xml)) == expected


@settings(max_examples=200, deadline=500)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_a_plain_name_without_placeholder_words_is_a_named_party(name: str) -> None:
    element = ET.Element("receiver-org")
    narrative = ET.SubElement(element, "narrative")
    narrative.text = name
    words = name.strip().casefold()
    looks_placeholder = (not words or "redacted" in words or "withheld" in words
                         or words in {"not applicable", "n/a", "na", "unknown", "various"}
                         or (" - " in words and words.endswith("other")))
    if not looks_placeholder:
        assert unnamed_party(element) is None


# ---------------------------------------------------------------- display names


CURATED = """\
source: {title: "A researcher's note on the ministry"}
entities:
  - {id: iati-XX-TEST-2, type: GovernmentAgency, name: Aid Ministry of Testland}
"""


def _funders(rows: list[dict[str, Any]]) -> set[Any]:
    return {r["funder_name"] for r in rows if r["kind"] == "flow"}


@pytest.mark.neo4j
def test_a_curated_name_is_the_display_name_on_both_backends(tmp_path: Path,
                                                              neo4j_db: Any) -> None:
    from policykg.graph.mirror import mirror
    from policykg.queries import run_query

    note = tmp_path / "note.yaml"
    note.write_text(CURATED, encoding="utf-8")
    iati_name = ET.parse(FIXTURE).getroot().findtext("iati-activity/reporting-org/narrative")
    curated_name = "Aid Ministry of Testland"
    assert iati_name and len(iati_name) < len(curated_name)  # the curated one wins all the same
    store = OxigraphStore()
    load_paths(store, [FIXTURE])
    funder = "https://w3id.org/policykg/id/org/iati-xx-test-2"
    assert _funders(run_query(store, "funding", funder=funder)) == {iati_name}
    load_paths(store, [note])  # the same IRI, now also named by a researcher
    embedded = run_query(store, "funding", funder=funder)
    assert _funders(embedded) == {curated_name}
    mirror(store, neo4j_db.driver, neo4j_db.database, full=True)
    assert run_query(neo4j_db.driver, "funding", database=neo4j_db.database,
                     funder=funder) == embedded
