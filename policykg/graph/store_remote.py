"""A store on a SPARQL 1.1 server, reached over the SPARQL 1.1 Protocol and Graph Store Protocol.

Two layouts are known: an Oxigraph server (``http://host:7878``: ``/query``, ``/update``,
``/store``) and a Fuseki dataset (``http://host:3030/ds``: ``/ds/query``, ``/ds/update``,
``/ds/data``). A URL with an empty path is taken as Oxigraph's, any other as Fuseki's.

The semantics are the embedded store's:

* Every source is one named graph. The sources are listed in a system graph
  (``urn:policykg:system``), because a server need not keep an empty named graph.
* A load is all-or-nothing: each graph's new content is streamed (one chunked Graph Store
  Protocol POST of N-Triples per graph, so blank nodes keep one scope and nothing is held in
  memory) into a staging graph ``urn:policykg:staging:…``, then ONE update request turns each
  target into its staging graph's content, drops the staging graphs, registers the sources and
  bumps the change counter. A failure or a killed client before that request leaves the
  sources as they were.
* Queries see only registered sources: every query is sent with the protocol's dataset
  (``default-graph-uri`` and ``named-graph-uri`` set to the sources), so staging and system
  graphs are invisible to the union and to ``GRAPH ?g``.
* Staging graphs left by a killed client are dropped on the next write once their owner is
  gone (same host and its process no longer runs, or staged more than a day ago elsewhere).
* Bookkeeping logs (the judgement log) live on the server, one graph each
  (``urn:policykg:log:NAME``, one entry per line with its position), so every client sees them.
* Bindings are written into the query as validated RDF terms in a ``VALUES`` block at the
  start of the outermost group: the protocol has no parameters, and no bound text is ever
  pasted raw.

Credentials come from the URL's userinfo (taken out at once) or ``POLICYKG_STORE_USER`` /
``POLICYKG_STORE_PASSWORD``; they are sent as HTTP basic auth and never shown.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from http.client import HTTPResponse
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from policykg.exceptions import QueryError, StoreError
from policykg.graph.neo4j import redact, split_credentials
from policykg.graph.store import (
    PREFIXES,
    Bindings,
    Incoming,
    Outgoing,
    Row,
    Store,
    is_iri,
    plain_term,
)
from policykg.graph.terms import Triple, from_ox, to_ox
from policykg.ontology.instances import STORE

__all__ = ["SparqlStore", "is_store_url", "bind_query", "bind_update"]

SYSTEM = "urn:policykg:system"
STAGING = "urn:policykg:staging:"
_SOURCE = STORE.SourceGraph.n3()
_CHANGES = STORE.changes.n3()
_STAGED_BY = STORE.stagedBy.n3()
_STAGED_AT = STORE.stagedAt.n3()
_STORE_NODE = "<urn:policykg:store>"
_RDF_TYPE = RDF.type.n3()
#: A graph no source uses: the dataset of a query over an empty store.
_NO_GRAPH = "urn:policykg:none"
#: Staging graphs of another host are taken as abandoned after this many seconds.
_FOREIGN_STAGING_TTL = 24 * 3600
#: Loads and commits may wait this many times the timeout for the server's answer.
_SLOW_FACTOR = 40
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: IRIs in the VALUES block of one read of many subjects (a URL-encoded form, no URL limit).
_BATCH_IRIS = 300
_POSITION = STORE.position.n3()
_TEXT = STORE.text.n3()
_LOG_NAME = re.compile(r"[a-z][a-z0-9-]*")
_EACH_QUAD = "SELECT ?s ?p ?o ?g WHERE { %s GRAPH ?g { ?s ?p ?o } }"

#: On one line, so a server's error positions keep the query's line numbers.
_PROLOGUE = "".join(f"PREFIX {p}: <{iri}> " for p, iri in PREFIXES.items())


def _log_graph(name: str) -> str:
    if not _LOG_NAME.fullmatch(name):
        msg = f"not a log name: {name!r}"
        raise StoreError(msg)
    return f"<urn:policykg:log:{name}>"


def is_store_url(location: object) -> bool:
    """True when a ``--store`` value names a SPARQL server rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def _term(term: Any) -> str:
    """One RDF term in N-Triples syntax, validated by Oxigraph's term constructors."""
    try:
        return str(to_ox(term))
    except (TypeError, ValueError) as exc:
        msg = f"not a valid RDF term: {exc}"
        raise QueryError(msg) from exc


# --------------------------------------------------------------------------- bindings


def _skip_token(text: str, i: int) -> int:
    """If a string, IRI or comment starts at ``i``, the index after it; else ``i``."""
    c = text[i]
    if c == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if c in "\"'":
        quote = c * 3 if text.startswith(c * 3, i) else c
        j = i + len(quote)
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text.startswith(quote, j):
                return j + len(quote)
            j += 1
        return len(text)
    if c == "<":
        match = re.compile(r"<[^<>\"{}|^`\\\s]*>").match(text, i)
        if match:
            return match.end()
    return i


def _group_start(query: str) -> int:
    """Index just inside the brace that opens the query's WHERE group."""
    braces: list[int] = []  # top-level '{' positions, in order
    where_at: int | None = None
    depth = 0
    i = 0
    while i < len(query):
        after = _skip_token(query, i)
        if after != i:
            i = after
            continue
        c = query[i]
        if c == "{":
            if depth == 0:
                braces.append(i)
                if where_at is not None:
                    return i + 1
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and query[i:i + 5].upper() == "WHERE" and (
                i == 0 or not (query[i - 1].isalnum() or query[i - 1] in "_?$:")):
            where_at = i
        i += 1
    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _strip(query), re.IGNORECASE)
    index = 1 if form and form.group(1).upper() == "CONSTRUCT" else 0
    if len(braces) > index:
        return braces[index] + 1
    msg = "cannot bind parameters: the query has no WHERE group"
    raise QueryError(msg)


def _strip(query: str) -> str:
    """The query with strings, IRIs and comments blanked (for keyword searches)."""
    out = []
    i = 0
    while i < len(query):
        after = _skip_token(query, i)
        if after != i:
            out.append(" ")
            i = after
        else:
            out.append(query[i])
            i += 1
    return "".join(out)


def bind_query(query: str, bindings: Bindings | None) -> str:
    """``query`` with each binding fixed by a VALUES block opening its WHERE group.

    >>> bind_query('SELECT ?o WHERE { ?s ?p ?o }', {"o": Literal('a" } DROP ALL #')})
    'SELECT ?o WHERE { VALUES (?o) { ("a\\\\" } DROP ALL #") } ?s ?p ?o }'
    """
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not _VARNAME.fullmatch(name):
            msg = f"not a SPARQL variable name: {name!r}"
            raise QueryError(msg)
    values = " ".join(_term(bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    at = _group_start(query)
    return query[:at] + block + query[at:]


def bind_update(update: str, bindings: Bindings | None) -> str:
    """``update`` with its bindings fixed as by :func:`bind_query`, for one operation with a
    WHERE group; anything else is refused, since only part of it would be bound."""
    if not bindings:
        return update
    depth = 0
    where = False
    text = _strip(update)
    for i, c in enumerate(text):
        depth += (c == "{") - (c == "}")
        if depth == 0 and c == ";" and text[i + 1:].strip():
            msg = "parameters can only be bound in an update of one operation (no ';')"
            raise QueryError(msg)
        if depth == 0 and text[i:i + 5].upper() == "WHERE" and (
                i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?$:")):
            where = True
    if not where:
        msg = "parameters can only be bound in an update with a WHERE clause (not INSERT DATA)"
        raise QueryError(msg)
    return bind_query(update, bindings)


# --------------------------------------------------------------------------- results


def _from_json(value: dict[str, Any]) -> Node:
    kind = value.get("type")
    if kind == "uri":
        return from_ox(ox.NamedNode(value["value"]))
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return from_ox(ox.Literal(value["value"], language=value["xml:lang"]))
        if "datatype" in value:
            return from_ox(ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"])))
        return Literal(value["value"])
    msg = f"unsupported term in SPARQL results: {kind!r}"
    raise QueryError(msg)


def _parse_triples(response: IO[bytes]) -> Iterator[tuple[Node, Node, Node]]:
    for triple in ox.parse(response, format=ox.RdfFormat.N_TRIPLES):
        yield from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(owner: str, staged_at: float, now: float) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return now - staged_at > _FOREIGN_STAGING_TTL
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# --------------------------------------------------------------------------- the store


class SparqlStore(Store):
    """A SPARQL 1.1 server as a policykg store (see the module docstring)."""

    backend = "sparql"

    def __init__(self, url: str, *, timeout: float = 30, read_only: bool = False) -> None:
        bare, user, password = split_credentials(url.strip())
        self.url = bare.rstrip("/")
        self.timeout = timeout
        self.read_only = read_only
        user = user or os.environ.get("POLICYKG_STORE_USER")
        password = password or os.environ.get("POLICYKG_STORE_PASSWORD")
        self._secrets = (user, password)
        self._auth: str | None = None
        #: Staging graphs this handle has finished streaming in the load under way.
        self._own_staging: list[str] = []
        if user is not None or password is not None:
            token = f"{user or ''}:{password or ''}".encode()
            self._auth = "Basic " + base64.b64encode(token).decode("ascii")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            msg = f"not a SPARQL store URL: {redact(self.url)}"
            raise StoreError(msg)
        self._query_url, self._update_url = f"{self.url}/query", f"{self.url}/update"
        # Oxigraph serves the Graph Store Protocol at /store, a Fuseki dataset at /ds/data.
        self._oxigraph = parts.path in ("", "/")
        self._gsp_url = f"{self.url}/store" if self._oxigraph else f"{self.url}/data"
        self.capabilities: frozenset[str] = frozenset(
            {"transactions", "read_only"} if read_only else {"transactions"})
        self.ask("ASK { }")  # fail now, on one line, if the server is not there
        if not read_only:
            self._drop_abandoned_staging()

    @classmethod
    def open(cls, location: str, *, read_only: bool = False,
             wait: float | None = None) -> SparqlStore:
        # The server orders concurrent writers itself: there is no lock here to wait for.
        return cls(location, read_only=read_only)

    @property
    def location(self) -> str:
        return redact(self.url)

    def __repr__(self) -> str:
        return f"SparqlStore({self.url!r})"

    # ----------------------------------------------------------------------- HTTP

    def _request(self, url: str, *, data: bytes | Iterable[bytes] | None = None,
                 headers: dict[str, str] | None = None, method: str = "POST",
                 what: str = "request", slow: bool = False) -> HTTPResponse:
        all_headers = dict(headers or {})
        if self._auth:
            all_headers["Authorization"] = self._auth
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        try:
            # A load's body and its commit legitimately take minutes on big sources; the
            # timeout still bounds connecting and every read of a query.
            timeout = self.timeout * _SLOW_FACTOR if slow else self.timeout
            response: HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            body = exc.read(2000).decode("utf-8", "replace")
            exc.close()
            detail = self._clean(body) or exc.reason
            if exc.code in (401, 403):
                msg = f"the SPARQL store at {self.url} refused the credentials ({exc.code})"
                raise StoreError(msg) from None
            if exc.code == 400 and what in ("query", "update"):
                msg = f"SPARQL query failed: {detail}"
                raise QueryError(msg) from None
            msg = f"the SPARQL store at {self.url} answered {exc.code} to a {what}: {detail}"
            raise StoreError(msg) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = f"cannot reach the SPARQL store at {self.url}: {self._clean(str(reason))}"
            raise StoreError(msg) from None
        return response

    def _clean(self, text: str, limit: int = 200) -> str:
        line = redact(text, *self._secrets)
        return line if len(line) <= limit else line[: limit - 1] + "…"

    def _dataset(self) -> list[tuple[str, str]]:
        # A load's own reads (the loaders' name lookups) also see the graphs it has staged so
        # far, as on the embedded store, where a new graph is written before the commit: an
        # article loaded with the records naming its people reuses their entities.
        sources = [str(g) for g in self.graphs()] + self._own_staging or [_NO_GRAPH]
        return ([("default-graph-uri", g) for g in sources]
                + [("named-graph-uri", g) for g in sources])

    def _post_query(self, query: str, accept: str, *, dataset: bool = True) -> HTTPResponse:
        form = [("query", query)] + (self._dataset() if dataset else [])
        return self._request(
            self._query_url, data=urlencode(form).encode(), what="query",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})

    def _results(self, query: str, *, dataset: bool = True) -> dict[str, Any]:
        with self._post_query(query, "application/sparql-results+json",
                              dataset=dataset) as response:
            try:
                parsed: dict[str, Any] = json.load(response)
            except (ValueError, OSError) as exc:
                msg = f"the SPARQL store at {self.url} sent unreadable results: {exc}"
                raise StoreError(msg) from None
        return parsed

    def _rows(self, query: str, *, dataset: bool = True) -> list[Row]:
        result = self._results(query, dataset=dataset)
        if "results" not in result:
            msg = "expected a SELECT query"
            raise QueryError(msg)
        return [{name: _from_json(value) for name, value in binding.items()}
                for binding in result["results"]["bindings"]]

    def _update(self, text: str, *, slow: bool = False) -> None:
        if self.read_only:
            msg = f"the SPARQL store at {self.url} was opened read-only"
            raise StoreError(msg)
        with self._request(self._update_url, data=urlencode([("update", text)]).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           what="update", slow=slow):
            pass

    # ----------------------------------------------------------------------- writes

    def _drop_abandoned_staging(self) -> None:
        rows = self._rows(
            f"SELECT ?g ?by ?at WHERE {{ GRAPH <{SYSTEM}> {{ ?g {_STAGED_BY} ?by ; "
            f"{_STAGED_AT} ?at }} }}", dataset=False)
        now = time.time()
        stale = [row["g"] for row in rows
                 if _abandoned(str(row["by"]), float(str(row["at"])), now)]
        staged = {str(row["g"]) for row in rows}
        # A staging graph with no record at all was never started by a live writer.
        for row in self._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", dataset=False):
            name = str(row["g"])
            if name.startswith(STAGING) and name not in staged:
                stale.append(row["g"])
        if stale:
            self._update(" ;\n".join(self._forget(URIRef(str(g))) for g in stale))

    def _forget(self, staging: URIRef) -> str:
        node = _term(staging)
        return (f"DROP SILENT GRAPH {node} ;\n"
                f"DELETE WHERE {{ GRAPH <{SYSTEM}> {{ {node} ?p ?o }} }}")

    def _bump(self) -> str:
        return (f"DELETE {{ GRAPH <{SYSTEM}> {{ {_STORE_NODE} {_CHANGES} ?n }} }} "
                f"INSERT {{ GRAPH <{SYSTEM}> {{ {_STORE_NODE} {_CHANGES} ?next }} }} "
                f"WHERE {{ OPTIONAL {{ GRAPH <{SYSTEM}> {{ {_STORE_NODE} {_CHANGES} ?n }} }} "
                f"BIND(COALESCE(?n, 0) + 1 AS ?next) }}")

    def _stream(self, staging: URIRef, triples: Iterable[Triple]) -> int:
        """POST ``triples`` into ``staging`` as one chunked N-Triples body; return the count."""
        count = 0

        def body() -> Iterator[bytes]:
            nonlocal count
            lines: list[str] = []
            for s, p, o in triples:
                lines.append(f"{_term(s)} {_term(p)} {_term(o)} .\n")
                count += 1
                if len(lines) >= 2000:
                    yield "".join(lines).encode()
                    lines = []
            if lines:
                yield "".join(lines).encode()

        url = f"{self._gsp_url}?{urlencode({'graph': str(staging)})}"
        with self._request(url, data=body(), method="POST", what="load", slow=True,
                           headers={"Content-Type": "application/n-triples"}):
            pass
        return count

    def replace_graphs(self, items: Iterable[tuple[URIRef, Iterable[Triple]]]) -> list[int]:
        if self.read_only:
            msg = f"the SPARQL store at {self.url} was opened read-only"
            raise StoreError(msg)
        self._drop_abandoned_staging()
        staged: list[tuple[URIRef, URIRef]] = []
        counts: list[int] = []
        try:
            for graph, triples in items:
                staging = URIRef(STAGING + uuid.uuid4().hex)
                _term(graph)  # an invalid IRI fails here, before anything is written
                self._update(
                    f"INSERT DATA {{ GRAPH <{SYSTEM}> {{ {_term(staging)} "
                    f"{_STAGED_BY} {_term(Literal(_owner()))} ; "
                    f"{_STAGED_AT} {_term(Literal(str(time.time())))} }} }}")
                staged.append((graph, staging))
                counts.append(self._stream(staging, triples))
                self._own_staging.append(str(staging))
            swap = []
            for graph, staging in staged:
                target, node = _term(graph), _term(staging)
                if self._oxigraph:
                    swap += [f"DROP SILENT GRAPH {target}", f"ADD SILENT {node} TO {target}"]
                else:
                    # A difference, not DROP + ADD: on Fuseki 5.6 (TDB2) a DROP then an ADD of
                    # overlapping triples in one request lost some of them (seen in tests).
                    # Oxigraph evaluates this NOT EXISTS slowly, so it keeps DROP + ADD.
                    swap += [f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{ GRAPH "
                             f"{target} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH {node} "
                             "{ ?s ?p ?o } } }",
                             f"INSERT {{ GRAPH {target} {{ ?s ?p ?o }} }} "
                             f"WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"]
                swap += [self._forget(staging),
                         f"INSERT DATA {{ GRAPH <{SYSTEM}> {{ {target} {_RDF_TYPE} {_SOURCE} }} }}"]
            if swap:
                self._update(" ;\n".join([*swap, self._bump()]), slow=True)
        except BaseException:
            if staged:
                # If the server is gone, the next write drops the staging graphs instead.
                with contextlib.suppress(StoreError):
                    self._update(" ;\n".join(self._forget(s) for _, s in staged))
            raise
        finally:
            self._own_staging = []
        return counts

    def remove_graph(self, graph: URIRef) -> int:
        if graph not in set(self.graphs()):
            return 0
        count = self.graph_size(graph)
        target = _term(graph)
        self._update(f"DROP SILENT GRAPH {target} ;\n"
                     f"DELETE DATA {{ GRAPH <{SYSTEM}> {{ {target} {_RDF_TYPE} {_SOURCE} }} }} ;\n"
                     + self._bump(), slow=True)
        return count

    def update(self, query: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update (``PREFIXES`` declared), then bump the change counter."""
        self._update(_PROLOGUE + bind_update(query, bindings) + " ;\n" + self._bump())

    # ----------------------------------------------------------------------- reads

    def graphs(self) -> list[URIRef]:
        rows = self._rows(f"SELECT ?g WHERE {{ GRAPH <{SYSTEM}> {{ ?g {_RDF_TYPE} {_SOURCE} }} }}",
                          dataset=False)
        return sorted(URIRef(str(row["g"])) for row in rows)

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        url = f"{self._gsp_url}?{urlencode({'graph': str(graph)})}"
        try:
            response = self._request(url, method="GET", what="read",
                                     headers={"Accept": "application/n-triples"})
        except StoreError as exc:
            if " 404 " in str(exc):  # registered but empty: the server keeps no such graph
                return
            raise
        with response:
            yield from _parse_triples(response)

    def graph_size(self, graph: URIRef) -> int:
        rows = self._rows(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_term(graph)} {{ ?s ?p ?o }} }}",
            dataset=False)
        return int(str(rows[0]["n"])) if rows else 0

    def quads(self, subject: Node | None = None, predicate: Node | None = None,
              object: Node | None = None,  # noqa: A002 - the interface's name
              graph: URIRef | None = None) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Quads matching the pattern (``None`` is a wildcard), registered sources only."""
        sources = self.graphs() if graph is None else [graph] if graph in self.graphs() else []
        pattern_terms = (subject, predicate, object)
        if all(t is None for t in pattern_terms) or any(isinstance(t, BNode)
                                                        for t in pattern_terms):
            # A blank node in a query is a variable, not that node: read the graphs (whose
            # blank-node labels the server keeps from one read to the next) and match here.
            for name in sources:
                for triple in self.graph_triples(name):
                    if all(t is None or t == v
                           for t, v in zip(pattern_terms, triple, strict=True)):
                        yield (*triple, name)
            return
        pattern = " ".join("?" + v if t is None else _term(t)
                           for v, t in (("s", subject), ("p", predicate), ("o", object)))
        for name in sources:
            query = f"SELECT * WHERE {{ GRAPH {_term(name)} {{ {pattern} }} }}"
            for row in self._rows(query, dataset=False):
                yield (row.get("s", subject), row.get("p", predicate),  # type: ignore[misc]
                       row.get("o", object), name)

    def outgoing(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Outgoing]]]:
        """Many subjects per request (a VALUES block of validated IRIs), not one each."""
        for iri, rows in self._by_term(iris, _EACH_QUAD, "s"):
            yield iri, [(str(r["p"]), plain_term(r["o"]), str(r["g"])) for r in rows]

    def incoming(self, iris: Iterable[str]) -> Iterator[tuple[str, list[Incoming]]]:
        for iri, rows in self._by_term(iris, _EACH_QUAD, "o"):
            yield iri, [(plain_term(r["s"]), str(r["p"]), str(r["g"])) for r in rows]

    def _by_term(self, iris: Iterable[str], template: str, var: str,
                 ) -> Iterator[tuple[str, list[Row]]]:
        """The rows of ``template`` for each IRI bound to ``?var``, batch by batch."""
        todo = list(iris)
        for start in range(0, len(todo), _BATCH_IRIS):
            chunk = todo[start:start + _BATCH_IRIS]
            valid = [iri for iri in chunk if is_iri(iri)]
            found: dict[str, list[Row]] = {iri: [] for iri in chunk}
            if valid:
                values = " ".join(_term(URIRef(iri)) for iri in valid)
                for row in self._rows(_PROLOGUE + template % f"VALUES ?{var} {{ {values} }}"):
                    bucket = found.get(str(row[var]))
                    if bucket is not None:  # (a server could write an IRI back differently)
                        bucket.append(row)
            yield from found.items()

    def triples(self, s: Node | None = None, p: Node | None = None,
                o: Node | None = None) -> Iterator[tuple[Node, Node, Node]]:
        seen: set[tuple[Node, Node, Node]] = set()
        for qs, qp, qo, _ in self.quads(s, p, o):
            if (qs, qp, qo) not in seen:
                seen.add((qs, qp, qo))
                yield qs, qp, qo

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        return self._rows(_PROLOGUE + bind_query(query, bindings))

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._results(_PROLOGUE + bind_query(query, bindings))
        if "boolean" not in result:
            msg = "expected an ASK query"
            raise QueryError(msg)
        return bool(result["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        graph = Graph()
        try:
            response = self._post_query(_PROLOGUE + bind_query(query, bindings),
                                        "application/n-triples")
        except StoreError as exc:
            if " 406 " not in str(exc):  # Oxigraph: a SELECT cannot be given as N-Triples
                raise
            msg = "expected a CONSTRUCT or DESCRIBE query"
            raise QueryError(msg) from None
        with response:
            if "n-triples" not in (response.headers.get("Content-Type") or ""):
                msg = "expected a CONSTRUCT or DESCRIBE query"
                raise QueryError(msg)
            for triple in _parse_triples(response):
                graph.add(triple)
        return graph

    def change_token(self) -> str:
        """The server's change counter: moves with every write made through policykg."""
        query = f"SELECT ?n WHERE {{ GRAPH <{SYSTEM}> {{ {_STORE_NODE} {_CHANGES} ?n }} }}"
        rows = self._rows(query, dataset=False)
        return str(rows[0]["n"]) if rows else "0"

    def __len__(self) -> int:
        sources = " ".join(_term(g) for g in self.graphs())
        if not sources:
            return 0
        rows = self._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {sources} }} "
                          "GRAPH ?g { ?s ?p ?o } }", dataset=False)
        return int(str(rows[0]["n"])) if rows else 0

    # ----------------------------------------------------------------------- logs

    def log_lines(self, name: str) -> list[str]:
        """The lines of the bookkeeping log ``name`` kept on the server, in order.

        A log (the judgement log) lives in its own graph ``urn:policykg:log:NAME``, never a
        source: queries do not see it, and every client, from any folder, reads the same one.
        """
        graph = _log_graph(name)
        rows = self._rows(f"SELECT ?text WHERE {{ GRAPH {graph} {{ ?entry {_POSITION} ?n ; "
                          f"{_TEXT} ?text }} }} ORDER BY ?n", dataset=False)
        return [str(row["text"]) for row in rows]

    def append_log_lines(self, name: str, lines: Iterable[str]) -> int:
        """Append ``lines`` to the log ``name`` in one update; return how many it had before."""
        before = len(self.log_lines(name))
        entries = " ".join(
            f"({_term(URIRef('urn:uuid:' + str(uuid.uuid4())))} {_term(Literal(before + i))} "
            f"{_term(Literal(text))})" for i, text in enumerate(lines))
        if entries:
            self._update(f"INSERT {{ GRAPH {_log_graph(name)} {{ ?e {_POSITION} ?n ; "
                         f"{_TEXT} ?text }} }} WHERE {{ VALUES (?e ?n ?text) {{ {entries} }} }}")
        return before

    def truncate_log_lines(self, name: str, count: int) -> None:
        """Keep the first ``count`` lines of the log ``name`` (undoes an append)."""
        graph = _log_graph(name)
        self._update(f"DELETE {{ GRAPH {graph} {{ ?e ?p ?o }} }} WHERE {{ GRAPH {graph} {{ "
                     f"?e {_POSITION} ?n ; ?p ?o FILTER(?n >= {_term(Literal(int(count)))}) }} }}")

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""
