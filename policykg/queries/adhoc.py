"""Researchers' own SPARQL and Cypher, read-only by construction, bounded in time and rows.

Cypher is judged on the plan Neo4j makes for it (``EXPLAIN``), never on its text: every
operator of the plan must be a known pure read, procedure calls must be on a short list of
read-only procedures, ``LOAD CSV`` is refused. Spelling tricks (backticks, escapes, comments
ended by ``\\r``, subqueries) cannot hide an operator from the planner. What passes runs in a
read transaction with a server-side timeout.

SPARQL is parsed (rdflib's parser) and refused when it holds ``SERVICE`` anywhere, unless
``allow_service``: a federated query makes the machine fetch URLs. Updates are refused unless
``write``; the read path goes through Oxigraph's query entry point, which cannot run an update
at all. On a store on disk the query runs in a child process that is killed at the deadline or
once enough rows have arrived, so memory and time are really bounded (a thread cannot be
stopped); an in-memory store is read row by row with the deadline checked per row.

Example:
    >>> from policykg.graph.store import OxigraphStore
    >>> sparql_refusal("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    'refused: SERVICE makes the machine fetch a remote endpoint; pass --allow-service to allow it'
    >>> run_sparql(OxigraphStore(), "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", limit=2)
    [{'x': 1}, {'x': 2}]
"""

from __future__ import annotations

import functools
import json
import os
import re
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rdflib import Literal, URIRef

from policykg.exceptions import Neo4jUnavailable, QueryError
from policykg.graph.store import OxigraphStore, Store

__all__ = [
    "DEFAULT_ROW_CAP",
    "DEFAULT_TIMEOUT",
    "READ_PROCEDURES",
    "Rows",
    "cypher_plan_refusal",
    "run_cypher",
    "run_sparql",
    "sparql_form",
    "sparql_refusal",
]

#: Rows shown by ``policykg sparql`` / ``policykg cypher`` unless ``--limit`` says otherwise.
DEFAULT_ROW_CAP = 10_000
#: Seconds a user query may run unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 60.0


class Rows(list[dict[str, Any]]):
    """Result rows; ``truncated`` is true when the row cap stopped the query early."""

    truncated: bool = False
    cap: int | None = None


def _rows(items: Iterable[dict[str, Any]], cap: int | None, truncated: bool) -> Rows:
    rows = Rows(items)
    rows.truncated = truncated
    rows.cap = cap
    return rows


def _timeout_error(timeout: float) -> QueryError:
    msg = f"stopped: the query ran longer than the {timeout:g} s timeout (--timeout to change)"
    return QueryError(msg)


# ---------------------------------------------------------------- SPARQL: form and refusals

_SPARQL_UPDATE = re.compile(
    r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_SPARQL_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SPARQL_PROLOGUE = re.compile(
    r"^\s*(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_PARSED_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                 "DescribeQuery": "DESCRIBE"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@functools.lru_cache(maxsize=32)  # run_sparql asks twice: for SERVICE and for the form
def _parse_sparql(text: str) -> tuple[str, Any] | None:
    """(form, parse tree) from rdflib's parser, or None when it cannot read the text."""
    # pyparsing's failed alternatives leave reference cycles of exceptions and frames; parsed
    # in a thread of its own, those frames cannot reach (and keep open) the caller's store.
    box: list[tuple[str, Any] | None] = [None]
    worker = threading.Thread(target=lambda: box.__setitem__(0, _parse_here(text)))
    worker.start()
    worker.join()
    return box[0]


def _parse_here(text: str) -> tuple[str, Any] | None:
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
        return _PARSED_FORMS.get(tree[1].name, "SELECT"), tree
    except Exception:  # noqa: BLE001 - any parser failure: try it as an update
        pass
    try:
        return "UPDATE", parseUpdate(text)
    except Exception:  # noqa: BLE001 - neither: the caller falls back
        return None


def _strip_sparql_comments(text: str) -> str:
    # Remove '#' comments outside IRIs and strings; good enough to find the query form.
    out = []
    for line in text.splitlines():
        in_string: str | None = None
        in_iri = False
        cut = len(line)
        for i, ch in enumerate(line):
            if in_string:
                if ch == in_string and line[i - 1] != "\\":
                    in_string = None
            elif in_iri:
                in_iri = ch != ">"
            elif ch in "\"'":
                in_string = ch
            elif ch == "<" and re.match(r"<[^\s<>]*>", line[i:]):
                in_iri = True
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def _form_from_text(text: str) -> str:
    body = _strip_sparql_comments(text)
    while True:
        match = _SPARQL_PROLOGUE.match(body)
        if not match:
            break
        body = body[match.end():]
    if _SPARQL_UPDATE.match(body):
        return "UPDATE"
    form = _SPARQL_FORM.match(body)
    if form:
        return form.group(1).upper()
    # Updates may follow a ';' after an operation: any update keyword starting a statement.
    if re.search(r";\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b", body, re.I):
        return "UPDATE"
    msg = "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
    raise QueryError(msg)


def sparql_form(text: str) -> str:
    """The form of a SPARQL request: SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE.

    Decided by rdflib's parser; text it cannot parse (Oxigraph extensions such as
    ``LATERAL``) is classified by its first keyword. This only picks the entry point: the read
    path cannot run an update whatever the answer.
    """
    parsed = _parse_sparql(text)
    return parsed[0] if parsed else _form_from_text(text)


def _has_service(node: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or hasattr(item, "as_list"):
            stack.extend(item)
    return False


def sparql_refusal(text: str) -> str | None:
    """Why a SPARQL text is refused without ``allow_service`` (it uses SERVICE), or None.

    The parse tree is searched, so case, spacing, comments, ``\\u`` escapes and nesting in
    subqueries make no difference. Text the parser cannot read is refused if the word
    ``service`` appears anywhere in it once escapes are expanded (a refusal too many is
    better than a request sent).
    """
    parsed = _parse_sparql(text)
    if parsed is not None:
        found = _has_service(parsed[1])
    else:
        expanded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        found = re.search("service", expanded, re.IGNORECASE) is not None
    if found:
        return ("refused: SERVICE makes the machine fetch a remote endpoint; "
                "pass --allow-service to allow it")
    return None


# ---------------------------------------------------------------- SPARQL: running


def _sparql_term(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 2 and value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if isinstance(value, bool | int | float):
        return Literal(value)
    if isinstance(value, str):
        return Literal(value)
    return Literal(json.dumps(value, ensure_ascii=False))


def run_sparql(store: Store, text: str, params: Mapping[str, Any] | None = None, *,
               limit: int | None = None, timeout: float | None = None,
               write: bool = False, allow_service: bool = False) -> Rows:
    """Run a researcher's SPARQL on the embedded store; refuse updates unless ``write``.

    Parameters are bound as RDF terms (``"<http://...>"`` binds an IRI; other strings bind
    literals). SELECT gives its rows, ASK one row ``{"result": bool}``, CONSTRUCT and DESCRIBE
    rows of subject, predicate, object; an allowed update gives ``[{"result": "ok"}]``.
    ``limit`` caps the rows (the result's ``truncated`` says whether it was hit) and
    ``timeout`` (seconds) stops the query with a :class:`QueryError`.
    """
    if not allow_service:
        refusal = sparql_refusal(text)
        if refusal:
            raise QueryError(refusal)
    form = sparql_form(text)
    if form == "UPDATE":
        if not write:
            msg = ("refused: this is a SPARQL update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE/ADD/"
                   "MOVE/COPY); the store is read-only unless you pass --write")
            raise QueryError(msg)
        if params:
            msg = "parameters cannot be bound in an update"
            raise QueryError(msg)
        store.update(text)  # its change token tells every cache of this store
        return _rows([{"result": "ok"}], limit, False)
    bindings = {k: _sparql_term(v) for k, v in (params or {}).items()}
    if isinstance(store, OxigraphStore) and store.path is not None:
        rows, truncated = _sparql_in_child(store, text, bindings, limit, timeout)
    else:
        rows, truncated = _sparql_in_process(store, form, text, bindings, limit, timeout)
    if form in ("CONSTRUCT", "DESCRIBE"):
        from policykg.queries.values import normalize_fetched, normalize_rows

        columns = ["subject", "predicate", "object"]
        rows = normalize_rows(normalize_fetched(rows, set()), columns)
    return _rows(rows, limit, truncated)


def _sparql_in_process(store: Store, form: str, text: str, bindings: Mapping[str, Any],
                       limit: int | None, timeout: float | None
                       ) -> tuple[list[dict[str, Any]], bool]:
    """Rows read one by one in a worker thread; the caller stops waiting at the deadline.

    Oxigraph releases the GIL while it computes, so the wait ends on time; the worker sees the
    cancellation at its next row and drops the result (it cannot be interrupted in between).
    """
    from policykg.queries.values import plain_value

    cancelled = threading.Event()

    def rows() -> tuple[list[dict[str, Any]], bool]:
        if form == "ASK":
            return [{"result": store.ask(text, bindings)}], False
        if form in ("CONSTRUCT", "DESCRIBE"):
            produced: Iterable[dict[str, Any]] = (
                {"subject": s, "predicate": p, "object": o}
                for s, p, o in store.construct(text, bindings))
        else:
            produced = store.select(text, dict(bindings))
        out: list[dict[str, Any]] = []
        for row in produced:
            if cancelled.is_set():
                return out, False
            if limit is not None and len(out) >= limit:
                return out, True
            out.append({k: plain_value(v) for k, v in row.items()})
        return out, False

    return _with_timeout(rows, timeout, cancelled)  # type: ignore[no-any-return]


def _with_timeout(function: Callable[[], Any], timeout: float | None,
                  cancelled: threading.Event | None = None) -> Any:
    """Run ``function`` in a thread; stop waiting (QueryError) after ``timeout`` seconds."""
    if not timeout:
        return function()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = function()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        if cancelled is not None:
            cancelled.set()
        raise _timeout_error(timeout)
    if "error" in box:
        raise box["error"]
    return box["value"]


def _sparql_in_child(store: OxigraphStore, text: str, bindings: Mapping[str, Any],
                     limit: int | None, timeout: float | None
                     ) -> tuple[list[dict[str, Any]], bool]:
    """Run the query in a child process that reads the store read-only, one JSON row a line.

    The child is killed at the deadline or as soon as one row more than ``limit`` arrived.
    """
    request = json.dumps({"path": str(store.path), "query": text,
                          "bindings": {k: _term_json(v) for k, v in bindings.items()}})
    store.flush()  # the child opens the files: let it see what this process wrote
    deadline = time.monotonic() + timeout if timeout else None
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "policykg.graph.store_sparql_child"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert child.stdin is not None and child.stdout is not None
    try:
        child.stdin.write(request.encode("utf-8"))
        child.stdin.close()
        rows: list[dict[str, Any]] = []
        for line in _lines_until(child.stdout, deadline, timeout):
            message = json.loads(line)
            if "error" in message:
                raise QueryError(str(message["error"]))
            if limit is not None and len(rows) >= limit:
                return rows, True
            rows.append(message["row"])
        if child.wait() != 0:
            error = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
            last = error.strip().splitlines()[-1] if error.strip() else f"exit {child.returncode}"
            msg = f"SPARQL query failed: {last}"
            raise QueryError(msg)
        return rows, False
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"iri": str(term)}
    out = {"value": str(term)}
    if term.language:
        out["language"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _lines_until(stream: Any, deadline: float | None, timeout: float | None) -> Iterable[bytes]:
    """Lines of ``stream`` until its end; QueryError once ``deadline`` passes."""
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise _timeout_error(timeout or 0)
            if not selector.select(wait):
                continue
            chunk = os.read(stream.fileno(), 1 << 16)
            if not chunk:
                if buffer.strip():
                    yield buffer
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            yield from (line for line in lines if line.strip())


# ---------------------------------------------------------------- Cypher: the plan guard

#: Procedures a read-only query may call: schema introspection and index searches.
READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
})

# Plan operators that only read the graph or shape rows (names as Neo4j 5 reports them,
# without the "@database" suffix and the "(All)"-style mode). Anything else is refused.
_READ_OPERATORS = frozenset({
    "ProduceResults", "EmptyResult", "Argument", "ArgumentTracker", "Projection", "Filter",
    "Limit", "ExhaustiveLimit", "Skip", "Sort", "PartialSort", "Top", "PartialTop",
    "Distinct", "OrderedDistinct", "EagerAggregation", "OrderedAggregation", "Eager",
    "CacheProperties", "Unwind", "PartitionedUnwind", "Optional", "Anti",
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply",
    "SelectOrSemiApply", "SelectOrAntiSemiApply", "LetSelectOrSemiApply",
    "LetSelectOrAntiSemiApply", "ConditionalApply", "AntiConditionalApply", "RollUpApply",
    "CartesianProduct", "NodeHashJoin", "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin",
    "ValueHashJoin", "Union", "OrderedUnion", "Expand", "OptionalExpand", "VarLengthExpand",
    "ShortestPath", "StatefulShortestPath", "Repeat", "BidirectionalRepeat",
    "PathPropagatingBFS", "ProjectEndpoints", "TriadicSelection", "TriadicBuild",
    "TriadicFilter", "AssertSameNode", "AssertSameRelationship", "NullifyMetadata",
    "PreserveOrder", "NodeCountFromCountStore", "RelationshipCountFromCountStore",
})
# Scans and seeks (leaves that read nodes or relationships, by label, type, id or index).
_READ_LEAF = re.compile(
    r"^(Partitioned)?(Asserting)?(Multi|Intersection|Union|Subtraction)?(Directed|Undirected)?"
    r"(AllNodes|Node|AllRelationships|Relationship|UnionRelationshipTypes)[A-Za-z]*"
    r"(Scan|Seek|SeekByRange)$")


def _operators(plan: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    stack = [plan]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("children") or ())


def _operator_name(node: Mapping[str, Any]) -> str:
    name = str(node.get("operatorType") or node.get("operator_type") or "")
    return name.split("@", 1)[0].split("(", 1)[0].strip()


def _details(node: Mapping[str, Any]) -> str:
    args = node.get("args") or node.get("arguments") or {}
    return str(args.get("Details") or "")


def cypher_plan_refusal(plan: Mapping[str, Any],
                        user_functions: Iterable[str] = ()) -> str | None:
    """Why an ``EXPLAIN`` plan (the driver's ``summary.plan``) is not a pure read, or None.

    Refused: ``LOAD CSV``; a procedure outside :data:`READ_PROCEDURES`; any operator that is
    not a known read (updates, schema and admin commands, ``SHOW ...``, ``CALL ... IN
    TRANSACTIONS``, ``FOREACH``, remote execution); a call of a plugin function named in
    ``user_functions`` (plugins may do I/O).
    """
    plugin_calls = [re.compile(rf"(?<![\w.`]){re.escape(name)}\s*\(", re.IGNORECASE)
                    for name in user_functions]
    for node in _operators(plan):
        name = _operator_name(node)
        details = _details(node)
        if name == "LoadCSV":
            return ("refused: LOAD CSV reads server files and fetches URLs; "
                    "pass --write to allow it")
        if name == "ProcedureCall":
            procedure = details.split("(", 1)[0].strip().replace("`", "")
            if procedure not in READ_PROCEDURES:
                return (f"refused: procedure {procedure or '?'} is not on the read-only list "
                        f"({', '.join(sorted(READ_PROCEDURES))}); pass --write to allow it")
        elif name not in _READ_OPERATORS and not _READ_LEAF.match(name):
            return (f"refused: the query's plan has a {name or 'nameless'} step, which is not "
                    "a pure read; the graph is read-only unless you pass --write")
        for pattern in plugin_calls:
            found = pattern.search(details)
            if found:
                function = found.group(0).rstrip("( ")
                return (f"refused: plugin function {function} may reach outside the graph; "
                        "pass --write to allow it")
    return None


def _plugin_functions(session: Any) -> list[str]:
    """Names of the server's non-built-in (plugin) functions."""
    result = session.run("SHOW FUNCTIONS YIELD name, isBuiltIn WHERE NOT isBuiltIn "
                         "RETURN name")
    return [str(record["name"]) for record in result]


# ---------------------------------------------------------------- Cypher: running


def _is_timeout(exc: Exception) -> bool:
    code = str(getattr(exc, "code", "") or "")
    return "TransactionTimedOut" in code or "TransactionTimedOutClientConfiguration" in code


def run_cypher(driver: Any, text: str, params: Mapping[str, Any] | None = None, *,
               database: str | None = None, limit: int | None = None,
               timeout: float | None = None, write: bool = False,
               native: bool = False) -> Rows:
    """Run a researcher's Cypher on Neo4j; read-only unless ``write``.

    Values are plain (:func:`~policykg.queries.values.plain_value`: dates as ISO text, for
    printing); with ``native`` dates and times are ``datetime`` objects instead.

    Without ``write`` the query's ``EXPLAIN`` plan is checked by :func:`cypher_plan_refusal`
    before it runs, then it runs in a read transaction. ``timeout`` (seconds) is the server's
    transaction timeout; ``limit`` caps the rows (``truncated`` on the result says whether it
    was hit).
    """
    import neo4j
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    from policykg.queries.cache import _GENERATION
    from policykg.queries.neo4j_backend import _neo4j_message

    params = dict(params or {})
    body = re.sub(r"^\s*(EXPLAIN|PROFILE)\b", "", text, flags=re.IGNORECASE)

    def collect(result: Any) -> tuple[list[dict[str, Any]], bool]:
        rows: list[dict[str, Any]] = []
        for record in result:
            if limit is not None and len(rows) >= limit:
                return rows, True
            rows.append({k: _cypher_plain(v, native) for k, v in record.items()})
        return rows, False

    try:
        with driver.session(database=database) as session:
            if not write:
                summary = session.run("EXPLAIN " + body, params).consume()
                refusal = cypher_plan_refusal(summary.plan or {}, _plugin_functions(session))
                if refusal is None and summary.query_type != "r":
                    refusal = (f"refused: this query is of type {summary.query_type}; "
                               "the graph is read-only unless you pass --write")
                if refusal:
                    raise QueryError(refusal)

                def work(tx: Any) -> tuple[list[dict[str, Any]], bool]:
                    result = tx.run(body, params)
                    found = collect(result)
                    result.consume()
                    return found

                if timeout:
                    work = neo4j.unit_of_work(timeout=timeout)(work)
                rows, truncated = session.execute_read(work)
                return _rows(rows, limit, truncated)
            _GENERATION[0] += 1  # cached name indexes and graphs may be stale now
            result = session.run(neo4j.Query(body, timeout=timeout), params)
            rows, truncated = collect(result)
            summary = result.consume()
            if not rows:
                counters = {k: v for k, v in vars(summary.counters).items()
                            if isinstance(v, int) and not isinstance(v, bool) and v}
                rows = [{"result": "ok", **counters}]
            return _rows(rows, limit, truncated)
    except ServiceUnavailable as exc:
        from policykg.graph.neo4j import redact

        msg = redact(f"Neo4j is unavailable: {exc}")
        raise Neo4jUnavailable(msg) from exc
    except Neo4jError as exc:
        if timeout and _is_timeout(exc):
            raise _timeout_error(timeout) from exc
        raise QueryError(_neo4j_message(exc)) from exc


def _cypher_plain(value: Any, native: bool = False) -> Any:
    """Nodes and relationships as dicts; other values as :func:`plain_value` (``native``:
    Neo4j dates and times as ``datetime.date`` / ``datetime`` / ``time``)."""
    from neo4j.graph import Node, Path, Relationship

    from policykg.queries.values import plain_value

    if isinstance(value, Node):
        return {"labels": sorted(value.labels),
                **{k: _cypher_plain(v, native) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, **{k: _cypher_plain(v, native) for k, v in value.items()}}
    if isinstance(value, Path):
        return [_cypher_plain(n, native) for n in value.nodes]
    if isinstance(value, dict):
        return {k: _cypher_plain(v, native) for k, v in value.items()}
    if isinstance(value, list):
        return [_cypher_plain(v, native) for v in value]
    if native and callable(getattr(value, "to_native", None)):
        return value.to_native()
    return plain_value(value)
