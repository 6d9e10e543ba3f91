"""Running canned queries on either backend, and their rows as networkx graphs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policykg.exceptions import PluginUnavailable, QueryError
from policykg.graph.store import Store
from policykg.plugins import load_object
from policykg.queries.backend import Backend
from policykg.queries.definitions import CannedQuery, fragment, get_query
from policykg.queries.embedded import EmbeddedBackend
from policykg.queries.neo4j_backend import Neo4jBackend
from policykg.queries.values import coerce_params, normalize_rows


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

    def fetch_rows(self, name: str, **params: Any) -> Iterator[dict[str, Any]]:
        """A fragment's rows one at a time (for answers as big as the store)."""
        form = fragment(name)
        form = {**form, "iri_params": set(form.get("iri_params") or ()) | {"actor"}}
        return self.backend.fetch_rows(form, {**self.params, **params})

    def _iri_params(self) -> set[str]:
        return {p.name for p in self.query.params if p.type == "actor"}


def run_query(on: Any, name: str, /, *, database: str | None = None,
              timeout: float | None = None, **params: Any) -> list[dict[str, Any]]:
    """Run the canned query ``name`` on a store or a neo4j driver; rows of plain values.

    Example:
        >>> from policykg.graph.store import OxigraphStore
        >>> run_query(OxigraphStore(), "office-at", date="2017-03-01")  # nobody holds office
        []
        >>> run_query(OxigraphStore(), "office-at", date="March 2017")
        Traceback (most recent call last):
        ...
        policykg.exceptions.QueryError: not a date: 'March 2017' (use YYYY-MM-DD, YYYY-MM or YYYY)
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
    try:
        function = load_object(spec)
    except PluginUnavailable as exc:
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
