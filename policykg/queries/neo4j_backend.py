"""The Neo4j mirror backend: Cypher forms, its indexes and its error messages."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Hashable, Mapping
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from policykg.exceptions import Neo4jUnavailable, QueryError
from policykg.graph.store import OxigraphStore, Store
from policykg.lookup import find_entity
from policykg.ontology.model import current_model
from policykg.queries.backend import Backend
from policykg.queries.embedded import _looks_like_iri, _NameIndex
from policykg.queries.values import normalize_fetched


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
        from policykg.queries.graphs import pkg_classes, superclasses

        rows = self._name_rows()
        classes = pkg_classes()
        model = current_model()
        triples: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
        for row in rows:
            subject = URIRef(row["uri"])
            for prop, value in (("prefLabel", row["name"]), ("altLabel", row["aliases"])):
                for name in value if isinstance(value, list) else [value]:
                    if name is not None:
                        triples.append((subject, SKOS[prop], Literal(str(name))))
            labels = {label for label in row["labels"] if label in classes}
            implied = set().union(*(superclasses(label) for label in labels)) if labels else set()
            for label in sorted(labels - implied):
                triples.append((subject, RDF.type, model.pkg_class(label)))
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
