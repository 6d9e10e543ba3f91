"""The child process of :func:`policykg.queries.adhoc.run_sparql` for stores on disk.

Reads one JSON request on stdin (store path, query, bindings as JSON terms), opens the
store read-only and writes one JSON line per row: ``{"row": {...}}``, or ``{"error": "..."}``.
Its parent kills it at the deadline or when it has enough rows.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from policykg.exceptions import QueryError
from policykg.graph.store import query_oxigraph
from policykg.graph.store_terms import from_ox


def _term(spec: dict[str, str]) -> URIRef | Literal:
    if "iri" in spec:
        return URIRef(spec["iri"])
    datatype = spec.get("datatype")
    return Literal(spec["value"], lang=spec.get("language"),
                   datatype=URIRef(datatype) if datatype else None)


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")


def main() -> int:
    """Answer the request on stdin; 0 when all rows were written."""
    from policykg.queries.values import plain_value

    request = json.loads(sys.stdin.read())
    try:
        store = ox.Store.read_only(request["path"])
        result = query_oxigraph(store, request["query"],
                                {k: _term(v) for k, v in request["bindings"].items()})
    except QueryError as exc:
        _emit({"error": str(exc)})
        return 1
    except OSError as exc:
        _emit({"error": "SPARQL query failed: " + " ".join(str(exc).split())})
        return 1
    try:
        if isinstance(result, ox.QueryBoolean):
            _emit({"row": {"result": bool(result)}})
        elif isinstance(result, ox.QueryTriples):
            for t in result:
                _emit({"row": {"subject": plain_value(from_ox(t.subject)),
                               "predicate": plain_value(from_ox(t.predicate)),
                               "object": plain_value(from_ox(t.object))}})
        else:
            names = [v.value for v in result.variables]
            for s in result:
                _emit({"row": {n: plain_value(from_ox(s[n])) for n in names
                               if s[n] is not None}})
    except OSError as exc:
        _emit({"error": "SPARQL query failed: " + " ".join(str(exc).split())})
        return 1
    except BrokenPipeError:  # the parent has all it wants
        return 0
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
