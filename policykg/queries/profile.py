"""The Python half of ``profile``: an actor's classes with their superclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykg.queries.funding import _funding_per_flow
from policykg.queries.graphs import pkg_classes, superclasses

if TYPE_CHECKING:
    from policykg.queries import QueryContext

def profile_types(ctx: QueryContext) -> list[dict[str, Any]]:
    """``profile``: list every pkg class of the actor, with superclasses (as Neo4j labels do)."""
    rows = ctx.fetch()
    classes = pkg_classes()
    types = {r["value"] for r in rows if r.get("field") == "type" and r.get("value") in classes}
    closure = set(types).union(*(superclasses(t) for t in types)) if types else set()
    out = [r for r in rows if r.get("field") != "type" and r.get("fact") is None
           and not isinstance(r.get("value"), list)]
    # Neo4j holds several preferred names as one list property: one row per name, as in SPARQL.
    out += [{**r, "value": v} for r in rows if isinstance(r.get("value"), list)
            for v in r["value"]]
    out += _funding_per_flow([r for r in rows if r.get("fact") is not None], ctx)
    actor = ctx.params.get("actor")
    out += [{"actor": actor, "field": "type", "value": t, "detail": None, "start": None,
             "end": None, "sources": []} for t in sorted(closure)]
    return out
