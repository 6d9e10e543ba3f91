"""The n-ary facts loaders build, each with its IRI recipes and its evidence node.

A fact (a membership, a funding flow, a statement, a relationship, an observation) is a node of
its own, so it can carry dates, a role, an amount and the evidence for it. Every loader builds
its facts with the classes here and mints their IRIs with the recipes here, so two loaders that
see the same fact mint the same IRI without keeping two copies of a recipe in step:

- :meth:`Fact.record_iri` keys a fact by the identifying fields a curated record gives (and
  its ``id``). The article loader uses it too, with no id, for memberships and relationships:
  "X is a member of Y" curated by hand and extracted from an article is one fact.
- :meth:`Fact.mention_iri` keys a fact by the span of the document that states it (funding
  flows, statements and observations extracted from an article: each mention is its own fact).
- :func:`source_fact_iri` keys a fact by the identifier a bulk source gives its record
  (FtM, IATI, GDELT, Popolo, Wikidata), after the source's name.

A fact's triples are its type and the properties all loaders share; a loader adds the ones only
its source has (an FtM id, an IATI classification) to the same IRI.

>>> from rdflib import URIRef
>>> fact = Membership(URIRef("urn:a"), URIRef("urn:b"), role="Director")
>>> fact.record_iri() == Membership(URIRef("urn:a"), URIRef("urn:b"), role="Director").record_iri()
True
>>> str(fact.record_iri()).startswith("https://w3id.org/policykg/id/membership/")
True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from typing import Any, ClassVar

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, SDO

from policykg.graph.terms import Triple
from policykg.identity import fact_iri, stable_hash
from policykg.loaders.records import STAGES
from policykg.ontology.namespace import PKG

__all__ = [
    "Fact",
    "FundingFlow",
    "Membership",
    "Observation",
    "Relationship",
    "Statement",
    "entity_marker",
    "evidence_node",
    "source_fact_iri",
]

_STAGE_NAMES = {term: name for name, term in STAGES.items()}


def source_fact_iri(kind: str, source: str, *key: object) -> URIRef:
    """The IRI of a fact a bulk source identifies by ``key`` (its record id, statement id...).

    ``kind`` is the fact's IRI family (:attr:`Fact.kind`); ``source`` the source's short name.

    >>> source_fact_iri("relation", "gdelt", "498765") == source_fact_iri(
    ...     Relationship.kind, "gdelt", "498765")
    True
    """
    return fact_iri(kind, [source, *key])


def evidence_node(fact: URIRef, source: URIRef, record: str | None = None,
                  start: int | None = None, end: int | None = None) -> URIRef:
    """The IRI of the evidence that ``source`` (at ``record`` or the span) gives for ``fact``."""
    return URIRef(f"{fact}/ev/{stable_hash(source, record, start, end)[:12]}")


def entity_marker(entity: URIRef, source: URIRef) -> URIRef:
    """The evidence node marking ``entity`` as one that ``source`` describes (its type and
    names), not only mentions: it depends on nothing else, so a reload finds it again."""
    return URIRef(f"{entity}/ev/{stable_hash(source, 'described')[:12]}")


def of(predicate: URIRef, default: Any = MISSING) -> Any:
    """A fact's field that its triples carry under ``predicate``: a text as a plain literal, a
    term as it is, a tuple of terms as one triple each, an absent value (None, empty text or
    tuple) as none."""
    return field(default=default, metadata={"predicate": predicate})


@cache
def _carried(cls: type) -> tuple[tuple[str, URIRef], ...]:
    """The fields of a fact class that its triples carry, with their predicates."""
    return tuple((spec.name, spec.metadata["predicate"]) for spec in fields(cls)
                 if "predicate" in spec.metadata)


class Fact(ABC):
    """An n-ary fact: its class, IRI family and the triples every loader gives it.

    Subclasses are plain (not frozen) dataclasses: bulk loaders build one per record, and a
    frozen one costs about four times as much to build.
    """

    #: The IRI family (``https://w3id.org/policykg/id/<kind>/...``).
    kind: ClassVar[str]
    #: The ontology class.
    cls: ClassVar[URIRef]

    @abstractmethod
    def record_key(self) -> list[object]:
        """The fields that identify the fact in a curated record (after the record's id)."""

    def record_iri(self, record_id: str = "") -> URIRef:
        """The IRI keyed by the identifying fields (curated records, shared by articles)."""
        return fact_iri(self.kind, [record_id, *self.record_key()])

    def mention_key(self) -> list[object]:
        """The fields that, with the span, identify one mention of the fact in a document."""
        raise NotImplementedError(f"{type(self).__name__} has no mention recipe")

    def mention_iri(self, source: URIRef, start: int, end: int) -> URIRef:
        """The IRI keyed by the document span that states the fact."""
        return fact_iri(self.kind, [str(source), start, end, *self.mention_key()])

    def triples(self, iri: URIRef) -> Iterator[Triple]:
        """The fact's type and properties, on ``iri``."""
        yield iri, RDF.type, self.cls
        for name, predicate in _carried(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            if type(value) is tuple:
                for item in value:
                    yield iri, predicate, item
            elif type(value) is str:  # plain text (a Literal or URIRef is a str subclass)
                if value:
                    yield iri, predicate, Literal(value)
            else:
                yield iri, predicate, value


@dataclass
class Membership(Fact):
    """A member of an organization, in a role or post, over a period (``org:Membership``)."""

    kind: ClassVar[str] = "membership"
    cls: ClassVar[URIRef] = PKG.Membership

    member: URIRef = of(ORG.member)
    organization: URIRef = of(ORG.organization)
    role: str | None = of(PKG.role, None)
    start: Literal | None = of(SDO.startDate, None)
    end: Literal | None = of(SDO.endDate, None)
    post: URIRef | None = of(PKG.post, None)
    on_behalf_of: URIRef | None = of(PKG.onBehalfOf, None)

    def record_key(self) -> list[object]:
        return [self.member, self.organization, self.role, self.start]


@dataclass
class FundingFlow(Fact):
    """Money from a funder to recipients, at a stage of the funding cycle."""

    kind: ClassVar[str] = "funding"
    cls: ClassVar[URIRef] = PKG.FundingFlow

    funder: URIRef | None = of(PKG.funder)
    recipients: tuple[URIRef, ...] = of(PKG.recipient)
    amount: Literal = of(PKG.amount)
    #: ISO 4217 code; a bulk loader may pass its cached Literal of it (a Literal is a str).
    currency: str = of(PKG.currency)
    stage: URIRef = of(PKG.stage, PKG.Announced)
    verification: URIRef = of(PKG.verification, PKG.Reported)
    program: URIRef | None = of(PKG.program, None)
    date: Literal | None = of(PKG.date, None)
    start: Literal | None = of(SDO.startDate, None)
    end: Literal | None = of(SDO.endDate, None)
    qualifier: str | None = of(PKG.qualifier, None)
    description: str | None = of(SDO.description, None)

    def record_key(self) -> list[object]:
        recipient = self.recipients[0] if self.recipients else None
        return [self.funder, recipient, self.program, self.amount, self.currency, self.date,
                self.start, _STAGE_NAMES[self.stage]]

    def mention_key(self) -> list[object]:
        return [self.funder, *self.recipients, self.program, self.amount, self.currency]


@dataclass
class Statement(Fact):
    """Words a speaker said or wrote, of a kind (direct quote, indirect speech...)."""

    kind: ClassVar[str] = "statement"
    cls: ClassVar[URIRef] = PKG.Statement

    speaker: URIRef = of(PKG.speaker)
    text: str = of(PKG.text)
    statement_kind: URIRef = of(PKG.statementKind)
    date: Literal | None = of(PKG.date, None)
    cue: str | None = of(PKG.cue, None)
    speaker_role: str | None = of(PKG.speakerRole, None)
    stance: URIRef | None = of(PKG.stance, None)
    about: tuple[URIRef, ...] = of(PKG.about, ())

    def record_key(self) -> list[object]:
        return [self.speaker, self.text, self.date]

    def mention_key(self) -> list[object]:
        return [self.speaker, self.text]


@dataclass
class Relationship(Fact):
    """A typed relation between two actors (funds, cooperates with, criticizes...)."""

    kind: ClassVar[str] = "relation"
    cls: ClassVar[URIRef] = PKG.Relationship

    subject: URIRef = of(PKG.relSubject)
    obj: URIRef = of(PKG.relObject)
    relation_type: URIRef = of(PKG.relationType)
    date: Literal | None = of(PKG.date, None)
    start: Literal | None = of(SDO.startDate, None)
    end: Literal | None = of(SDO.endDate, None)
    description: str | None = of(SDO.description, None)

    def record_key(self) -> list[object]:
        return [self.subject, self.relation_type, self.obj, self.date, self.start]


@dataclass
class Observation(Fact):
    """A measured value (a statistic), of a subject and a period where known."""

    kind: ClassVar[str] = "observation"
    cls: ClassVar[URIRef] = PKG.Observation

    measure: str = of(PKG.measure)
    value: Literal = of(PKG.value)
    subject: URIRef | None = of(PKG.subject, None)
    period: Literal | None = of(PKG.period, None)
    unit: str | None = of(PKG.unit, None)
    qualifier: str | None = of(PKG.qualifier, None)
    program: URIRef | None = of(PKG.program, None)
    #: Whether the unit is part of the mention recipe (an amount of money: its currency).
    unit_in_key: bool = False

    def record_key(self) -> list[object]:
        return [self.subject, self.measure, self.period]

    def mention_key(self) -> list[object]:
        return [self.measure, self.value, *([self.unit] if self.unit_in_key else [])]

