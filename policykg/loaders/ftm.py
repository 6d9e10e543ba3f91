"""FollowTheMoney (FtM) entities: JSON lines, plain or gzip, as exported by OpenSanctions/Aleph.

Mapping (``docs/open-data-mapping.md``): Person/Organization/Company/PublicBody/LegalEntity become
actors; Payment a :class:`pkg:FundingFlow` (Disbursed, Reported: a payment is what the
disclosure or dataset says, not something a researcher checked); Membership, Directorship,
Employment and Occupancy a :class:`pkg:Membership`; Ownership, Representation, Family and
Associate a :class:`pkg:Relationship` (``related_to``, described by the FtM schema); Sanction a
:class:`pkg:Event` with the sanctioned entity as participant; Position a :class:`pkg:Post`;
Address a ``schema:address`` literal on the entities that point to it.

Entity IRIs are ``entity_iri(type, key="ftm-" + id)``. Because an FtM record refers to others by id
only, the file is read twice: a quick first pass notes (as 64-bit hashes, 8 bytes per entity)
which ids are persons and which are defined at all, so a reference gets the right IRI family and
an id defined nowhere in the file gets a stub organization. Both passes stream.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, OWL, SDO

from policykg.exceptions import LimitExceeded
from policykg.facts import FundingFlow, Membership, Relationship, source_fact_iri
from policykg.graph.terms import Triple
from policykg.identity import entity_iri, family_iri, family_of
from policykg.loaders.base import Limits, LoadContext, Loader, parse_json, read_lines
from policykg.loaders.opendata import (
    Evidence,
    LiteralCache,
    RecordError,
    Seen,
    bad_record,
    country,
    country_triples,
    open_binary,
)
from policykg.loaders.records import date_literal, decimal_literal, entity_triples
from policykg.ontology.external import WIKIDATA
from policykg.ontology.namespace import PKG

__all__ = ["FtMLoader", "ACTOR_SCHEMATA", "FTM_SCHEMATA", "ftm_iri"]

EXTRACTOR = "policykg.ftm"

#: FtM schemata that become actors, with our class.
ACTOR_SCHEMATA: dict[str, URIRef] = {
    "Person": PKG.Person,
    "Organization": PKG.Organization,
    "LegalEntity": PKG.Organization,
    "Company": PKG.Company,
    "PublicBody": PKG.GovernmentAgency,
}
_MEMBERSHIPS = {
    # schema: (member property, organization property, default role)
    "Membership": ("member", "organization", None),
    "Directorship": ("director", "organization", "director"),
    "Employment": ("employee", "employer", "employee"),
}
_RELATIONS = {
    # schema: (subject property, object property, label)
    "Ownership": ("owner", "asset", "owns"),
    "Representation": ("agent", "client", "represents"),
    "Family": ("person", "relative", "family"),
    "Associate": ("person", "associate", "associate"),
}
#: Every FtM schema name; known schemata we do not map are passed over silently, a name not in
#: this list is reported as a bad record.
FTM_SCHEMATA = frozenset({
    "Address", "Airplane", "Analyzable", "Article", "Assessment", "Asset", "Associate",
    "Audio", "BankAccount", "Call", "CallForTenders", "Company", "Contract", "ContractAward",
    "CourtCase", "CourtCaseParty", "CryptoWallet", "Debt", "Directorship", "Document",
    "Documentation", "EconomicActivity", "Email", "Employment", "Event", "Family", "Folder",
    "HyperText", "Identification", "Image", "Interest", "Interval", "LegalEntity", "License",
    "Membership", "Mention", "Message", "Note", "Occupancy", "Organization", "Ownership",
    "Package", "Page", "Pages", "Passport", "Payment", "Person", "PlainText", "Position",
    "Project", "ProjectParticipant", "PublicBody", "RealEstate", "Representation", "Sanction",
    "Security", "Similar", "Succession", "Table", "TaxRoll", "Thing", "Trip", "UnknownLink",
    "UserAccount", "Value", "Vehicle", "Vessel", "Video", "Workbook",
})
_NAME_PROPS = ("alias", "previousName", "weakAlias", "abbreviation")
_COUNTRY_PROPS = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")
_NOTE_PROPS = ("notes", "summary", "description")
_ADDRESS_PARTS = ("street", "street2", "postalCode", "city", "region", "state", "country")

_ID_RE = re.compile(rb'"id"\s*:\s*"([^"\\]*)"')
_SCHEMA_RE = re.compile(rb'"schema"\s*:\s*"([^"\\]*)"')


_FTM_ID, _DATASET, _JURISDICTION = PKG.ftmId, PKG.dataset, PKG.jurisdiction


_SLUG_OUT = re.compile(r"[^0-9a-z]+")


def ftm_iri(type_name: str, key: str) -> URIRef:
    """``entity_iri(type_name, key="ftm-" + key)``, with a fast path for short ASCII ids."""
    text = "ftm-" + key
    if text.isascii() and len(text) <= 80:
        slug = _SLUG_OUT.sub("-", text.lower()).strip("-")
        return family_iri(family_of(type_name), slug)
    return entity_iri(type_name, key=text)


class _Index:
    """Which ids a file defines, and which of them are persons (sorted 64-bit hashes)."""

    def __init__(self, persons: array[int], defined: array[int]) -> None:
        self.persons = persons
        self.defined = defined

    @staticmethod
    def _has(values: array[int], key: str) -> bool:
        h = hash(key)
        i = bisect_left(values, h)
        return i < len(values) and values[i] == h

    def is_person(self, key: str) -> bool:
        return self._has(self.persons, key)

    def is_defined(self, key: str) -> bool:
        return self._has(self.defined, key)


def _scan(path: Path, limits: Limits) -> _Index:
    """First pass: hash the id of every actor line, noting persons apart."""
    persons: array[int] = array("q")
    defined: array[int] = array("q")
    with open_binary(path, limits) as fh:
        for raw in read_lines(fh, path, limits):
            schema_match = _SCHEMA_RE.search(raw)
            id_match = _ID_RE.search(raw)
            if schema_match is None or id_match is None:
                try:
                    data = parse_json(raw, path, limits)
                    schema, key = str(data["schema"]), str(data["id"])
                except (ValueError, KeyError, TypeError, LimitExceeded):
                    continue  # the second pass reports the line
            else:
                schema = schema_match.group(1).decode("utf-8", "replace")
                key = id_match.group(1).decode("utf-8", "replace")
            if schema in ACTOR_SCHEMATA or schema == "Position":
                defined.append(hash(key))
                if schema == "Person":
                    persons.append(hash(key))
    return _Index(array("q", sorted(persons)), array("q", sorted(defined)))


def _values(props: dict[str, Any], name: str) -> list[str]:
    value = props.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value).strip()] if str(value).strip() else []


def _first(props: dict[str, Any], *names: str) -> str | None:
    for name in names:
        values = _values(props, name)
        if values:
            return values[0]
    return None


class FtMLoader(Loader):
    """FollowTheMoney entity JSON lines (``*.ftm.json``, ``*.jsonl``, gzip too)."""

    name = "ftm"
    version = "0.2"
    extensions = (".ftm.json", ".ftm.jsonl", ".ftm.json.gz", ".ftm.jsonl.gz", ".ijson")
    description = "FollowTheMoney entities (JSON lines, plain or .gz)"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.lstrip().split(b"\n", 1)[0]
        if not first.startswith(b"{"):
            return False
        try:
            data = json.loads(first)
        except ValueError:
            # A first line longer than the head: look for the keys instead.
            return b'"schema"' in first and b'"properties"' in first
        return isinstance(data, dict) and "schema" in data and "properties" in data

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        limits = context.limits
        mapper = _Mapper(path, context, self.version, _scan(path, limits))
        with open_binary(path, limits) as fh:
            for number, raw in enumerate(read_lines(fh, path, limits), start=1):
                if not raw.strip():
                    continue
                try:
                    data = parse_json(raw, path, limits, line=number)
                except ValueError as exc:
                    bad_record(context, path, f"malformed JSON: {exc}", reason="malformed JSON",
                               line=number)
                    continue
                try:
                    triples = list(mapper.map(data))
                except RecordError as exc:
                    record = str(data.get("id")) if isinstance(data, dict) else None
                    bad_record(context, path, exc.message, reason=exc.reason, line=number,
                               record=record, field=exc.field)
                    continue
                yield from triples


class _Mapper:
    """Maps FtM entities of one file to triples."""

    def __init__(self, path: Path, context: LoadContext, version: str, index: _Index) -> None:
        self.path = path
        self.context = context
        self.version = version
        self.index = index
        self.seen = Seen()
        self.addresses: dict[str, str] = {}
        self.pending_addresses: dict[str, list[URIRef]] = {}
        self.positions: dict[str, tuple[str | None, str | None]] = {}
        self.literal = LiteralCache()
        self._evidence = Evidence(context, EXTRACTOR, version)

    # -- references

    def ref(self, key: str) -> tuple[URIRef, list[Triple]]:
        """The IRI of the actor with FtM id ``key``, and a stub if the file never defines it."""
        if self.index.is_person(key):
            return ftm_iri("Person", key), []
        iri = ftm_iri("Organization", key)
        if self.index.is_defined(key) or not self.seen.add(iri):
            return iri, []
        stub = list(entity_triples(iri, PKG.Organization, key))
        stub.append((iri, PKG.ftmId, Literal(key)))
        return iri, stub

    def evidence(self, fact: URIRef, key: str) -> Iterator[Triple]:
        return self._evidence(fact, key)

    def date(self, props: dict[str, Any], name: str) -> Literal | None:
        value = _first(props, name)
        if value is None:
            return None
        try:
            return date_literal(value)
        except ValueError as exc:
            raise RecordError(str(exc), "invalid date", name) from None

    # -- dispatch

    def map(self, data: Any) -> Iterator[Triple]:
        if not isinstance(data, dict) or "schema" not in data or "id" not in data:
            raise RecordError("not an FtM entity (needs 'id' and 'schema')", "not an FtM entity")
        schema = str(data["schema"])
        props = data.get("properties") or {}
        if not isinstance(props, dict):
            raise RecordError("'properties' must be an object", "not an FtM entity",
                               "properties")
        key = str(data["id"])
        if schema in ACTOR_SCHEMATA:
            return self.actor(data, schema, key, props)
        if schema == "Address":
            return self.address(key, props)
        if schema == "Payment":
            return self.payment(key, props)
        if schema in _MEMBERSHIPS:
            return self.membership(schema, key, props)
        if schema in _RELATIONS:
            return self.relation(schema, key, props)
        if schema == "Sanction":
            return self.sanction(key, props)
        if schema == "Position":
            return self.position(data, key, props)
        if schema == "Occupancy":
            return self.occupancy(key, props)
        if schema in FTM_SCHEMATA:
            return iter(())
        raise RecordError(f"unknown FtM schema {schema!r}", "unknown FtM schema", "schema")

    # -- entities

    def actor(self, data: dict[str, Any], schema: str, key: str,
              props: dict[str, Any]) -> Iterator[Triple]:
        type_iri = ACTOR_SCHEMATA[schema]
        iri = ftm_iri("Person" if schema == "Person" else "Organization", key)
        names = _values(props, "name")
        if not names and schema == "Person":
            full = " ".join(_values(props, "firstName")[:1] + _values(props, "lastName")[:1])
            names = [full] if full else []
        caption = str(data.get("caption") or "").strip()
        label = caption if caption and (caption in names or not names) else (
            names[0] if names else key)
        aliases = [n for n in names if n != label]
        for prop in _NAME_PROPS:
            aliases.extend(_values(props, prop))
        yield from entity_triples(iri, type_iri, label, aliases=dict.fromkeys(aliases))
        self.seen.add(iri)
        yield iri, _FTM_ID, Literal(key)
        for referent in data.get("referents") or []:
            yield iri, PKG.ftmId, Literal(str(referent))
        for dataset in data.get("datasets") or []:
            yield iri, _DATASET, self.literal(str(dataset))
        for prop in _COUNTRY_PROPS:
            for code in _values(props, prop):
                item = country(code)
                if item is not None:
                    if self.seen.add(item.iri):
                        yield from country_triples(item)
                    yield iri, _JURISDICTION, item.iri
        for qid in _values(props, "wikidataId"):
            yield iri, PKG.wikidataId, Literal(qid)
            yield iri, OWL.sameAs, WIKIDATA[qid]
        for prop in _NOTE_PROPS:
            for note in _values(props, prop):
                yield iri, SDO.description, Literal(note)
        for topic in _values(props, "topics"):
            yield iri, PKG.classification, self.literal(topic)
        for title in _values(props, "position"):
            yield iri, SDO.jobTitle, Literal(title)
        for url in _values(props, "website"):
            yield iri, SDO.url, Literal(url)
        birth = self.date(props, "birthDate") if schema == "Person" else None
        if birth is not None:
            yield iri, SDO.birthDate, birth
        for text in _values(props, "address"):
            yield iri, SDO.address, Literal(text)
        for address_id in _values(props, "addressEntity"):
            if address_id in self.addresses:
                yield iri, SDO.address, Literal(self.addresses[address_id])
            else:
                self.pending_addresses.setdefault(address_id, []).append(iri)
        yield from self.evidence(iri, key)

    def address(self, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        text = _first(props, "full")
        if text is None:
            parts = [v for part in _ADDRESS_PARTS for v in _values(props, part)[:1]]
            text = ", ".join(parts) if parts else None
        if text is None:
            return
        self.addresses[key] = text
        for iri in self.pending_addresses.pop(key, []):
            yield iri, SDO.address, Literal(text)

    # -- facts

    def payment(self, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        amount_text, currency = _first(props, "amount"), _first(props, "currency")
        if amount_text is None and _first(props, "amountEur") is not None:
            amount_text, currency = _first(props, "amountEur"), "EUR"
        if amount_text is None:
            raise RecordError("payment without amount", "payment without amount", "amount")
        try:
            amount = decimal_literal(amount_text)
        except ValueError as exc:
            raise RecordError(str(exc), "invalid amount", "amount") from None
        currency = (currency or "EUR").upper()
        if len(currency) != 3 or not currency.isalpha():
            raise RecordError(f"{currency!r} is not an ISO 4217 currency code",
                               "invalid currency", "currency")
        payer, beneficiary = _first(props, "payer"), _first(props, "beneficiary")
        if payer is None and beneficiary is None:
            raise RecordError("payment without payer or beneficiary", "payment without parties",
                               "payer")
        iri = source_fact_iri(FundingFlow.kind, "ftm", key)
        funder, recipient = None, None
        if payer is not None:
            funder, stub = self.ref(payer)
            yield from stub
        if beneficiary is not None:
            recipient, stub = self.ref(beneficiary)
            yield from stub
        program = None
        programme = _first(props, "programme", "program")
        if programme:
            program = entity_iri("Program", name=programme)
            if self.seen.add(program):
                yield from entity_triples(program, PKG.Program, programme)
        yield from FundingFlow(
            funder, (recipient,) if recipient is not None else (), amount, self.literal(currency),
            stage=PKG.Disbursed, verification=PKG.Reported, program=program,
            date=self.date(props, "date"), start=self.date(props, "startDate"),
            end=self.date(props, "endDate"),
        ).triples(iri)
        yield iri, _FTM_ID, Literal(key)
        for prop in ("purpose", "summary", "description"):
            for text in _values(props, prop):
                yield iri, SDO.description, Literal(text)
        yield from self.evidence(iri, key)

    def _dates(self, iri: URIRef, props: dict[str, Any]) -> Iterator[Triple]:
        for name, predicate in (("startDate", SDO.startDate),
                                ("endDate", SDO.endDate)):
            literal = self.date(props, name)
            if literal is not None:
                yield iri, predicate, literal

    def membership(self, schema: str, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        member_prop, org_prop, default_role = _MEMBERSHIPS[schema]
        member, organization = _first(props, member_prop), _first(props, org_prop)
        if member is None or organization is None:
            raise RecordError(f"{schema} needs '{member_prop}' and '{org_prop}'",
                               "incomplete link", member_prop if member is None else org_prop)
        role = _first(props, "role") or default_role
        iri = source_fact_iri(Membership.kind, "ftm", key)
        yield from self._membership(iri, key, member, organization, role, props)

    def _membership(self, iri: URIRef, key: str, member: str, organization: str | URIRef,
                    role: str | None, props: dict[str, Any]) -> Iterator[Triple]:
        member_iri, stub = self.ref(member)
        yield from stub
        if isinstance(organization, URIRef):
            org_iri = organization
        else:
            org_iri, stub = self.ref(organization)
            yield from stub
        yield from Membership(member_iri, org_iri, role=role, start=self.date(props, "startDate"),
                              end=self.date(props, "endDate")).triples(iri)
        yield iri, PKG.ftmId, Literal(key)
        yield from self.evidence(iri, key)

    def relation(self, schema: str, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        subject_prop, object_prop, label = _RELATIONS[schema]
        subject, obj = _first(props, subject_prop), _first(props, object_prop)
        if subject is None or obj is None:
            raise RecordError(f"{schema} needs '{subject_prop}' and '{object_prop}'",
                               "incomplete link", subject_prop if subject is None else object_prop)
        subject_iri, stub = self.ref(subject)
        yield from stub
        object_iri, stub = self.ref(obj)
        yield from stub
        iri = source_fact_iri(Relationship.kind, "ftm", key)
        detail = _first(props, "relationship", "role")
        share = _first(props, "percentage", "sharesCount")
        text = f"FtM {schema}: {label}"
        if detail:
            text += f" ({detail})"
        if share and schema == "Ownership":
            text += f", {share}%" if _first(props, "percentage") else f", {share} shares"
        yield from Relationship(subject_iri, object_iri, PKG.relatedTo,
                                start=self.date(props, "startDate"),
                                end=self.date(props, "endDate"), description=text).triples(iri)
        yield iri, PKG.classification, Literal(f"FtM:{schema}")
        yield iri, PKG.ftmId, Literal(key)
        yield from self.evidence(iri, key)

    def sanction(self, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        entity = _first(props, "entity")
        if entity is None:
            raise RecordError("Sanction needs 'entity'", "incomplete link", "entity")
        target, stub = self.ref(entity)
        yield from stub
        authority = _first(props, "authority")
        program = _first(props, "program", "programId")
        label = "Sanction" + (f" by {authority}" if authority else "") + (
            f" ({program})" if program else "")
        iri = ftm_iri("Event", key)
        yield from entity_triples(iri, PKG.Event, label)
        yield iri, PKG.participant, target
        yield iri, PKG.classification, Literal("FtM:Sanction")
        yield iri, PKG.ftmId, Literal(key)
        listed = self.date(props, "listingDate") or self.date(props, "date")
        start = self.date(props, "startDate")
        if listed is not None or start is not None:
            yield iri, PKG.date, listed if listed is not None else start
        yield from self._dates(iri, props)
        for text in _values(props, "reason") + _values(props, "summary"):
            yield iri, SDO.description, Literal(text)
        yield from self.evidence(iri, key)

    def position(self, data: dict[str, Any], key: str, props: dict[str, Any]) -> Iterator[Triple]:
        name = _first(props, "name") or str(data.get("caption") or key)
        organization = _first(props, "organization")
        self.positions[key] = (name, organization)
        iri = ftm_iri("Post", key)
        yield from entity_triples(iri, PKG.Post, name, aliases=_values(props, "name")[1:])
        yield iri, PKG.ftmId, Literal(key)
        if organization:
            org_iri, stub = self.ref(organization)
            yield from stub
            yield iri, ORG.postIn, org_iri
        yield from self.evidence(iri, key)

    def occupancy(self, key: str, props: dict[str, Any]) -> Iterator[Triple]:
        holder, post = _first(props, "holder"), _first(props, "post")
        if holder is None or post is None:
            raise RecordError("Occupancy needs 'holder' and 'post'", "incomplete link",
                               "holder" if holder is None else "post")
        post_iri = ftm_iri("Post", post)
        name, organization = self.positions.get(post, (None, None))
        iri = source_fact_iri(Membership.kind, "ftm", key)
        yield from self._membership(iri, key, holder, organization or post_iri, name, props)
        yield iri, PKG.post, post_iri
