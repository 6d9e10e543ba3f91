"""Caches per state of the data: what queries would otherwise rebuild from the whole graph."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Hashable
from typing import Any

from policykg.graph.store import Store

# ---------------------------------------------------------------- caches per data state


class _StateCache:
    """Values computed from one state of a backend's data, dropped when the state changes."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.scopes: dict[Hashable, tuple[Hashable, dict[Hashable, Any]]] = {}


#: One cache per store or driver; an entry goes when its store or driver is garbage collected.
_CACHES: weakref.WeakKeyDictionary[Any, _StateCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
#: Write counters of the stores seen by this module (see ``_store_version``).
_WRITES: weakref.WeakKeyDictionary[Store, list[int]] = weakref.WeakKeyDictionary()
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


def _store_version(store: Store) -> int:
    """How many writes this store has seen since this module first looked at it.

    The store keeps no version of its own and ``len()`` counts every quad (150-300 ms at 1M
    triples), so the writing methods of the store object are wrapped to count calls. Every
    write of policykg goes through them (``replace_graph(s)``, ``remove_graph``); SPARQL
    updates through :func:`run_sparql` are counted too.
    """
    with _CACHES_LOCK:
        counter = _WRITES.get(store)
        if counter is None:
            counter = [0]
            _WRITES[store] = counter
            for name in ("replace_graphs", "replace_graph", "remove_graph"):
                _count_calls(store, name, counter)
        return counter[0]


def _count_calls(store: Store, name: str, counter: list[int]) -> None:
    method = getattr(store, name)

    @functools.wraps(method)
    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            counter[0] += 1

    setattr(store, name, counted)


def _note_write(store: Store) -> None:
    _store_version(store)
    with _CACHES_LOCK:
        _WRITES[store][0] += 1
