"""Namespaces of other projects' identifiers that rdflib does not ship.

Wikidata items are open-ended (any ``Q`` number), so this is a plain :class:`Namespace`, not a
closed one: ``WIKIDATA["Q7747"]`` is the item a ``wikidataId`` names.

>>> WIKIDATA["Q7747"]
rdflib.term.URIRef('http://www.wikidata.org/entity/Q7747')
"""

from __future__ import annotations

from rdflib.namespace import Namespace

__all__ = ["SCHEMA_HTTP", "WIKIDATA"]

#: Wikidata entities (items ``Q…`` and properties ``P…``), as ``owl:sameAs`` targets.
WIKIDATA = Namespace("http://www.wikidata.org/entity/")

#: schema.org under its older ``http://`` address, which some published data still uses
#: (rdflib's ``SDO`` is the ``https://`` one).
SCHEMA_HTTP = Namespace("http://schema.org/")
