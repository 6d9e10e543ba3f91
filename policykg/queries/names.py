"""Display names: the one name an actor is shown with, the same on both backends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykg.queries import QueryContext

#: Nodes or facts per fetch: one query per batch keeps the VALUES lists and Cypher lists short.
_BATCH = 500


def display_name(names: Iterable[tuple[str, bool]]) -> str | None:
    """The one name an actor is shown with, from its ``(name, stated by a curated record)`` pairs.

    A name a researcher wrote in a curated record wins over names from other sources (open
    data, articles); within the chosen group the shortest wins, then the first in code-point
    order, so the choice never depends on the backend or the order of loading.

    Example:
        >>> display_name([("U.S. Government - Department of State", False),
        ...               ("Department of State", False)])
        'Department of State'
        >>> display_name([("Department of State", False), ("U.S. State Department", True)])
        'U.S. State Department'
    """
    pairs = [(str(n), bool(c)) for n, c in names if n]
    if not pairs:
        return None
    curated = [n for n, c in pairs if c]
    pool = curated or [n for n, _ in pairs]
    return min(pool, key=lambda n: (len(n), n))


def _prov_positions(prov: Any, key: str) -> dict[int, list[int]]:
    """From a mirrored node's ``_prov`` list: value index → positions in its ``_sources``."""
    out: dict[int, list[int]] = {}
    for entry in prov if isinstance(prov, list) else []:
        parts = str(entry).split("\t")
        if len(parts) == 3 and parts[0] == key:
            out[int(parts[1])] = [int(i) for i in parts[2].split(",") if i]
    return out


def display_names(ctx: QueryContext, nodes: Iterable[Any]) -> dict[str, str]:
    """The display name (:func:`display_name`) of each node that has a preferred name.

    The embedded store tells which named graphs state a name; the Neo4j mirror tells it through
    the node's ``_sources`` and ``_prov`` (see docs/neo4j-mapping.md), so both backends choose
    the same name.
    """
    ordered = sorted({n for n in nodes if isinstance(n, str)})
    names: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for start in range(0, len(ordered), _BATCH):
        for row in ctx.fetch("display_labels", uri=ordered[start:start + _BATCH]):
            uri = str(row["uri"])
            if "labels" not in row:  # embedded: one row per name
                names[uri].append((str(row["label"]), row.get("curated") is True))
                continue
            labels = row["labels"] if isinstance(row["labels"], list) else [row["labels"]]
            graphs = row.get("graphs") or []
            curated = set(row.get("curated_graphs") or [])
            positions = _prov_positions(row.get("prov"), "prefLabel")
            for index, label in enumerate(labels):
                stated_by = ([graphs[i] for i in positions[index] if i < len(graphs)]
                             if index in positions else graphs)
                names[uri].append((str(label), bool(curated.intersection(stated_by))))
    return {uri: name for uri, pairs in names.items()
            if (name := display_name(pairs)) is not None}
