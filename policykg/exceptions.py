"""The one exception hierarchy of policykg.

::

    PolicyKGError
     ├── InvalidOntology        a term or shape in the ontology is wrong or unknown
     ├── LoaderError            a source cannot be read; names the file, line or record and field
     │    └── UnknownFormat     no loader claims the file
     ├── ValidationFailed       SHACL violations (carries the report)
     ├── QueryError            a query is malformed, unknown, refused as a write, or failed
     │    └── AmbiguousName     an actor name matches several entities (carries the candidates)
     ├── ResolutionError        an entity judgement cannot be applied
     └── StoreError             the store cannot be opened or written
          └── Neo4jUnavailable  Neo4j is unreachable, refuses the credentials or lacks the database

Messages are built to be shown to a user as one line, and never contain credentials.
"""

from __future__ import annotations

__all__ = [
    "PolicyKGError",
    "InvalidOntology",
    "LoaderError",
    "UnknownFormat",
    "ValidationFailed",
    "QueryError",
    "AmbiguousName",
    "ResolutionError",
    "StoreError",
    "Neo4jUnavailable",
]


class PolicyKGError(Exception):
    """Base class of every error policykg raises on purpose."""


class InvalidOntology(PolicyKGError):
    """The ontology or a shape is malformed, or a term is not in it."""


class LoaderError(PolicyKGError):
    """A source could not be loaded.

    The message names the file and, where known, the line or record and the field.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        self.reason = message
        where = path or "<input>"
        if line is not None:
            where += f":{line}"
        if record is not None:
            where += f": record {record}"
        if field is not None:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")


class UnknownFormat(LoaderError):
    """No registered loader recognises the file."""


class ValidationFailed(PolicyKGError):
    """SHACL validation found violations; ``report`` holds the readable text."""

    def __init__(self, message: str, report: str = "") -> None:
        super().__init__(message)
        self.report = report


class QueryError(PolicyKGError):
    """A query is unknown, malformed, refused (a write without permission) or failed."""


class AmbiguousName(QueryError):
    """A name matches several entities; ``candidates`` lists (iri, label, type) tuples."""

    def __init__(self, message: str, candidates: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.candidates = candidates


class ResolutionError(PolicyKGError):
    """An entity-resolution judgement cannot be applied."""


class StoreError(PolicyKGError):
    """The store cannot be opened, read or written."""


class Neo4jUnavailable(StoreError):
    """Neo4j is unreachable, rejects the credentials, or lacks the database."""
