"""Caches per state of the data: what queries would otherwise rebuild from the whole graph."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from typing import Any

# ---------------------------------------------------------------- caches per data state


class _StateCache:
    """Values computed from one state of a backend's data, dropped when the state changes."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.scopes: dict[Hashable, tuple[Hashable, dict[Hashable, Any]]] = {}


#: One cache per store or driver; an entry goes when its store or driver is garbage collected.
_CACHES: weakref.WeakKeyDictionary[Any, _StateCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
#: Bumped by every write through run_sparql/run_cypher and by clear_caches(): part of every key.
_GENERATION = [0]


def clear_caches() -> None:
    """Forget every cached name index and graph (after writing to a store or Neo4j directly).

    Writes through the :class:`~policykg.graph.store.Store` API, :func:`run_sparql` and
    :func:`run_cypher` are seen without this.
    """
    with _CACHES_LOCK:
        _GENERATION[0] += 1
        _CACHES.clear()
