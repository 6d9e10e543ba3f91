"""Hypothesis strategies per loader entry point: inputs shaped like each format, with hostile
values (wrong types, odd Unicode, control characters, bad dates, dangling references, huge
numbers). Every example must load or fail cleanly with the store unchanged
(:func:`tests.fuzz.harness.check_load`). Derandomized, so CI runs the same examples each time."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykg.graph.store import OxigraphStore
from policykg.loaders.curated import FIELDS
from policykg.loaders.ftm import FTM_SCHEMATA
from tests.fuzz.harness import baseline_store, check_load

#: CI runs a fixed, derandomized set; POLICYKG_FUZZ_EXPLORE=N runs N fresh random examples per
#: loader instead, to hunt for new failures locally.
_EXPLORE = int(os.environ.get("POLICYKG_FUZZ_EXPLORE", "0"))
FUZZ = settings(max_examples=_EXPLORE or 30, deadline=None, derandomize=not _EXPLORE,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text with the characters that break parsers and terminals; no lone surrogates (not text).
hostile = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20) | st.sampled_from(
    ["", " ", "\r\n", "\x00", "\x1b[2J", "\u202e", "=cmd()", "<b>", '"', "\\", "&amp;", "../x",
     "http://a b/", "2017-02-30", "-1", "1e309", "NaN", "ÑÃ©", "\t"])
scalar = hostile | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.booleans() \
    | st.none()
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(hostile, inner, max_size=3), max_leaves=8)
date_like = st.sampled_from(["2017", "2017-01", "2017-01-20", "2017-13-01", "20170120", "",
                             "0000-00-00", "9999-12-31"]) | hostile


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = baseline_store(tmp_path_factory.mktemp("baseline"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


def run(store: OxigraphStore, folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    check_load(store, path, strict=zlib.crc32(data) % 2 == 1)  # half the examples strict


# ------------------------------------------------------------------------------ FollowTheMoney

ftm_entity = st.fixed_dictionaries(
    {"id": hostile, "schema": st.sampled_from(sorted(FTM_SCHEMATA)) | hostile,
     "properties": st.dictionaries(
         st.sampled_from(["name", "alias", "country", "birthDate", "payer", "beneficiary",
                          "amount", "amountEur", "currency", "date", "member", "organization",
                          "entity", "holder", "startDate", "endDate", "address", "notes"]),
         st.lists(scalar, max_size=3) | value, max_size=6) | value},
    optional={"datasets": st.lists(hostile, max_size=2), "referents": value})


@FUZZ
@given(lines=st.lists(ftm_entity.map(json.dumps) | hostile, min_size=1, max_size=8))
def test_ftm(lines: list[str], fuzz_store: OxigraphStore, folder: Path) -> None:
    run(fuzz_store, folder, "f.ftm.json", "\n".join(lines).encode("utf-8"))


# ------------------------------------------------------------------------------------ Popolo

popolo = st.fixed_dictionaries({
    "persons": st.lists(st.fixed_dictionaries(
        {"id": st.sampled_from(["p1", "p2"]) | value, "name": hostile | value},
        optional={"birth_date": date_like | value, "identifiers": value,
                  "other_names": value}), max_size=3) | value,
}, optional={
    "organizations": st.lists(st.fixed_dictionaries(
        {"id": st.sampled_from(["o1", "o2"]) | value, "name": hostile},
        optional={"classification": hostile | value, "identifiers": value}), max_size=3),
    "memberships": st.lists(st.fixed_dictionaries(
        {"person_id": st.sampled_from(["p1", "p2", "p9"]) | hostile},
        optional={"organization_id": st.sampled_from(["o1", "o9"]) | hostile,
                  "start_date": date_like | value, "end_date": date_like, "role": value,
                  "on_behalf_of_id": hostile, "area_id": hostile,
                  "legislative_period_id": hostile}), max_size=3),
    "events": value, "areas": value, "posts": value,
})


@FUZZ
@given(document=popolo)
def test_popolo(document: dict[str, Any], fuzz_store: OxigraphStore, folder: Path) -> None:
    run(fuzz_store, folder, "d.popolo.json", json.dumps(document).encode("utf-8"))


# ---------------------------------------------------------------------------------- Wikidata

snak = st.fixed_dictionaries({
    "snaktype": st.sampled_from(["value", "novalue", "somevalue"]) | hostile,
    "property": st.sampled_from(["P39", "P580", "P582", "P31", "P27"]),
    "datavalue": st.fixed_dictionaries({"value": value | st.fixed_dictionaries(
        {"id": st.sampled_from(["Q30", "Q96"]) | hostile,
         "time": st.sampled_from(["+2012-05-07T00:00:00Z", "+0000-00-00T00:00:00Z"]) | hostile}),
        "type": st.sampled_from(["wikibase-entityid", "time", "string"])}),
})
statement = st.fixed_dictionaries({"mainsnak": snak}, optional={
    "qualifiers": st.dictionaries(st.sampled_from(["P580", "P582"]), st.lists(snak, max_size=2)),
    "rank": hostile})
entity = st.fixed_dictionaries({
    "id": st.sampled_from(["Q7747", "Q1"]) | hostile | value,
    "type": st.just("item") | hostile,
    "labels": st.dictionaries(st.sampled_from(["en", "ru"]),
                              st.fixed_dictionaries({"value": hostile})) | value,
    "claims": st.dictionaries(st.sampled_from(["P39", "P31", "P27"]),
                              st.lists(statement, max_size=2)) | value,
})


@FUZZ
@given(entities=st.dictionaries(st.sampled_from(["Q7747", "Q1"]) | hostile, entity,
                              max_size=3),
       as_lines=st.booleans())
def test_wikidata(entities: dict[str, Any], as_lines: bool, fuzz_store: OxigraphStore,
                  folder: Path) -> None:
    if as_lines:
        data = "[\n" + ",\n".join(json.dumps(e) for e in entities.values()) + "\n]\n"
        run(fuzz_store, folder, "e.wikidata.json", data.encode("utf-8"))
    else:
        data = json.dumps({"entities": entities})
        run(fuzz_store, folder, "e.wbgetentities.json", data.encode("utf-8"))


# -------------------------------------------------------------------------------------- IATI

xml_text = hostile.map(lambda t: "".join(c for c in t if c.isprintable() or c in "\t\n"))
activity = st.fixed_dictionaries({
    "identifier": xml_text,
    "orgs": st.lists(st.tuples(st.sampled_from(["1", "2", "3", "4", "x"]), xml_text, xml_text),
                     max_size=3),
    "transactions": st.lists(st.tuples(st.sampled_from(["1", "2", "3", "4", "11", "zz"]),
                                       st.sampled_from(["100", "-5", "1e400", "abc", ""]),
                                       st.sampled_from(["USD", "", "X"]), date_like),
                             max_size=3),
    "country": st.sampled_from(["MX", "US", "", "ZZ"]) | xml_text,
})


def iati_xml(activities: list[dict[str, Any]]) -> bytes:
    root = ET.Element("iati-activities", version="2.03")
    for item in activities:
        act = ET.SubElement(root, "iati-activity")
        ET.SubElement(act, "iati-identifier").text = item["identifier"]
        ET.SubElement(ET.SubElement(act, "title"), "narrative").text = item["identifier"]
        for role, ref, name in item["orgs"]:
            org = ET.SubElement(act, "participating-org", role=role, ref=ref)
            ET.SubElement(org, "narrative").text = name
        ET.SubElement(act, "recipient-country", code=item["country"])
        for kind, amount, currency, when in item["transactions"]:
            tx = ET.SubElement(act, "transaction")
            ET.SubElement(tx, "transaction-type", code=kind)
            ET.SubElement(tx, "transaction-date", attrib={"iso-date": when})
            val = ET.SubElement(tx, "value", currency=currency, attrib={"value-date": when})
            val.text = amount
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@FUZZ
@given(activities=st.lists(activity, max_size=3))
def test_iati(activities: list[dict[str, Any]], fuzz_store: OxigraphStore,
              folder: Path) -> None:
    run(fuzz_store, folder, "a.iati.xml", iati_xml(activities))


# ------------------------------------------------------------------------------------- GDELT

field = hostile.map(lambda t: t.replace("\t", " ").replace("\n", " ").replace("\r", " "))
gdelt_row = st.integers(min_value=55, max_value=62).flatmap(lambda n: st.lists(
    st.sampled_from(["", "MEX", "USA", "USAGOV", "042", "1", "4", "-10", "20160728",
                     "http://example.org/x", "http://[bad/"]) | field, min_size=n, max_size=n))


@FUZZ
@given(rows=st.lists(gdelt_row, min_size=1, max_size=6))
def test_gdelt(rows: list[list[str]], fuzz_store: OxigraphStore, folder: Path) -> None:
    for row in rows:
        row[0] = row[0] or "1"
    run(fuzz_store, folder, "g.export.csv",
        "\n".join("\t".join(row) for row in rows).encode("utf-8"))


# --------------------------------------------------------------------------- curated records

def record(section: str) -> st.SearchStrategy[dict[str, Any]]:
    allowed, required = FIELDS[section]
    names = sorted(allowed | {"bogus"})
    return st.dictionaries(st.sampled_from(names), scalar | st.lists(hostile, max_size=2)
                           | st.sampled_from(["p1", "o1", "mexico", "2017-01", "Person",
                                              "GovernmentAgency", "cooperates_with"]),
                           min_size=1, max_size=6)


curated = st.fixed_dictionaries({}, optional={
    section: st.lists(record(section), max_size=3) for section in FIELDS})


@FUZZ
@given(document=curated, syntax=st.sampled_from(["yaml", "json", "csv"]))
def test_curated(document: dict[str, Any], syntax: str, fuzz_store: OxigraphStore,
                 folder: Path) -> None:
    if syntax == "yaml":
        data = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
        run(fuzz_store, folder, "c.yaml", data)
    elif syntax == "json":
        run(fuzz_store, folder, "c.json", json.dumps(document).encode("utf-8"))
    else:
        section, rows = next(iter(document.items()), ("entities", []))
        columns = sorted({key for row in rows for key in row}) or ["name"]
        out = io.StringIO()
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "|".join(map(str, v)) if isinstance(v, list) else v
                             for k, v in row.items()})
        run(fuzz_store, folder, f"c.{section}.csv", out.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------------------- RDF

iri = st.sampled_from(["http://example.org/a", "https://w3id.org/policykg/id/person/x",
                       "urn:x:y", "http://example.org/é", "http://ex ample/", "rel/ative",
                       "http://example.org/\\u0041", ""]) | hostile.map(
    lambda t: "http://example.org/" + t)
literal = hostile.map(lambda t: json.dumps(t, ensure_ascii=False))
term = iri.map(lambda i: f"<{i}>") | st.sampled_from(["_:b1", "_:b2", "[]", "a"])
triple = st.tuples(term, term, term | literal | st.sampled_from(
    ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"@en', '"x"@', '"""x"""']))


@FUZZ
@given(triples=st.lists(triple, min_size=1, max_size=6),
       ext=st.sampled_from(["nt", "ttl", "nq", "trig"]))
def test_rdf(triples: list[tuple[str, str, str]], ext: str, fuzz_store: OxigraphStore,
             folder: Path) -> None:
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
    if ext == "trig":
        text = "<http://example.org/g> {\n" + text + "}\n"
    run(fuzz_store, folder, f"r.{ext}", text.encode("utf-8"))


@FUZZ
@given(items=st.lists(st.tuples(iri, hostile), min_size=1, max_size=4))
def test_rdf_xml(items: list[tuple[str, str]], fuzz_store: OxigraphStore, folder: Path) -> None:
    root = ET.Element("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF")
    for about, text in items:
        node = ET.SubElement(root, "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description",
                             {"{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about": about})
        ET.SubElement(node, "{http://example.org/}p").text = "".join(
            c for c in text if c.isprintable())
    run(fuzz_store, folder, "x.rdf", ET.tostring(root, encoding="utf-8"))
