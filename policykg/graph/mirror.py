"""The Neo4j mirror: the store's RDF as a property graph, kept in sync, and read back (``pull``).

The mapping is derived from the ontology only (see ``docs/neo4j-mapping.md``):

* an IRI → a ``(:Resource {uri})`` node with one label per rdf:type (local name) and per
  superclass in the pkg namespace (``pkg:NaryFact`` excepted);
* a literal → a property named by the predicate's local name, typed where Neo4j has the type,
  ``name@lang`` for language-tagged ones; ``altLabel`` is always a list;
* an IRI object → a relationship typed ``UPPER_SNAKE(local name)`` carrying ``predicate``;
* an n-ary fact (a class annotated with ``pkg:edgeSource``/``pkg:edgeTarget``) → its node plus a
  derived relationship from its source to its target, carrying ``fact``, its literal properties
  and ``sources`` (the evidence's sources).

Bookkeeping lets policykg touch only what it wrote and read it back exactly: ``_pkg`` (created by
policykg), ``_sources`` (the named graphs that state it), ``_keys``, ``_rdfTypes``, ``_types``,
``_prov`` and ``_edges`` on nodes; a ``(:_PolicyKGMeta)`` node maps property keys to predicate
IRIs; one ``(:_PolicyKGSource)`` node per mirrored source records its fingerprint and state.

Sync works per subject: every subject whose triples may have changed (those of changed or removed
sources) is recomputed from the store and written in one idempotent transaction with its outgoing
relationships, so a batch can be retried or redone after a crash without harm.
"""

from __future__ import annotations

import hashlib
import math
import queue
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from policykg.graph.store import PREFIXES, PlainTerm, Store
from policykg.load import list_sources
from policykg.loaders.records import canonical_decimal
from policykg.ontology import ontology_graph
from policykg.ontology.model import (
    OntologyModel,
    current_model,
    label_name,
    local_name,
    upper_snake,
)
from policykg.ontology.namespace import PKG

__all__ = [
    "MirrorSummary",
    "mirror",
    "pull",
    "pull_dataset",
    "ensure_schema",
    "neo4j_value",
    "rdf_lexical",
    "BNODE_PREFIX",
    "FULLTEXT_INDEX",
    "SOURCE_LABEL",
    "META_LABEL",
]

PKG_NS = str(PKG)
XSD_NS = str(XSD)
RDF_TYPE = str(RDF.type)
RDF_LANGSTRING = str(RDF.langString)
XSD_STRING = str(XSD.string)
NARY_FACT = str(PKG.NaryFact)
PKG_EVIDENCE = str(PKG.evidence)
PKG_SOURCE = str(PKG.source)

#: Real blank nodes (the RDF loader already skolemizes to ``bnode://<hash>/n``) get these URIs.
BNODE_PREFIX = "bnode://_/"
FULLTEXT_INDEX = "policykg_names"
RESOURCE = "Resource"
META_LABEL = "_PolicyKGMeta"
SOURCE_LABEL = "_PolicyKGSource"
META_ID = "policykg"
#: Property keys that are always lists.
LIST_KEYS = frozenset({"altLabel"})
#: Bookkeeping properties on subject nodes; always written (None removes them).
BOOK_KEYS = ("_sources", "_rdfTypes", "_types", "_keys", "_prov", "_edges", "_bnode")
_STAGING = "urn:policykg:staging:"

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RESERVED_KEYS = frozenset({"uri"})

# A term as the mirror handles it: an IRI string, or a literal (lexical, datatype, language).
LiteralTuple = tuple[str, str, str | None]
Obj = str | LiteralTuple
QuadRow = tuple[str, Obj, str]  # predicate, object, graph


# ----------------------------------------------------------------------------- names


def _quote(identifier: str) -> str:
    """Backtick-quote a validated identifier for query text (never user text)."""
    if not _IDENT.fullmatch(identifier):
        msg = f"refusing unsafe Cypher identifier {identifier!r}"
        raise ValueError(msg)
    return f"`{identifier}`"


def _curie(datatype: str) -> str:
    return "xsd:" + datatype[len(XSD_NS):] if datatype.startswith(XSD_NS) else datatype


def _uncurie(text: str) -> str:
    return str(XSD[text[4:]]) if text.startswith("xsd:") else text


# ----------------------------------------------------------------------------- values


def _double_lexical(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _datetime_lexical(value: datetime) -> str:
    text = value.isoformat()
    if value.tzinfo is not None and value.utcoffset() is not None and not value.utcoffset():
        text = text.removesuffix("+00:00") + "Z"
    return text


_INTEGER_TYPES = frozenset(
    str(XSD[t])
    for t in ("integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
              "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
              "unsignedShort", "unsignedByte")
)
_FLOAT_TYPES = frozenset({str(XSD.double), str(XSD.float)})
_DEFAULT_TYPE: dict[type, str] = {
    str: XSD_STRING,
    bool: str(XSD.boolean),
    int: str(XSD.integer),
    float: str(XSD.double),
    date: str(XSD.date),
    datetime: str(XSD.dateTime),
}


def _native(lexical: str, datatype: str) -> Any:
    """The Neo4j-storable value of a typed literal, or None when there is none."""
    try:
        if datatype == XSD_STRING:
            return lexical
        if datatype in _INTEGER_TYPES:
            number = int(lexical)
            return number if -(2**63) <= number < 2**63 else None
        if datatype == str(XSD.decimal) or datatype in _FLOAT_TYPES:
            real = float(lexical)
            return real if math.isfinite(real) else None
        if datatype == str(XSD.boolean):
            return {"true": True, "false": False}.get(lexical)
        if datatype == str(XSD.date):
            return date.fromisoformat(lexical)
        if datatype == str(XSD.dateTime):
            return datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return None


def rdf_lexical(value: Any, datatype: str) -> str:
    """The RDF lexical form of a value read from Neo4j, given its datatype."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if datatype == str(XSD.decimal):
            return canonical_decimal(value)
        return _double_lexical(value)
    if isinstance(value, datetime):
        return _datetime_lexical(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def neo4j_value(lexical: str, datatype: str) -> Any:
    """The property value for a literal: native when it reads back to the same lexical form,
    the lexical string otherwise (the datatype then goes to ``_types``)."""
    value = _native(lexical, datatype)
    if value is None or rdf_lexical(value, datatype) != lexical:
        return lexical
    return value


def _kind(value: Any) -> Any:
    if isinstance(value, datetime):
        return (datetime, value.tzinfo is None)
    return type(value)


def _default_type(value: Any) -> str:
    return _DEFAULT_TYPE[datetime if isinstance(value, datetime) else type(value)]


# ----------------------------------------------------------------------------- ontology mapping


class _Labels:
    """Node labels of rdf:type sets, from the model (cached per set of types)."""

    def __init__(self, model: OntologyModel) -> None:
        self.model = model
        self._cache: dict[frozenset[str], tuple[str, ...]] = {}

    def __call__(self, types: Iterable[str]) -> tuple[str, ...]:
        """Sorted labels: each type and its pkg superclasses, ``pkg:NaryFact`` and the implicit
        ``Resource`` left out."""
        key = frozenset(types)
        cached = self._cache.get(key)
        if cached is None:
            labels = {label_name(c) for c in key if c != NARY_FACT}
            for cls in key:
                labels.update(label_name(sup) for sup in self.model.pkg_ancestors(cls)
                              if sup != NARY_FACT)
            labels.discard(RESOURCE)
            cached = self._cache[key] = tuple(sorted(labels))
        return cached


#: Datatype predicates used by the loaders but declared elsewhere; they own their local names.
_WELL_KNOWN_KEYS = (
    str(SKOS.prefLabel),
    str(SKOS.altLabel),
    str(SDO.description),
    str(SDO.startDate),
    str(SDO.endDate),
    str(SDO.url),
    str(DCTERMS.title),
    str(RDFS.label),
    str(RDFS.comment),
    # Written by policykg itself: entity resolution marks rewritten sources, FtM addresses.
    str(OWL.versionInfo),
    str(SDO.address),
)


def default_key_iris(graph: Graph | None = None) -> list[str]:
    """Predicates that get their bare local name first: the well-known ones, then the
    ontology's datatype properties (sorted), so that the key map does not depend on history."""
    graph = graph if graph is not None else ontology_graph()
    declared = sorted(str(p) for p in graph.subjects(RDF.type, OWL.DatatypeProperty)
                      if isinstance(p, URIRef))
    return [*_WELL_KNOWN_KEYS, *(p for p in declared if p not in _WELL_KNOWN_KEYS)]


class KeyMap:
    """Property key ↔ predicate IRI; the bare local name unless another IRI already has it."""

    def __init__(self, keys: Sequence[str] = (), iris: Sequence[str] = ()) -> None:
        self.key_of: dict[str, str] = dict(zip(iris, keys, strict=True))
        self.iri_of: dict[str, str] = dict(zip(keys, iris, strict=True))
        self.changed = False

    def key(self, iri: str) -> str:
        """The property key of a datatype predicate (assigned on first use)."""
        found = self.key_of.get(iri)
        if found is not None:
            return found
        base = local_name(iri).replace("@", "_") or "value"
        candidates = [base]
        if base in _RESERVED_KEYS or base.startswith("_"):
            candidates = []
        prefix = next((p for p, ns in PREFIXES.items() if iri.startswith(ns)), None)
        candidates.append(f"{prefix}_{base}" if prefix else base)
        digest = hashlib.sha256(iri.encode()).hexdigest()[:8]
        candidates.append(f"{base}_{digest}")
        for candidate in candidates:
            if candidate not in self.iri_of and candidate not in _RESERVED_KEYS and not (
                candidate.startswith("_")
            ):
                break
        else:
            candidate = f"p_{digest}"
        self.key_of[iri] = candidate
        self.iri_of[candidate] = iri
        self.changed = True
        return candidate

    def as_lists(self) -> tuple[list[str], list[str]]:
        """``(keys, iris)`` sorted by key, as stored on the meta node."""
        keys = sorted(self.iri_of)
        return keys, [self.iri_of[k] for k in keys]


# ----------------------------------------------------------------------------- reading the store


class _Reader:
    """Per-subject access to the store's quads, in plain terms (see ``Store.plain_quads``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._bnodes: dict[str, BNode] = {}

    # -- term conversion
    def _iri(self, term: PlainTerm) -> str:
        if isinstance(term, BNode):  # before str: a BNode is a str
            uri = BNODE_PREFIX + str(term)
            self._bnodes[uri] = term
            return uri
        assert isinstance(term, str)
        return term

    def _obj(self, term: PlainTerm) -> Obj:
        return term if isinstance(term, tuple) else self._iri(term)

    def _term(self, uri: str) -> Node:
        return self._bnodes.get(uri) or URIRef(uri)

    # -- queries
    def graph_subjects(self, graph: str) -> set[str]:
        """Subjects with at least one triple in ``graph``."""
        return {self._iri(s) for s, _, _, _ in self.store.plain_quads(graph=URIRef(graph))}

    def subject_quads(self, uri: str) -> list[QuadRow]:
        """``(predicate, object, graph)`` of every quad about ``uri``."""
        return [(p, self._obj(o), g) for _, p, o, g in self.store.plain_quads(self._term(uri))]

    def referrers(self, predicate: str, obj: str) -> set[str]:
        """Subjects that state ``(s, predicate, obj)`` in any graph."""
        return {self._iri(s) for s, _, _, _ in
                self.store.plain_quads(None, URIRef(predicate), self._term(obj))}

    def objects(self, uri: str, predicate: str) -> set[str]:
        """IRI objects of ``(uri, predicate, ?)`` in any graph."""
        return {self._iri(o) for _, _, o, _ in
                self.store.plain_quads(self._term(uri), URIRef(predicate))
                if not isinstance(o, tuple)}


# ----------------------------------------------------------------------------- subject state


@dataclass
class _State:
    """What one subject should look like in Neo4j."""

    uri: str
    labels: tuple[str, ...]
    props: dict[str, Any]
    keys: list[str]
    types: list[str]
    rels: list[tuple[str, str, str, list[str]]]  # (type, predicate, target, graphs)
    edges: list[tuple[str, str, str, dict[str, Any]]]  # (type, start, end, props)


class _Builder:
    """Turns a subject's quads into its node, relationships and derived edges."""

    def __init__(self, reader: _Reader, model: OntologyModel, keymap: KeyMap) -> None:
        self.reader = reader
        self.model = model
        self.labels = _Labels(model)
        self.keymap = keymap
        self._evidence_sources: dict[str, list[str]] = {}

    def _sources_of_evidence(self, evidence: str) -> list[str]:
        found = self._evidence_sources.get(evidence)
        if found is None:
            found = sorted(self.reader.objects(evidence, PKG_SOURCE))
            if len(self._evidence_sources) > 100_000:
                self._evidence_sources.clear()
            self._evidence_sources[evidence] = found
        return found

    def state(self, uri: str) -> _State:
        quads = self.reader.subject_quads(uri)
        if not quads:
            return _State(uri, (), {}, [], [], [], [])
        graphs_by_triple: dict[tuple[str, Obj], set[str]] = defaultdict(set)
        for p, o, g in quads:
            graphs_by_triple[(p, o)].add(g)
        node_sources = sorted({g for _, _, g in quads})
        position = {g: i for i, g in enumerate(node_sources)}
        all_sources = set(node_sources)

        types: dict[str, set[str]] = {}
        literals: dict[str, list[tuple[str, str, set[str]]]] = defaultdict(list)
        links: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
        for (p, o), gs in graphs_by_triple.items():
            if isinstance(o, str):
                if p == RDF_TYPE:
                    types[o] = gs
                else:
                    links[p].append((o, gs))
            else:
                lexical, datatype, language = o
                key = self.keymap.key(p)
                if language:
                    key = f"{key}@{language}"
                literals[key].append((lexical, datatype, gs))

        props = {}
        type_notes: list[str] = []
        prov: list[str] = []

        def note_prov(key: str, index: int, gs: set[str]) -> None:
            if gs != all_sources:
                prov.append(f"{key}\t{index}\t" + ",".join(str(position[g]) for g in sorted(gs)))

        for key in sorted(literals):
            values = sorted(literals[key], key=lambda v: (v[0], v[1]))
            tagged = "@" in key
            natives: list[Any] = [v[0] if tagged else neo4j_value(v[0], v[1]) for v in values]
            datatypes = [v[1] for v in values]
            if not tagged:
                kinds = {_kind(n) for n in natives}
                if len(kinds) > 1:  # Neo4j lists are homogeneous: fall back to lexical forms
                    natives = [v[0] for v in values]
                defaults = [_default_type(n) for n in natives]
                if datatypes != defaults:
                    listed = datatypes if len(set(datatypes)) > 1 else datatypes[:1]
                    type_notes.append(key + "=" + " ".join(_curie(d) for d in listed))
            base = key.split("@", 1)[0]
            props[key] = natives if (len(natives) > 1 or base in LIST_KEYS) else natives[0]
            for index, value in enumerate(values):
                note_prov(key, index, value[2])
        rdf_types = sorted(types)
        for index, cls in enumerate(rdf_types):
            note_prov("_rdfTypes", index, types[cls])

        user_keys = sorted(literals)
        fact_props = {k: props[k] for k in user_keys}
        props["_sources"] = node_sources
        for name, listed in (("_rdfTypes", rdf_types), ("_types", type_notes),
                             ("_keys", user_keys), ("_prov", prov)):
            if listed:
                props[name] = listed
        if uri.startswith(BNODE_PREFIX):
            props["_bnode"] = True

        rels = [
            (upper_snake(p), p, target, sorted(gs))
            for p in sorted(links) for target, gs in sorted(links[p])
        ]

        edges: list[tuple[str, str, str, dict[str, Any]]] = []
        for spec in self.model.relationships_of(rdf_types):
            starts = sorted(t for t, _ in links.get(spec.source, ()))
            ends = sorted(t for t, _ in links.get(spec.target, ()))
            if spec.edge_type is not None:
                names = [spec.edge_type]
            else:
                assert spec.type_from is not None
                literal_key = self.keymap.key_of.get(spec.type_from)
                named = literals.get(literal_key, []) if literal_key else []
                names = sorted({upper_snake(t) for t, _ in links.get(spec.type_from, ())}
                               | {upper_snake(v[0]) for v in named})
            if not (starts and ends and names):
                continue
            evidence = sorted(t for t, _ in links.get(PKG_EVIDENCE, ()))
            cited = sorted({s for e in evidence for s in self._sources_of_evidence(e)})
            edge_props = dict(fact_props)
            edge_props.update({"fact": uri, "_sources": node_sources,
                               "sources": cited or node_sources})
            for name in names:
                for start in starts:
                    for end in ends:
                        edges.append((name, start, end, edge_props))
        if edges:
            props["_edges"] = sorted({e[0] for e in edges})
        labels = self.labels(rdf_types)
        return _State(uri, labels, props, user_keys, rdf_types, rels, edges)


# ----------------------------------------------------------------------------- Cypher


_SCHEMA = (
    "CREATE CONSTRAINT policykg_resource_uri IF NOT EXISTS "
    "FOR (r:Resource) REQUIRE r.uri IS UNIQUE",
    f"CREATE CONSTRAINT policykg_source_uri IF NOT EXISTS "
    f"FOR (s:{SOURCE_LABEL}) REQUIRE s.uri IS UNIQUE",
    f"CREATE CONSTRAINT policykg_meta_id IF NOT EXISTS "
    f"FOR (m:{META_LABEL}) REQUIRE m.id IS UNIQUE",
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
    "FOR (n:Resource) ON EACH [n.prefLabel, n.altLabel]",
)

_PRE_READ = (
    "UNWIND $uris AS u MATCH (n:Resource {uri: u}) "
    "RETURN u AS uri, n._keys AS keys, n._rdfTypes AS types, n._edges AS edges, "
    "n._sources IS NOT NULL AS subject"
)
_DELETE_LINKS = (
    "UNWIND $uris AS u MATCH (n:Resource {uri: u})-[r]->(b) "
    "WHERE r._pkg AND r.predicate IS NOT NULL "
    "DELETE r RETURN collect(DISTINCT b.uri) AS ends"
)
_GC = (
    "UNWIND $uris AS u MATCH (n:Resource {uri: u}) "
    "WHERE n._pkg AND n._sources IS NULL AND NOT (n)--() DELETE n"
)
_META = (
    f"MERGE (m:{META_LABEL} {{id: $id}}) SET m._pkg = true, m.keys = $keys, m.iris = $iris"
)


def _node_query(labels: tuple[str, ...]) -> str:
    set_labels = f", n:{':'.join(_quote(label) for label in labels)}" if labels else ""
    return ("UNWIND $rows AS row MERGE (n:Resource {uri: row[0]}) "
            f"ON CREATE SET n._pkg = true SET n += row[1]{set_labels}")


def _remove_labels_query(labels: tuple[str, ...]) -> str:
    return ("UNWIND $uris AS u MATCH (n:Resource {uri: u}) "
            f"REMOVE n:{':'.join(_quote(label) for label in labels)}")


_ENDPOINTS = ("UNWIND $uris AS u MERGE (b:Resource {uri: u}) ON CREATE SET b._pkg = true")
_CREATE_ENDPOINTS = "UNWIND $uris AS u CREATE (:Resource {uri: u, _pkg: true})"


def _create_query(labels: tuple[str, ...]) -> str:
    """Subject nodes that do not exist yet (a first mirror): no MERGE lookup and lock first."""
    extra = "".join(":" + _quote(label) for label in labels)
    return (f"UNWIND $rows AS row CREATE (n:Resource{extra} {{uri: row[0], _pkg: true}}) "
            "SET n += row[1]")


def _link_query(kind: str) -> str:
    """Relationships for IRI-valued triples; rows are ``[subject, object, graphs]``.

    Both ends exist already (``_ENDPOINTS``), so there is no MERGE and no Eager in the plan.
    """
    return ("UNWIND $rows AS row "
            "MATCH (a:Resource {uri: row[0]}) MATCH (b:Resource {uri: row[1]}) "
            f"CREATE (a)-[r:{_quote(kind)}]->(b) "
            "SET r.predicate = $predicate, r._pkg = true, r._sources = row[2]")


def _edge_query(kind: str) -> str:
    """Derived relationships of n-ary facts; rows are ``[start, end, properties]``."""
    return ("UNWIND $rows AS row "
            "MATCH (a:Resource {uri: row[0]}) MATCH (b:Resource {uri: row[1]}) "
            f"CREATE (a)-[r:{_quote(kind)}]->(b) SET r = row[2], r._pkg = true")


def _delete_edges_query(kind: str) -> str:
    return (f"UNWIND $facts AS f MATCH (a)-[r:{_quote(kind)} {{fact: f}}]->(b) WHERE r._pkg "
            "DELETE r RETURN collect(DISTINCT a.uri) + collect(DISTINCT b.uri) AS ends")


def _fact_index_query(kind: str) -> str:
    name = "policykg_fact_" + kind.lower()
    return f"CREATE INDEX {_quote(name)} IF NOT EXISTS FOR ()-[r:{_quote(kind)}]-() ON (r.fact)"


# ----------------------------------------------------------------------------- mirror


@dataclass
class MirrorSummary:
    """What a mirror run did."""

    sources_sent: int = 0
    sources_unchanged: int = 0
    sources_removed: int = 0
    subjects: int = 0
    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0
    #: True when the first mirror took the CREATE path (the database held no Resource node).
    fresh: bool = False
    sent: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        """The summary as one output row."""
        return {
            "sources_sent": self.sources_sent,
            "sources_unchanged": self.sources_unchanged,
            "sources_removed": self.sources_removed,
            "subjects": self.subjects,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Batch:
    uris: list[str]
    nodes: dict[tuple[str, ...], list[list[Any]]]
    rels: dict[tuple[str, str], list[list[Any]]]
    edges: dict[str, list[list[Any]]]
    new_keys: dict[str, list[str]]
    new_types: dict[str, list[str]]
    ends: list[str]
    meta: tuple[list[str], list[str]] | None
    counts: tuple[int, int] = (0, 0)
    #: A first mirror: ``nodes`` and ``ends`` are created, ``updates`` are endpoints created by an
    #: earlier batch that are subjects here.
    fresh: bool = False
    updates: dict[tuple[str, ...], list[list[Any]]] = field(default_factory=dict)


def ensure_schema(driver: neo4j.Driver, database: str) -> None:
    """Create the uniqueness constraints and the full-text index if they are missing."""
    for statement in _SCHEMA:
        try:
            driver.execute_query(statement, database_=database)
        except neo4j_errors.ClientError as exc:  # an equivalent rule under another name
            if "AlreadyExists" not in (exc.code or ""):
                raise
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


def _fingerprints(store: Store, reader: _Reader) -> dict[str, str]:
    infos = {str(s.iri): s for s in list_sources(store)}
    # Entity resolution rewrites a source's graph in place and marks it with
    # owl:versionInfo "resolution:<hash>": the same file, a different graph.
    resolved: dict[str, list[str]] = {}
    for row in store.select("SELECT ?g ?v WHERE { GRAPH ?g { ?g owl:versionInfo ?v } }"):
        resolved.setdefault(str(row["g"]), []).append(str(row["v"]))
    prints: dict[str, str] = {}
    for graph in store.graphs():
        name = str(graph)
        if name.startswith(_STAGING):
            continue
        info = infos.get(name)
        if info is not None:
            marks = "|".join(sorted(resolved.get(name, [])))
            prints[name] = (f"{info.content_hash}|{info.format}|{info.version}|{info.triples}"
                            f"|{marks}")
        else:  # a graph not made by the loaders: hash its content
            digest = hashlib.sha256()
            for line in sorted(f"{s} {p} {o}" for s, p, o in store.graph_triples(graph)):
                digest.update(line.encode())
            prints[name] = "graph:" + digest.hexdigest()
    return prints


def _write_links(tx: neo4j.ManagedTransaction, batch: _Batch, endpoints: str) -> None:
    """The batch's endpoint nodes (by ``endpoints``), relationships and derived edges."""
    if batch.ends:
        tx.run(endpoints, uris=batch.ends).consume()
    for (kind, predicate), rows in sorted(batch.rels.items()):
        tx.run(_link_query(kind), rows=rows, predicate=predicate).consume()
    for kind, rows in sorted(batch.edges.items()):
        tx.run(_edge_query(kind), rows=rows).consume()


def _write_meta(tx: neo4j.ManagedTransaction, batch: _Batch) -> None:
    if batch.meta is not None:
        tx.run(_META, id=META_ID, keys=batch.meta[0], iris=batch.meta[1]).consume()


class _Mirror:
    def __init__(self, store: Store, driver: neo4j.Driver, database: str,
                 model: OntologyModel, batch_size: int) -> None:
        self.store = store
        self.driver = driver
        self.database = database
        self.model = model
        self.batch_size = max(1, batch_size)
        self.reader = _Reader(store)
        self.keymap = KeyMap()
        self.builder = _Builder(self.reader, model, self.keymap)
        self.fact_indexes: set[str] = set()
        #: False when Neo4j held no policykg subject at the start: nothing old to read then.
        self.preread = True
        #: The fresh path (see :meth:`fresh_split`): every subject, sorted, and the endpoints
        #: created so far that were not (yet) a batch's subjects.
        self.fresh_order: list[str] | None = None
        self._fresh_subjects: set[str] = set()
        self._created_ahead: set[str] = set()

    def query(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = self.driver.execute_query(cypher, params, database_=self.database)
        return [r.data() for r in records]

    def load_meta(self) -> None:
        rows = self.query(f"MATCH (m:{META_LABEL} {{id: $id}}) RETURN m.keys AS k, m.iris AS i",
                          id=META_ID)
        if rows and rows[0]["k"]:
            self.keymap = KeyMap(rows[0]["k"], rows[0]["i"])
            self.builder.keymap = self.keymap
        for iri in default_key_iris():
            self.keymap.key(iri)
        for row in self.query("SHOW INDEXES YIELD name RETURN name"):
            if str(row["name"]).startswith("policykg_fact_"):
                self.fact_indexes.add(str(row["name"]))

    def build(self, uris: list[str]) -> _Batch:
        nodes: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        rels: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
        edges: dict[str, list[list[Any]]] = defaultdict(list)
        new_keys: dict[str, list[str]] = {}
        new_types: dict[str, list[str]] = {}
        n_rels = 0
        ends: set[str] = set()
        for uri in uris:
            state = self.builder.state(uri)
            nodes[state.labels].append([uri, state.props])
            new_keys[uri] = state.keys
            new_types[uri] = state.types
            for kind, predicate, target, graphs in state.rels:
                rels[(kind, predicate)].append([uri, target, graphs])
                ends.add(target)
            for kind, start, end, props in state.edges:
                edges[kind].append([start, end, props])
                ends.add(start)
                ends.add(end)
            n_rels += len(state.rels) + len(state.edges)
        meta = None
        if self.keymap.changed:
            meta = self.keymap.as_lists()
            self.keymap.changed = False
        batch = _Batch(uris, dict(nodes), dict(rels), dict(edges), new_keys, new_types,
                       sorted(ends.difference(uris)), meta, (len(uris), n_rels))
        if self.fresh_order is not None:
            self.fresh_split(batch)
        return batch

    def start_fresh(self, order: list[str]) -> None:
        """Use the fresh path: Neo4j holds no Resource node, every subject is new."""
        self.fresh_order = order
        self._fresh_subjects = set(order)
        self.preread = False

    def fresh_split(self, batch: _Batch) -> None:
        """Mark what this batch creates: batches are built and written in ``fresh_order``, so a
        subject sorting before this batch exists already, as does an endpoint created ahead."""
        first = batch.uris[0]
        updates: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        if self._created_ahead:
            for labels in list(batch.nodes):
                rows = batch.nodes[labels]
                kept = [row for row in rows if row[0] not in self._created_ahead]
                if len(kept) != len(rows):
                    updates[labels] = [row for row in rows if row[0] in self._created_ahead]
                    batch.nodes[labels] = kept
            self._created_ahead.difference_update(batch.uris)
        new_ends = [u for u in batch.ends if u not in self._created_ahead
                    and not (u < first and u in self._fresh_subjects)]
        self._created_ahead.update(new_ends)
        batch.ends = new_ends
        batch.updates = dict(updates)
        batch.fresh = True

    def ensure_fact_indexes(self, kinds: Iterable[str]) -> None:
        missing = [k for k in kinds if "policykg_fact_" + k.lower() not in self.fact_indexes]
        for kind in missing:
            self.driver.execute_query(_fact_index_query(kind), database_=self.database)
            self.fact_indexes.add("policykg_fact_" + kind.lower())
        if missing:
            self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)

    def write(self, batch: _Batch) -> None:
        labels_of = self.builder.labels

        def fresh(tx: neo4j.ManagedTransaction) -> None:
            for labels, rows in batch.nodes.items():
                if rows:
                    tx.run(_create_query(labels), rows=rows).consume()
            for labels, rows in batch.updates.items():
                tx.run(_node_query(labels), rows=rows).consume()
            _write_links(tx, batch, _CREATE_ENDPOINTS)
            _write_meta(tx, batch)

        def work(tx: neo4j.ManagedTransaction) -> None:
            old = ({r["uri"]: r for r in tx.run(_PRE_READ, uris=batch.uris)}
                   if self.preread else {})
            ends: set[str] = set()
            # 1. derived edges of facts as they were
            by_kind: dict[str, list[str]] = defaultdict(list)
            for uri, record in old.items():
                for kind in record["edges"] or ():
                    by_kind[kind].append(uri)
            for kind, facts in sorted(by_kind.items()):
                for rec in tx.run(_delete_edges_query(kind), facts=facts):
                    ends.update(rec["ends"])
            # 2. outgoing predicate relationships of subjects as they were
            stated = [u for u, record in old.items() if record["subject"]]
            if stated:
                for rec in tx.run(_DELETE_LINKS, uris=stated):
                    ends.update(rec["ends"])
            # 3. nodes: properties (stale keys → null) and labels
            stale_labels: dict[tuple[str, ...], list[str]] = defaultdict(list)
            for labels, rows in batch.nodes.items():
                for row in rows:
                    uri, props = row[0], row[1]
                    previous = old.get(uri)
                    if previous is None:
                        continue
                    keep = set(batch.new_keys[uri])
                    for key in (*BOOK_KEYS, *(previous["keys"] or ())):
                        if key not in keep and key not in props:
                            props[key] = None
                    gone = set(labels_of(previous["types"] or ())) - set(labels)
                    if gone:
                        stale_labels[tuple(sorted(gone))].append(uri)
            for labels, rows in batch.nodes.items():
                tx.run(_node_query(labels), rows=rows).consume()
            for labels, uris in stale_labels.items():
                tx.run(_remove_labels_query(labels), uris=uris).consume()
            # 4. relationships and derived edges, between nodes that exist
            _write_links(tx, batch, _ENDPOINTS)
            # 5. nodes nobody states or links any more
            candidates = ends | {u for u in batch.uris if not batch.new_types[u]
                                 and not batch.new_keys[u]}
            if candidates:
                tx.run(_GC, uris=sorted(candidates)).consume()
            _write_meta(tx, batch)

        self.ensure_fact_indexes(batch.edges)
        with self.driver.session(database=self.database) as session:
            session.execute_write(fresh if batch.fresh else work)


def mirror(
    store: Store,
    driver: neo4j.Driver,
    database: str = "neo4j",
    *,
    full: bool = False,
    batch_size: int = 5000,
    model: OntologyModel | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> MirrorSummary:
    """Bring Neo4j in line with the store; only changed sources are sent unless ``full``.

    Args:
        store: the embedded store (the truth).
        driver: a connected driver (see :func:`policykg.graph.neo4j.connect`).
        database: the Neo4j database.
        full: recompute every subject, whatever the recorded source fingerprints say.
        batch_size: subjects per write transaction.
        model: the ontology model (:func:`~policykg.ontology.model.current_model` by default).
        on_start: called once with the number of subjects to write (progress display).
        on_progress: called with the number of subjects just written.

    Raises:
        Neo4jError / DriverError from the driver; callers turn them into Neo4jUnavailable.
    """
    started = time.perf_counter()
    job = _Mirror(store, driver, database, model or current_model(), batch_size)
    summary = MirrorSummary()
    ensure_schema(driver, database)
    job.load_meta()

    recorded = {
        r["uri"]: r for r in job.query(
            f"MATCH (s:{SOURCE_LABEL}) RETURN s.uri AS uri, s.fingerprint AS fingerprint, "
            "s.state AS state")
    }
    current = _fingerprints(store, job.reader)
    changed = sorted(g for g, fp in current.items() if full or g not in recorded
                     or recorded[g]["fingerprint"] != fp or recorded[g]["state"] != "done")
    removed = sorted(g for g in recorded if g not in current)
    summary.sources_sent = len(changed)
    summary.sources_removed = len(removed)
    summary.sources_unchanged = len(current) - len(changed)
    summary.sent, summary.removed = changed, removed
    if not changed and not removed:
        if on_start is not None:
            on_start(0)
        summary.seconds = time.perf_counter() - started
        return summary

    # Mark the sources pending before writing anything, so that a crash is redone next time.
    job.query(
        f"UNWIND $uris AS u MERGE (s:{SOURCE_LABEL} {{uri: u}}) "
        "SET s._pkg = true, s.state = 'pending'",
        uris=changed + removed,
    )
    # A first mirror into a database without any Resource node takes the fresh path: nothing
    # old to read, compare or delete, so every node is a CREATE (the store de-duplicates).
    if not removed and len(changed) == len(current) and not job.query(
            "MATCH (n:Resource) RETURN 1 AS x LIMIT 1"):
        fresh: set[str] = set()
        for graph in changed:
            fresh |= job.reader.graph_subjects(graph)
        order = sorted(fresh)
        del fresh
        job.start_fresh(order)
        summary.fresh = True
    else:
        order = _subjects_to_recompute(job, changed, removed, full)
    summary.subjects = len(order)
    if on_start is not None:
        on_start(len(order))
    _write_all(job, order, summary, on_progress)
    _mark_done(job, changed, current, removed)
    summary.seconds = time.perf_counter() - started
    return summary


def _subjects_to_recompute(job: _Mirror, changed: list[str], removed: list[str],
                           full: bool) -> list[str]:
    """The exact path's subjects, in write order: what Neo4j says the touched sources stated
    and what the store says now, facts whose evidence is touched first."""
    touched = changed + removed
    if full:
        previous = job.query("MATCH (n:Resource) WHERE n._sources IS NOT NULL RETURN n.uri AS u")
    else:
        previous = job.query(
            "MATCH (n:Resource) WHERE n._sources IS NOT NULL "
            "AND any(g IN n._sources WHERE g IN $graphs) RETURN n.uri AS u",
            graphs=touched,
        )
    subjects: set[str] = {str(r["u"]) for r in previous}
    job.preread = bool(job.query(
        "MATCH (n:Resource) WHERE n._sources IS NOT NULL RETURN n.uri AS u LIMIT 1"))
    for graph in changed:
        subjects |= job.reader.graph_subjects(graph)
    # Facts whose evidence is touched go first: their derived edges cite the evidence's sources.
    first: set[str] = set()
    if not full:
        for uri in subjects:
            first |= job.reader.referrers(PKG_EVIDENCE, uri)
    return sorted(first) + sorted(subjects - first)


def _mark_done(job: _Mirror, changed: list[str], current: dict[str, str],
               removed: list[str]) -> None:
    job.query(
        f"UNWIND $rows AS row MATCH (s:{SOURCE_LABEL} {{uri: row.uri}}) "
        "SET s.fingerprint = row.fingerprint, s.state = 'done'",
        rows=[{"uri": g, "fingerprint": current[g]} for g in changed],
    )
    if removed:
        job.query(f"UNWIND $uris AS u MATCH (s:{SOURCE_LABEL} {{uri: u}}) DELETE s",
                  uris=removed)


def _write_all(job: _Mirror, order: list[str], summary: MirrorSummary,
               on_progress: Callable[[int], None] | None) -> None:
    """Build batches on this thread while a second thread writes the previous one."""
    pending: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def writer() -> None:
        while True:
            batch = pending.get()
            if batch is None:
                return
            if failure:
                continue
            try:
                job.write(batch)
            except BaseException as exc:  # handed to the main thread
                failure.append(exc)
                continue
            summary.nodes += batch.counts[0]
            summary.relationships += batch.counts[1]
            if on_progress is not None:
                on_progress(len(batch.uris))

    thread = threading.Thread(target=writer, name="policykg-mirror-writer", daemon=True)
    thread.start()
    try:
        for start in range(0, len(order), job.batch_size):
            if failure:
                break
            pending.put(job.build(order[start:start + job.batch_size]))
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]


# ----------------------------------------------------------------------------- pull


def _term(uri: str) -> URIRef | BNode:
    if uri.startswith(BNODE_PREFIX):
        return BNode(uri[len(BNODE_PREFIX):])
    return URIRef(uri)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _literal(value: Any, key: str, datatype: str | None) -> Literal:
    if "@" in key:
        return Literal(str(value), lang=key.split("@", 1)[1])
    if datatype is None:
        datatype = XSD_STRING if isinstance(value, str) else _default_type(
            value.to_native() if hasattr(value, "to_native") else value)
    lexical = rdf_lexical(value, datatype)
    if datatype == XSD_STRING:
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype))


def _read_quads(driver: neo4j.Driver, database: str) -> Iterator[tuple[Node, Node, Node, str]]:
    """Every quad policykg wrote, as (s, p, o, graph)."""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        meta = session.run(f"MATCH (m:{META_LABEL} {{id: $id}}) RETURN m.keys AS k, m.iris AS i",
                           id=META_ID).single()
        iri_of = dict(zip(meta["k"] or [], meta["i"] or [], strict=True)) if meta else {}
        result = session.run(
            "MATCH (n:Resource) WHERE n._sources IS NOT NULL RETURN n.uri AS uri, "
            "properties(n) AS props")
        for record in result:
            props: dict[str, Any] = record["props"]
            subject = _term(record["uri"])
            graphs: list[str] = props["_sources"]
            prov: dict[tuple[str, int], list[str]] = {}
            for entry in props.get("_prov") or ():
                key, index, positions = entry.split("\t")
                prov[(key, int(index))] = [graphs[int(i)] for i in positions.split(",") if i]
            notes: dict[str, list[str]] = {}
            for entry in props.get("_types") or ():
                key, _, types = entry.rpartition("=")
                notes[key] = [_uncurie(t) for t in types.split(" ")]
            for index, cls in enumerate(props.get("_rdfTypes") or ()):
                for g in prov.get(("_rdfTypes", index), graphs):
                    yield subject, RDF.type, URIRef(cls), g
            for key in props.get("_keys") or ():
                predicate = URIRef(iri_of[key.split("@", 1)[0]])
                values = _as_list(props[key])
                types_for = notes.get(key)
                for index, value in enumerate(values):
                    datatype = None
                    if types_for:
                        datatype = types_for[index] if len(types_for) > 1 else types_for[0]
                    literal = _literal(value, key, datatype)
                    for g in prov.get((key, index), graphs):
                        yield subject, predicate, literal, g
        links = session.run(
            "MATCH (a:Resource)-[r]->(b:Resource) WHERE r._pkg AND r.predicate IS NOT NULL "
            "RETURN a.uri AS s, r.predicate AS p, b.uri AS o, r._sources AS g")
        for record in links:
            for g in record["g"] or ():
                yield _term(record["s"]), URIRef(record["p"]), _term(record["o"]), g


def pull(driver: neo4j.Driver, database: str = "neo4j") -> Graph:
    """What policykg wrote to Neo4j, back as one RDF graph (the store's union graph)."""
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for s, p, o, _ in _read_quads(driver, database):
        graph.add((s, p, o))
    return graph


def pull_dataset(driver: neo4j.Driver, database: str = "neo4j") -> Dataset:
    """What policykg wrote to Neo4j, back as one named graph per source."""
    dataset = Dataset()
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    for s, p, o, g in _read_quads(driver, database):
        dataset.graph(URIRef(g)).add((s, p, o))
    return dataset
