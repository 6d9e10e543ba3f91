"""The extractor's data model: a document and what is found in it.

All offsets refer to :attr:`Document.text`; ``statement.text == doc.text[start:end]``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykg.exceptions import ArticleError
from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.text import TextReadError, read_article_bytes

EXTRACTOR_NAME = "policykg.article"
EXTRACTOR_VERSION = "0.1"


# ---------------------------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------------------------

Span = tuple[int, int]


@dataclass
class Document:
    """An article: its body text (all offsets refer to it) and its metadata."""

    text: str
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    content_hash: str = ""
    path: Path | None = None


@dataclass
class PersonMention:
    """A person with every mention of them in the text."""

    name: str
    mentions: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    role: str | None = None
    affiliation: str | None = None
    gender: str = ""
    confidence: float = 0.9


@dataclass
class OrganizationMention:
    """An organization (or country) with every mention of it in the text."""

    name: str
    type: str
    mentions: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    confidence: float = 0.9


@dataclass
class Amount:
    """A money amount."""

    text: str
    value: float | None
    currency: str
    qualifier: str | None
    start: int
    end: int
    funder: str | None = None
    recipient: str | None = None
    program: str | None = None
    confidence: float = 0.9
    #: every recipient when several are coordinated ("Honduras and Guatemala").
    recipients: list[str] = field(default_factory=list)


@dataclass
class Statistic:
    """A count or percentage that is not money, with what it measures as the text states it.

    ``unit`` is what a count counts ("deportees") or ``"percent"``; ``measure`` the noun phrase
    the figure quantifies ("total number of deportees", "increase in reported thefts");
    ``period`` the period phrase of the figure's own clause ("in the past four years");
    ``period_value`` that period as an ISO year or year-month when it names one calendar year.
    """

    text: str
    value: float
    unit: str | None
    period: str | None
    subject: str | None
    start: int
    end: int
    confidence: float = 0.7
    qualifier: str | None = None
    measure: str | None = None
    period_value: str | None = None


@dataclass
class Statement:
    """Something an actor said or wrote; ``text`` is ``doc.text[start:end]``."""

    speaker: str
    text: str
    cue: str
    kind: str
    start: int
    end: int
    confidence: float = 0.8
    #: for a ``Questioner`` turn, the reporter the host named just before ("Go ahead, Said.")
    questioner: str | None = None


@dataclass
class Relation:
    """A relation stated by the text, with the span of the sentence that states it."""

    subject: str
    predicate: str
    object: str
    start: int
    end: int
    confidence: float = 0.7


@dataclass
class Extraction:
    """Everything extracted from one document."""

    document: Document
    persons: list[PersonMention] = field(default_factory=list)
    organizations: list[OrganizationMention] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    extractor: str = EXTRACTOR_NAME
    version: str = EXTRACTOR_VERSION

    def to_json(self) -> dict[str, Any]:
        """Return the JSON contract printed by ``policykg extract FILE --format json``.

        Returns:
            A dictionary with ``source``, ``persons``, ``organizations``, ``amounts``,
            ``statistics``, ``statements`` and ``relations``.
        """
        doc = self.document
        return {
            "source": {"title": doc.title, "date": doc.date, "url": doc.url},
            "persons": [
                {
                    "name": p.name,
                    "mentions": list(p.mentions),
                    "role": p.role,
                    "affiliation": p.affiliation,
                }
                for p in self.persons
            ],
            "organizations": [
                {"name": o.name, "mentions": list(o.mentions), "type": o.type}
                for o in self.organizations
            ],
            "amounts": [
                {
                    "text": a.text,
                    "value": a.value,
                    "currency": a.currency,
                    "qualifier": a.qualifier,
                    "funder": a.funder,
                    "recipient": a.recipient,
                    "program": a.program,
                }
                for a in self.amounts
            ],
            "statistics": [
                {
                    "text": s.text,
                    "value": s.value,
                    "qualifier": s.qualifier,
                    "unit": s.unit,
                    "measure": s.measure,
                    "period": s.period,
                    "period_value": s.period_value,
                    "subject": s.subject,
                }
                for s in self.statistics
            ],
            "statements": [
                {
                    "speaker": s.speaker,
                    "text": s.text,
                    "cue": s.cue,
                    "kind": s.kind,
                    "start": s.start,
                    "end": s.end,
                }
                for s in self.statements
            ],
            "relations": [
                {"subject": r.subject, "predicate": r.predicate, "object": r.object}
                for r in self.relations
            ],
        }


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        return m.group(0)
    months = {name.lower(): i for i, name in enumerate(gz.MONTHS, start=1)}
    m = re.search(r"([A-Z][a-z]+)\.? (\d{1,2}), (\d{4})", value)
    if m and m.group(1).lower() in months:
        return f"{m.group(3)}-{months[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    return None


def document_from_text(
    text: str,
    *,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
) -> Document:
    """Build a :class:`Document` from a body text already in memory.

    Args:
        text: The body text.
        title: The title, if known.
        date: The publication date, if known.
        publisher: The publisher, if known.
        url: The URL, if known.

    Returns:
        The document; its content hash is the sha256 of the UTF-8 text.
    """
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Document(
        text=text,
        title=title,
        date=_iso_date(date) or date,
        publisher=publisher,
        url=url,
        content_hash=digest,
        path=None,
    )


def read_document(path: Path) -> Document:
    """Read an article file (HTML, front-matter text or plain text).

    Args:
        path: The file to read.

    Returns:
        The document with its body text and metadata.

    Raises:
        ArticleError: If the file cannot be read, is empty, binary, not UTF-8 or too large.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    try:
        meta, body = read_article_bytes(raw, path)
    except TextReadError as exc:
        raise ArticleError(str(exc)) from None
    if not body.strip():
        raise ArticleError(f"{path}: no article text found")
    return Document(
        text=body,
        title=meta.get("title") or None,
        date=_iso_date(meta.get("date")) or meta.get("date") or None,
        publisher=meta.get("publisher") or meta.get("source") or None,
        url=meta.get("url") or meta.get("link") or None,
        content_hash=hashlib.sha256(raw).hexdigest(),
        path=path,
    )
