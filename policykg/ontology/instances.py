"""Namespaces of policykg's own resources, beside the vocabulary in :mod:`.namespace`.

Entities and facts live under ``ID`` (``id/<family>/<key>``), sources under ``SOURCE`` and the
SHACL shapes under ``SHAPES``. They are open :class:`Namespace` objects: the keys are minted
from data (:mod:`policykg.identity`, :mod:`policykg.facts`), not listed in advance.

>>> ID["org/dhs"]
rdflib.term.URIRef('https://w3id.org/policykg/id/org/dhs')
"""

from __future__ import annotations

from rdflib.namespace import Namespace

__all__ = ["BASE", "ID", "SHAPES", "SOURCE", "STORE"]

#: The root every policykg IRI starts with.
BASE = Namespace("https://w3id.org/policykg/")
ID = Namespace(BASE["id/"])
SOURCE = Namespace(BASE["source/"])
SHAPES = Namespace(BASE["shapes#"])
#: Bookkeeping terms of a SPARQL server's system graph (source graphs, staged loads): in the
#: vocabulary's namespace but not in the ontology, since no data uses them.
STORE = Namespace(BASE["ns#"])
