"""Popolo JSON (EveryPolitician and others): persons, organizations, memberships, posts, areas,
events.

Entities get ``entity_iri(type, wikidata=QID)`` when the file gives a Wikidata identifier (so the
Wikidata loader mints the same IRI), else ``entity_iri(type, key="popolo-" + id)``. A membership
becomes a :class:`pkg:Membership` with role, ``pkg:onBehalfOf`` (the party), dates, ``pkg:post``
and the area as ``pkg:jurisdiction``; a membership without dates takes those of its legislative
period. A Popolo file is one JSON document, so it is parsed whole; the largest Popolo files
(EveryPolitician countries) are a few MB.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, OWL, SDO

from policykg.exceptions import LoaderError
from policykg.facts import Membership, source_fact_iri
from policykg.graph.terms import Triple
from policykg.identity import entity_iri
from policykg.loaders.base import LoadContext, Loader, parse_json
from policykg.loaders.opendata import RecordError, bad_record, open_binary
from policykg.loaders.records import date_literal, entity_triples
from policykg.ontology.external import WIKIDATA
from policykg.ontology.model import local_name
from policykg.ontology.namespace import PKG

__all__ = ["PopoloLoader", "organization_class"]

EXTRACTOR = "policykg.popolo"


#: Our class for the records of each Popolo section (organizations: by their classification).
_SECTION_CLASSES: dict[str, URIRef | None] = {
    "persons": PKG.Person, "organizations": None, "areas": PKG.Jurisdiction, "posts": PKG.Post,
    "events": PKG.Event}
#: What a Popolo id in each section names, in the words of the format's ``*_id`` fields.
_ID_KINDS = {"persons": "person", "organizations": "organization", "areas": "area",
             "posts": "post", "events": "event"}


def organization_class(classification: str | None) -> tuple[str, URIRef]:
    """Our class (name and IRI) for a Popolo organization classification."""
    text = classification.strip().lower() if isinstance(classification, str) else ""
    if "party" in text or text in ("political group", "parliamentary group", "faction"):
        return "PoliticalParty", PKG.PoliticalParty
    if any(word in text for word in ("legislature", "chamber", "house", "parliament",
                                     "assembly", "senate", "committee")):
        return "Legislature", PKG.Legislature
    if any(word in text for word in ("executive", "government", "ministry", "cabinet")):
        return "GovernmentAgency", PKG.GovernmentAgency
    return "Organization", PKG.Organization


def _wikidata(item: dict[str, Any]) -> str | None:
    identifiers = item.get("identifiers")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("scheme") == "wikidata":
            value = str(identifier.get("identifier") or "").strip()
            if value.startswith("Q") and value[1:].isdigit():
                return value
    return None


class PopoloLoader(Loader):
    """Popolo JSON documents."""

    name = "popolo"
    version = "0.1"
    extensions = (".popolo.json", ".popolo.json.gz")
    description = "Popolo JSON (persons, organizations, memberships, posts, areas, events)"

    def sniff(self, path: Path, head: bytes) -> bool:
        if not head.lstrip().startswith(b"{"):
            return False
        name = path.name.lower()
        if "popolo" in name and (name.endswith(".json") or name.endswith(".json.gz")):
            return True
        return b'"persons"' in head and (b'"organizations"' in head or b'"memberships"' in head)

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        try:
            with open_binary(path, context.limits) as fh:
                document = parse_json(fh.read(), path, context.limits)
        except json.JSONDecodeError as exc:
            raise LoaderError(f"malformed JSON: {exc.msg}", path=str(path),
                              line=exc.lineno) from None
        if not isinstance(document, dict) or "persons" not in document:
            raise LoaderError("not a Popolo document (no 'persons')", path=str(path))
        yield from _Mapper(path, context, self.version, document).triples()


class _Mapper:
    """Maps one Popolo document to triples."""

    def __init__(self, path: Path, context: LoadContext, version: str,
                 document: dict[str, Any]) -> None:
        self.path = path
        self.context = context
        self.version = version
        self.document = document
        self.iris: dict[tuple[str, str], URIRef] = {}
        self.periods: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}

    def section(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        items = self.document.get(name) or []
        if not isinstance(items, list):
            raise LoaderError(f"'{name}' must be a list", path=str(self.path))
        return [(i, item) for i, item in enumerate(items)]

    def evidence(self, fact: URIRef, record: str) -> Iterator[Triple]:
        return self.context.evidence(fact, extractor=EXTRACTOR, version=self.version,
                                     record=record)

    def date(self, item: dict[str, Any], field: str) -> Literal | None:
        try:
            return date_literal(item.get(field))
        except ValueError as exc:
            raise RecordError(str(exc), "invalid date", field) from None

    def ref(self, kind: str, key: Any, field: str) -> URIRef:
        iri = self.iris.get((kind, str(key)))
        if iri is None:
            raise RecordError(f"{field} {key!r} names no {kind} in this file",
                               f"unknown {kind} id", field)
        return iri

    # -- driver

    def triples(self) -> Iterator[Triple]:
        # Mint every IRI first: memberships and posts refer to entities by id.
        sections = {name: None if cls is None else (local_name(cls), cls)
                    for name, cls in _SECTION_CLASSES.items()}
        for name, spec in sections.items():
            for _, item in self.section(name):
                if not isinstance(item, dict) or not item.get("id"):
                    continue
                type_name = spec[0] if spec else organization_class(item.get("classification"))[0]
                qid = _wikidata(item)
                iri = (entity_iri(type_name, wikidata=qid) if qid
                       else entity_iri(type_name, key=f"popolo-{item['id']}"))
                self.iris[(_ID_KINDS[name], str(item["id"]))] = iri
                if name == "events":
                    self.periods[str(item["id"])] = item
                if name == "posts":
                    self.posts[str(item["id"])] = item
        for name, spec in sections.items():
            for index, item in self.section(name):
                yield from self.guarded(name, index, item, spec)
        for index, item in self.section("memberships"):
            yield from self.guarded("memberships", index, item, None)

    def guarded(self, name: str, index: int, item: Any,
                spec: tuple[str, URIRef] | None) -> Iterator[Triple]:
        label = f"{name}[{index}]" + (f" (id {item.get('id')})"
                                      if isinstance(item, dict) and item.get("id") else "")
        try:
            if not isinstance(item, dict):
                raise RecordError("a record must be an object", "not an object")
            if name == "memberships":
                triples = list(self.membership(item, label))
            else:
                if not item.get("id"):
                    raise RecordError("record without id", "record without id", "id")
                triples = list(self.entity(name, item, spec, label))
        except RecordError as exc:
            bad_record(self.context, self.path, exc.message, reason=exc.reason, record=label,
                       field=exc.field)
            return
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            # A value of the wrong shape (a number where the format has a list...).
            bad_record(self.context, self.path, f"unexpected value: {exc!r}",
                       reason="malformed record", record=label)
            return
        yield from triples

    # -- entities

    def entity(self, section: str, item: dict[str, Any], spec: tuple[str, URIRef] | None,
               label: str) -> Iterator[Triple]:
        iri = self.iris[(_ID_KINDS[section], str(item["id"]))]
        type_iri = spec[1] if spec else organization_class(item.get("classification"))[1]
        name = str(item.get("name") or item.get("label") or item["id"]).strip()
        aliases = [str(o.get("name")).strip() for o in item.get("other_names") or []
                   if isinstance(o, dict) and o.get("name")]
        yield from entity_triples(iri, type_iri, name, aliases=dict.fromkeys(aliases))
        yield iri, PKG.popoloId, Literal(str(item["id"]))
        qid = _wikidata(item)
        if qid:
            yield iri, PKG.wikidataId, Literal(qid)
            yield iri, OWL.sameAs, WIKIDATA[qid]
        classification = item.get("classification") or item.get("type")
        if classification:
            yield iri, PKG.classification, Literal(str(classification))
        if item.get("summary"):
            yield iri, SDO.description, Literal(str(item["summary"]))
        for field, predicate in (("birth_date", SDO.birthDate),
                                 ("death_date", SDO.deathDate),
                                 ("founding_date", SDO.foundingDate),
                                 ("dissolution_date", SDO.dissolutionDate),
                                 ("start_date", SDO.startDate),
                                 ("end_date", SDO.endDate)):
            literal = self.date(item, field)
            if literal is not None:
                yield iri, predicate, literal
        if section == "events":
            start = self.date(item, "start_date")
            if start is not None:
                yield iri, PKG.date, start
            if item.get("organization_id"):
                yield iri, PKG.participant, self.ref("organization", item["organization_id"],
                                                     "organization_id")
        if section == "organizations" and item.get("parent_id"):
            yield iri, ORG.subOrganizationOf, self.ref(
                "organization", item["parent_id"], "parent_id")
        if section == "posts":
            if item.get("organization_id"):
                yield iri, ORG.postIn, self.ref(
                    "organization", item["organization_id"], "organization_id")
            if item.get("area_id"):
                yield iri, PKG.jurisdiction, self.ref("area", item["area_id"], "area_id")
        yield from self.evidence(iri, label)

    # -- memberships

    def membership(self, item: dict[str, Any], label: str) -> Iterator[Triple]:
        member_id = item.get("person_id")
        member_kind = "person"
        if member_id is None and isinstance(item.get("member"), dict):
            member_id = item["member"].get("id")
            if str(item["member"].get("@type", "Person")).lower() == "organization":
                member_kind = "organization"
        if member_id is None:
            raise RecordError("membership without person_id", "membership without member",
                               "person_id")
        member = self.ref(member_kind, member_id, "person_id")
        post = self.posts.get(str(item.get("post_id"))) if item.get("post_id") else None
        organization_id = item.get("organization_id") or (post or {}).get("organization_id")
        if organization_id is None:
            raise RecordError("membership without organization_id",
                               "membership without organization", "organization_id")
        organization = self.ref("organization", organization_id, "organization_id")
        period = None
        if item.get("legislative_period_id"):
            period = self.periods.get(str(item["legislative_period_id"]))
            if period is None:
                raise RecordError(
                    f"legislative_period_id {item['legislative_period_id']!r} names no event "
                    "in this file", "unknown event id", "legislative_period_id")
        start = self.date(item, "start_date") or (
            self.date(period, "start_date") if period else None)
        end = self.date(item, "end_date") or (self.date(period, "end_date") if period else None)
        role_text = str(item.get("role") or item.get("label") or (post or {}).get("label") or "")
        role = role_text.strip() or None
        iri = source_fact_iri(Membership.kind, "popolo", item.get("id") or "", member,
                              organization, role, start, item.get("legislative_period_id"),
                              item.get("area_id"), item.get("post_id"))
        yield from Membership(
            member, organization, role=role, start=start, end=end,
            post=self.ref("post", item["post_id"], "post_id") if item.get("post_id") else None,
            on_behalf_of=self.ref("organization", item["on_behalf_of_id"], "on_behalf_of_id")
            if item.get("on_behalf_of_id") else None,
        ).triples(iri)
        if item.get("area_id"):
            yield iri, PKG.jurisdiction, self.ref("area", item["area_id"], "area_id")
        if period is not None:
            yield iri, SDO.description, Literal(
                f"during legislative period {period.get('name') or period.get('id')}")
            yield iri, PKG.classification, Literal(
                f"legislative_period:{item['legislative_period_id']}")
        if item.get("id"):
            yield iri, PKG.popoloId, Literal(str(item["id"]))
        yield from self.evidence(iri, label)
