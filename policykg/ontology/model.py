"""The ontology model: what every part of policykg needs to know about the ontology, read once.

The Turtle (``policykg.ttl``) is the only place the graph mapping is written down. This module
reads it into an :class:`OntologyModel`: the classes and their ancestors; which classes are
*nodes* (entities shown in views), *facts* (n-ary facts that also stand for a direct
relationship) and *hidden* (vocabularies and provenance); each fact class's direct relationship
(``pkg:edgeSource``, ``pkg:edgeTarget``, ``pkg:edgeType`` or ``pkg:edgeTypeFrom``; a subclass
inherits its nearest ancestor's); the IRI family of each class (``pkg:iriFamily``), the
families entity resolution works on (``pkg:resolutionOrder``) and the sections of a curated
record file (``pkg:recordSection``); and the one naming rule for Neo4j labels and relationship
types. The Neo4j mirror, the export views, the query fragments and the Python graph code all
take their mapping from here.

The packaged ontology's model is built on first use and cached (:func:`default_model`). A
researcher who extends the ontology loads a copy with :func:`load_model` and either passes the
model to the mirror or export (``model=``) or makes it current for a block (:func:`use_model`),
which every reader of :func:`current_model` then sees, the canned queries included.

Example:
    >>> model = default_model()
    >>> model.relationship(PKG_NS + "Membership").edge_type
    'MEMBER_OF'
    >>> upper_snake("cancelledMeetingWith")
    'CANCELLED_MEETING_WITH'
    >>> model.family_of("GovernmentAgency")
    'org'
    >>> model.resolution_families
    ('person', 'org', 'place', 'policy', 'event', 'post')
    >>> model.entity_sections
    ('entities', 'policies', 'events')
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from policykg.exceptions import InvalidOntology
from policykg.ontology import ONTOLOGY_FILE, ontology_graph, parse_turtle

__all__ = [
    "PKG_NS",
    "DirectRelationship",
    "OntologyModel",
    "current_model",
    "default_model",
    "label_name",
    "load_model",
    "local_name",
    "model_from_graph",
    "upper_snake",
    "use_model",
]

PKG_NS = "https://w3id.org/policykg/ns#"
_NARY_FACT = PKG_NS + "NaryFact"
_ORGANIZATION = PKG_NS + "Organization"
_RELATION_TYPE = URIRef(PKG_NS + "RelationType")
_PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
_EDGE_SOURCE = URIRef(PKG_NS + "edgeSource")
_EDGE_TARGET = URIRef(PKG_NS + "edgeTarget")
_EDGE_TYPE = URIRef(PKG_NS + "edgeType")
_EDGE_TYPE_FROM = URIRef(PKG_NS + "edgeTypeFrom")
_IRI_FAMILY = URIRef(PKG_NS + "iriFamily")
_RECORD_SECTION = URIRef(PKG_NS + "recordSection")
_RECORD_SECTION_ORDER = URIRef(PKG_NS + "recordSectionOrder")
_RESOLUTION_ORDER = URIRef(PKG_NS + "resolutionOrder")


# ----------------------------------------------------------------------------- names


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#``, ``/`` or ``:`` (trailing separators ignored)."""
    for sep in ("#", "/", ":"):
        head, found, tail = iri.rpartition(sep)
        if found and tail:
            return tail
        if found and not tail:
            iri = head
    return iri


def _sanitize(name: str, fallback: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    if not clean:
        return fallback
    if not clean[0].isalpha():
        clean = fallback[0] + "_" + clean
    return clean


def label_name(type_iri: str) -> str:
    """The Neo4j label of a class: its local name, restricted to ``[A-Za-z0-9_]``."""
    return _sanitize(local_name(type_iri), "Type")


def upper_snake(name: str) -> str:
    """The relationship-type name of a property IRI or a plain name, the one rule for all.

    ``cooperatesWith``, ``cooperates_with``, ``COOPERATES_WITH`` and ``pkg:cooperatesWith`` give
    ``COOPERATES_WITH``; anything but letters, digits and ``_`` becomes ``_``, so the result is
    always a safe Cypher identifier.
    """
    base = local_name(name) if ("/" in name or "#" in name or ":" in name) else name
    base = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base)
    base = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", base)
    return _sanitize(base, "RELATED").upper()


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class DirectRelationship:
    """The direct relationship an n-ary fact class stands for.

    ``fact_class`` is the class itself (not the ancestor that declared the annotations); the
    type is ``edge_type`` (already ``UPPER_SNAKE``) or named by the value of ``type_from``.
    """

    fact_class: str
    source: str
    target: str
    edge_type: str | None
    type_from: str | None

    @property
    def rule(self) -> tuple[str, str, str | None, str | None]:
        """The mapping without the class: facts of two classes with one rule make one edge."""
        return (self.source, self.target, self.edge_type, self.type_from)


class OntologyModel:
    """Classes, their roles in the graph, direct relationships and vocabulary of one ontology.

    Build it with :func:`load_model` or :func:`model_from_graph`; it does not change afterwards.
    """

    def __init__(self, graph: Graph, origin: str = "<graph>") -> None:
        self.origin = origin
        parents: dict[str, list[str]] = {}
        for sub, sup in sorted(graph.subject_objects(RDFS.subClassOf)):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                parents.setdefault(str(sub), []).append(str(sup))
        self._parents = parents
        self.classes: frozenset[str] = frozenset(
            str(c) for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
        self._ancestors: dict[str, tuple[str, ...]] = {}
        annotated = {str(c) for a in (_EDGE_SOURCE, _EDGE_TARGET, _EDGE_TYPE, _EDGE_TYPE_FROM)
                     for c in graph.subjects(a, None) if isinstance(c, URIRef)}
        declared = {c: rule for c in annotated
                    if (rule := _declared_rule(graph, URIRef(c), origin)) is not None}
        vocabularies = {str(o) for s, o in graph.subject_objects(RDF.type)
                        if str(o) in self.classes and (s, RDF.type, OWL.Class) not in graph}
        facts: dict[str, DirectRelationship] = {}
        hidden: set[str] = set()
        nodes: set[str] = set()
        for cls in sorted(self.classes | set(declared)):
            line = (cls, *self.ancestors(cls))
            owner = next((c for c in line if c in declared), None)
            if owner is not None:
                facts[cls] = DirectRelationship(cls, *declared[owner])
            elif _NARY_FACT in line or _PROV_ENTITY in line or cls in vocabularies:
                hidden.add(cls)
            elif cls.startswith(PKG_NS) and cls in self.classes:
                nodes.add(cls)
        self.facts: Mapping[str, DirectRelationship] = facts
        self.node_classes: frozenset[str] = frozenset(nodes)
        self.hidden_classes: frozenset[str] = frozenset(hidden)
        self.relation_types: frozenset[str] = frozenset(
            str(p) for p in graph.subjects(RDF.type, _RELATION_TYPE) if isinstance(p, URIRef))
        families: dict[str, str] = {}
        for owner_cls, family in graph.subject_objects(_IRI_FAMILY):
            if not isinstance(family, Literal) or not str(family).isidentifier():
                msg = f"{origin}: {owner_cls} has pkg:iriFamily {family!r}; expected a plain word"
                raise InvalidOntology(msg)
            families[str(owner_cls)] = str(family)
        self._families = families
        self.record_sections: tuple[str, ...] = _ordered(
            graph, _RECORD_SECTION, _RECORD_SECTION_ORDER, {}, origin)
        self._section_classes: dict[str, str] = {
            str(name): str(cls) for cls, name in graph.subject_objects(_RECORD_SECTION)}
        self.resolution_families: tuple[str, ...] = _ordered(
            graph, _IRI_FAMILY, _RESOLUTION_ORDER, families, origin)
        self._family_cache: dict[str, str] = {}
        self._relationships_cache: dict[frozenset[str], tuple[DirectRelationship, ...]] = {}

    # -- classes

    def ancestors(self, cls: str) -> tuple[str, ...]:
        """Every superclass of ``cls`` in any namespace, nearest first, without ``cls``."""
        found = self._ancestors.get(cls)
        if found is None:
            order: list[str] = []
            queue = deque([cls])
            while queue:
                for parent in self._parents.get(queue.popleft(), ()):
                    if parent != cls and parent not in order:
                        order.append(parent)
                        queue.append(parent)
            found = self._ancestors[cls] = tuple(order)
        return found

    def pkg_ancestors(self, cls: str) -> tuple[str, ...]:
        """The superclasses of ``cls`` in the policykg namespace, nearest first."""
        return tuple(a for a in self.ancestors(cls) if a.startswith(PKG_NS))

    def subclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class below it."""
        return frozenset({cls} | {c for c in self.classes if cls in self.ancestors(c)})

    def pkg_class(self, name: str) -> URIRef:
        """The IRI of the policykg class with local name ``name`` (KeyError if there is none)."""
        iri = PKG_NS + name
        if iri not in self.classes:
            raise KeyError(name)
        return URIRef(iri)

    def pkg_class_names(self) -> frozenset[str]:
        """Local names of the classes in the policykg namespace."""
        return frozenset(c[len(PKG_NS):] for c in self.classes if c.startswith(PKG_NS))

    # -- facts and their direct relationships

    def relationship(self, cls: str) -> DirectRelationship | None:
        """The direct relationship of a fact class (own or inherited), else None."""
        return self.facts.get(cls)

    def relationships_of(self, types: Iterable[str]) -> tuple[DirectRelationship, ...]:
        """The distinct direct relationships of a resource with these rdf:types, by class."""
        key = frozenset(types)
        cached = self._relationships_cache.get(key)
        if cached is None:
            found: dict[tuple[str, str, str | None, str | None], DirectRelationship] = {}
            for cls in sorted(key):
                rel = self.facts.get(cls)
                if rel is not None:
                    found.setdefault(rel.rule, rel)
            cached = self._relationships_cache[key] = tuple(found.values())
        return cached

    def rules(self) -> Iterator[DirectRelationship]:
        """One direct relationship per distinct rule, with every fact class that has it."""
        seen: set[tuple[str, str, str | None, str | None]] = set()
        for cls in sorted(self.facts):
            rel = self.facts[cls]
            if rel.rule not in seen:
                seen.add(rel.rule)
                yield rel

    def fact_classes_with(self, rule: tuple[str, str, str | None, str | None]) -> list[str]:
        """The fact classes whose direct relationship follows ``rule``, sorted."""
        return sorted(c for c, rel in self.facts.items() if rel.rule == rule)

    @property
    def fact_properties(self) -> frozenset[str]:
        """Properties that link a fact to the ends of its direct relationship."""
        return frozenset(p for rel in self.facts.values() for p in (rel.source, rel.target))

    # -- vocabulary

    def family_of(self, type_name: str) -> str:
        """The IRI family of a class's local name or policykg IRI ('GovernmentAgency' -> 'org').

        The family is the class's ``pkg:iriFamily``, else its nearest ancestor's; a name
        without one is its own family (casefolded).
        """
        found = self._family_cache.get(type_name)
        if found is None:
            name = type_name.removeprefix(PKG_NS)
            found = self._declared_family(PKG_NS + name) or name.casefold()
            self._family_cache[type_name] = found
        return found

    def _declared_family(self, cls: str) -> str | None:
        """The ``pkg:iriFamily`` of ``cls`` or of its nearest ancestor that has one."""
        return next((self._families[c] for c in (cls, *self.ancestors(cls))
                     if c in self._families), None)

    def families(self) -> frozenset[str]:
        """Every family a class declares."""
        return frozenset(self._families.values())

    def family_members(self, family: str) -> frozenset[str]:
        """Local names of the policykg classes whose entities are minted in ``family``.

        >>> sorted(default_model().family_members("place"))
        ['Country', 'Jurisdiction']
        """
        return frozenset(c[len(PKG_NS):] for c in self.classes
                         if c.startswith(PKG_NS) and self._declared_family(c) == family)

    @property
    def entity_types(self) -> frozenset[str]:
        """Local names of the classes a record or an article may type an entity with: every
        class whose family entity resolution works on (``pkg:resolutionOrder``)."""
        return frozenset().union(*(self.family_members(f) for f in self.resolution_families))

    @property
    def generic_types(self) -> frozenset[str]:
        """Local names of the policykg classes another policykg class is a subclass of: the
        kinds too broad to tell two entities apart ('Organization', not 'NGO')."""
        return frozenset(a[len(PKG_NS):] for c in self.classes if c.startswith(PKG_NS)
                         for a in self.pkg_ancestors(c))

    def section_class(self, section: str) -> str:
        """The class whose ``pkg:recordSection`` is ``section`` (KeyError if none is)."""
        return self._section_classes[section]

    @property
    def entity_sections(self) -> tuple[str, ...]:
        """The record sections whose records are entities (their class, or one below it, is an
        entity type), in section order; the other sections hold facts and the source."""
        types = {PKG_NS + name for name in self.entity_types}
        return tuple(s for s in self.record_sections
                     if self.subclasses(self.section_class(s)) & types)

    @property
    def organization_types(self) -> frozenset[str]:
        """Local names of ``pkg:Organization`` and all its subclasses."""
        return frozenset(local_name(c) for c in self.subclasses(_ORGANIZATION)
                         if c.startswith(PKG_NS))


def _ordered(graph: Graph, name_property: URIRef, order_property: URIRef,
             names: Mapping[str, str], origin: str) -> tuple[str, ...]:
    """Names some classes carry, sorted by the integer ``order_property`` beside them.

    A class with ``order_property`` but no name is an error; with ``names`` given the name is
    taken from it (the class's own ``pkg:iriFamily``).
    """
    ranked: dict[str, int] = {}
    for cls, rank in graph.subject_objects(order_property):
        name = names.get(str(cls)) if names else graph.value(cls, name_property)
        value = rank.toPython() if isinstance(rank, Literal) else None
        if name is None or not isinstance(value, int):
            msg = (f"{origin}: {cls} has {local_name(order_property)} {rank!r}; it needs an "
                   f"integer and a {local_name(name_property)} of its own")
            raise InvalidOntology(msg)
        if ranked.setdefault(str(name), value) != value:
            msg = f"{origin}: {name!r} has two {local_name(order_property)} values"
            raise InvalidOntology(msg)
    return tuple(sorted(ranked, key=lambda n: (ranked[n], n)))


def _declared_rule(graph: Graph, cls: URIRef, origin: str
                   ) -> tuple[str, str, str | None, str | None] | None:
    """A class's own direct-relationship annotations, or None when it has none."""
    source = graph.value(cls, _EDGE_SOURCE)
    target = graph.value(cls, _EDGE_TARGET)
    fixed = graph.value(cls, _EDGE_TYPE)
    type_from = graph.value(cls, _EDGE_TYPE_FROM)
    if source is None and target is None and fixed is None and type_from is None:
        return None
    if source is None or target is None or (fixed is None) == (type_from is None):
        msg = (f"{origin}: fact class {cls} needs pkg:edgeSource, pkg:edgeTarget and one of "
               "pkg:edgeType / pkg:edgeTypeFrom")
        raise InvalidOntology(msg)
    return (str(source), str(target), upper_snake(str(fixed)) if fixed is not None else None,
            str(type_from) if type_from is not None else None)


def model_from_graph(graph: Graph, origin: str = "<graph>") -> OntologyModel:
    """The model of an ontology already parsed into ``graph``."""
    return OntologyModel(graph, origin)


def load_model(path: Path | str) -> OntologyModel:
    """The model of the ontology in the Turtle file ``path`` (a copy you extended, say)."""
    path = Path(path)
    if path.resolve() == ONTOLOGY_FILE.resolve():
        return default_model()
    return OntologyModel(parse_turtle(path), path.name)


@cache
def default_model() -> OntologyModel:
    """The model of the packaged ontology (built once)."""
    return OntologyModel(ontology_graph(), ONTOLOGY_FILE.name)


_CURRENT: ContextVar[OntologyModel | None] = ContextVar("policykg_model", default=None)


def current_model() -> OntologyModel:
    """The model made current by :func:`use_model`, else the packaged one."""
    return _CURRENT.get() or default_model()


@contextmanager
def use_model(model: OntologyModel) -> Iterator[OntologyModel]:
    """Make ``model`` current inside the block (mirror, export, queries and paths see it)."""
    token = _CURRENT.set(model)
    try:
        yield model
    finally:
        _CURRENT.reset(token)
