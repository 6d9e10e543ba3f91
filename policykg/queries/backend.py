"""The backend interface: where a canned query runs, and its cache per data state."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar

from policykg.queries.cache import _CACHES, _CACHES_LOCK, _GENERATION, _StateCache

_T = TypeVar("_T")


# ---------------------------------------------------------------- backends


class Backend:
    """Where a query runs: the embedded store or the Neo4j mirror."""

    kind = "abstract"

    def fetch(self, form: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run this backend's text of ``form`` (a query or fragment) with ``params``."""
        raise NotImplementedError

    def fetch_rows(self, form: Mapping[str, Any], params: Mapping[str, Any]
                   ) -> Iterator[dict[str, Any]]:
        """:meth:`fetch` one row at a time, for answers as big as the store (every edge):
        backends that can stream their rows do, the others hold them once."""
        yield from self.fetch(form, params)

    def resolve(self, text: str) -> str:
        """The IRI of the entity ``text`` names (IRI, name, alias; case and accents forgiven)."""
        raise NotImplementedError

    def _cache_owner(self) -> tuple[Any, Hashable] | None:
        """The object a cache hangs on and a scope within it (None: no cache)."""
        return None

    def state(self) -> Hashable:
        """A key that changes whenever the data changes."""
        raise NotImplementedError

    def cached(self, name: Hashable, build: Callable[[], _T]) -> _T:
        """``build()``, computed once per state of the data (see :meth:`state`).

        Used for what every call would otherwise rebuild from the whole graph: the name index
        of fuzzy name resolution, the graph of direct relationships and centrality scores.
        """
        owner = self._cache_owner()
        if owner is None:
            return build()
        target, scope = owner
        with _CACHES_LOCK:
            cache = _CACHES.get(target)
            if cache is None:
                cache = _CACHES[target] = _StateCache()
        key = (_GENERATION[0], self.state())
        with cache.lock:  # one build at a time per store or driver
            entry = cache.scopes.get(scope)
            if entry is None or entry[0] != key:
                entry = (key, {})
                cache.scopes[scope] = entry
            values = entry[1]
            if name not in values:
                values[name] = build()
            return values[name]  # type: ignore[no-any-return]
