"""policykg: a knowledge graph of political actors and policies, with evidence.

The Python API starts here: ``kg = policykg.open("path/to/store")`` (see :mod:`policykg.api`).
The API is imported on first use, so that a loader, the CLI or a benchmark importing one
submodule does not also import the store, resolution and fuzzy-matching modules behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykg.api import KnowledgeGraph
    from policykg.api import open_graph as open  # noqa: A001 - the API's entry point

__all__ = ["KnowledgeGraph", "open"]

_API_NAMES = {"KnowledgeGraph": "KnowledgeGraph", "open": "open_graph"}


def __getattr__(name: str) -> Any:
    if name in _API_NAMES:
        from policykg import api

        return getattr(api, _API_NAMES[name])
    msg = f"module 'policykg' has no attribute {name!r}"
    raise AttributeError(msg)
