"""Namespaces of policykg's own resources, beside the vocabulary in :mod:`.namespace`.

Entities and facts live under ``ID`` (``id/<family>/<key>``), sources under ``SOURCE`` and the
SHACL shapes under ``SHAPES``. They are open :class:`Namespace` objects: the keys are minted
from data (:mod:`policykg.identity`, :mod:`policykg.facts`), not listed in advance.

>>> ID["org/dhs"]
rdflib.term.URIRef('https://w3id.org/policykg/id/org/dhs')
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import Namespace

__all__ = ["BASE", "ID", "SHAPES", "SOURCE", "STORE", "id_iri"]

#: The root every policykg IRI starts with.
BASE = Namespace("https://w3id.org/policykg/")
ID = Namespace(BASE["id/"])
SOURCE = Namespace(BASE["source/"])
SHAPES = Namespace(BASE["shapes#"])
#: Bookkeeping terms of a SPARQL server's system graph (source graphs, staged loads): in the
#: vocabulary's namespace but not in the ontology, since no data uses them.
STORE = Namespace(BASE["ns#"])

_ID_TEXT = str(ID)


def id_iri(key: str) -> URIRef:
    """``ID[key]`` without the namespace's two extra calls: bulk loaders mint several per record.

    >>> id_iri("org/dhs") == ID["org/dhs"]
    True
    """
    return URIRef(_ID_TEXT + key)
