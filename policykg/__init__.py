"""policykg: a knowledge graph of political actors and policies, with evidence.

The Python API starts here: ``kg = policykg.open("path/to/store")`` (see :mod:`policykg.api`).
"""

from __future__ import annotations

from policykg.api import KnowledgeGraph
from policykg.api import open_graph as open  # noqa: A001 - the API's entry point, by design

__all__ = ["KnowledgeGraph", "open"]
