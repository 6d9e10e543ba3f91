"""Shared helpers for loaders that map records to facts: dates, amounts, names, entities.

Both the curated loader and the open-data loaders build the same shapes of triples; the helpers
here keep the mapping of an entity, a membership or a funding flow in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from policykg.graph.terms import Triple
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG

__all__ = [
    "ACTOR_TYPES",
    "POLICY_TYPES",
    "STAGES",
    "KINDS",
    "STANCES",
    "RELATION_TYPES",
    "parse_date",
    "date_literal",
    "decimal_literal",
    "parse_decimal",
    "canonical_decimal",
    "entity_triples",
    "relation_term",
]

_MODEL = default_model()
#: Classes a record may type an entity with, by local name: the classes of the families entity
#: resolution works on (people, organizations, places, policies, events, posts).
ALL_ENTITY_TYPES: dict[str, URIRef] = {name: PKG[name] for name in sorted(_MODEL.entity_types)}
#: The actors among them (below pkg:Actor), and the policies (pkg:Policy's family).
ACTOR_TYPES: dict[str, URIRef] = {
    name: iri for name, iri in ALL_ENTITY_TYPES.items()
    if str(PKG.Actor) in _MODEL.ancestors(str(iri))}
POLICY_TYPES: dict[str, URIRef] = {
    name: PKG[name] for name in sorted(_MODEL.family_members(_MODEL.family_of(PKG.Policy)))}

STAGES: dict[str, URIRef] = {
    "announced": PKG.Announced,
    "appropriated": PKG.Appropriated,
    "committed": PKG.Committed,
    "obligated": PKG.Obligated,
    "disbursed": PKG.Disbursed,
    "expended": PKG.Expended,
}
KINDS: dict[str, URIRef] = {
    "direct": PKG.DirectQuote,
    "partial": PKG.PartialQuote,
    "indirect": PKG.IndirectSpeech,
    "transcript": PKG.TranscriptTurn,
    "written": PKG.WrittenStatement,
}
STANCES: dict[str, URIRef] = {
    "supports": PKG.Supports,
    "opposes": PKG.Opposes,
    "neutral": PKG.Neutral,
}
VERIFICATION: dict[str, URIRef] = {"reported": PKG.Reported, "verified": PKG.Verified}

#: snake_case relation names accepted in records, mapped to relation-type properties.
RELATION_TYPES: dict[str, URIRef] = {
    "cooperates_with": PKG.cooperatesWith,
    "funds": PKG.funds,
    "heads": PKG.heads,
    "opposes": PKG.opposes,
    "supports": PKG.supports,
    "threatens": PKG.threatens,
    "criticizes": PKG.criticizes,
    "pressures": PKG.pressures,
    "meets_with": PKG.meetsWith,
    "cancelled_meeting_with": PKG.cancelledMeetingWith,
    "negotiates_with": PKG.negotiatesWith,
    "deports_to": PKG.deportsTo,
    "employs": PKG.employs,
    "implements": PKG.implements,
    "member_of": PKG.memberOf,
    "related_to": PKG.relatedTo,
    "conflict_with": PKG.conflictWith,
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: object) -> Literal:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD (or a date) into a typed literal.

    Raises:
        ValueError: with a readable reason when the text is not a real date.
    """
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value).strip()
    if "T" in text:  # a timestamp: keep the day
        text = text.split("T", 1)[0]
    match = _DATE.match(text)
    if not match:
        msg = f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        raise ValueError(msg)
    year, month, day = match.groups()
    try:
        if day is not None:
            date(int(year), int(month), int(day))
            return Literal(text, datatype=XSD.date)
        if month is not None:
            date(int(year), int(month), 1)
            return Literal(text, datatype=XSD.gYearMonth)
    except ValueError as exc:
        msg = f"{text!r} is not a real date ({exc})"
        raise ValueError(msg) from exc
    return Literal(text, datatype=XSD.gYear)


def date_literal(value: object) -> Literal | None:
    """Like :func:`parse_date` but returns None for empty values."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def parse_decimal(value: object) -> Decimal:
    """Parse a number ('75000000', '1,120,000', 3.5) into a Decimal.

    Raises:
        ValueError: when the value is not a finite number.
    """
    if isinstance(value, bool):
        msg = f"{value!r} is not a number"
        raise ValueError(msg)
    text = str(value).strip().replace(",", "").replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        msg = f"{value!r} is not a number"
        raise ValueError(msg) from exc
    if not number.is_finite():
        msg = f"{value!r} is not a finite number"
        raise ValueError(msg)
    return number


def decimal_literal(value: object) -> Literal:
    """A canonical xsd:decimal literal ('75000000', '0.9'), the form Oxigraph stores.

    Canonical text makes 75000000 and 75000000.00 the same term on every backend.
    """
    return Literal(canonical_decimal(parse_decimal(value)), datatype=XSD.decimal)


def canonical_decimal(number: Decimal | float | int) -> str:
    """Lexical form without exponent or trailing zeros."""
    text = format(Decimal(str(number)).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def entity_triples(
    iri: URIRef,
    type_iri: URIRef,
    name: str | None,
    *,
    aliases: Iterable[str] = (),
) -> Iterator[Triple]:
    """Type, preferred name and aliases of an entity."""
    yield iri, RDF.type, type_iri
    if name:
        yield iri, SKOS.prefLabel, Literal(name)
    for alias in aliases:
        if alias and alias != name:
            yield iri, SKOS.altLabel, Literal(alias)


def relation_term(name: str) -> URIRef:
    """The relation-type property for a snake_case or camelCase relation name."""
    key = re.sub(r"(?<!^)(?=[A-Z])", "_", name.strip()).lower().replace("-", "_").replace(" ", "_")
    if key not in RELATION_TYPES:
        msg = f"unknown relation type {name!r} (known: {', '.join(sorted(RELATION_TYPES))})"
        raise ValueError(msg)
    return RELATION_TYPES[key]
