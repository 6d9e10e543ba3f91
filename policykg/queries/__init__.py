"""Canned queries and researchers' own queries, with the same results on both backends.

A canned query is a YAML file in this folder (``profile.yaml``, ``funding.yaml`` ...) holding its
name, title, description, typed parameters, output columns and its two forms: ``sparql`` for the
embedded store and ``cypher`` for the Neo4j mirror. A query may also name a Python function
(``python: module:function``) that runs on top of either backend (paths and centrality use
networkx); the function fetches through :class:`QueryContext`, so both backends go through the
same code. Rows are normalized to plain Python values (IRIs as strings, dates as ISO strings,
integral numbers as ``int``, unordered lists sorted) and sorted, so that the two backends give
identical lists.

Example:
    >>> from policykg.graph.store import OxigraphStore
    >>> rows = run_query(OxigraphStore(), "funding")  # an empty store: no flows, no totals
    >>> rows
    []

Researchers' own queries go through :func:`run_sparql` and :func:`run_cypher`: read-only unless
``write=True``, parameters bound as terms (never pasted into the text).

Speed (``bench/RESULTS-queries.md``): the SPARQL forms start from a bound IRI and look details
up per row with ``LATERAL { OPTIONAL { ... } }`` (Oxigraph evaluates a plain ``OPTIONAL`` over
the whole store before joining: seconds at a million triples); the Cypher forms start from
the ``uri`` index and keep branches not taken from scanning. What would otherwise be rebuilt
from the whole graph on every call (the name index of fuzzy names, the graph of direct
relationships, centrality scores) is cached per state of the data: see :meth:`Backend.cached`
and :func:`clear_caches`. :func:`ensure_indexes` adds the Neo4j index exact names use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import json
import math
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
import yaml
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from policykg.exceptions import Neo4jUnavailable, QueryError
from policykg.graph.store import PREFIXES, OxigraphStore, Store
from policykg.graph.terms import from_ox, to_ox
from policykg.identity import normalize_name
from policykg.lookup import find_entity

__all__ = [
    "PARAM_TYPES",
    "Param",
    "CannedQuery",
    "Backend",
    "EmbeddedBackend",
    "Neo4jBackend",
    "QueryContext",
    "load_queries",
    "get_query",
    "fragment",
    "backend_for",
    "run_query",
    "coerce_params",
    "plain_value",
    "normalize_rows",
    "run_sparql",
    "run_cypher",
    "sparql_form",
    "sparql_refusal",
    "cypher_plan_refusal",
    "READ_PROCEDURES",
    "DEFAULT_ROW_CAP",
    "DEFAULT_TIMEOUT",
    "Rows",
    "parse_param_value",
    "to_networkx",
    "query_graph",
    "clear_caches",
    "ensure_indexes",
    "QUERY_INDEXES",
]

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = ("actor", "string", "date", "int", "float", "choice")
LIST_SEP = "\u001f"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_IRI_SAFE = re.compile(r'^[^\s<>"{}|^`\\]+$')
_VALUES = re.compile(r"VALUES\s+\?(\w+)\s*\{\s*\}")
_T = TypeVar("_T")


# ---------------------------------------------------------------- query definitions


@dataclass(frozen=True)
class Param:
    """One typed parameter of a canned query."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""
    positional: bool = False
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class CannedQuery:
    """A canned query as read from its YAML file."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    lists: frozenset[str] = frozenset()
    order_by: tuple[str, ...] = ()
    sparql: str | None = None
    cypher: str | None = None
    python: str | None = None
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        msg = f"query {self.name!r} has no parameter {name!r}"
        raise QueryError(msg)


def _parse_param(raw: Mapping[str, Any], where: str) -> Param:
    name = str(raw.get("name", ""))
    kind = str(raw.get("type", "string"))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        msg = f"{where}: bad parameter name {name!r}"
        raise QueryError(msg)
    if kind not in PARAM_TYPES:
        msg = f"{where}: parameter {name!r} has unknown type {kind!r} (one of {PARAM_TYPES})"
        raise QueryError(msg)
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if kind == "choice" and not choices:
        msg = f"{where}: choice parameter {name!r} needs choices"
        raise QueryError(msg)
    return Param(
        name=name,
        type=kind,
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        choices=choices,
        help=str(raw.get("help", "")),
        positional=bool(raw.get("positional", False)),
        min=raw.get("min"),
        max=raw.get("max"),
    )


def _parse_query(path: Path) -> CannedQuery:
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"{where}: cannot parse: {exc}"
        raise QueryError(msg) from exc
    if not isinstance(data, dict):
        msg = f"{where}: expected a mapping"
        raise QueryError(msg)
    for key in ("name", "title", "columns"):
        if key not in data:
            msg = f"{where}: missing {key!r}"
            raise QueryError(msg)
    if not data.get("python") and not (data.get("sparql") and data.get("cypher")):
        msg = f"{where}: needs sparql and cypher, or python"
        raise QueryError(msg)
    columns = tuple(str(c) for c in data["columns"])
    return CannedQuery(
        name=str(data["name"]),
        title=str(data["title"]),
        description=" ".join(str(data.get("description", "")).split()),
        params=tuple(_parse_param(p, where) for p in data.get("params") or ()),
        columns=columns,
        lists=frozenset(str(c) for c in data.get("lists") or ()),
        order_by=tuple(str(c) for c in data.get("order_by") or columns),
        sparql=data.get("sparql"),
        cypher=data.get("cypher"),
        python=data.get("python"),
        path=path,
    )


@cache
def load_queries() -> dict[str, CannedQuery]:
    """Every canned query of this folder, by name."""
    queries: dict[str, CannedQuery] = {}
    for path in sorted(QUERY_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        query = _parse_query(path)
        queries[query.name] = query
    return queries


def get_query(name: str) -> CannedQuery:
    """The canned query called ``name``; unknown names list the known ones."""
    queries = load_queries()
    if name not in queries:
        msg = f"no canned query {name!r}; known: {', '.join(sorted(queries))}"
        raise QueryError(msg)
    return queries[name]


@cache
def _fragments() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((QUERY_DIR / "_fragments.yaml").read_text(encoding="utf-8"))
    return {str(k): dict(v) for k, v in data.items()}


def fragment(name: str) -> dict[str, Any]:
    """A shared sub-query from ``_fragments.yaml`` (keys: sparql, cypher, lists); SPARQL marked
    ``sparql_from_model`` is written from the current ontology model."""
    try:
        form = _fragments()[name]
    except KeyError:
        msg = f"no query fragment {name!r}"
        raise QueryError(msg) from None
    generator = form.get("sparql_from_model")
    if generator is None:
        return form
    from policykg.ontology.model import current_model
    from policykg.queries.direct_links import GENERATORS

    return {**form, "sparql": GENERATORS[str(generator)](current_model())}


# ---------------------------------------------------------------- values


def _number(value: float | Decimal) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if value == int(value):
        return int(value)
    return float(value)


def plain_value(value: Any) -> Any:
    """One value from either backend as a plain Python value.

    IRIs become strings, dates ISO strings (partial dates stay ``2015`` / ``2017-01``), integral
    numbers ``int`` and other numbers ``float``.
    """
    if isinstance(value, URIRef | BNode):
        return str(value)
    if isinstance(value, Literal):
        if value.datatype is None or value.datatype == XSD.string:
            return str(value)
        if value.datatype == XSD.boolean:
            return value.toPython() is True
        python = value.toPython()
        if isinstance(python, bool):
            return python
        if isinstance(python, int | float | Decimal):
            return _number(python)
        return str(value)
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    iso = getattr(value, "iso_format", None)  # neo4j.time.Date, DateTime, Duration
    if callable(iso):
        return str(iso())
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    return (4, json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def _list_value(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(LIST_SEP)
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    unique = {json.dumps(v, sort_keys=True, default=str): v for v in items if v is not None}
    return sorted(unique.values(), key=_sort_key)


def normalize_fetched(rows: Sequence[Mapping[str, Any]], lists: frozenset[str] | set[str]
                      ) -> list[dict[str, Any]]:
    """Plain values for every column; list columns split, deduplicated and sorted."""
    out = []
    for row in rows:
        clean = {k: plain_value(v) for k, v in row.items()}
        for column in lists:
            clean[column] = _list_value(clean.get(column))
        out.append(clean)
    return out


def normalize_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
                   order_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Keep ``columns`` (in order), drop duplicate rows and sort deterministically."""
    projected = [{c: row.get(c) for c in columns} for row in rows]
    unique = {json.dumps(r, sort_keys=True, default=str): r for r in projected}
    keys = list(order_by) + [c for c in columns if c not in order_by]
    return sorted(unique.values(), key=lambda r: [_sort_key(r.get(k)) for k in keys])


# ---------------------------------------------------------------- parameters


def _date_bounds(text: str) -> tuple[str, str, str]:
    match = _DATE.match(text.strip())
    if not match:
        msg = f"not a date: {text!r} (use YYYY-MM-DD, YYYY-MM or YYYY)"
        raise QueryError(msg)
    year, month, day = match.groups()
    try:
        if day:
            dt.date(int(year), int(month), int(day))
            return text.strip(), text.strip(), text.strip()
        if month:
            first = dt.date(int(year), int(month), 1)
            nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            last = nxt - dt.timedelta(days=1)
            return text.strip(), first.isoformat(), last.isoformat()
    except ValueError as exc:
        msg = f"not a date: {text!r} ({exc})"
        raise QueryError(msg) from exc
    return year, f"{year}-01-01", f"{year}-12-31"


def coerce_params(query: CannedQuery, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and type the parameters of a canned query (actors are resolved later).

    Unknown names, missing required values, bad numbers, dates and choices raise
    :class:`QueryError`. A date parameter ``d`` also yields ``d_lo`` and ``d_hi``, the first and
    last day it covers. :func:`run_query` adds ``<name>_set`` (true when given).
    """
    known = {p.name for p in query.params}
    unknown = sorted(set(values) - known)
    if unknown:
        msg = (f"query {query.name!r} has no parameter {unknown[0]!r}; "
               f"parameters: {', '.join(sorted(known)) or '(none)'}")
        raise QueryError(msg)
    out: dict[str, Any] = {}
    for p in query.params:
        raw = values.get(p.name)
        if raw is None or raw == "":
            raw = p.default
        if raw is None:
            if p.required:
                msg = f"query {query.name!r} needs {p.name!r}"
                raise QueryError(msg)
            out[p.name] = None
            if p.type == "date":
                out[p.name + "_lo"] = out[p.name + "_hi"] = None
            continue
        out.update(_coerce_one(query, p, raw))
    return out


def _coerce_one(query: CannedQuery, p: Param, raw: Any) -> dict[str, Any]:
    label = f"{query.name} {p.name}"
    if p.type in ("actor", "string"):
        return {p.name: str(raw)}
    if p.type == "choice":
        if str(raw) not in p.choices:
            msg = f"{label}: {raw!r} is not one of {', '.join(p.choices)}"
            raise QueryError(msg)
        return {p.name: str(raw)}
    if p.type == "date":
        given, lo, hi = _date_bounds(str(raw))
        return {p.name: given, p.name + "_lo": lo, p.name + "_hi": hi}
    number: int | float
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        number = int(raw) if p.type == "int" else float(raw)
    except (TypeError, ValueError):
        msg = f"{label}: {raw!r} is not {'an integer' if p.type == 'int' else 'a number'}"
        raise QueryError(msg) from None
    if (p.min is not None and number < p.min) or (p.max is not None and number > p.max):
        msg = f"{label}: {number} is outside {p.min}..{p.max}"
        raise QueryError(msg)
    return {p.name: number}


# ---------------------------------------------------------------- caches per data state


class _StateCache:
    """Values computed from one state of a backend's data, dropped when the state changes."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.scopes: dict[Hashable, tuple[Hashable, dict[Hashable, Any]]] = {}


#: One cache per store or driver; an entry goes when its store or driver is garbage collected.
_CACHES: weakref.WeakKeyDictionary[Any, _StateCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
#: Write counters of the stores seen by this module (see ``_store_version``).
_WRITES: weakref.WeakKeyDictionary[Store, list[int]] = weakref.WeakKeyDictionary()
#: Bumped by every write through run_sparql/run_cypher and by clear_caches(): part of every key.
_GENERATION = [0]


def clear_caches() -> None:
    """Forget every cached name index and graph (after writing to a store or Neo4j directly).

    Writes through the :class:`~policykg.graph.store.Store` API, :func:`run_sparql` and
    :func:`run_cypher` are seen without this.
    """
    with _CACHES_LOCK:
        _GENERATION[0] += 1
        _CACHES.clear()


def _store_version(store: Store) -> int:
    """How many writes this store has seen since this module first looked at it.

    The store keeps no version of its own and ``len()`` counts every quad (150-300 ms at 1M
    triples), so the writing methods of the store object are wrapped to count calls. Every
    write of policykg goes through them (``replace_graph(s)``, ``remove_graph``); SPARQL
    updates through :func:`run_sparql` are counted too.
    """
    with _CACHES_LOCK:
        counter = _WRITES.get(store)
        if counter is None:
            counter = [0]
            _WRITES[store] = counter
            for name in ("replace_graphs", "replace_graph", "remove_graph"):
                _count_calls(store, name, counter)
        return counter[0]


def _count_calls(store: Store, name: str, counter: list[int]) -> None:
    method = getattr(store, name)

    @functools.wraps(method)
    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            counter[0] += 1

    setattr(store, name, counted)


def _note_write(store: Store) -> None:
    _store_version(store)
    with _CACHES_LOCK:
        _WRITES[store][0] += 1


# ---------------------------------------------------------------- backends


class Backend:
    """Where a query runs: the embedded store or the Neo4j mirror."""

    kind = "abstract"

    def fetch(self, form: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run this backend's text of ``form`` (a query or fragment) with ``params``."""
        raise NotImplementedError

    def resolve(self, text: str) -> str:
        """The IRI of the entity ``text`` names (IRI, name, alias; case and accents forgiven)."""
        raise NotImplementedError

    def _cache_owner(self) -> tuple[Any, Hashable] | None:
        """The object a cache hangs on and a scope within it (None: no cache)."""
        return None

    def state(self) -> Hashable:
        """A key that changes whenever the data changes."""
        raise NotImplementedError

    def cached(self, name: Hashable, build: Callable[[], _T]) -> _T:
        """``build()``, computed once per state of the data (see :meth:`state`).

        Used for what every call would otherwise rebuild from the whole graph: the name index
        of fuzzy name resolution, the graph of direct relationships and centrality scores.
        """
        owner = self._cache_owner()
        if owner is None:
            return build()
        target, scope = owner
        with _CACHES_LOCK:
            cache = _CACHES.get(target)
            if cache is None:
                cache = _CACHES[target] = _StateCache()
        key = (_GENERATION[0], self.state())
        with cache.lock:  # one build at a time per store or driver
            entry = cache.scopes.get(scope)
            if entry is None or entry[0] != key:
                entry = (key, {})
                cache.scopes[scope] = entry
            values = entry[1]
            if name not in values:
                values[name] = build()
            return values[name]  # type: ignore[no-any-return]


def _iri_list(name: str, values: Sequence[str]) -> str:
    terms = []
    for value in values:
        if not _IRI_SAFE.match(value):
            msg = f"not an IRI for ?{name}: {value!r}"
            raise QueryError(msg)
        terms.append(f"<{value}>")
    return " ".join(terms)


_FAST_LITERALS = frozenset(str(XSD) + name for name in (
    "string", "date", "dateTime", "gYear", "gYearMonth", "anyURI"))


def _ox_plain(term: Any) -> Any:
    """A pyoxigraph term as :func:`plain_value` gives it after conversion to rdflib."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    if isinstance(term, ox.Literal) and (term.language or term.datatype.value in _FAST_LITERALS):
        return term.value
    return plain_value(from_ox(term))


class EmbeddedBackend(Backend):
    """Runs the SPARQL forms on the embedded store.

    Values never become query text as given: IRIs are checked (``_IRI_SAFE``) and every term is
    serialized by pyoxigraph (``str(to_ox(term))``: IRIs validated, literals escaped) before it
    goes into a ``VALUES`` clause or, for actor IRIs, into the pattern itself.
    """

    kind = "embedded"

    def __init__(self, store: Store) -> None:
        self.store = store

    def _cache_owner(self) -> tuple[Any, Hashable] | None:
        return (self.store, None)

    def state(self) -> Hashable:
        return (_store_version(self.store), tuple(self.store.graphs()))

    def fetch(self, form: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        text = str(form.get("sparql") or "")
        if not text:
            msg = "this query has no SPARQL form"
            raise QueryError(msg)
        lists: set[str] = set(form.get("lists") or ())

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"VALUES ?{name} {{ {_iri_list(name, params.get(name) or [])} }}"

        text = _VALUES.sub(fill, text)
        values = []
        iri_params = set(form.get("iri_params") or ())
        for name, value in params.items():
            pattern = rf"\?{re.escape(name)}\b"
            if value is None or isinstance(value, list) or not re.search(pattern, text):
                continue
            term = str(to_ox(_term_for(name, value, form)))  # serialized and checked by pyoxigraph
            if name in iri_params or (name.endswith("_set") and isinstance(value, bool)):
                # An IRI in the pattern itself reaches the indexes (a VALUES join does not reach
                # into UNION branches); a constant flag lets Oxigraph drop a branch whose
                # FILTER is false before running it. The text of a canned query never
                # projects these variables.
                text = re.sub(pattern, term.replace("\\", "\\\\"), text)
            else:
                values.append(f"VALUES ?{name} {{ {term} }}")
        return normalize_fetched(self.select(_with_values(text, values)), lists)

    def select(self, text: str) -> list[dict[str, Any]]:
        """Rows of a SELECT query, values plain (pyoxigraph terms converted directly)."""
        native = getattr(self.store, "_store", None)
        if not isinstance(self.store, OxigraphStore) or native is None:
            return [{k: plain_value(v) for k, v in row.items()}
                    for row in self.store.select(text)]
        try:
            result = native.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as exc:
            msg = f"SPARQL syntax error: {exc}"
            raise QueryError(msg) from exc
        except OSError as exc:
            msg = f"SPARQL query failed: {exc}"
            raise QueryError(msg) from exc
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for index, name in enumerate(names):
                value = solution[index]
                if value is not None:
                    row[name] = _ox_plain(value)
            rows.append(row)
        return rows

    def _has_subject(self, iri: str) -> bool:
        try:
            term = str(to_ox(URIRef(iri)))  # validated and serialized by pyoxigraph
        except ValueError:
            return False
        return bool(self.select(f"SELECT ?p WHERE {{ {term} ?p ?o }} LIMIT 1"))

    def resolve(self, text: str) -> str:
        text = text.strip()
        if _looks_like_iri(text):
            if self._has_subject(text):
                return text
        else:
            fast = _fast_resolve(self.store, text)
            if fast is not None:
                return fast
        found = self.cached("names", lambda: _NameIndex(_store_names(self))).find(text)
        return found if found is not None else find_entity(self.store, text)


def _looks_like_iri(text: str) -> bool:
    return text.startswith(("http://", "https://", "urn:", "bnode://"))


def _with_values(text: str, values: Sequence[str]) -> str:
    """Bind parameters with VALUES clauses at the top of the first WHERE group.

    Terms are serialized by pyoxigraph (escaped, IRIs validated), never pasted as given. The
    store's own substitution would work too, but it joins after evaluation, so bound variables
    do not reach the indexes: VALUES is 10 to 60 times faster.
    """
    if not values:
        return text
    match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if match is None:
        msg = "a canned SPARQL query needs a WHERE clause"
        raise QueryError(msg)
    return text[:match.end()] + "\n  " + "\n  ".join(values) + text[match.end():]


def _term_for(name: str, value: Any, form: Mapping[str, Any]) -> Any:
    if name in set(form.get("iri_params") or ()):
        return URIRef(str(value))
    if isinstance(value, bool | int | float):
        return Literal(value)
    return Literal(str(value))


def _fast_resolve(store: Store, text: str) -> str | None:
    """An exact, unique preferred name or alias found by index (same answer as find_entity)."""
    if not text or _looks_like_iri(text):
        return None
    for predicate in ("skos:prefLabel", "skos:altLabel"):
        rows = store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?n {{ {to_ox(Literal(text))} }} "
                            f"?s {predicate} ?n }} LIMIT 2")
        if len(rows) == 1:
            return str(rows[0]["s"])
        if rows:
            return None  # ambiguous: let find_entity build the message
    return None


_STORE_NAMES = """
SELECT ?s ?name ?kind WHERE {
  { ?s skos:prefLabel ?name . BIND("name" AS ?kind) }
  UNION { ?s skos:altLabel ?name . BIND("alias" AS ?kind) }
}
"""


def _store_names(backend: EmbeddedBackend) -> list[tuple[str, str, str]]:
    native = getattr(backend.store, "_store", None)
    if isinstance(backend.store, OxigraphStore) and native is not None:
        result = native.query(_STORE_NAMES, use_default_graph_as_union=True, prefixes=PREFIXES)
        return [(s[0].value, s[1].value, s[2].value) for s in result]  # lexical forms
    return [(str(r["s"]), str(r["name"]), str(r["kind"]))
            for r in backend.store.select(_STORE_NAMES)]


class _NameIndex:
    """Names and aliases by exact text, folded text and word, for :func:`find_entity`'s levels.

    :meth:`find` gives what ``find_entity`` gives when one entity matches at the first level
    that matches anything, and None otherwise (ambiguous or unknown: the caller then runs
    ``find_entity`` itself, which raises with candidates or suggestions).
    """

    def __init__(self, entries: Sequence[tuple[str, str, str]]) -> None:
        self.names: dict[str, set[str]] = defaultdict(set)
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.folded: dict[str, set[str]] = defaultdict(set)
        self.words: dict[str, set[int]] = defaultdict(set)
        self.owners: list[str] = []
        folds: dict[str, str] = {}
        for iri, name, kind in entries:
            (self.names if kind == "name" else self.aliases)[name].add(iri)
            folded = folds.get(name)
            if folded is None:
                folded = folds[name] = normalize_name(name)
            self.folded[folded].add(iri)
            entry = len(self.owners)
            self.owners.append(iri)
            for word in set(folded.split()):
                self.words[word].add(entry)

    def find(self, text: str) -> str | None:
        folded = normalize_name(text)
        words = set(folded.split())
        levels: list[Callable[[], set[str]]] = [
            lambda: self.names.get(text, set()),
            lambda: self.aliases.get(text, set()),
            lambda: self.folded.get(folded, set()),
            lambda: self._with_words(words),
        ]
        for level in levels:
            hits = level()
            if hits:
                return next(iter(hits)) if len(hits) == 1 else None
        return None

    def _with_words(self, words: set[str]) -> set[str]:
        if not words:
            return set()
        postings = sorted((self.words.get(w, set()) for w in words), key=len)
        entries = set(postings[0]).intersection(*postings[1:])
        return {self.owners[e] for e in entries}


class Neo4jBackend(Backend):
    """Runs the Cypher forms on the Neo4j mirror, each in a read transaction.

    Queries go through ``driver.execute_query`` with read routing (the driver's own session
    pool, no session per call); values are always ``$parameters``.
    """

    kind = "neo4j"

    def __init__(self, driver: Any, database: str | None = None,
                 timeout: float | None = None) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout

    def _cache_owner(self) -> tuple[Any, Hashable] | None:
        return (self.driver, self.database)

    def state(self) -> Hashable:
        """Node and relationship counts (from Neo4j's count store) and the mirrored sources.

        The mirror records a fingerprint of every source it writes (and marks it pending
        while writing), so any change made by the mirror changes this key.
        """
        rows = self.records(_NEO4J_STATE, {})
        row = rows[0] if rows else {}
        sources = tuple(sorted(tuple(str(v) for v in s) for s in row.get("sources") or ()))
        return (row.get("nodes"), row.get("rels"), sources)

    def check_mirror(self, strict: bool = False) -> str | None:
        """A one-line warning when the mirror reports pending sources (a half-done mirror).

        Answers from a half-done mirror may differ from the embedded store. With ``strict``
        the warning is a :class:`QueryError` instead. None when every source is done.
        """
        from policykg.graph.mirror import SOURCE_LABEL

        rows = self.records(f"MATCH (s:{SOURCE_LABEL}) RETURN count(s) AS total, "
                            "count(CASE WHEN s.state <> 'done' OR s.state IS NULL "
                            "THEN 1 END) AS pending", {})
        pending, total = (rows[0]["pending"], rows[0]["total"]) if rows else (0, 0)
        if not pending:
            return None
        message = (f"the Neo4j mirror is half done ({pending} of {total} sources pending): "
                   "answers may differ from the embedded store; run policykg mirror")
        if strict:
            msg = f"refused (--strict): {message}"
            raise QueryError(msg)
        return f"warning: {message}"

    def records(self, text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Raw records of a read query (values as the driver returns them)."""
        import neo4j
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        query = neo4j.Query(text, timeout=self.timeout) if self.timeout else text
        try:
            result: list[dict[str, Any]] = self.driver.execute_query(
                query, dict(params), database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                result_transformer_=_record_dicts)
            return result
        except ServiceUnavailable as exc:
            from policykg.graph.neo4j import redact

            msg = redact(f"Neo4j is unavailable: {exc}")
            raise Neo4jUnavailable(msg) from exc
        except Neo4jError as exc:
            raise QueryError(_neo4j_message(exc)) from exc

    def fetch(self, form: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        text = form.get("cypher")
        if not text:
            msg = "this query has no Cypher form"
            raise QueryError(msg)
        return normalize_fetched(self.records(text, params), set(form.get("lists") or ()))

    def resolve(self, text: str) -> str:
        text = text.strip()
        if _looks_like_iri(text):
            if self.records("MATCH (n:Resource {uri: $uri}) RETURN n.uri AS uri LIMIT 1",
                            {"uri": text}):
                return text
        else:
            rows = self.records(  # the index made by ensure_indexes()
                "MATCH (n:Resource {prefLabel: $text}) RETURN DISTINCT n.uri AS uri LIMIT 2",
                {"text": text})
            if len(rows) == 1:
                return str(rows[0]["uri"])
            if rows:  # ambiguous: find_entity below builds the message
                return find_entity(self.cached("name store", self._name_store), text)
        found = self.cached("names", lambda: _NameIndex(self._names())).find(text)
        if found is not None:
            return found
        return find_entity(self.cached("name store", self._name_store), text)

    def _name_rows(self) -> list[dict[str, Any]]:
        return self.records(
            "MATCH (n:Resource) WHERE n.prefLabel IS NOT NULL OR n.altLabel IS NOT NULL "
            "RETURN n.uri AS uri, n.prefLabel AS name, n.altLabel AS aliases, "
            "labels(n) AS labels", {})

    def _names(self) -> list[tuple[str, str, str]]:
        entries = []
        for row in self._name_rows():
            for kind, value in (("name", row["name"]), ("alias", row["aliases"])):
                for name in value if isinstance(value, list) else [value]:
                    if name is not None:
                        entries.append((str(row["uri"]), str(name), kind))
        return entries

    def _name_store(self) -> Store:
        """Every name, alias and most specific pkg type, copied into a scratch store."""
        from policykg.queries.graphs import PKG, pkg_classes, superclasses

        rows = self._name_rows()
        classes = pkg_classes()
        triples: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
        skos = "http://www.w3.org/2004/02/skos/core#"
        rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        for row in rows:
            subject = URIRef(row["uri"])
            for prop, value in (("prefLabel", row["name"]), ("altLabel", row["aliases"])):
                for name in value if isinstance(value, list) else [value]:
                    if name is not None:
                        triples.append((subject, URIRef(skos + prop), Literal(str(name))))
            labels = {label for label in row["labels"] if label in classes}
            implied = set().union(*(superclasses(label) for label in labels)) if labels else set()
            for label in sorted(labels - implied):
                triples.append((subject, rdf_type, URIRef(PKG + label)))
        store = OxigraphStore()
        store.replace_graph(URIRef("urn:policykg:scratch:names"), triples)
        return store


_NEO4J_STATE = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
CALL () {
  OPTIONAL MATCH (s:_PolicyKGSource)
  RETURN collect([s.uri, s.fingerprint, s.state]) AS sources
}
RETURN nodes, rels, sources
"""

#: Indexes the canned queries use beyond the mirror's own (uri constraint, fulltext on names).
QUERY_INDEXES = (
    "CREATE INDEX policykg_query_preflabel IF NOT EXISTS FOR (n:Resource) ON (n.prefLabel)",
)


def ensure_indexes(driver: Any, database: str | None = None) -> list[str]:
    """Create the indexes of :data:`QUERY_INDEXES` if missing (once per database is enough).

    Returns the statements that failed (e.g. for lack of rights); queries work without the
    indexes, only slower.
    """
    from neo4j.exceptions import Neo4jError

    failed = []
    for statement in QUERY_INDEXES:
        try:
            driver.execute_query(statement, database_=database)
        except Neo4jError:
            failed.append(statement)
    if len(failed) < len(QUERY_INDEXES):
        with contextlib.suppress(Neo4jError):
            driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return failed


def _record_dicts(result: Any) -> list[dict[str, Any]]:
    return [dict(record.items()) for record in result]


def _neo4j_message(exc: Exception) -> str:
    """One clean line from a driver error, keeping the line/column where one is given."""
    text = str(getattr(exc, "message", None) or exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    position = re.search(r"\(line (\d+), column (\d+)(?: \(offset: \d+\))?\)", text)
    first = re.sub(r"\s*\(line \d+, column \d+ \(offset: \d+\)\)", "", first).strip()
    code = getattr(exc, "code", None) or ""
    prefix = "Cypher syntax error" if "SyntaxError" in str(code) else "Cypher query failed"
    where = f" at line {position.group(1)}, column {position.group(2)}" if position else ""
    return f"{prefix}{where}: {first}"


def backend_for(target: Any, *, database: str | None = None,
                timeout: float | None = None) -> Backend:
    """A backend for a store, a neo4j driver, or a backend (returned as is)."""
    if isinstance(target, Backend):
        return target
    if isinstance(target, Store):
        return EmbeddedBackend(target)
    if hasattr(target, "session") and hasattr(target, "verify_connectivity"):
        return Neo4jBackend(target, database=database, timeout=timeout)
    msg = f"cannot run queries on {type(target).__name__}: give a Store or a neo4j Driver"
    raise QueryError(msg)


# ---------------------------------------------------------------- running canned queries


@dataclass
class QueryContext:
    """What a canned query's Python function gets: the backend, the query and its parameters."""

    backend: Backend
    query: CannedQuery
    params: dict[str, Any]

    def fetch(self, name: str | None = None, **params: Any) -> list[dict[str, Any]]:
        """Run the query's own form (``name=None``) or a fragment, with extra parameters."""
        form: Mapping[str, Any]
        if name is None:
            form = {"sparql": self.query.sparql, "cypher": self.query.cypher,
                    "lists": self.query.lists, "iri_params": self._iri_params()}
        else:
            form = fragment(name)
            form = {**form, "iri_params": set(form.get("iri_params") or ()) | {"actor"}}
        return self.backend.fetch(form, {**self.params, **params})

    def _iri_params(self) -> set[str]:
        return {p.name for p in self.query.params if p.type == "actor"}


def run_query(on: Any, name: str, /, *, database: str | None = None,
              timeout: float | None = None, **params: Any) -> list[dict[str, Any]]:
    """Run the canned query ``name`` on a store or a neo4j driver; rows of plain values.

    Example:
        >>> rows = run_query(store, "office-at", date="2017-03-01")  # doctest: +SKIP
        >>> rows = run_query(driver, "path", source="Bustamante", target="Trump")  # doctest: +SKIP
    """
    query = get_query(name)
    backend = backend_for(on, database=database, timeout=timeout)
    values = coerce_params(query, {k.replace("-", "_"): v for k, v in params.items()})
    for p in query.params:
        if p.type == "actor" and values.get(p.name) is not None:
            values[p.name] = backend.resolve(str(values[p.name]))
    # ``<name>_set`` tells a query whether an optional parameter was given. SPARQL uses it
    # instead of BOUND(), which does not see values substituted by the embedded store.
    values.update({f"{p.name}_set": values.get(p.name) is not None for p in query.params})
    context = QueryContext(backend, query, values)
    rows = _python_function(query.python)(context) if query.python else context.fetch()
    return normalize_rows(rows, query.columns, query.order_by)


def _python_function(spec: str) -> Callable[[QueryContext], list[dict[str, Any]]]:
    module_name, _, function_name = spec.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot load query function {spec!r}: {exc}"
        raise QueryError(msg) from exc
    return function  # type: ignore[no-any-return]


# ---------------------------------------------------------------- researchers' own queries

# run_sparql, run_cypher and their guards live in policykg/queries/adhoc.py (imported at
# the end of this module, which they use).


def parse_param_value(text: str) -> Any:
    """A ``-p key=value`` value: JSON when it parses, else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def to_networkx(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Any result as a networkx graph; see :func:`policykg.queries.graphs.to_networkx`."""
    from policykg.queries.graphs import to_networkx as convert

    return convert(rows)


def query_graph(on: Any, name: str, /, **params: Any) -> Any:
    """Run a canned query and return its rows as a networkx MultiDiGraph."""
    return to_networkx(run_query(on, name, **params))


from policykg.queries.adhoc import (  # noqa: E402 - adhoc uses the helpers defined above
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT,
    READ_PROCEDURES,
    Rows,
    cypher_plan_refusal,
    run_cypher,
    run_sparql,
    sparql_form,
    sparql_refusal,
)
