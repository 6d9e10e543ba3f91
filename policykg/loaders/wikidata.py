"""Wikidata entity JSON: a ``wbgetentities`` response or dump lines (one entity per line).

Each item becomes an actor (``P31`` human → Person, party → PoliticalParty, state → Country, else
Organization) named by ``entity_iri(type, wikidata=QID)`` with ``pkg:wikidataId`` and
``owl:sameAs`` the Wikidata entity; countries in the ISO table get the ISO-based country IRI
shared by every loader. Claims mapped: ``P39`` position held → :class:`pkg:Membership` with the
position as ``pkg:post``, ``P102`` party, ``P108`` employer and ``P463`` member of → memberships,
``P27`` citizenship → ``pkg:jurisdiction``. Start/end come from the ``P580``/``P582`` qualifiers.
Entities a claim refers to are created by QID, named by their label when the file has it.

Wikidata is curated by volunteers, not an official register: its evidence carries confidence 0.9.
A claim whose datatype is unknown is a bad record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, SDO, XSD

from policykg.exceptions import LoaderError
from policykg.facts import Membership, source_fact_iri
from policykg.graph.terms import Triple
from policykg.identity import entity_iri
from policykg.loaders.base import LoadContext, Loader, parse_json, read_lines
from policykg.loaders.opendata import (
    Seen,
    bad_record,
    country_by_qid,
    country_triples,
    open_binary,
)
from policykg.loaders.records import entity_triples
from policykg.ontology.external import WIKIDATA
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG

__all__ = ["WikidataLoader", "DATATYPES", "wikidata_date"]

EXTRACTOR = "policykg.wikidata"
CONFIDENCE = 0.9

#: Every datatype a Wikidata claim may have.
DATATYPES = frozenset({
    "wikibase-item", "wikibase-property", "wikibase-lexeme", "wikibase-form", "wikibase-sense",
    "external-id", "string", "monolingualtext", "time", "quantity", "url", "commonsMedia",
    "globe-coordinate", "geo-shape", "tabular-data", "math", "musical-notation",
    "entity-schema",
})
_HUMAN = "Q5"
_PARTY = {"Q7278", "Q2367225", "Q1393724"}
_STATE = {"Q6256", "Q3624078", "Q7275", "Q3024240"}
_LEGISLATURE = {"Q11204", "Q10553309", "Q35749", "Q375928", "Q637846", "Q1752346"}
_AGENCY = {"Q327333", "Q2659904", "Q192350", "Q7188"}
#: Types whose entities may be one of the countries policykg knows by QID (the place family).
_PLACE_TYPES = default_model().family_members(default_model().family_of(PKG.Country))
_MEMBERSHIP_CLAIMS = {
    # property: (organization class name, class, role)
    "P102": ("PoliticalParty", PKG.PoliticalParty, "member"),
    "P108": ("Organization", PKG.Organization, "employee"),
    "P463": ("Organization", PKG.Organization, "member"),
}
#: A wbgetentities response: {"entities": {"Q42": ... (curated files have an "entities" list).
_RESPONSE = re.compile(rb'^\{\s*(?:"success"\s*:\s*1\s*,\s*)?"entities"\s*:\s*\{\s*"[A-Z]\d+"')
_ITEM_LINE = re.compile(rb'"id"\s*:\s*"(Q[0-9]+)"')


def wikidata_date(value: Any) -> Literal | None:
    """A typed date literal for a Wikidata time value, at its precision (year or finer)."""
    if not isinstance(value, dict):
        return None
    text = str(value.get("time") or "")
    precision = int(value.get("precision") or 0)
    match = re.match(r"^\+(\d{4})-(\d{2})-(\d{2})T", text)
    if match is None or precision < 9:
        return None
    year, month, day = match.groups()
    if precision == 9 or month == "00":
        return Literal(year, datatype=XSD.gYear)
    if precision == 10 or day == "00":
        return Literal(f"{year}-{month}",
                       datatype=XSD.gYearMonth)
    return Literal(f"{year}-{month}-{day}",
                   datatype=XSD.date)


def _item_id(snak: dict[str, Any] | None) -> str | None:
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    value = (snak.get("datavalue") or {}).get("value")
    if isinstance(value, dict) and str(value.get("id", "")).startswith("Q"):
        return str(value["id"])
    return None


def _qualifier(statement: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    snaks = (statement.get("qualifiers") or {}).get(prop) or []
    return [s for s in snaks if isinstance(s, dict) and s.get("snaktype") == "value"]


def _label(entity: dict[str, Any]) -> str | None:
    labels = entity.get("labels") or {}
    if not isinstance(labels, dict) or not labels:
        return None
    chosen = labels.get("en") or next(iter(labels.values()))
    return str(chosen.get("value")) if isinstance(chosen, dict) else None


class WikidataLoader(Loader):
    """Wikidata entities (wbgetentities response or JSON dump lines)."""

    name = "wikidata"
    version = "0.1"
    extensions = (".wikidata.json", ".wikidata.json.gz", ".wbgetentities.json")
    description = "Wikidata entity JSON (wbgetentities response or dump lines, plain or .gz)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip()
        if _RESPONSE.match(text):
            return True
        first = text.lstrip(b"[\r\n ").split(b"\n", 1)[0]
        return first.startswith(b"{") and b'"claims"' in head and (
            b'"type":"item"' in first.replace(b" ", b"") or b'"labels"' in first)

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        with open_binary(path, context.limits) as fh:
            start = fh.read(4096).lstrip()
        if _RESPONSE.match(start):
            yield from self._load_response(path, context)
        else:
            yield from self._load_lines(path, context)

    def _load_response(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        try:
            with open_binary(path, context.limits) as fh:
                document = parse_json(fh.read(), path, context.limits)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise LoaderError(f"malformed JSON: {exc}", path=str(path), line=line) from None
        entities = document.get("entities") if isinstance(document, dict) else None
        if not isinstance(entities, dict):
            raise LoaderError("not a wbgetentities response (no 'entities')", path=str(path))
        labels = {qid: _label(e) for qid, e in entities.items() if isinstance(e, dict)}
        mapper = _Mapper(path, context, self.version, set(labels),
                         {k: v for k, v in labels.items() if v})
        for qid, entity in entities.items():
            if not isinstance(entity, dict) or "missing" in entity:
                continue
            yield from _guarded(mapper, entity, str(qid), None)

    def _load_lines(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        defined: set[int] = set()
        limits = context.limits
        with open_binary(path, limits) as fh:
            for raw in read_lines(fh, path, limits):
                match = _ITEM_LINE.search(raw, 0, 300)
                if match:
                    defined.add(int(match.group(1)[1:]))
        mapper = _Mapper(path, context, self.version, defined, {})
        with open_binary(path, limits) as fh:
            for number, raw in enumerate(read_lines(fh, path, limits), start=1):
                text = raw.strip().rstrip(b",")
                if not text or text in (b"[", b"]"):
                    continue
                try:
                    entity = parse_json(text, path, limits, line=number)
                except ValueError as exc:
                    bad_record(context, path, f"malformed JSON: {exc}", reason="malformed JSON",
                               line=number)
                    continue
                if not isinstance(entity, dict) or "id" not in entity:
                    bad_record(context, path, "not a Wikidata entity (no 'id')",
                               reason="not a Wikidata entity", line=number)
                    continue
                yield from _guarded(mapper, entity, str(entity["id"]), number)


def _guarded(mapper: _Mapper, entity: dict[str, Any], record: str,
             line: int | None) -> Iterator[Triple]:
    """One entity's triples, or none and a bad-record report when a value has the wrong shape
    (a string where the format has an object...)."""
    try:
        triples = list(mapper.entity(entity, record=record, line=line))
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        bad_record(mapper.context, mapper.path, f"unexpected value: {exc!r}",
                   reason="malformed entity", line=line, record=record)
        return
    yield from triples


class _Mapper:
    """Maps Wikidata entities of one file to triples."""

    def __init__(self, path: Path, context: LoadContext, version: str,
                 defined: set[str] | set[int], labels: dict[str, str]) -> None:
        self.path = path
        self.context = context
        self.version = version
        self.defined = defined
        self.labels = labels
        self.seen = Seen()

    def is_defined(self, qid: str) -> bool:
        return qid in self.defined or (qid[1:].isdigit() and int(qid[1:]) in self.defined)

    def evidence(self, fact: URIRef, record: str) -> Iterator[Triple]:
        return self.context.evidence(fact, extractor=EXTRACTOR, version=self.version,
                                     record=record, confidence=CONFIDENCE)

    def ref(self, qid: str, type_name: str, type_iri: URIRef) -> tuple[URIRef, list[Triple]]:
        """The IRI of a referenced entity, with a stub when this file does not define it."""
        country = country_by_qid(qid) if type_name in _PLACE_TYPES else None
        if country is not None:
            iri = country.iri
            stub = list(country_triples(country)) if self.seen.add(iri) else []
            if stub:
                stub.append((iri, PKG.wikidataId, Literal(qid)))
            return iri, stub
        iri = entity_iri(type_name, wikidata=qid)
        if self.is_defined(qid) or not self.seen.add(iri):
            return iri, []
        stub = list(entity_triples(iri, type_iri, self.labels.get(qid, qid)))
        stub.append((iri, PKG.wikidataId, Literal(qid)))
        stub.append((iri, OWL.sameAs, WIKIDATA[qid]))
        return iri, stub

    def classify(self, entity: dict[str, Any]) -> tuple[str, URIRef]:
        instance_of = {_item_id(s.get("mainsnak")) for s in
                       (entity.get("claims") or {}).get("P31") or [] if isinstance(s, dict)}
        if _HUMAN in instance_of:
            return "Person", PKG.Person
        if instance_of & _PARTY:
            return "PoliticalParty", PKG.PoliticalParty
        if instance_of & _STATE:
            return "Country", PKG.Country
        if instance_of & _LEGISLATURE:
            return "Legislature", PKG.Legislature
        if instance_of & _AGENCY:
            return "GovernmentAgency", PKG.GovernmentAgency
        return "Organization", PKG.Organization

    def entity(self, entity: dict[str, Any], *, record: str,
               line: int | None) -> Iterator[Triple]:
        qid = str(entity.get("id"))
        if not qid.startswith("Q"):
            return  # properties and lexemes are not actors
        type_name, type_iri = self.classify(entity)
        label = _label(entity) or qid
        if label != qid:
            self.labels.setdefault(qid, label)
            if len(self.labels) > 200_000:
                self.labels.clear()
        country = country_by_qid(qid) if type_name == "Country" else None
        iri = country.iri if country is not None else entity_iri(type_name, wikidata=qid)
        self.seen.add(iri)
        aliases: list[str] = []
        for value in (entity.get("labels") or {}).values():
            if isinstance(value, dict) and value.get("value"):
                aliases.append(str(value["value"]))
        for values in (entity.get("aliases") or {}).values():
            for value in values if isinstance(values, list) else []:
                if isinstance(value, dict) and value.get("value"):
                    aliases.append(str(value["value"]))
        if country is not None:
            yield from country_triples(country)
            yield from entity_triples(iri, type_iri, None, aliases=dict.fromkeys(aliases))
        else:
            yield from entity_triples(iri, type_iri, label, aliases=dict.fromkeys(aliases))
        yield iri, PKG.wikidataId, Literal(qid)
        yield iri, OWL.sameAs, WIKIDATA[qid]
        descriptions = entity.get("descriptions") or {}
        description = descriptions.get("en") if isinstance(descriptions, dict) else None
        if isinstance(description, dict) and description.get("value"):
            yield iri, SDO.description, Literal(str(description["value"]))
        yield from self.evidence(iri, record)
        claims = entity.get("claims") or {}
        if not isinstance(claims, dict):
            return
        for prop, statements in claims.items():
            for statement in statements if isinstance(statements, list) else []:
                if not isinstance(statement, dict):
                    continue
                snak = statement.get("mainsnak") or {}
                datatype = snak.get("datatype")
                if datatype is not None and datatype not in DATATYPES:
                    bad_record(self.context, self.path,
                               f"claim {statement.get('id') or prop} has unknown datatype "
                               f"{datatype!r}", reason="unknown claim datatype", line=line,
                               record=f"{qid}/{prop}", field="datatype")
                    continue
                yield from self.claim(iri, qid, prop, statement)

    def claim(self, iri: URIRef, qid: str, prop: str,
              statement: dict[str, Any]) -> Iterator[Triple]:
        target = _item_id(statement.get("mainsnak"))
        if target is None or statement.get("rank") == "deprecated":
            return
        if prop == "P27":
            country, stub = self.ref(target, "Country", PKG.Country)
            yield from stub
            yield iri, PKG.jurisdiction, country
            return
        if prop == "P39":
            post, stub = self.ref(target, "Post", PKG.Post)
            yield from stub
            organization: URIRef = post
            for qualifier in ("P642", "P2389", "P1001"):
                found = [t for t in map(_item_id, _qualifier(statement, qualifier)) if t]
                if found:
                    if qualifier == "P1001":
                        organization, stub = self.ref(found[0], "Jurisdiction", PKG.Jurisdiction)
                    else:
                        organization, stub = self.ref(found[0], "Organization", PKG.Organization)
                    yield from stub
                    break
            yield from self.membership(iri, qid, statement, organization,
                                       self.labels.get(target, target), post)
            return
        if prop in _MEMBERSHIP_CLAIMS:
            type_name, type_iri, role = _MEMBERSHIP_CLAIMS[prop]
            organization, stub = self.ref(target, type_name, type_iri)
            yield from stub
            yield from self.membership(iri, qid, statement, organization, role, None)

    def membership(self, member: URIRef, qid: str, statement: dict[str, Any],
                   organization: URIRef, role: str, post: URIRef | None) -> Iterator[Triple]:
        starts = [wikidata_date((s.get("datavalue") or {}).get("value"))
                  for s in _qualifier(statement, "P580")]
        ends = [wikidata_date((s.get("datavalue") or {}).get("value"))
                for s in _qualifier(statement, "P582")]
        start = next((d for d in starts if d is not None), None)
        end = next((d for d in ends if d is not None), None)
        statement_id = str(statement.get("id") or "")
        iri = source_fact_iri(Membership.kind, "wikidata", statement_id or qid, organization,
                              start)
        yield from Membership(member, organization, role=role, start=start, end=end,
                              post=post).triples(iri)
        yield from self.evidence(iri, statement_id or qid)
