"""Deterministic identifiers and name normalization.

An entity IRI is built from a coarse type family and a normalized key, so loading the same record
on any machine mints the same IRI. Keys come, in order of preference, from an explicit id, an
external identifier (a Wikidata QID), or the normalized name.

>>> entity_iri("Person", name="Enrique Peña Nieto")
rdflib.term.URIRef('https://w3id.org/policykg/id/person/enrique-pena-nieto')
>>> normalize_name("  PEÑA   nieto ") == normalize_name("Pena Nieto")
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from rdflib import URIRef

from policykg.ontology import instances
from policykg.ontology.model import current_model

__all__ = [
    "BASE",
    "ID_BASE",
    "IDENTIFIER_SCHEMES",
    "SOURCE_BASE",
    "entity_iri",
    "family_iri",
    "fact_iri",
    "identifier_iri",
    "family_of",
    "normalize_name",
    "slugify",
    "source_iri",
    "stable_hash",
]

BASE = str(instances.BASE)
ID_BASE = str(instances.ID)
SOURCE_BASE = str(instances.SOURCE)

#: Identifier schemes an entity can carry: scheme name (as records write it) → the local name of
#: the ontology property holding it, and how a source that mints IRIs from that identifier keys
#: them (``wd-`` QIDs, ``iati-``/``ftm-``/``popolo-`` ids). Identity across sources rests on these.
IDENTIFIER_SCHEMES: dict[str, tuple[str, str]] = {
    "wikidata": ("wikidataId", "wd-"),
    "ftm": ("ftmId", "ftm-"),
    "iati": ("iatiRef", "iati-"),
    "popolo": ("popoloId", "popolo-"),
}

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_QID = re.compile(r"^Q[1-9][0-9]*$")


def strip_accents(text: str) -> str:
    """Remove combining marks: 'Peña' becomes 'Pena'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(name: str) -> str:
    """Fold case, accents, punctuation and spacing so that spellings of one name compare equal."""
    folded = strip_accents(name).casefold()
    folded = folded.replace("&", " and ")
    folded = re.sub(r"[^\w\s]", " ", folded)
    return _SPACE.sub(" ", folded).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase ASCII slug; falls back to a hash when nothing of the text survives."""
    slug = _NON_WORD.sub("-", strip_accents(text).casefold()).strip("-")
    if not slug:
        return "h" + stable_hash(text)[:12]
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-") + "-" + stable_hash(text)[:8]
    return slug


def stable_hash(*parts: object) -> str:
    """SHA-1 hex of the parts joined by a separator that cannot occur in normal text."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def family_of(type_name: str) -> str:
    """The IRI family of a class's local name ('GovernmentAgency' -> 'org'): the ontology's
    ``pkg:iriFamily``, shared by subclasses, so that a record typing the State Department as
    GovernmentAgency and an article typing it as Organization mint the same IRI."""
    return current_model().family_of(type_name)


def entity_iri(
    type_name: str,
    *,
    key: str | None = None,
    wikidata: str | None = None,
    name: str | None = None,
) -> URIRef:
    """Mint the IRI of an entity from its type and the strongest key available."""
    family = family_of(type_name)
    if key:
        return family_iri(family, slugify(key))
    if wikidata and _QID.match(wikidata):
        return family_iri(family, f"wd-{wikidata}")
    if name:
        return family_iri(family, slugify(normalize_name(name)))
    msg = f"cannot mint an IRI for a {type_name} without an id, QID or name"
    raise ValueError(msg)


def family_iri(family: str, slug: str) -> URIRef:
    """The entity IRI of an already made ``slug`` in an IRI ``family`` ('org', 'person'...).

    >>> family_iri("org", "wd-Q1") == entity_iri("Organization", wikidata="Q1")
    True
    """
    return instances.id_iri(f"{family}/{slug}")


def identifier_iri(type_name: str, scheme: str, value: str) -> URIRef:
    """The IRI a source mints for an entity it knows by ``scheme`` identifier ``value``.

    >>> identifier_iri("GovernmentAgency", "iati", "US-GOV-11")
    rdflib.term.URIRef('https://w3id.org/policykg/id/org/iati-us-gov-11')
    """
    if scheme == "wikidata":
        return entity_iri(type_name, wikidata=value.strip())
    prefix = IDENTIFIER_SCHEMES[scheme][1]
    return entity_iri(type_name, key=prefix + value.strip())


def fact_iri(kind: str, parts: Iterable[object]) -> URIRef:
    """Mint the IRI of an n-ary fact (membership, funding flow...) from its defining values."""
    return instances.id_iri(f"{kind}/{stable_hash(*parts)[:20]}")


def source_iri(key: str) -> URIRef:
    """The IRI (and named graph) of a source identified by ``key`` (a path or chosen id)."""
    slug = slugify(key, max_length=10_000)[:60].rstrip("-")  # the hash below keeps it unique
    return instances.SOURCE[f"{slug}-{stable_hash(key)[:8]}"]
