"""The Python half of ``relations``: direct relationships around an actor, to a depth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykg.queries.graphs import _edge_key, _edge_row, _with_details, fetch_links, upper_snake

if TYPE_CHECKING:
    from policykg.queries import QueryContext

def relations(ctx: QueryContext) -> list[dict[str, Any]]:
    """``relations``: breadth-first over direct edges, up to ``depth`` steps from the actor.

    The walk fetches only the edges (fact, relation, ends); details and names are fetched
    once at the end, for the edges listed.
    """
    actor = ctx.params["actor"]
    wanted = upper_snake(ctx.params["type"]) if ctx.params.get("type") else None
    seen = {actor}
    frontier = [actor]
    found: dict[tuple[Any, ...], tuple[dict[str, Any], int]] = {}
    for depth in range(1, int(ctx.params.get("depth") or 1) + 1):
        if not frontier:
            break
        following: set[str] = set()
        for link in fetch_links(ctx, frontier):
            if wanted and link.get("relation") != wanted:
                continue
            key = _edge_key(link)
            if key in found:
                continue
            found[key] = (link, depth)
            for node in (link.get("src"), link.get("dst")):
                if isinstance(node, str) and node not in seen:
                    seen.add(node)
                    following.add(node)
        frontier = sorted(following)
    keys = list(found)
    edges = _with_details(ctx, [found[k][0] for k in keys])
    return [_edge_row(edge, depth=found[k][1]) for k, edge in zip(keys, edges, strict=True)]
