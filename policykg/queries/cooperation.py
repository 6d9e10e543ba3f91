"""The Python half of ``cooperation``: direct edges between two actors' sides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykg.queries.graphs import _edge_row, _with_details, fetch_links

if TYPE_CHECKING:
    from policykg.queries import QueryContext

_HOW_ORDER = {"self": 0, "agency": 1, "part": 2, "member": 3}


def _side(ctx: QueryContext, actor: str) -> dict[str, str]:
    side: dict[str, str] = {actor: "self"}
    for row in ctx.fetch("side", actor=actor):
        uri, how = row["uri"], row["how"]
        if uri not in side or _HOW_ORDER[how] < _HOW_ORDER[side[uri]]:
            side[uri] = how
    return side


def cooperation(ctx: QueryContext) -> list[dict[str, Any]]:
    """``cooperation``: direct edges between A's side and B's side (self, agencies, officials)."""
    sides = (_side(ctx, ctx.params["a"]), _side(ctx, ctx.params["b"]))
    matched: list[tuple[dict[str, Any], str, str]] = []
    for link in fetch_links(ctx, sides[0]):
        src, dst = link.get("src"), link.get("dst")
        if src == dst:
            continue
        for first, second, names in ((0, 1, ("A", "B")), (1, 0, ("B", "A"))):
            if src in sides[first] and dst in sides[second]:
                matched.append((link, f"{names[0]} {sides[first][src]}",
                                f"{names[1]} {sides[second][dst]}"))
                break
    edges = _with_details(ctx, [link for link, _, _ in matched])
    return [_edge_row(edge, from_side=from_side, to_side=to_side)
            for edge, (_, from_side, to_side) in zip(edges, matched, strict=True)]
