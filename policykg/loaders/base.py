"""What a loader is, and the context it reads from while it yields triples.

A loader turns one file into triples. It never writes to a store: the load pipeline
(:mod:`policykg.load`) collects what it yields into the source's named graph, atomically.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from policykg.graph.terms import Triple
from policykg.identity import stable_hash
from policykg.loaders.records import canonical_decimal
from policykg.ontology.namespace import PKG

__all__ = ["Loader", "LoadContext", "LoadWarning"]


@dataclass(frozen=True)
class LoadWarning:
    """A recoverable problem in a record that was skipped or repaired (``--lenient``)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class LoadContext:
    """What a loader may know about the load it is part of."""

    #: IRI (and named graph) of the source being loaded.
    source: URIRef
    #: Turn recoverable record errors into warnings instead of failing the whole file.
    lenient: bool = False
    #: Fail the whole file on any bad record (open-data loaders skip bad records by default).
    strict: bool = False
    #: Answers whether an entity IRI exists already (in the store or earlier in this load).
    exists: Callable[[URIRef], bool] = lambda iri: False
    warnings: list[LoadWarning] = field(default_factory=list)
    #: Records skipped because they were bad, by reason.
    skipped: dict[str, int] = field(default_factory=dict)
    #: Entity IRIs this load defines, so later files in the same load can refer to them.
    defined: set[URIRef] = field(default_factory=set)
    #: Finds an entity already in the store by name or alias (case/accent-insensitive) and
    #: optional class local names; returns None when there is no single match.
    match_entity: Callable[[str, frozenset[str] | None], URIRef | None] = (
        lambda name, types: None
    )

    def warn(self, location: str, message: str, *, reason: str | None = None) -> None:
        """Record a warning; ``reason`` also counts the record as skipped."""
        self.warnings.append(LoadWarning(location, message))
        if reason is not None:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def evidence(
        self,
        fact: URIRef,
        *,
        extractor: str,
        version: str,
        record: str | None = None,
        start: int | None = None,
        end: int | None = None,
        confidence: float = 1.0,
        quote: str | None = None,
    ) -> Iterator[Triple]:
        """Triples attaching one evidence node (this source, span or record) to ``fact``."""
        node = URIRef(f"{fact}/ev/{stable_hash(self.source, record, start, end)[:12]}")
        yield fact, PKG.evidence, node
        yield node, RDF.type, PKG.Evidence
        yield node, PKG.source, self.source
        yield node, PKG.extractor, Literal(extractor)
        yield node, PKG.extractorVersion, Literal(version)
        yield node, PKG.confidence, Literal(canonical_decimal(round(confidence, 3)),
                                            datatype=XSD.decimal)
        if record is not None:
            yield node, PKG.record, Literal(record)
        if start is not None and end is not None:
            yield node, PKG.charStart, Literal(start)
            yield node, PKG.charEnd, Literal(end)
        if quote:
            yield node, PKG.quote, Literal(quote)


class Loader(ABC):
    """Reads one kind of file into policykg triples."""

    #: Short name used by ``--format`` and in provenance.
    name: str = ""
    #: Version recorded in evidence; bump when the mapping changes.
    version: str = "0.1"
    #: File name endings this loader claims (lowercase, with the dot).
    extensions: tuple[str, ...] = ()
    #: One line for ``policykg formats``.
    description: str = ""

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether this loader reads ``path``; ``head`` is its first bytes (decompressed)."""
        name = path.name.lower()
        return any(name.endswith(ext) for ext in self.extensions)

    @abstractmethod
    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        """Yield the triples of ``path``; raise :class:`~policykg.exceptions.LoaderError`."""

    def native_files(self, path: Path) -> list[tuple[Path, Any]] | None:
        """Files the store may bulk-load natively instead of calling :meth:`load`.

        Returns (path, pyoxigraph RdfFormat) pairs, or None to go through :meth:`load`.
        """
        return None

    def describe_source(self, path: Path) -> Iterator[Triple]:
        """Extra triples about the source document (title, url...); none by default."""
        return iter(())
