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

from policykg.graph.store import PREFIXES
from policykg.graph.store_terms import from_ox


def _term(spec: dict[str, str]) -> Any:
    if "iri" in spec:
        return ox.NamedNode(spec["iri"])
    datatype = spec.get("datatype")
    return ox.Literal(spec["value"], language=spec.get("language"),
                      datatype=ox.NamedNode(datatype) if datatype else None)


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")


def main() -> int:
    """Answer the request on stdin; 0 when all rows were written."""
    from policykg.queries.values import plain_value

    request = json.loads(sys.stdin.read())
    bindings = {k: _term(v) for k, v in request["bindings"].items()}
    try:
        store = ox.Store.read_only(request["path"])
        try:
            result = store.query(
                request["query"], use_default_graph_as_union=True, prefixes=PREFIXES,
                substitutions={ox.Variable(k): v for k, v in bindings.items()} or None)
        except RuntimeError as exc:
            if not bindings or "SELECT projection" not in str(exc):
                raise
            # Oxigraph substitutes only selected variables: bind the others as a server does.
            from policykg.graph.store_remote import bind_query

            text = bind_query(request["query"], {k: from_ox(v) for k, v in bindings.items()})
            result = store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        _emit({"error": "SPARQL syntax error: " + " ".join(str(exc).split())})
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
