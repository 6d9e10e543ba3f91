"""The triple type loaders yield, and term conversions (kept here for existing imports).

The conversions to and from the embedded backend's own terms live in
:mod:`policykg.graph.store_terms`, beside the backend, so no module outside the store imports
pyoxigraph.
"""

from __future__ import annotations

from policykg.graph.store_terms import Triple, from_ox, is_native, sparql_term, to_ox, triple_to_ox

__all__ = ["Triple", "to_ox", "from_ox", "triple_to_ox", "is_native", "sparql_term"]
