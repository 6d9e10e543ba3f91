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


# Where each part lives: definitions (YAML files, fragments), values (parameters in, rows out),
# cache (per data state), backend (the interface), embedded and neo4j_backend (one module per
# backend), run (canned queries on either backend), adhoc (researchers' own queries and their
# guards), and graphs (the Python functions canned queries may name).

from __future__ import annotations

from policykg.exceptions import Neo4jUnavailable, QueryError
from policykg.queries.adhoc import (
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
from policykg.queries.backend import Backend
from policykg.queries.cache import clear_caches
from policykg.queries.definitions import (
    PARAM_TYPES,
    QUERY_DIR,
    CannedQuery,
    Param,
    fragment,
    get_query,
    load_queries,
)
from policykg.queries.embedded import EmbeddedBackend
from policykg.queries.neo4j_backend import QUERY_INDEXES, Neo4jBackend, ensure_indexes
from policykg.queries.run import (
    QueryContext,
    backend_for,
    parse_param_value,
    query_graph,
    run_query,
    to_networkx,
)
from policykg.queries.values import (
    LIST_SEP,
    coerce_params,
    normalize_fetched,
    normalize_rows,
    plain_value,
)

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
    "QUERY_DIR",
    "LIST_SEP",
    "normalize_fetched",
    "QueryError",
    "Neo4jUnavailable",
]
