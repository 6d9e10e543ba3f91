"""Selecting part of the graph and turning it into a *view graph* for visualization.

The view graph is a :class:`networkx.MultiDiGraph` in which

* nodes are entities: instances of the ontology's "node classes" (actors, posts, policies,
  events, observations...), keyed by IRI, with the attributes ``uri``, ``label``, ``type`` (most
  specific class), ``types`` (the class and its superclasses in the policykg namespace), every
  literal property under its local name (``altLabel``, ``description``, ``date``...), ``start`` /
  ``end`` (ISO dates, where the entity is dated), ``evidence`` and ``sources``;
* edges are direct relationships: every n-ary fact (``pkg:Membership``, ``pkg:FundingFlow``...)
  collapsed into edges from its ``pkg:edgeSource`` values to its ``pkg:edgeTarget`` values, typed
  by ``pkg:edgeType`` or by the value of ``pkg:edgeTypeFrom``, plus every plain object property
  between two entities (``pkg:jurisdiction`` becomes ``JURISDICTION``). Edge attributes: ``type``,
  ``fact`` (the fact's IRI), the fact's literal properties (``date``, ``startDate``, ``amount``,
  ``currency``, ``role``, ``text``...), its other links (``program``, ``stage``...), ``start`` /
  ``end``, ``evidence`` (a list of ``{source, record, charStart, charEnd, extractor, confidence,
  quote}``) and ``sources`` (source keys).

Which classes are facts, which are entities and how facts collapse are read from the ontology's
annotations; no class has code of its own here. Classes whose instances the ontology itself
declares (funding stages, stances...) are vocabularies, and subclasses of ``prov:Entity``
(sources, evidence) are provenance: neither becomes a node.

The graph attribute ``sources`` lists the sources the view cites (key, IRI, title, publisher,
URL, date) and ``selection`` describes how the view was selected.
"""

from __future__ import annotations

import calendar
import fnmatch
import gc
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import networkx as nx
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD

from policykg.exceptions import QueryError, SelectionTooLarge
from policykg.graph.store import PlainTerm, Store
from policykg.lookup import find_entity, local_name
from policykg.ontology.external import SCHEMA_HTTP
from policykg.ontology.model import DirectRelationship, OntologyModel, current_model, upper_snake
from policykg.ontology.namespace import PKG as PKG_NAMESPACE

__all__ = [
    "PKG",
    "Filters",
    "SelectionTooLarge",
    "GraphReader",
    "date_interval",
    "select_actor",
    "select_iris",
    "select_source",
    "select_all",
    "select_sparql",
    "iris_in_rows",
    "build_view",
    "Selection",
    "run_selection",
    "parse_bound",
    "RESERVED",
    "gc_paused",
    "walk_neighbours",
]

PKG = str(PKG_NAMESPACE)
_EVIDENCE = str(PKG_NAMESPACE.evidence)
_RDF_TYPE = str(RDF.type)
_PREF_LABEL = str(SKOS.prefLabel)
#: Where a node's label comes from, in order; without any, "<Type> <local name>".
_LABEL_PROPS = (_PREF_LABEL, str(RDFS.label), str(DCTERMS.title), str(SDO.name),
                str(FOAF.name))
_SOURCE_PROPS = ("record", "charStart", "charEnd", "extractor", "confidence", "quote")
_SOURCE_PREDICATES = tuple((name, str(PKG_NAMESPACE[name])) for name in _SOURCE_PROPS)
_EVIDENCE_SOURCE = str(PKG_NAMESPACE.source)
#: Predicates that are never node or edge properties.
_NOT_PROPERTIES = frozenset({_RDF_TYPE, _EVIDENCE, _PREF_LABEL})
#: Attribute names the view graph sets itself; a literal property with one of these local names
#: is stored under ``<prefix>_<name>`` instead.
RESERVED = frozenset({"uri", "label", "type", "types", "id", "evidence", "sources", "fact",
                      "start", "end", "key", "source", "target", "viz",
                      "omittedNeighbours"})
_INTEGER_TYPES = {str(XSD[t]) for t in ("integer", "int", "long", "short", "byte",
                                        "nonNegativeInteger", "positiveInteger",
                                        "nonPositiveInteger", "negativeInteger",
                                        "unsignedLong", "unsignedInt", "unsignedShort",
                                        "unsignedByte")}
_FLOAT_TYPES = {str(XSD.decimal), str(XSD.double), str(XSD.float)}
_BOOLEAN = str(XSD.boolean)
_XSD_STRING = str(XSD.string)
_PREFIXES = {
    PKG: "pkg",
    str(ORG): "org",
    str(SDO): "schema",
    str(SCHEMA_HTTP): "schema",
    str(DCTERMS): "dcterms",
    str(SKOS): "skos",
    str(FOAF): "foaf",
    str(PROV): "prov",
    str(RDFS): "rdfs",
}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a view is built or written.

    Building a view allocates millions of small objects (terms, tuples, attribute dictionaries)
    and none of them form cycles that need collecting, yet every allocation burst triggers the
    collector, which then walks every live object again: at 50,000 nodes that tripled the time
    of a selection. Reference counting still frees everything as usual; the collector resumes
    (if it was on) when the block ends. The switch is process-wide, as ``gc.disable`` is.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ------------------------------------------------------------------------------------ schema


def _is_node(model: OntologyModel, types: Iterable[str], has_label: bool) -> bool:
    """Whether a resource with these types becomes a node of the view."""
    types = list(types)
    if any(t in model.node_classes for t in types):
        return True
    if any(t in model.hidden_classes or t in model.facts for t in types):
        return False
    # Untyped or foreign-typed resources with a name are still shown.
    return has_label


def _node_line(model: OntologyModel, cls: str) -> tuple[str, ...]:
    """A node class and its superclasses that are node classes, nearest first."""
    return (cls, *(a for a in model.pkg_ancestors(cls) if a in model.node_classes))


def _most_specific(model: OntologyModel, types: Iterable[str]) -> tuple[str, list[str]]:
    """The most specific class name and every class name (with superclasses)."""
    known = sorted({t for t in types if t in model.node_classes})
    if not known:
        names = sorted({local_name(t) for t in types})
        return (names[0] if names else "Entity"), names or ["Entity"]
    lines = {t: _node_line(model, t) for t in known}
    ancestors: set[str] = set()
    for t in known:
        ancestors |= set(lines[t][1:])
    specific = [t for t in known if t not in ancestors] or known
    best = max(specific, key=lambda t: (len(lines[t]), t))
    ordered: list[str] = []
    for t in [best, *specific, *known]:
        for c in lines[t]:
            name = local_name(c)
            if name not in ordered:
                ordered.append(name)
    return local_name(best), ordered


# ------------------------------------------------------------------------------------- dates


@lru_cache(maxsize=65536)
def _bound(lexical: str, end: bool) -> str | None:
    match = _DATE.match(lexical.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is None:
        month, day = (12, 31) if end else (1, 1)
    if not 1 <= month <= 12:
        return None
    if day is None:
        day = calendar.monthrange(year, month)[1] if end else 1
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_interval(props: Mapping[str, Any], *, point: bool) -> tuple[str | None, str | None]:
    """The ``(start, end)`` ISO dates of a fact or entity, either side possibly open.

    ``startDate``/``endDate`` give the bounds; otherwise ``date`` or ``period`` gives the start
    and, when ``point`` (facts, which happen at that date), also the end: ``2017-01`` covers
    2017-01-01 to 2017-01-31.
    """

    def first(name: str) -> str | None:
        value = props.get(name)
        if isinstance(value, list):
            value = sorted(str(v) for v in value)[0] if value else None
        return str(value) if value is not None else None

    start_lex, end_lex = first("startDate"), first("endDate")
    point_lex = first("date") or first("period")
    start = _bound(start_lex, False) if start_lex else None
    end = _bound(end_lex, True) if end_lex else None
    if start is None and end is None and point_lex:
        start = _bound(point_lex, False)
        end = _bound(point_lex, True) if point else None
    return start, end


def parse_bound(text: str, *, end: bool) -> str:
    """A ``--since``/``--until`` value (YYYY, YYYY-MM or YYYY-MM-DD) as an ISO date."""
    value = _bound(text, end)
    if value is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text.strip()):
        msg = f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)"
        raise QueryError(msg)
    return value


# ----------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """Restrictions applied while selecting."""

    since: str | None = None  # ISO date
    until: str | None = None
    keep_undated: bool = False
    node_types: frozenset[str] = frozenset()
    rel_types: frozenset[str] = frozenset()
    max_nodes: int = 5000
    truncate: bool = False
    #: Walk at most this many neighbours out of any node (``--max-degree``); None: all.
    max_degree: int | None = None
    #: Glob patterns of source keys whose facts are left out (``--exclude-source``).
    exclude_sources: tuple[str, ...] = ()

    def source_ok(self, sources: Iterable[str]) -> bool:
        """Whether something stated by these sources stays: it has no source, or one source
        that no ``exclude_sources`` pattern matches (a fact an excluded source repeats stays)."""
        if not self.exclude_sources:
            return True
        keys = list(sources)
        return not keys or any(
            not any(fnmatch.fnmatchcase(k, pattern) for pattern in self.exclude_sources)
            for k in keys)

    def edge_ok(self, attrs: Mapping[str, Any]) -> bool:
        """Whether an edge passes the relationship-type, source and time-window filters."""
        if self.rel_types and attrs.get("type") not in self.rel_types:
            return False
        if not self.source_ok(attrs.get("sources", ())):
            return False
        if self.since is None and self.until is None:
            return True
        start, end = attrs.get("start"), attrs.get("end")
        if start is None and end is None:
            return self.keep_undated
        return (end is None or self.since is None or end >= self.since) and (
            start is None or self.until is None or start <= self.until)

    def node_ok(self, attrs: Mapping[str, Any]) -> bool:
        """Whether a node passes the node-type and source filters."""
        if not self.source_ok(attrs.get("sources", ())):
            return False
        return not self.node_types or bool(self.node_types & set(attrs.get("types", ())))

    @property
    def active(self) -> bool:
        """Whether any edge or node filter is set."""
        return bool(self.since or self.until or self.node_types or self.rel_types
                    or self.exclude_sources)


# ------------------------------------------------------------------------------------ reader


#: ``(predicate, object, graph)`` of one quad; the object in plain form (see
#: :data:`~policykg.graph.store.PlainTerm`): an IRI is a ``str`` (``type(o) is str``), a literal a
#: ``(lexical form, datatype, language)`` tuple, a blank node an rdflib ``BNode``.
Out = list[tuple[str, PlainTerm, str]]


class GraphReader:
    """Batched, cached reads of resources' triples from a store."""

    def __init__(self, store: Store, model: OntologyModel | None = None,
                 batch: int = 300) -> None:
        self.store = store
        self.model = model or current_model()
        self.batch = batch
        self.out: dict[str, Out] = {}
        self.incoming: dict[str, list[tuple[str, str]]] = {}  # object -> [(subject, predicate)]
        self._sources: dict[str, dict[str, Any]] | None = None
        self._source_keys: dict[str, str] = {}
        self._types: dict[str, list[str]] = {}
        self._specific: dict[tuple[str, ...], tuple[str, list[str]]] = {}
        self._node_by_types: dict[tuple[str, ...], bool | None] = {}

    # -- raw reads

    def describe(self, iris: Iterable[str]) -> None:
        """Read the outgoing triples (with their graphs) of every IRI not read yet."""
        todo = list(dict.fromkeys(i for i in iris if i not in self.out))
        if todo:
            self.out.update(self.store.outgoing(todo))

    def read_incoming(self, iris: Iterable[str]) -> None:
        """Read the subjects (IRIs only) pointing at every IRI not read yet."""
        todo = list(dict.fromkeys(i for i in iris if i not in self.incoming))
        if not todo:
            return
        skip = (_RDF_TYPE, _EVIDENCE)
        for iri, statements in self.store.incoming(todo):
            self.incoming[iri] = sorted({(s, p) for s, p, _ in statements
                                         if type(s) is str and p not in skip})

    # -- interpretation

    def types(self, iri: str) -> list[str]:
        """The rdf:types of a described resource."""
        found = self._types.get(iri)
        if found is None:
            out = self.out.get(iri)
            found = sorted({o for p, o, _ in out or ()
                            if p == _RDF_TYPE and type(o) is str})
            if out is not None:  # described: its types do not change any more
                self._types[iri] = found
        return found

    def is_node(self, iri: str) -> bool:
        """Whether a described resource is an entity of the view."""
        out = self.out.get(iri, ())
        if not out:
            return False
        types = tuple(self.types(iri))
        if types in self._node_by_types:
            decided = self._node_by_types[types]
        else:  # True/False, or None when having a label decides
            if _is_node(self.model, types, False):
                decided = True
            elif not _is_node(self.model, types, True):
                decided = False
            else:
                decided = None
            self._node_by_types[types] = decided
        if decided is None:
            return any(p == _PREF_LABEL for p, _, _ in out)
        return decided

    def most_specific(self, iri: str) -> tuple[str, list[str]]:
        """The most specific class name of a described resource and all its class names
        (cached by types)."""
        types = tuple(self.types(iri))
        found = self._specific.get(types)
        if found is None:
            found = self._specific[types] = _most_specific(self.model, types)
        return found[0], list(found[1])

    def fact_mapping(self, iri: str) -> DirectRelationship | None:
        """The direct relationship of a described fact (of its first fact class), else None."""
        facts = self.model.facts
        return next((facts[t] for t in sorted(self.types(iri)) if t in facts), None)

    def values(self, iri: str, prop: str) -> list[Any]:
        """The distinct values of ``prop`` on a described resource, sorted."""
        return _distinct([o for p, o, _ in self.out.get(iri, ()) if p == prop])

    def grouped(self, iri: str) -> dict[str, list[Any]]:
        """The objects of a described resource by predicate (repeats kept, see
        :func:`_distinct`)."""
        grouped: dict[str, list[Any]] = {}
        for p, o, _ in self.out.get(iri, ()):
            bucket = grouped.get(p)
            if bucket is None:
                grouped[p] = [o]
            else:
                bucket.append(o)
        return grouped

    def sources(self) -> dict[str, dict[str, Any]]:
        """Loaded sources by graph IRI: key, uri, title, publisher, url, date."""
        if self._sources is None:
            rows = self.store.select("""
                SELECT ?g ?key ?title ?publisher ?url ?date WHERE {
                  GRAPH ?g { ?g pkg:record ?key
                    OPTIONAL { ?g dcterms:title ?title }
                    OPTIONAL { ?g pkg:publisherName ?publisher }
                    OPTIONAL { ?g schema:url ?url } OPTIONAL { ?g pkg:date ?date } } }""")
            self._sources = {}
            for row in rows:
                entry = {"key": str(row["key"]), "uri": str(row["g"])}
                for name in ("title", "publisher", "url", "date"):
                    if name in row:
                        entry[name] = str(row[name])
                self._sources.setdefault(str(row["g"]), entry)
        return self._sources

    def source_key(self, graph: str) -> str:
        """The key of a source graph (its IRI if it is not a loaded source)."""
        key = self._source_keys.get(graph)
        if key is None:
            entry = self.sources().get(graph)
            key = self._source_keys[graph] = str(entry["key"]) if entry else graph
        return key

    def source_keys(self, iri: str) -> list[str]:
        """The keys of the sources stating anything about a described resource, sorted."""
        return sorted({self.source_key(g) for g in {g for _, _, g in self.out.get(iri, ())}})

    def neighbours(self, iri: str, filters: Filters) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(other node, edge attributes)`` for the edges touching ``iri`` (both directions)."""
        self.describe([iri])
        self.read_incoming([iri])
        out_objects = [o for p, o, _ in self.out[iri]
                       if type(o) is str and p not in (_RDF_TYPE, _EVIDENCE)]
        in_subjects = [s for s, _ in self.incoming[iri]]
        self.describe(out_objects + in_subjects)
        facts = [s for s in in_subjects if self.fact_mapping(s)]
        ends = [o for f in facts for p, o, _ in self.out[f] if type(o) is str
                and p in self.model.fact_properties]
        self.describe(ends)
        candidates = set(out_objects) | set(in_subjects) | set(ends)
        candidates.discard(iri)
        nodes = {c for c in candidates if self.is_node(c)} | {iri}
        for u, v, _, attrs in self.edges_among([iri], nodes, touching=True):
            other = v if u == iri else u
            if filters.edge_ok(attrs):
                yield other, attrs

    def edges_among(
        self, focus: Iterable[str], nodes: set[str], *, touching: bool = False
    ) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Edges ``(u, v, key, attrs)`` between nodes of ``nodes`` that touch ``focus``.

        With ``touching=False`` ``focus`` is every node and each edge is yielded once.
        """
        focus = list(focus)
        self.describe(focus)
        self.read_incoming(focus)
        fact_iris: list[str] = []
        seen_facts: set[str] = set()
        fact_props = self.model.fact_properties
        for iri in focus:
            # Direct links: out-links only, so each is met once from its subject; sorted, so
            # the view is the same whatever order the backend reads in.
            links = {(p, o) for p, o, _ in self.out[iri]
                     if type(o) is str and o in nodes and p not in (_RDF_TYPE, _EVIDENCE)}
            for p, target in sorted(links):
                yield iri, target, f"{iri}|{p}|{target}", self._direct_attrs(iri, p, target)
            if touching:
                for s, p in self.incoming[iri]:
                    if s in nodes and s != iri and not self.fact_mapping(s):
                        yield s, iri, f"{s}|{p}|{iri}", self._direct_attrs(s, p, iri)
            for s, p in self.incoming[iri]:
                if p in fact_props and s not in seen_facts:
                    seen_facts.add(s)
                    fact_iris.append(s)
        self.describe(fact_iris)
        for fact in fact_iris:
            mapping = self.fact_mapping(fact)
            if mapping is None:
                continue
            yield from self._fact_edges(fact, mapping, nodes)

    def _direct_attrs(self, s: str, p: str, o: str) -> dict[str, Any]:
        graphs = sorted({g for pp, oo, g in self.out[s] if pp == p and oo == o
                         and type(oo) is str})
        attrs: dict[str, Any] = {"type": upper_snake(p), "property": p,
                                 "sources": sorted({self.source_key(g) for g in graphs})}
        return attrs

    def _fact_edges(self, fact: str, mapping: DirectRelationship,
                    nodes: set[str]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        grouped = self.grouped(fact)
        sources_ = {o for o in grouped.get(mapping.source, ()) if type(o) is str}
        targets = {o for o in grouped.get(mapping.target, ()) if type(o) is str}
        pairs = [(u, v) for u in sorted(sources_) for v in sorted(targets)
                 if u in nodes and v in nodes]
        if not pairs:
            return
        if mapping.edge_type is not None:
            edge_type = mapping.edge_type
        else:
            named = sorted(o for o in grouped.get(mapping.type_from or "", ())
                           if type(o) is str)
            edge_type = _edge_type_name(named[0]) if named else "RELATED_TO"
        base = self.properties(fact, skip={mapping.source, mapping.target})
        start, end = date_interval(base, point=True)
        base = {"type": edge_type, "fact": fact, "factType": local_name(mapping.fact_class), **base}
        if start:
            base["start"] = start
        if end:
            base["end"] = end
        base["evidence"] = self.evidence(fact, grouped.get(_EVIDENCE, ()))
        base["sources"] = self.source_keys(fact)
        for i, (u, v) in enumerate(pairs):
            key = fact if len(pairs) == 1 else f"{fact}#{i}"
            yield u, v, key, dict(base)

    def properties(self, iri: str, skip: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        """Literal properties by local name (lists when several) and links to vocabulary terms
        (by local name) or other resources (by IRI)."""
        grouped: dict[str, list[Any]] = {}
        for p, o, _ in self.out.get(iri, ()):
            if p in _NOT_PROPERTIES or p in skip:
                continue
            name = _attr_name(p)
            if type(o) is tuple:
                value = _literal_value(o)
            elif type(o) is str:
                value = local_name(o) if o.startswith(PKG) else o
            else:  # blank nodes have no meaning outside the store
                continue
            bucket = grouped.setdefault(name, [])
            if value not in bucket:
                bucket.append(value)
        return {k: (sorted(v, key=str) if len(v) > 1 else v[0])
                for k, v in sorted(grouped.items())}

    def evidence(self, iri: str, links: Iterable[Any] | None = None) -> list[dict[str, Any]]:
        """The evidence records of a resource, as dictionaries (``links``: its ``pkg:evidence``
        objects, when the caller has them at hand)."""
        found = self.values(iri, _EVIDENCE) if links is None else _distinct(list(links))
        ev_iris = [o for o in found if type(o) is str]
        self.describe(ev_iris)
        records = []
        for ev in ev_iris:
            record: dict[str, Any] = {}
            grouped = self.grouped(ev)
            src = [o for o in _distinct(grouped.get(_EVIDENCE_SOURCE, [])) if type(o) is str]
            if src:
                record["source"] = self.source_key(src[0])
            for name, prop in _SOURCE_PREDICATES:
                vals = grouped.get(prop)
                if vals:
                    first = _distinct(vals)[0]
                    if type(first) is tuple:
                        record[name] = _literal_value(first)
            records.append(record)
        if len(records) > 1:
            records.sort(key=lambda r: (str(r.get("source", "")), str(r.get("record", "")),
                                        str(r.get("charStart", ""))))
        return records

    def node_attrs(self, iri: str) -> dict[str, Any]:
        """The attributes of an entity node."""
        type_name, type_names = self.most_specific(iri)
        grouped = self.grouped(iri)
        labels = [o[0] for prop in _LABEL_PROPS for o in _distinct(grouped.get(prop, []))
                  if type(o) is tuple]
        label = labels[0] if labels else f"{type_name} {local_name(iri)[:12]}"
        attrs: dict[str, Any] = {"uri": iri, "label": label,
                                 "type": type_name, "types": type_names}
        attrs.update(self.properties(iri))
        start, end = date_interval(attrs, point=False)
        if start:
            attrs["start"] = start
        if end:
            attrs["end"] = end
        attrs["evidence"] = self.evidence(iri, grouped.get(_EVIDENCE, ()))
        attrs["sources"] = self.source_keys(iri)
        return attrs


def _distinct(values: list[Any]) -> list[Any]:
    """Distinct values, sorted by their N-Triples text when there are several."""
    if len(values) < 2:
        return values
    found = set(values)
    return sorted(found, key=_ntriples_text) if len(found) > 1 else list(found)


def _ntriples_text(term: PlainTerm) -> str:
    """A plain term's N-Triples text (up to escapes), the order of :func:`_distinct`."""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, str):
        return f"<{term}>"
    value, datatype, language = term
    if language:
        return f'"{value}"@{language}'
    return f'"{value}"' if datatype == _XSD_STRING else f'"{value}"^^<{datatype}>'


@cache
def _edge_type_name(iri: str) -> str:
    return upper_snake(iri)


@cache
def _attr_name(prop: str) -> str:
    name = local_name(prop)
    if name in RESERVED or not name:
        ns = prop[: len(prop) - len(name)]
        name = f"{_PREFIXES.get(ns, 'x')}_{name}"
    return name


def _literal_value(lit: tuple[str, str, str | None]) -> Any:
    text, datatype, _ = lit
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype in _FLOAT_TYPES:
            return float(text)
        if datatype == _BOOLEAN:
            return text.strip() in ("true", "1")
    except ValueError:
        return text
    return text


# ------------------------------------------------------------------------------ selections


@dataclass
class Selection:
    """Which nodes a view holds, before it is built."""

    nodes: list[str]
    seeds: set[str] = field(default_factory=set)
    description: str = ""
    source_graph: str | None = None  # only edges stated by this source
    truncated: bool = False
    #: Nodes whose neighbours ``--max-degree`` cut, with how many it left out.
    omitted: dict[str, int] = field(default_factory=dict)


def _check_size(count: int, filters: Filters, what: str) -> None:
    if count > filters.max_nodes and not filters.truncate:
        msg = (f"{what} has {count} nodes, more than --max-nodes {filters.max_nodes}: narrow it "
               "(--depth, --node-type, --rel-type, --since/--until) or pass --truncate to keep "
               f"the first {filters.max_nodes}")
        raise SelectionTooLarge(msg, count, filters.max_nodes)


def select_actor(reader: GraphReader, iri: str, depth: int, filters: Filters) -> Selection:
    """The actor and every node within ``depth`` edges of it (breadth first), respecting the
    edge and node filters while walking; with ``filters.max_degree``, at most that many
    neighbours are walked out of any node (see :func:`walk_neighbours`)."""
    if depth < 0:
        raise QueryError("--depth must be 0 or more")
    reader.describe([iri])
    order = [iri]
    seen = {iri}
    frontier = [iri]
    omitted: dict[str, int] = {}
    for _ in range(depth):
        next_frontier: list[str] = []
        for node in frontier:
            for other in walk_neighbours(reader, node, filters, seen, omitted):
                seen.add(other)
                order.append(other)
                next_frontier.append(other)
            if len(order) > filters.max_nodes:
                if not filters.truncate:
                    _check_size(len(order), filters, f"the selection around <{iri}> (at least)")
                return Selection(order[: filters.max_nodes], {iri},
                                 f"actor <{iri}> depth {depth} (truncated)", truncated=True,
                                 omitted=omitted)
        frontier = next_frontier
        if not frontier:
            break
    return Selection(order, {iri}, f"actor <{iri}> depth {depth}", omitted=omitted)


def walk_neighbours(reader: GraphReader, node: str, filters: Filters, seen: set[str],
                       omitted: dict[str, int]) -> list[str]:
    """The neighbours of ``node`` not ``seen`` yet that pass the filters, in the order met.

    With ``filters.max_degree`` only that many are kept, those linked to ``node`` by the most
    relationships first (then by IRI, so the choice is stable); how many were left out is
    counted in ``omitted[node]``. This keeps a hub (a programme with hundreds of activities)
    from swamping a neighbourhood while its best-connected neighbours still show.
    """
    links: dict[str, int] = {}
    for other, _attrs in reader.neighbours(node, filters):
        if other in seen:
            continue
        if other not in links:
            if (filters.node_types or filters.exclude_sources) and not filters.node_ok(
                    {"types": reader.most_specific(other)[1],
                     "sources": reader.source_keys(other)}):
                continue
            links[other] = 0
        links[other] += 1
    found = list(links)
    cap = filters.max_degree
    if cap is not None and len(found) > cap:
        omitted[node] = len(found) - cap
        kept = set(sorted(found, key=lambda o: (-links[o], o))[:cap])
        found = [o for o in found if o in kept]
    return found


def select_iris(reader: GraphReader, iris: Iterable[str], description: str) -> Selection:
    """The entities among ``iris`` (facts stand for their edge ends), in the order given."""
    iris = list(dict.fromkeys(iris))
    reader.describe(iris)
    order: list[str] = []
    for iri in iris:
        if reader.is_node(iri):
            order.append(iri)
            continue
        mapping = reader.fact_mapping(iri)
        if mapping is not None:
            ends = [o for p, o, _ in reader.out[iri]
                    if p in (mapping.source, mapping.target) and type(o) is str]
            reader.describe(ends)
            order += [e for e in ends if reader.is_node(e)]
    order = list(dict.fromkeys(order))
    return Selection(order, set(order), description)


def select_source(reader: GraphReader, key: str) -> Selection:
    """The entities a source mentions; only the edges it states are kept."""
    sources = reader.sources()
    matches = [g for g, s in sources.items() if key in (s["key"], g)]
    if not matches:
        matches = [g for g, s in sources.items() if str(s["key"]).endswith(key)]
    if len(matches) != 1:
        known = ", ".join(sorted(str(s["key"]) for s in sources.values())) or "none"
        what = "several sources" if matches else "no source"
        raise QueryError(f"{what} match {key!r} (loaded sources: {known})")
    graph = matches[0]
    mentioned: dict[str, None] = {}
    for s, _, o in reader.store.graph_triples(URIRef(graph)):
        for term in (s, o):
            if isinstance(term, URIRef):
                mentioned.setdefault(str(term), None)
    reader.describe(mentioned)
    nodes = sorted(i for i in mentioned if reader.is_node(i))  # not in the backend's order
    return Selection(nodes, set(), f"source {sources[graph]['key']}", source_graph=graph)


def select_all(reader: GraphReader) -> Selection:
    """Every entity in the store."""
    iris = sorted({s for s, _, _, _ in reader.store.plain_quads(None, RDF.type) if type(s) is str})
    reader.describe(iris)
    return Selection([i for i in iris if reader.is_node(i)], set(), "whole store")


def iris_in_rows(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every IRI in result rows, in order: RDF IRIs, ``http(s)``/``urn`` strings, and the
    ``uri`` property of Neo4j nodes and relationships (lists and paths are walked)."""
    found: dict[str, None] = {}

    def visit(value: Any) -> None:
        if isinstance(value, URIRef):
            found.setdefault(str(value), None)
        elif isinstance(value, str) and not isinstance(value, Literal):
            if value.startswith(("http://", "https://", "urn:")) and " " not in value:
                found.setdefault(value, None)
        elif isinstance(value, Mapping):
            for v in value.values():
                visit(v)
        elif isinstance(value, list | tuple | set | frozenset):
            for v in value:
                visit(v)
        elif hasattr(value, "nodes") and hasattr(value, "relationships"):  # a Neo4j path
            for n in value.nodes:
                visit(n)
            for r in value.relationships:
                visit(r)
        elif hasattr(value, "get") and hasattr(value, "element_id"):  # Neo4j node/relationship
            for name in ("uri", "fact", "iri"):
                uri = value.get(name)
                if isinstance(uri, str):
                    found.setdefault(uri, None)

    for row in rows:
        visit(dict(row))
    return list(found)


def select_sparql(reader: GraphReader, query: str) -> Selection:
    """The entities named in a SPARQL SELECT's result rows."""
    rows = reader.store.select(query)
    return select_iris(reader, iris_in_rows(rows), "SPARQL query")


# ------------------------------------------------------------------------------------- build


def build_view(reader: GraphReader, selection: Selection, filters: Filters) -> nx.MultiDiGraph:
    """Build the view graph of a selection: its nodes, the edges among them, filters applied."""
    nodes = list(selection.nodes)
    reader.describe(nodes)
    attrs_of = {iri: reader.node_attrs(iri) for iri in nodes}
    if filters.node_types or filters.exclude_sources:
        nodes = [n for n in nodes if n in selection.seeds or filters.node_ok(attrs_of[n])]
    _check_size(len(nodes), filters, f"the selection ({selection.description})")
    truncated = selection.truncated or len(nodes) > filters.max_nodes
    nodes = nodes[: filters.max_nodes]
    node_set = set(nodes)
    view = nx.MultiDiGraph()
    for iri in nodes:
        view.add_node(iri, **attrs_of[iri])
        if iri in selection.omitted:
            view.nodes[iri]["omittedNeighbours"] = selection.omitted[iri]
    had_edges: set[str] = set()
    source_key = reader.source_key(selection.source_graph) if selection.source_graph else None
    for u, v, key, attrs in reader.edges_among(nodes, node_set):
        if source_key is not None and source_key not in attrs.get("sources", ()):
            continue
        had_edges |= {u, v}
        if filters.edge_ok(attrs):
            view.add_edge(u, v, key=key, **attrs)
    if filters.active:
        # Nodes that only the filters cut off go too; the selection's seeds stay.
        for iri in list(view.nodes):
            if iri in had_edges and view.degree(iri) == 0 and iri not in selection.seeds:
                view.remove_node(iri)
    _uniform_lists(view)
    cited = {s for _, d in view.nodes(data=True) for s in d.get("sources", ())}
    cited |= {s for _, _, d in view.edges(data=True) for s in d.get("sources", ())}
    view.graph["sources"] = sorted((s for s in reader.sources().values() if s["key"] in cited),
                                   key=lambda s: str(s["key"]))
    view.graph["selection"] = selection.description
    view.graph["truncated"] = truncated
    return view


_ALWAYS_LIST = frozenset({"types", "evidence", "sources"})


def _uniform_lists(view: nx.MultiDiGraph) -> None:
    """A property that has several values anywhere in the view is a list everywhere."""
    for items in (list(view.nodes(data=True)), [(k, d) for _, _, k, d in
                                                view.edges(keys=True, data=True)]):
        listy = {k for _, d in items for k, v in d.items() if isinstance(v, list)} - _ALWAYS_LIST
        for _, d in items:
            for k in listy:
                if k in d and not isinstance(d[k], list):
                    d[k] = [d[k]]


def run_selection(
    reader: GraphReader,
    *,
    actor: str | None = None,
    depth: int = 1,
    iris: Iterable[str] | None = None,
    description: str = "",
    source: str | None = None,
    sparql: str | None = None,
    filters: Filters | None = None,
) -> nx.MultiDiGraph:
    """Select by one of actor/iris/source/sparql (or everything) and build the view."""
    filters = filters or Filters()
    chosen = [x is not None for x in (actor, iris, source, sparql)]
    if sum(chosen) > 1:
        raise QueryError("choose one selection: an actor, a query, a source or SPARQL")
    with gc_paused():
        return _run_selection(reader, actor, depth, iris, description, source, sparql, filters)


def _run_selection(reader: GraphReader, actor: str | None, depth: int,
                   iris: Iterable[str] | None, description: str, source: str | None,
                   sparql: str | None, filters: Filters) -> nx.MultiDiGraph:
    if actor is not None:
        # A name (or an IRI the store does not hold) is resolved like the CLI resolves it:
        # an unknown or ambiguous actor is an error, never an empty node made up from the text.
        selection = select_actor(reader, find_entity(reader.store, actor), depth, filters)
    elif iris is not None:
        selection = select_iris(reader, iris, description or "query result")
    elif source is not None:
        selection = select_source(reader, source)
    elif sparql is not None:
        selection = select_sparql(reader, sparql)
    else:
        selection = select_all(reader)
    return build_view(reader, selection, filters)

