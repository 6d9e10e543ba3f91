"""The one exception hierarchy of policykg.

::

    PolicyKGError
     ├── InvalidOntology        a term or shape in the ontology is wrong or unknown
     ├── LoaderError            a source cannot be read; names the file, line or record and field
     │    ├── UnknownFormat     no loader claims the file
     │    ├── LimitExceeded     an input is over a size, line-length or nesting limit (names it)
     │    ├── UnsafeInput       a construct refused on sight: XML DTD/entities, YAML aliases
     │    ├── FormatMismatch    most records fail under a format forced with --format
     │    ├── RecordError       one bad record of an open-data file (counted by reason)
     │    ├── CuratedRecordError  one bad record of a curated file (maybe recoverable)
     │    ├── ArticleError      an article file cannot be read (names the file)
     │    └── TextReadError     bytes cannot be read as article text (also a ValueError)
     ├── ValidationFailed       SHACL violations (carries the report)
     ├── QueryError            a query is malformed, unknown, refused as a write, or failed
     │    ├── AmbiguousName     an actor name matches several entities (carries the candidates)
     │    └── SelectionTooLarge  an export selection has more nodes than allowed
     ├── PluginUnavailable      a registered ``module:Name`` reference does not import
     ├── ResolutionError        an entity judgement cannot be applied
     └── StoreError             the store cannot be opened or written
          └── Neo4jUnavailable  Neo4j is unreachable, refuses the credentials or lacks the database

Messages are built to be shown to a user as one line, and never contain credentials.
"""

from __future__ import annotations

import re

__all__ = [
    "PolicyKGError",
    "InvalidOntology",
    "LoaderError",
    "UnknownFormat",
    "LimitExceeded",
    "UnsafeInput",
    "FormatMismatch",
    "RecordError",
    "CuratedRecordError",
    "ArticleError",
    "TextReadError",
    "SelectionTooLarge",
    "PluginUnavailable",
    "ValidationFailed",
    "QueryError",
    "AmbiguousName",
    "ResolutionError",
    "StoreError",
    "StoreBusyError",
    "BulkImportError",
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
        message = printable(message)
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        self.reason = message
        where = printable(path, limit=1000) if path else "<input>"
        if line is not None:
            where += f":{line}"
        if record is not None:
            where += f": record {printable(record, limit=200)}"
        if field is not None:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")


class UnknownFormat(LoaderError):
    """No registered loader recognises the file."""


class LimitExceeded(LoaderError):
    """An input is over a limit (decompressed bytes, line length, nesting depth).

    The message names the limit and the ``policykg load`` option that raises it.
    """


class UnsafeInput(LoaderError):
    """The input uses a construct refused on sight (an XML DTD or entity, a YAML alias)."""


class FormatMismatch(LoaderError):
    """Under a format forced with ``--format``, most records of the file failed."""


#: Control characters (C0 but tab, DEL, C1) that must not reach a terminal raw.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_MAX_MESSAGE = 400


def printable(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` as one printable line: control characters and undecodable bytes escaped,
    clipped to ``limit`` characters (a parser may echo a whole 26 MB line)."""
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit} more characters)"
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    # Lone surrogates (a non-UTF-8 file name, JSON "\ud800") cannot be printed as they are.
    try:  # a file name's undecodable bytes came in as U+DC80..U+DCFF: show them as \xNN
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _UnplacedLoaderError(LoaderError):
    """Raised inside a loader before the file or record is known: the message is kept as is.

    The loader that catches it reports the file and record (or counts the record as skipped).
    """

    def __init__(self, message: str) -> None:
        PolicyKGError.__init__(self, message)
        self.message = message
        self.path = self.record = None
        self.line = None
        self.field = None
        self.reason = message


class RecordError(_UnplacedLoaderError):
    """A bad record inside a loader: ``reason`` counts it in the load summary."""

    def __init__(self, message: str, reason: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field


class CuratedRecordError(_UnplacedLoaderError):
    """A bad record of a curated file; a recoverable one skips the record, others the file."""

    def __init__(self, message: str, field: str | None = None, *,
                 recoverable: bool = True) -> None:
        super().__init__(message)
        self.field = field
        self.recoverable = recoverable


class ArticleError(_UnplacedLoaderError):
    """An article file cannot be read; the message names the file."""


class TextReadError(_UnplacedLoaderError, ValueError):
    """Bytes cannot be read as an article; the message is shown to the user."""


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


class SelectionTooLarge(QueryError):
    """The selection has more nodes than ``max_nodes`` allows."""

    def __init__(self, message: str, count: int, limit: int) -> None:
        super().__init__(message)
        self.count = count
        self.limit = limit


class PluginUnavailable(PolicyKGError):
    """A registered ``"package.module:Name"`` reference is malformed or does not import."""


class ResolutionError(PolicyKGError):
    """An entity-resolution judgement cannot be applied."""


class StoreError(PolicyKGError):
    """The store cannot be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process holds the store's writer lock (the message names it)."""


class Neo4jUnavailable(StoreError):
    """Neo4j is unreachable, rejects the credentials, or lacks the database."""


class BulkImportError(StoreError):
    """The import files for neo4j-admin cannot be written, or the import cannot run."""
