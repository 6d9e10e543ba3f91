"""Rule-based extraction of actors, amounts, statistics, statements and relations from news.

No statistical model is used: the extractor combines gazetteers
(:mod:`policykg.loaders.article.gazetteer`), regular expressions and a few ordered heuristics.

Conventions of the output (see :meth:`Extraction.to_json`):

* ``mentions`` is the list of distinct surface forms of an entity, in order of first
  appearance (strings, not a count). Character spans of every mention are kept on the
  dataclasses (``spans``) for provenance.
* Countries are listed under ``organizations`` with type ``Country``: they act as funders,
  recipients, threatened parties and affiliations ("Mexico's foreign minister").
  Organizations implied by a title ("Secretary of State Rex Tillerson" implies the Department
  of State) are listed too; their mention is the title.
* Transcript turns whose speaker is not a person get the speakers ``"Moderator"`` and
  ``"Questioner"`` (for ``Q:``/``QUESTION:``).
* A quotation inside a reported clause ("she says the department offered "nothing but
  talking points"") yields a single ``partial`` statement, not an extra indirect one; each
  quoted span is a statement of its own.
* All offsets refer to :attr:`Document.text`; ``statement.text == doc.text[start:end]``.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykg.exceptions import ArticleError
from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.text import TextReadError, read_article_bytes

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "ArticleError",
    "Document",
    "PersonMention",
    "OrganizationMention",
    "Amount",
    "Statistic",
    "Statement",
    "Relation",
    "Extraction",
    "read_document",
    "document_from_text",
    "extract",
]

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


# ---------------------------------------------------------------------------------------------
# Low-level text helpers
# ---------------------------------------------------------------------------------------------

_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
_ABBREV = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "St",
        "Sen",
        "Rep",
        "Gov",
        "Gen",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Jr",
        "Sr",
        "Prof",
        "Fr",
        "No",
        *gz.MONTH_ABBREVIATIONS,
        "Inc",
        "Corp",
        "Co",
        "Ltd",
        "vs",
        "etc",
        "Mt",
        "Ft",
        "U.S",
        "U.N",
        "D.C",
        "a.m",
        "p.m",
    ]
)
_SENT_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“(\[]?[A-Z0-9ÁÉÍÓÚÑ¿¡])|\n")
_NAME_TOKEN = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñüA-ZÁÉÍÓÚÑÜ'’\-]*[a-záéíóúñüA-Z]|[A-Z]"
_PRONOUN_RE = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")
_AUX = (
    r"(?:has|had|have|also|later|then|previously|once|again|recently|repeatedly|publicly|"
    r"today|yesterday|has also|had also|would|will|did|is|was|were|now|often|first|"
    r"simply|bluntly|flatly|earlier|privately|quietly|sharply|himself|herself)"
)
_GAP_RE = re.compile(rf"^\s*,?\s*(?:{_AUX}\s+)*$")
_APPOS_RE = re.compile(
    r"^\s*,\s*(?:a|an|the|who|which|whose|one|[a-z][\w-]*)\b[^\"“”;]{0,240},"
    rf"\s*(?:{_AUX}\s+)*$"
)
_NEG_RE = re.compile(
    r"(?:\bnot|n[’']t|\bnever|\bdeclined to|\brefused to|\bwould not|"
    r"\bdid not)\s+(?:\w+\s+)?$",
    re.I,
)
# the same, anchored by ``match(text, pos, endpos)`` instead of ``^`` (no slice is made).
_GAP_AT = re.compile(_GAP_RE.pattern.removeprefix("^"))
_APPOS_AT = re.compile(_APPOS_RE.pattern.removeprefix("^"))
_CUE_WORDS = sorted(gz.CUE_LEMMAS, key=len, reverse=True)
_CUE_RE = re.compile(r"\b(?:" + "|".join(_CUE_WORDS) + r")\b")
_WRITTEN_RE = re.compile(
    r"^[^.\"“”]{0,40}\b(?:in|via)\s+(?:a|an)\s+(?:written\s+|brief\s+|"
    r"emailed\s+|joint\s+|prepared\s+)?(?:statement|release|communiqué|"
    r"press release)\b"
)
_QUOTE_CHARS = '"“”„«»'


def _fold(s: str) -> str:
    """Lower-case and strip accents (for matching only)."""
    norm = unicodedata.normalize("NFKD", s)
    return "".join(c for c in norm if not unicodedata.combining(c)).lower()


def _paragraphs(text: str) -> list[Span]:
    spans: list[Span] = []
    pos = 0
    for m in _PARA_SPLIT.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


@dataclass
class _Quote:
    start: int  # first character inside the marks
    end: int  # end of the content (exclusive)
    open_pos: int
    close_pos: int


def _find_quotes(text: str, paragraphs: list[Span]) -> list[_Quote]:
    """Find double-quoted spans, paragraph by paragraph, tolerating unbalanced marks."""
    quotes: list[_Quote] = []
    for p0, p1 in paragraphs:
        pending: int | None = None
        for i in range(p0, p1):
            ch = text[i]
            if ch not in _QUOTE_CHARS:
                continue
            prev = text[i - 1] if i > p0 else " "
            nxt = text[i + 1] if i + 1 < p1 else " "
            if ch in "“„«":
                role = "open"
            elif ch in "”»":
                role = "close"
            else:
                open_like = (prev.isspace() or prev in "([{—–-/:;") and not nxt.isspace()
                close_like = (not prev.isspace()) and (nxt.isspace() or nxt in ".,;:!?)]—–-")
                if open_like and not close_like:
                    role = "open"
                elif close_like and not open_like:
                    role = "close"
                else:
                    role = "close" if pending is not None else "open"
            if role == "open":
                pending = i
            elif pending is not None:
                if i - pending > 1 and i - pending < 3000:
                    quotes.append(_Quote(pending + 1, i, pending, i))
                pending = None
    return quotes


def _trim(text: str, start: int, end: int, chars: str = " \t\n,;:—–-") -> Span:
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _sentences(text: str, paragraphs: list[Span], quotes: list[_Quote]) -> list[Span]:
    """Split paragraphs into sentences, never inside a quotation."""
    qstarts = [q.open_pos for q in quotes]

    def inside_quote(pos: int) -> bool:
        k = bisect.bisect_right(qstarts, pos) - 1
        return k >= 0 and quotes[k].open_pos < pos < quotes[k].close_pos

    out: list[Span] = []
    for p0, p1 in paragraphs:
        s = p0
        for m in _SENT_END.finditer(text, p0, p1):
            e = m.end()
            if m.group(0) == "\n":
                line = text[s : m.start()].rstrip()
                nxt = text[e : e + 1]
                if not (line.endswith((".", "!", "?", ":", '"', "”")) or len(line) < 70):
                    continue
                if not (nxt[:1].isupper() or nxt[:1].isdigit() or nxt[:1] in '"“'):
                    continue
            else:
                if inside_quote(m.end() - 1):
                    continue
                before = text[s : m.start() + 1]
                tok = re.search(r"([\w.]+)\.$", before)
                if tok is not None:
                    word = tok.group(1)
                    if word in _ABBREV or re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word):
                        continue
            if e > s:
                out.append((s, e))
            s = e
        if s < p1:
            out.append((s, p1))
    trimmed = [(a, b) for a, b in (_trim(text, a, b, " \t\n") for a, b in out) if b > a]
    return [piece for a, b in trimmed for piece in _cap_sentence(text, a, b)]


#: sentences longer than this are cut into pieces (news sentences are a few hundred characters).
#: The statement and relation rules look at every mention and cue of a sentence for each cue
#: or quotation in it, so their work grows with the square of a sentence's length; the cap keeps
#: it linear in the text on input without sentence ends (one long line, a run of quotation
#: marks). It is no shorter than the longest quotation :func:`_find_quotes` accepts.
MAX_SENTENCE_CHARS = 3000


def _cap_sentence(text: str, start: int, end: int) -> list[Span]:
    """Cut ``text[start:end]`` into pieces of at most :data:`MAX_SENTENCE_CHARS` characters,
    each cut at the last space or newline of the second half of its piece when there is one."""
    pieces: list[Span] = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = max(text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit),
                  text.rfind("\n", start + MAX_SENTENCE_CHARS // 2, limit))
        cut = cut if cut > start else limit
        a, b = _trim(text, start, cut, " \t\n")
        if b > a:
            pieces.append((a, b))
        start = cut
        while start < end and text[start] in " \t\n":
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


# ---------------------------------------------------------------------------------------------
# Mentions
# ---------------------------------------------------------------------------------------------


@dataclass
class _M:
    start: int
    end: int
    surface: str
    key: str  # canonical name (for pronouns: "" until resolved)
    kind: str  # "person", "org", "country", "pronoun"


def _alias_regex(aliases: Iterable[str]) -> re.Pattern[str]:
    alts = sorted(set(aliases), key=len, reverse=True)
    body = "|".join(re.escape(a) for a in alts)
    return re.compile(rf"(?<![\w\-])(?:{body})(?![\w\-])")


_ORG_ALIAS: dict[str, str] = {}
for _name, (_typ, _aliases) in gz.ORGANIZATIONS.items():
    _ORG_ALIAS[_name] = _name
    for _a in _aliases:
        _ORG_ALIAS[_a] = _name
_ORG_ALIAS["United Nations refugee agency"] = "United Nations High Commissioner for Refugees"
_ORG_ALIAS["UN refugee agency"] = "United Nations High Commissioner for Refugees"
_ORG_ALIAS["U.N. refugee agency"] = "United Nations High Commissioner for Refugees"
_COUNTRY_ALIAS: dict[str, str] = {}
for _name, _aliases in gz.COUNTRIES.items():
    _COUNTRY_ALIAS[_name] = _name
    for _a in _aliases:
        _COUNTRY_ALIAS[_a] = _name
_PROGRAM_SET = set(gz.PROGRAMS)
_ALL_ALIAS_RE = _alias_regex(
    list(_ORG_ALIAS)
    + list(_COUNTRY_ALIAS)
    + list(gz.NOT_COUNTRY_PLACES)
    + list(gz.PLACES)
    + list(gz.PROGRAMS)
)
_ORG_TYPE: dict[str, str] = {name: typ for name, (typ, _a) in gz.ORGANIZATIONS.items()}
for _c in gz.COUNTRIES:
    _ORG_TYPE[_c] = "Country"

_CONNECT = {"of", "for", "on", "the", "and", "de", "del", "la", "las", "los", "y", "&"}
_CAP_RUN = re.compile(
    rf"(?:{_NAME_TOKEN}|U\.S\.)(?:\s(?:(?:of|for|on|the|and|de|del|la|y|&)\s)*(?:{_NAME_TOKEN}))*"
)
_ACRONYM_DEF = re.compile(r"\(([A-Z][A-Za-z&\.]{1,9})\)")
_TITLE_ORG_RE = _alias_regex(gz.TITLE_IMPLIES_ORG)


def _org_type_from_words(words: list[str]) -> str | None:
    if not words:
        return None
    last = words[-1]
    if last in gz.PROGRAM_HEADS:
        return None
    for i, w in enumerate(words):
        typ = gz.ORG_KEYWORD_TYPES.get(w)
        if typ is None:
            continue
        if i == len(words) - 1 or (i + 1 < len(words) and words[i + 1] in {"of", "for", "on"}):
            return typ
        if w in {"Casa", "Colegio"} and i == 0:
            return typ
    if len(words) >= 2 and last in gz.MEDIA_HEADS and words[0] not in gz.TITLE_WORDS:
        return "MediaOutlet"
    # "Casa ..." never gets here: Casa is an organization keyword, typed in the loop above.
    if len(words) >= 2 and words[0] == "Radio":
        return "MediaOutlet"
    return None


class _Blocked:
    """Spans closed to person names, asked "does any span overlap this one?" per candidate.

    A count of spans over each character answers in the length of the question, not in the
    number of spans (a long text has thousands). Empty spans, which no count can hold, are
    kept apart and scanned.
    """

    def __init__(self, length: int) -> None:
        self.spans: list[Span] = []
        self.counts = [0] * (length + 1)
        self.empty: list[Span] = []

    def append(self, span: Span) -> None:
        a, b = span
        self.spans.append(span)
        if a >= b:
            self.empty.append(span)
        for i in range(max(a, 0), min(b, len(self.counts))):
            self.counts[i] += 1

    def pop(self) -> Span:
        a, b = span = self.spans.pop()
        if a >= b:
            self.empty.remove(span)
        for i in range(max(a, 0), min(b, len(self.counts))):
            self.counts[i] -= 1
        return span

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some span ``(a, b)`` has ``a < end and start < b``."""
        if start >= end or self.empty:
            return any(a < end and start < b for a, b in self.spans)
        return any(self.counts[max(start, 0) : end])

    def holds(self, pos: int) -> bool:
        """Whether some span ``(a, b)`` has ``a <= pos < b``."""
        return 0 <= pos < len(self.counts) and self.counts[pos] > 0


class _Entities:
    """Collects organization and person mentions of one document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.orgs: dict[str, OrganizationMention] = {}
        self.persons: dict[str, PersonMention] = {}
        self.mentions: list[_M] = []
        self.blocked = _Blocked(len(text))  # places, programs, org spans: not person names
        self.programs: list[tuple[int, int, str]] = []

    def covered(self, start: int, end: int) -> bool:
        return self.blocked.overlaps(start, end)

    def add_org(
        self, name: str, typ: str, start: int, end: int, conf: float, surface: str | None = None
    ) -> None:
        org = self.orgs.get(name)
        if org is None:
            org = OrganizationMention(name=name, type=typ, confidence=conf)
            self.orgs[name] = org
        surf = surface if surface is not None else self.text[start:end]
        if surf not in org.mentions:
            org.mentions.append(surf)
        if (start, end) not in org.spans:
            org.spans.append((start, end))
        org.confidence = max(org.confidence, conf)
        self.mentions.append(_M(start, end, surf, name, "country" if typ == "Country" else "org"))
        self.blocked.append((start, end))

    def add_person(self, name: str, start: int, end: int, conf: float, gender: str = "") -> None:
        per = self.persons.get(name)
        if per is None:
            per = PersonMention(name=name, confidence=conf, gender=gender)
            self.persons[name] = per
        if gender and not per.gender:
            per.gender = gender
        surf = self.text[start:end]
        if surf not in per.mentions:
            per.mentions.append(surf)
        if (start, end) not in per.spans:
            per.spans.append((start, end))
        per.confidence = max(per.confidence, conf)
        self.mentions.append(_M(start, end, surf, name, "person"))
        self.blocked.append((start, end))


def _find_orgs(ent: _Entities, publisher: str | None, transcript_labels: list[Span]) -> None:
    text = ent.text
    taken: list[Span] = []
    for m in _ALL_ALIAS_RE.finditer(text):
        s = m.group(0)
        if any(a <= m.start() < b for a, b in transcript_labels):
            continue
        if s in _PROGRAM_SET:
            ent.programs.append((m.start(), m.end(), s))
            ent.blocked.append((m.start(), m.end()))
        elif s in gz.NOT_COUNTRY_PLACES or (s in gz.PLACES and s not in _COUNTRY_ALIAS):
            ent.blocked.append((m.start(), m.end()))
        elif s in _ORG_ALIAS:
            name = _ORG_ALIAS[s]
            ent.add_org(name, _ORG_TYPE[name], m.start(), m.end(), 0.95)
        else:
            name = _COUNTRY_ALIAS[s]
            ent.add_org(name, "Country", m.start(), m.end(), 0.95)
        taken.append((m.start(), m.end()))
    # Pattern organizations and programs from capitalized runs.
    for m in _CAP_RUN.finditer(text):
        if any(a <= m.start() < b for a, b in transcript_labels):
            continue
        words = m.group(0).split()
        w_start = m.start()
        # drop leading "The"/connectors/possessives and trailing connectors
        while words and (
            words[0] in _CONNECT or words[0] in {"The", "A", "An"} or _POSSESSIVE.search(words[0])
        ):
            w_start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1] in _CONNECT:
            words = words[:-1]
        if len(words) < 2:
            continue
        # strip a leading demonym or country / known org prefix ("Mexico's" handled by regex)
        phrase = " ".join(words)
        start = w_start
        end = start + len(phrase)
        if text[start:end] != phrase:
            continue
        if any(a <= start and end <= b for a, b in taken):
            continue
        if words[-1] in gz.PROGRAM_HEADS or phrase in _PROGRAM_SET:
            if not any(a < end and start < b for a, b in taken):
                ent.programs.append((start, end, phrase))
                ent.blocked.append((start, end))
            continue
        typ = _org_type_from_words(words)
        if typ is None:
            continue
        # cut at a known alias inside ("Department of State's Bureau ..." handled by taken)
        # overlapping a gazetteer match: keep only if it strictly contains it
        overlapping = [(a, b) for a, b in taken if a < end and start < b]
        if overlapping and not all(start <= a and b <= end for a, b in overlapping):
            continue
        if all(w in gz.TITLE_WORDS or w in _CONNECT for w in words):
            continue
        if words[0] in gz.NAME_STOPWORDS and words[0] not in {
            "National",
            "Federal",
            "Southern",
            "Northern",
            "Central",
            "Latin",
            "New",
            "North",
            "South",
            "Human",
            "Catholic",
        }:
            continue
        if text[end : end + 1] == "-":  # "Mexico-bound" etc.
            continue
        name = phrase
        if typ == "MediaOutlet" and text[max(0, start - 4) : start] == "The ":
            name = "The " + phrase
            start -= 4
        ent.add_org(name, typ, start, end, 0.7)
        taken.append((start, end))
    # Acronyms defined in parentheses.
    for m in _ACRONYM_DEF.finditer(text):
        acr = m.group(1)
        prev = [
            x
            for x in ent.mentions
            if x.kind in {"org", "country"}
            and x.end <= m.start()
            and text[x.end : m.start()].strip() == ""
        ]
        if not prev:
            continue
        name = prev[-1].key
        for x in re.finditer(rf"(?<![\w\-]){re.escape(acr)}(?![\w\-])", text):
            free = not ent.blocked.holds(x.start())
            if (free or x.start() == m.start() + 1) and not any(
                y.start == x.start() for y in ent.mentions
            ):
                ent.add_org(name, ent.orgs[name].type, x.start(), x.end(), 0.85)
    # Short forms of media outlets: "the Post", "the Monitor".
    media = [o.name for o in ent.orgs.values() if o.type == "MediaOutlet"]
    if publisher:
        media.append(publisher)
    for name in gz.ORGANIZATIONS:
        if gz.ORGANIZATIONS[name][0] == "MediaOutlet" and name not in media:
            media.append(name)
    heads: dict[str, list[str]] = {}
    for name in media:
        head = name.split()[-1]
        if head in gz.MEDIA_HEADS or name in gz.ORGANIZATIONS:
            heads.setdefault(head, []).append(name)
    for head, names in heads.items():
        in_text = [n for n in names if n in ent.orgs or n == publisher]
        choice = in_text[0] if in_text else (names[0] if len(names) == 1 else None)
        if choice is None:
            continue
        for x in re.finditer(rf"\b[Tt]he ({re.escape(head)})\b(?![\w\-])", text):
            if ent.covered(x.start(1), x.end(1)):
                continue
            typ = ent.orgs[choice].type if choice in ent.orgs else "MediaOutlet"
            ent.add_org(choice, typ, x.start(1), x.end(1), 0.75)
    # Organizations implied by titles.
    for m in _TITLE_ORG_RE.finditer(text):
        name = gz.TITLE_IMPLIES_ORG[m.group(0)]
        if any(x.start == m.start() for x in ent.mentions):
            continue
        ent.add_org(name, _ORG_TYPE.get(name, "GovernmentAgency"), m.start(), m.end(), 0.7)
        ent.blocked.pop()  # the title span must stay open for person detection


def _gender_of(first: str, honor: str, role: str) -> str:
    if first in gz.FEMALE_NAMES:
        return "f"
    if first in gz.MALE_NAMES:
        return "m"
    g = gz.HONORIFICS.get(honor, "")
    if g:
        return g
    low = role.lower()
    if "woman" in low or "wife" in low or "mother" in low:
        return "f"
    if "spokesman" in low or "chairman" in low or "father" in low:
        return "m"
    return ""


def _words_before(text: str, pos: int, limit: int = 12) -> list[tuple[int, int, str]]:
    """Capitalized title-like words directly before ``pos`` (single spaces between)."""
    out: list[tuple[int, int, str]] = []
    i = pos
    while len(out) < limit:
        j = i - 1
        if j < 0 or text[j] != " ":
            break
        k = j
        while k > 0 and (text[k - 1].isalnum() or text[k - 1] in "'’-."):
            k -= 1
        word = text[k:j]
        if not word:
            break
        out.append((k, j, word))
        i = k
    return out


_POSSESSIVE = re.compile(r"['’]s$")


def _find_persons(ent: _Entities) -> None:
    """Find full person names, their titles and appositives."""
    text = ent.text
    candidates: list[tuple[int, int, list[str], str]] = []  # start, end, tokens, honorific
    for m in re.finditer(r"(?<![\w'’])[A-ZÁÉÍÓÚÑÜ][\w'’\-]*\.?", text):
        if ent.covered(m.start(), m.end()):
            continue
        if candidates and m.start() < candidates[-1][1]:
            continue
        first = m.group(0).rstrip(".")
        known_first = first in gz.MALE_NAMES or first in gz.FEMALE_NAMES
        # title before?
        before = _words_before(text, m.start())
        titled = bool(before) and (before[0][2] in gz.TITLE_WORDS or before[0][2] in gz.HONORIFICS)
        if first in gz.NAME_STOPWORDS or first in gz.TITLE_WORDS and not known_first:
            continue
        if m.group(0).endswith(".") and first not in gz.HONORIFICS:
            # sentence-final token: single-word name
            pass
        # collect following name tokens
        tokens = [first]
        pos = m.start() + len(first)
        end = pos
        while len(tokens) < 6:
            nm = re.match(
                r" ((?:(?:de|del|de la|la|y|van|von|da|dos|di|bin) )*)"
                r"([A-ZÁÉÍÓÚÑÜ][\w'’\-]*)",
                text[pos : pos + 60],
            )
            if nm is None:
                break
            tok = nm.group(2)
            tok_clean = _POSSESSIVE.sub("", tok)
            if (
                tok_clean in gz.NAME_STOPWORDS
                or tok_clean in gz.ORG_KEYWORD_TYPES
                or tok_clean in gz.MEDIA_HEADS
                and len(tokens) >= 2
            ):
                break
            tstart = pos + nm.start(2)
            if ent.covered(tstart, tstart + len(tok)):
                break
            if nm.group(1):
                tokens.extend(nm.group(1).split())
            tokens.append(tok_clean)
            pos = tstart + len(tok)
            end = tstart + len(tok_clean)
            if tok_clean != tok:
                break
        first_clean = _POSSESSIVE.sub("", first)
        if len(tokens) == 1:
            tokens = [first_clean]
            end = m.start() + len(first_clean)
        if len(tokens) >= 2 and tokens[-1] in gz.TITLE_WORDS:
            continue
        if len(tokens) < 2:
            continue
        if not (known_first or titled):
            after = text[end : end + 40]
            appos_before = _APPOS_BEFORE.search(text, max(0, m.start() - 120), m.start())
            if (
                not re.match(
                    r",\s+(?:a|an|the|who)\b|\s+(?:said|says|told|tells|wrote|writes)\b", after
                )
                and not re.search(
                    r"\b(?:said|says|by|By)\s+$", text[max(0, m.start() - 8) : m.start()]
                )
                and not (appos_before is not None and appos_before.end() == m.start())
            ):
                continue
            if any(t in gz.TITLE_WORDS or t.isupper() for t in tokens):
                continue
        if any(t in gz.PLACES for t in tokens) or " ".join(tokens) in gz.PLACES:
            continue
        candidates.append((m.start(), end, tokens, before[0][2] if titled else ""))
    for start, end, tokens, honor in candidates:
        name = " ".join(tokens)
        gender = _gender_of(tokens[0], honor, "")
        conf = 0.9 if tokens[0] in gz.MALE_NAMES or tokens[0] in gz.FEMALE_NAMES else 0.7
        ent.add_person(name, start, end, conf, gender)
        _person_context(ent, ent.persons[name], start, end)


_ROLE_NOUN_RE = "|".join(sorted((re.escape(r) for r in gz.ROLE_NOUNS), key=len, reverse=True))
_APPOS_AFTER = re.compile(
    rf"^,\s+(?:a|an|the)\s+(?P<role>(?:[\w’'\-]+\s+){{0,5}}?(?:{_ROLE_NOUN_RE})s?"
    rf"(?:\s+emeritus)?)\b(?P<rest>[^;\"“”]{{0,200}}?)(?:,|\.|;|$)"
)
_WHO_AFTER = re.compile(r"^,\s+who\s+(?P<rest>[^,;\"“”]{0,160})")
_APPOS_BEFORE = re.compile(
    r"(?:(?P<owner>[A-Z][\w.\- ]*?)['’]s|\b(?P<pron>[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Tt]he))\s+"
    r"(?P<role>(?:[a-z][\w\-]*\s+){0,4}[a-z][\w\-]*),\s+$"
)


def _first_mention_in(
    ent: _Entities, start: int, end: int, kinds: tuple[str, ...] = ("org", "country")
) -> _M | None:
    best: _M | None = None
    for x in ent.mentions:
        if (
            x.kind in kinds
            and start <= x.start
            and x.end <= end
            and (best is None or x.start < best.start)
        ):
            best = x
    return best


def _person_context(ent: _Entities, per: PersonMention, start: int, end: int) -> None:
    """Fill role and affiliation from titles and appositives around a full-name mention."""
    text = ent.text
    # title before the name
    words = _words_before(text, start)
    title_words: list[tuple[int, int, str]] = []
    for w in words:
        word = w[2]
        if (
            word in gz.TITLE_WORDS
            or word in _ORG_ALIAS
            or word in gz.DEMONYMS
            or word in {"of", "for"}
            or (word[:1].isupper() and word in gz.HONORIFICS)
        ):
            title_words.append(w)
        else:
            break
    while title_words and title_words[-1][2] in {"of", "for", "the"}:
        title_words.pop()
    role: str | None = None
    affiliation: str | None = None
    if title_words:
        t0 = title_words[-1][0]
        t1 = title_words[0][1]
        role_words = [
            w[2]
            for w in reversed(title_words)
            if w[2] not in gz.DEMONYMS
            and w[2] not in _ORG_ALIAS
            and w[2] not in {"Mr.", "Mrs.", "Ms.", "Dr.", "Father"}
        ]
        while role_words and role_words[0] in {"of", "for", "the"}:
            role_words = role_words[1:]
        role = " ".join(role_words) or None
        for w in reversed(title_words):
            if w[2] in gz.DEMONYMS:
                affiliation = gz.DEMONYMS[w[2]]
            elif w[2] in _ORG_ALIAS:
                affiliation = _ORG_ALIAS[w[2]]
        implied = _TITLE_ORG_RE.search(text, t0, t1 + 1)
        if implied is not None:
            affiliation = gz.TITLE_IMPLIES_ORG[implied.group(0)]
    if role is None:
        mb = _APPOS_BEFORE.search(text, max(0, start - 120), start)
        if mb is not None and mb.end() == start:
            role = mb.group("role")
            if mb.group("owner"):
                owner = _first_mention_in(ent, mb.start("owner"), mb.end("owner"))
                if owner is not None:
                    affiliation = owner.key
    ma = _APPOS_AFTER.match(text[end : end + 300])
    if ma is not None:
        if role is None:
            role = ma.group("role")
        if affiliation is None:
            org = _first_mention_in(ent, end + ma.start("rest"), end + ma.end("rest"))
            if org is not None:
                affiliation = org.key
    mw = _WHO_AFTER.match(text[end : end + 200])
    if mw is not None and affiliation is None:
        org = _first_mention_in(ent, end + mw.start("rest"), end + mw.end("rest"))
        if org is not None:
            affiliation = org.key
    if role and not per.role:
        per.role = role
        if not per.gender:
            per.gender = _gender_of("", "", role)
    if affiliation and not per.affiliation:
        per.affiliation = affiliation


def _surname_variants(name: str) -> list[str]:
    toks = [t for t in name.split() if t not in {"de", "del", "la", "y", "van", "von", "da"}]
    out: list[str] = []
    if len(toks) < 2:
        return out
    out.append(toks[-1])
    if len(toks) >= 3:
        out.append(" ".join(toks[-2:]))
        out.append(" ".join(toks[1:]))
        for t in toks[1:-1]:
            if t not in gz.MALE_NAMES and t not in gz.FEMALE_NAMES:
                out.append(t)
    ascii_out = [_fold(v).title() if v != _strip_accents(v) else v for v in out]
    for v in list(out):
        sv = _strip_accents(v)
        if sv != v:
            out.append(sv)
    del ascii_out
    return out


def _strip_accents(s: str) -> str:
    norm = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(c for c in norm if not unicodedata.combining(c)))


_BARE_KNOWN = frozenset(
    {
        "Trump",
        "Obrador",
        "López Obrador",
        "Lopez Obrador",
        "Tillerson",
        "Pompeo",
        "Mayorkas",
        "Videgaray",
        "Ebrard",
        "Mnuchin",
        "Nielsen",
        "Bukele",
        "Giammattei",
        "Sheinbaum",
        "Obama",
        "Biden",
        "Peña Nieto",
        "Pena Nieto",
        "Osorio Chong",
    }
)


def _find_short_mentions(ent: _Entities) -> None:
    """Tie later surname mentions ("Dr. Bustamante", "Obrador") to full names."""
    text = ent.text
    variants: dict[str, list[str]] = {}
    for per in list(ent.persons.values()):
        for v in _surname_variants(per.name):
            variants.setdefault(v, [])
            if per.name not in variants[v]:
                variants[v].append(per.name)
    for sur, full in gz.KNOWN_PERSONS.items():
        if sur not in variants:
            variants[sur] = [full]
    if not variants:
        return
    rx = _alias_regex(variants)
    for m in rx.finditer(text):
        if ent.covered(m.start(), m.end()):
            continue
        sur = m.group(0)
        names = variants[sur]
        known_only = all(n not in ent.persons for n in names)
        words = _words_before(text, m.start(), 3)
        titled = bool(words) and (words[0][2] in gz.TITLE_WORDS or words[0][2] in gz.HONORIFICS)
        if known_only and not titled and sur not in _BARE_KNOWN:
            continue
        nxt = text[m.end() : m.end() + 2]
        if re.match(r" [A-Z]", nxt) and not known_only:
            follow = re.match(r" ([A-Z][\w'’\-]*)", text[m.end() : m.end() + 40])
            if (
                follow
                and follow.group(1) not in gz.NAME_STOPWORDS
                and follow.group(1) not in gz.ORG_KEYWORD_TYPES
            ):
                continue
        if len(names) == 1:
            name = names[0]
        else:
            prior = [
                x
                for x in ent.mentions
                if x.kind == "person" and x.key in names and x.end <= m.start()
            ]
            name = prior[-1].key if prior else names[0]
        start = m.start()
        if (
            words
            and words[0][2] in gz.HONORIFICS
            and words[0][2].endswith(".")
            or words
            and words[0][2] in {"Father", "Senator"}
        ):
            start = words[0][0]
        conf = 0.85 if not known_only else 0.75
        ent.add_person(name, start, m.end(), conf)
        per = ent.persons[name]
        if known_only and not per.role and titled:
            _person_context(ent, per, m.start(), m.end())


# ---------------------------------------------------------------------------------------------
# Transcript turns
# ---------------------------------------------------------------------------------------------

_TURN_RE = re.compile(
    r"^(?P<label>(?:(?:MR|MS|MRS|DR|SEN|REP|GOV)\.\s+)?[A-Z][A-Z'’\-]*(?:\s+[A-Z][A-Z'’\-.]*){0,5}"
    r"|Q|A)\s*:[ \t]+(?=\S)",
    re.M,
)


@dataclass
class _Turn:
    label: str
    label_start: int
    label_end: int
    start: int
    end: int


def _find_turns(text: str) -> list[_Turn]:
    heads = [
        m
        for m in _TURN_RE.finditer(text)
        if not re.fullmatch(
            r"(?:NOTE|NOTES|UPDATE|EDITOR'S NOTE|PHOTO|SOURCE|BY)", m.group("label")
        )
    ]
    if len(heads) < 2:
        return []
    turns: list[_Turn] = []
    for i, m in enumerate(heads):
        nxt = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        s, e = _trim(text, m.end(), nxt, " \t\n")
        if e > s:
            turns.append(_Turn(m.group("label"), m.start("label"), m.end("label"), s, e))
    return turns


def _resolve_label(ent: _Entities, turn: _Turn) -> str:
    label = turn.label.strip()
    if label in {"Q", "QUESTION", "QUESTIONER", "REPORTER"}:
        return "Questioner"
    if label in {"MODERATOR", "OPERATOR", "HOST"}:
        return label.title()
    if label in {"A", "ANSWER"}:
        return "Answer"
    words = label.replace(".", ". ").split()
    titles = [
        w
        for w in words
        if w.title() in gz.TITLE_WORDS
        or w.title().rstrip(".") + "." in gz.HONORIFICS
        or w.title() in gz.HONORIFICS
    ]
    rest = [w for w in words if w not in titles]
    if not rest:
        return label.title()
    surname = " ".join(w.title() for w in rest)
    folded = _fold(surname)
    for per in ent.persons.values():
        if (
            any(_fold(v) == folded for v in _surname_variants(per.name))
            or _fold(per.name) == folded
        ):
            name = per.name
            break
    else:
        name = gz.KNOWN_PERSONS.get(surname, surname)
    role = " ".join(w.title() for w in titles if w not in {"MR.", "MS.", "MRS.", "DR."}) or None
    start = turn.label_start + label.find(rest[0])
    ent.add_person(
        name, start, turn.label_end, 0.8, _gender_of("", titles[0].title() if titles else "", "")
    )
    per = ent.persons[name]
    if role and not per.role:
        per.role = role
    return name


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


class _Speakers:
    """Finds and resolves speakers near cue verbs."""

    def __init__(self, ent: _Entities, text: str) -> None:
        self.ent = ent
        self.text = text
        pron = [
            _M(m.start(), m.end(), m.group(0), "", "pronoun") for m in _PRONOUN_RE.finditer(text)
        ]
        self.cands = sorted(
            [x for x in ent.mentions if x.kind in {"person", "org", "country"}] + pron,
            key=lambda x: (x.start, -x.end),
        )
        self.person_mentions = sorted(
            [x for x in ent.mentions if x.kind == "person"], key=lambda x: x.start
        )
        self.starts = [x.start for x in self.cands]

    def resolve(self, m: _M) -> str | None:
        if m.kind != "pronoun":
            return m.key
        want = "f" if m.surface.lower() == "she" else "m"
        for x in reversed(self.person_mentions):
            if x.end > m.start:
                continue
            if m.start - x.end > 3000:
                break
            g = self.ent.persons[x.key].gender
            if g in ("", want):
                return x.key
        return None

    def before(self, s0: int, cue_start: int) -> _M | None:
        """The subject of a cue verb: the mention right before it (or before an appositive)."""
        text = self.text
        lo = bisect.bisect_left(self.starts, s0)
        hi = bisect.bisect_left(self.starts, cue_start)
        cands = [x for x in self.cands[lo:hi] if x.end <= cue_start]
        # The gaps text[x.end:cue_start] are matched in place, never sliced: a long sentence
        # has many candidates and slicing each gap would be quadratic in its length.
        last_quote = max(text.rfind(ch, s0, cue_start) for ch in _QUOTE_CHARS)
        for x in reversed(cands):
            if last_quote >= x.end:
                break
            if _GAP_AT.match(text, x.end, cue_start) and text.find(",", x.end, cue_start) < 0:
                return x
        for kinds in (("person",), ("org",)):
            for x in cands:
                if x.kind in kinds and _APPOS_AT.match(text, x.end, cue_start):
                    return x
        for x in reversed(cands):
            if _GAP_AT.match(text, x.end, cue_start) and x.kind != "country":
                return x
        return None

    def after(self, pos: int, limit: int) -> _M | None:
        """A mention directly at ``pos`` (after a cue), allowing title words in between.

        A person named after a title that implies an organization ("said Secretary of
        Homeland Security Alejandro Mayorkas") wins over that organization.
        """
        k = bisect.bisect_left(self.starts, pos)
        found: _M | None = None
        for x in self.cands[k:]:
            if x.start > limit:
                break
            gap = self.text[pos : x.start]
            if not re.fullmatch(r"\s*(?:(?:[A-Z][\w.'’\-]*|for|of|the|on)\s+)*", gap):
                break
            if (
                x.kind == "country"
                and re.fullmatch(r"\s*", gap)
                and re.match(r"['’]s\b", self.text[x.end : x.end + 2])
            ):
                continue
            if found is None:
                found = x
                if x.kind in {"person", "pronoun"}:
                    break
            elif x.kind == "person":
                return x
        return found


_QUOTE_CHARS_RE = re.compile(r"[\"“”„«»]")
_ACCORDING_END = re.compile(r",\s*according to\s+(?P<src>[^,.;\"“”]{2,140}?)\s*[.!?]?$")
_ACCORDING_START = re.compile(
    r"^According to\s+(?P<src>[^,;\"“”]{2,120}?),\s+(?P<clause>.+)$", re.S
)
_WORDS_OF = re.compile(r"\b[Ii]n the words of\s+(?P<src>[^,\"“”]{2,80}?),?\s*$")
_CLAUSE_START = re.compile(
    r"(?:[Hh]e|[Ss]he|[Ii]t|[Tt]hey|[Ww]e|I|[Tt]he|[Aa]|[Aa]n|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir|"
    r"[Tt]his|[Tt]hese|[Tt]hose|[Ss]ome|[Mm]ost|[Mm]any|[Aa]ll|[Nn]o|[Tt]here|[Oo]ur|"
    r"[A-ZÁÉÍÓÚÑ][\w'’\-]*|\d)\b"
)
_TIME_PHRASE = re.compile(
    r"^(?:\s+(?:(?:on|in|at|during|over)\s+(?:a\s+|an\s+|the\s+)?(?:written\s+|recent\s+)?"
    r"[\w]+|(?:this|last|late|early)\s+\w+|earlier|later|again|also|publicly|yesterday|today|"
    r"previously|repeatedly|privately))*"
)


#: ", notes" in "CLAUSE, notes Jane Doe, a researcher." (the cue before its subject).
_INVERTED_CUE = re.compile(rf",\s+(?P<cue>{_CUE_RE.pattern})\s+(?=[A-Z])")


def _inverted_cue(spk: _Speakers, text: str, pos: int, s1: int) -> tuple[str, str] | None:
    """The speaker and cue lemma of a sentence ending in ", <cue> <name>[, appositive]"
    after ``pos``; None when the cue and name are not the sentence's last clause."""
    m = _INVERTED_CUE.search(text, pos, s1)
    if m is None or _QUOTE_CHARS_RE.search(text, pos, m.start()):
        return None
    x = spk.after(m.end(), m.end() + 40)
    if x is None or x.kind not in {"person", "org"}:
        return None
    if not re.fullmatch(r"\s*(?:,[^\"“”;]{0,200})?[.!?]?[\"”’)]*\s*", text[x.end : s1]):
        return None
    who = spk.resolve(x)
    return (who, _lemma(m.group("cue"))) if who else None


def _lemma(word: str) -> str:
    return gz.CUE_LEMMAS.get(word.lower(), word.lower())


def _in_sorted_spans(spans: list[Span], starts: list[int], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``spans``, sorted and not overlapping (a bisection, not
    a scan: a text full of quotation marks has thousands of spans)."""
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and pos < spans[k][1]


def _extract_statements(
    text: str,
    ent: _Entities,
    sentences: list[Span],
    quotes: list[_Quote],
    turns: list[_Turn],
    paragraphs: list[Span],
) -> list[Statement]:
    spk = _Speakers(ent, text)
    out: list[Statement] = []
    turn_spans = [(t.label_start, t.end) for t in turns]

    turn_starts = [a for a, _b in turn_spans]

    def in_turn(pos: int) -> bool:
        return _in_sorted_spans(turn_spans, turn_starts, pos)

    for t in turns:
        label_speaker = _resolve_label(ent, t)
        out.append(
            Statement(
                label_speaker, text[t.start : t.end], "say", "transcript", t.start, t.end, 0.9
            )
        )
    spk = _Speakers(ent, text)  # labels may have added person mentions

    sent_starts = [s for s, _e in sentences]

    def sentence_of(pos: int) -> Span:
        k = bisect.bisect_right(sent_starts, pos) - 1
        if k < 0:
            return (0, len(text))
        return sentences[k]

    para_starts = [a for a, _b in paragraphs]

    def para_of(pos: int) -> Span:
        k = bisect.bisect_right(para_starts, pos) - 1
        if k >= 0 and pos < paragraphs[k][1]:
            return paragraphs[k]
        return (0, len(text))

    def negated(cue_start: int, s0: int) -> bool:
        return bool(_NEG_RE.search(text[max(s0, cue_start - 30) : cue_start]))

    quote_spans = [(q.open_pos, q.close_pos + 1) for q in quotes]
    quote_starts = [a for a, _b in quote_spans]

    def in_quote(pos: int) -> bool:
        return _in_sorted_spans(quote_spans, quote_starts, pos)

    last_by_para: dict[Span, tuple[str, str]] = {}
    for q in quotes:
        if in_turn(q.open_pos):
            continue
        qs, qe = _trim(text, q.start, q.end)
        if qe <= qs:
            continue
        s0, s1 = sentence_of(q.open_pos)
        s1 = max(s1, sentence_of(q.close_pos)[1])
        para = para_of(q.open_pos)
        speaker: str | None = None
        cue = "say"
        conf = 0.9
        kind = "direct"
        # 1. attribution after the quote: '..." she said' / '..." said X'
        ended = text[q.start : q.end].rstrip().endswith(".")
        after = "" if ended else text[q.close_pos + 1 : s1]
        ma = re.match(r"^[\s,]*", after)
        pos = q.close_pos + 1 + (ma.end() if ma else 0)
        cm = None if ended else _CUE_RE.match(text, pos)
        if cm is not None and not _QUOTE_CHARS_RE.search(text[q.close_pos + 1 : pos]):
            x = spk.after(cm.end(), cm.end() + 90)
            if x is not None:
                speaker = spk.resolve(x)
                cue = _lemma(cm.group(0))
                tail = text[x.end : s1]
                if _WRITTEN_RE.match(tail):
                    kind = "written"
        if speaker is None and not ended:
            k = bisect.bisect_left(spk.starts, pos)
            for x in spk.cands[k : k + 3]:
                if x.start > pos + 90 or x.start >= s1:
                    break
                gap = text[pos : x.start]
                if not re.fullmatch(r"(?:(?:[A-Z][\w.'’\-]*|for|of|the|on)\s+)*", gap):
                    break
                # skip nested mentions: take the outermost
                rest = text[x.end : s1]
                cm2 = re.match(rf"^\s*,?\s*(?:{_AUX}\s+)*({_CUE_RE.pattern})", rest)
                if cm2 is not None and not negated(x.end + cm2.start(1), s0):
                    speaker = spk.resolve(x)
                    cue = _lemma(cm2.group(1))
                    if _WRITTEN_RE.match(rest[cm2.end() :]):
                        kind = "written"
                    break
                if x.kind == "person" and re.match(r"^\s*,\s*(?:a|an|the)\b", rest):
                    # '..." Ferrer, a researcher at X, said'
                    cm3 = re.search(rf",\s*(?:{_AUX}\s+)*({_CUE_RE.pattern})", rest[:240])
                    if cm3 is not None and not _QUOTE_CHARS_RE.search(rest[: cm3.start()]):
                        speaker = spk.resolve(x)
                        cue = _lemma(cm3.group(1))
                        break
        # 2. attribution before the quote in the same sentence
        if speaker is None:
            pre_start = s0
            pre = text[pre_start : q.open_pos]
            mw = _WORDS_OF.search(pre)
            if mw is not None:
                x2 = _first_mention_in(
                    ent, pre_start + mw.start("src"), pre_start + mw.end("src"), ("person", "org")
                )
                if x2 is not None:
                    speaker = x2.key
                    cue = "in the words of"
            if speaker is None:
                cues = [
                    c
                    for c in _CUE_RE.finditer(text, pre_start, q.open_pos)
                    if not in_quote(c.start())
                ]
                for c in reversed(cues):
                    if negated(c.start(), s0):
                        continue
                    x = spk.before(s0, c.start())
                    if x is None:
                        continue
                    speaker = spk.resolve(x)
                    cue = _lemma(c.group(0))
                    between = text[c.end() : q.open_pos]
                    if re.fullmatch(
                        r"\s*(?:on \w+|in a statement|to reporters)?\s*[,:]?\s*", between
                    ) and (text[q.open_pos - 2 : q.open_pos].strip() in {",", ":", ""}):
                        kind = "direct"
                    else:
                        kind = "partial"
                    if _WRITTEN_RE.match(text[c.end() : q.open_pos]):
                        kind = "written"
                    break
            if speaker is None and text[s0 : q.open_pos].strip() == "" and para in last_by_para:
                # continuation: a new quoted sentence in the same paragraph
                speaker, cue = last_by_para[para]
                conf = 0.7
        if speaker is None:
            # 3. a cue and a name ending the sentence: '... "open the gates" to them, notes X.'
            inverted = _inverted_cue(spk, text, q.close_pos + 1, s1)
            if inverted is not None:
                speaker, cue = inverted
                kind = "partial"
        if speaker is None:
            continue
        if kind == "direct":
            before_txt = text[s0 : q.open_pos].strip()
            if (
                before_txt
                and not re.search(r"[,:]$", before_txt)
                and not re.search(r"\b(?:said|says|wrote|writes|added|adds)$", before_txt)
                or before_txt
                and not _CUE_RE.search(before_txt)
                and not re.search(r"[,:]$", before_txt)
            ):
                kind = "partial"
            if (
                before_txt
                and re.search(r"[,:]$", before_txt)
                and not _CUE_RE.search(before_txt)
                and not _WORDS_OF.search(text[s0 : q.open_pos])
                and len(before_txt) > 3
                and not before_txt.startswith(('"', "“"))
            ):
                kind = "partial"
        last_by_para[para] = (speaker, cue)
        out.append(Statement(speaker, text[qs:qe], cue, kind, qs, qe, conf))

    # Indirect speech, "according to" and parenthetical cues.
    for s0, s1 in sentences:
        if in_turn(s0):
            continue
        sent = text[s0:s1]
        has_quote = bool(_QUOTE_CHARS_RE.search(sent))
        if has_quote:
            continue
        # according to X (end of sentence)
        ma2 = _ACCORDING_END.search(sent)
        if ma2 is not None:
            src = _first_mention_in(
                ent, s0 + ma2.start("src"), s0 + ma2.end("src"), ("person", "org")
            )
            if src is None:
                src = _first_mention_in(
                    ent, s0 + ma2.start("src"), s0 + ma2.end("src"), ("country",)
                )
                if src is not None and not re.search(r"\bgovernment\b", ma2.group("src"), re.I):
                    src = None
            if src is None:
                pr = _PRONOUN_RE.search(ma2.group("src"))
                if pr is not None and ma2.group("src").strip().lower() in {"him", "her"}:
                    pass
            if src is not None:
                a, b = _trim(text, s0, s0 + ma2.start())
                if b - a > 10:
                    out.append(
                        Statement(src.key, text[a:b], "according to", "indirect", a, b, 0.75)
                    )
            continue
        ms = _ACCORDING_START.match(sent)
        if ms is not None:
            srct = ms.group("src").strip()
            who: str | None = None
            if srct.lower() in {"her", "him"}:
                pm = _M(s0, s0, "she" if srct.lower() == "her" else "he", "", "pronoun")
                who = spk.resolve(pm)
            else:
                x = _first_mention_in(
                    ent, s0 + ms.start("src"), s0 + ms.end("src"), ("person", "org")
                )
                who = x.key if x is not None else None
            if who is not None:
                a, b = _trim(text, s0 + ms.start("clause"), s1, " \t\n.,;:")
                if b > a:
                    out.append(Statement(who, text[a:b], "according to", "indirect", a, b, 0.75))
            continue
        # "CLAUSE, says X, a researcher."
        inverted_at = _INVERTED_CUE.search(sent)
        if inverted_at is not None:
            inverted = _inverted_cue(spk, text, s0 + inverted_at.start(), s1)
            if inverted is not None:
                a, b = _trim(text, s0, s0 + inverted_at.start())
                if len(text[a:b].split()) >= 3:
                    out.append(Statement(inverted[0], text[a:b], inverted[1], "indirect", a, b,
                                         0.7))
                    continue
        # parenthetical: "Her shelter, she notes, now turns away ...", "..., he told the Times,"
        mp = re.match(
            rf"^[^,]{{2,120}},\s+(?P<who>[Hh]e|[Ss]he)\s+(?P<cue>{_CUE_RE.pattern})"
            r"(?:\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s*)+|\s+reporters)?,\s+\S",
            sent,
        )
        if mp is not None:
            pm = _M(s0 + mp.start("who"), s0 + mp.end("who"), mp.group("who"), "", "pronoun")
            who = spk.resolve(pm)
            if who is not None:
                a, b = _trim(text, s0, s1, " \t\n.,;:")
                out.append(
                    Statement(who, text[a:b], _lemma(mp.group("cue")), "indirect", a, b, 0.7)
                )
                continue
        for c in _CUE_RE.finditer(text, s0, s1):
            lemma = _lemma(c.group(0))
            if lemma in gz.QUOTE_ONLY_CUES:
                continue
            if negated(c.start(), s0):
                continue
            x = spk.before(s0, c.start())
            if x is None:
                continue
            who = spk.resolve(x)
            if who is None:
                continue
            rest = text[c.end() : s1]
            clause_off: int | None = None
            kind = "indirect"
            mt = re.match(r"^((?:\s+[^\s,;.]+){0,7}?)\s+that\s+", rest)
            if mt is not None and "," not in mt.group(1):
                clause_off = mt.end()
                if re.search(r"\bstatement\b", mt.group(1)):
                    kind = "written"
            elif lemma not in {"tell"}:
                tp = _TIME_PHRASE.match(rest)
                off = tp.end() if tp else 0
                if re.search(r"\bstatement\b", rest[:off]):
                    kind = "written"
                mc = re.match(r"\s+", rest[off:])
                if mc is not None and _CLAUSE_START.match(rest, off + mc.end()):
                    clause_off = off + mc.end()
            if clause_off is None:
                # "CLAUSE, X said."
                tail = rest.strip(" .!?")
                head = text[s0 : x.start].rstrip()
                if len(tail.split()) <= 3 and head.endswith(","):
                    a, b = _trim(text, s0, s0 + len(text[s0 : x.start].rstrip()) - 1)
                    if b - a > 10:
                        out.append(Statement(who, text[a:b], lemma, kind, a, b, 0.7))
                        break
                continue
            a, b = _trim(text, c.end() + clause_off, s1, " \t\n.,;:")
            if len(text[a:b].split()) < 3:
                continue
            if text[a : a + 1] in "$€£":
                continue
            out.append(Statement(who, text[a:b], lemma, kind, a, b, 0.75))
            break
    out.sort(key=lambda s: s.start)
    # drop exact duplicates
    seen: set[tuple[int, int]] = set()
    uniq: list[Statement] = []
    for s in out:
        if (s.start, s.end) in seen:
            continue
        seen.add((s.start, s.end))
        uniq.append(s)
    return uniq


# ---------------------------------------------------------------------------------------------
# Amounts and statistics
# ---------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "mn": 1e6,
    "m": 1e6,
    "k": 1e3,
    "b": 1e9,
}
_QUAL_RE = "|".join(re.escape(q) for q in sorted(gz.QUALIFIERS, key=len, reverse=True))
_MONEY_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL_RE})\s+)?(?:"
    rf"(?P<cur>US\$|U\.S\.\s?\$|USD\s?|MX\$|MXN\s?|EUR\s?|€|£|\$)\s?(?P<num>{_NUM})"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion)\b|(?P<abbr>bn|mn|m|k|b)\b)?"
    rf"|(?P<num2>{_NUM})\s?(?P<scale2>thousand|million|billion|trillion)?\s+"
    rf"(?:(?:U\.S\.|US|American|Mexican)\s+)?(?P<unit2>dollars|pesos|euros|quetzales|lempiras)\b"
    rf"|(?P<vague>billions|millions|hundreds of millions|tens of millions|thousands|"
    rf"hundreds of thousands) of (?:(?:U\.S\.|US)\s+)?(?P<vunit>dollars|pesos|euros)\b"
    rf")",
    re.I,
)
_UNIT_CUR = {
    "dollars": "USD",
    "pesos": "MXN",
    "euros": "EUR",
    "quetzales": "GTQ",
    "lempiras": "HNL",
}
_SYM_CUR = {
    "us$": "USD",
    "u.s.$": "USD",
    "usd": "USD",
    "mx$": "MXN",
    "mxn": "MXN",
    "eur": "EUR",
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
}
_FUND_VERBS = re.compile(
    r"\b(?:provid(?:e|es|ed|ing)|g[ai]ve|given|giv(?:es|ing)|fund(?:s|ed|ing)?|allott?(?:ed)?|"
    r"commit(?:s|ted)?|contribut(?:e|es|ed)|pledg(?:e|es|ed)|approv(?:e|es|ed)|"
    r"announc(?:e|es|ed)|allocat(?:e|es|ed)|sp(?:end|ent|ends)|appropriat(?:e|es|ed)|"
    r"grant(?:s|ed)?|donat(?:e|es|ed)|invest(?:s|ed)?|send(?:s)?|sent|offer(?:s|ed)?|"
    r"set aside)\b"
)


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _find_amounts(text: str, ent: _Entities, sentences: list[Span]) -> list[Amount]:
    out: list[Amount] = []
    sent_starts = [s for s, _e in sentences]
    for m in _MONEY_RE.finditer(text):
        qual = m.group("qual")
        start = m.start()
        if qual is not None:
            qual_l = qual.lower()
            if qual_l == "some" and text[start : start + 1] == "S":
                pass
        value: float | None
        if m.group("num") is not None:
            cur_sym = m.group("cur").replace(" ", "").lower()
            currency = _SYM_CUR.get(cur_sym, "USD")
            value = _num(m.group("num"))
            scale = (m.group("scale") or m.group("abbr") or "").lower()
            value *= _SCALES.get(scale, 1.0)
            conf = 0.95
        elif m.group("num2") is not None:
            currency = _UNIT_CUR[m.group("unit2").lower()]
            value = _num(m.group("num2")) * _SCALES.get((m.group("scale2") or "").lower(), 1.0)
            conf = 0.9
        else:
            currency = _UNIT_CUR[m.group("vunit").lower()]
            value = None
            conf = 0.6
        end = m.end()
        k = bisect.bisect_right(sent_starts, start) - 1
        s0, s1 = sentences[k] if k >= 0 else (0, len(text))
        amt = Amount(
            text=text[start:end],
            value=value,
            currency=currency,
            qualifier=qual.lower() if qual else None,
            start=start,
            end=end,
            confidence=conf,
        )
        _amount_roles(text, ent, amt, s0, s1)
        out.append(amt)
    return out


def _mentions_in(ent: _Entities, a: int, b: int) -> list[_M]:
    ms = [
        x
        for x in ent.mentions
        if x.kind in {"org", "country", "person"} and a <= x.start and x.end <= b
    ]
    ms.sort(key=lambda x: (x.start, -x.end))
    out: list[_M] = []
    for x in ms:
        if out and x.start < out[-1].end:
            continue
        out.append(x)
    return out


def _coordinated(ent: _Entities, first: _M, limit: int) -> list[_M]:
    """``first`` plus mentions joined to it by commas or "and"."""
    res = [first]
    pos = first.end
    for x in _mentions_in(ent, first.end, limit):
        if re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)", ent.text[pos : x.start]):
            res.append(x)
            pos = x.end
        else:
            break
    return res


def _amount_roles(text: str, ent: _Entities, amt: Amount, s0: int, s1: int) -> None:
    # program
    for a, b, name in ent.programs:
        if s0 <= a and b <= s1:
            amt.program = name
            break
    # funder: "in X funding/assistance" after the amount
    mf = re.match(
        r"\s+(?:in|of)\s+(?:new\s+)?(?P<np>[^,.;]{1,80}?)\s+"
        r"(?:funding|assistance|aid|grants?|support|money)\b",
        text[amt.end : s1],
    )
    if mf is not None:
        xs = _mentions_in(ent, amt.end + mf.start("np"), amt.end + mf.end("np"))
        if xs:
            amt.funder = xs[0].key
    verb = None
    for v in _FUND_VERBS.finditer(text, s0, amt.start):
        verb = v
    if amt.funder is None and verb is not None:
        xs = _mentions_in(ent, s0, verb.start())
        for x in reversed(xs):
            gap = text[x.end : verb.start()]
            if re.fullmatch(
                rf"\s*(?:\([^)]*\)\s*)?(?:{_AUX}\s+|will\s+|also\s+)*", gap
            ) or _APPOS_RE.match(gap):
                amt.funder = x.key
                break
    if amt.funder is None:
        mfrom = re.match(r"\s+(?:\w+\s+){0,3}?from\s+(?:the\s+)?", text[amt.end : s1])
        if mfrom is not None:
            xs = _mentions_in(ent, amt.end + mfrom.end(), s1)
            if xs and xs[0].start == amt.end + mfrom.end():
                amt.funder = xs[0].key
    # recipient: "given Mexico $X" or "to/for X" after the amount
    rec: list[_M] = []
    if verb is not None:
        xs = _mentions_in(ent, verb.end(), amt.start)
        if xs and re.fullmatch(r"\s*(?:the\s+)?", text[verb.end() : xs[0].start]):
            rec = [xs[0]]
    if not rec:
        for mt in re.finditer(
            r"(?<!according )\b(?:to|for|to help|to assist|to support)\s+"
            r"(?:the\s+)?",
            text[amt.end : s1],
        ):
            xs = _mentions_in(ent, amt.end + mt.end(), s1)
            if xs and xs[0].start == amt.end + mt.end():
                first = xs[0]
                # "Guatemala's National Civil Police": take the possessed organization
                if (
                    first.kind == "country"
                    and len(xs) > 1
                    and re.fullmatch(r"['’]s\s+", text[first.end : xs[1].start])
                ):
                    first = xs[1]
                rec = _coordinated(ent, first, s1)
                break
    rec = [x for x in rec if x.key != amt.funder]
    if rec:
        amt.recipient = rec[0].key
        amt.recipients = [x.key for x in rec]


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\."
)
_STAT_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL_RE})\s+)?(?<![\w$€£.,])(?P<num>{_NUM})(?![\w.,]\d)"
    r"(?:\s+(?P<scale>thousand|million|billion)\b)?(?:\s*(?P<pct>%|percent\b|per cent\b))?",
    re.I,
)
_MONTH = rf"(?-i:{_MONTHS})"
_YEAR = r"(?:19|20)\d\d"
_HOW_MANY = r"(?:\d+|" + "|".join(gz.NUMBER_WORDS) + ")"
_SPAN_UNITS = r"(?:years?|months?|weeks?|days?|decades?|quarters?|half)"
#: a period stated in a sentence, longest forms first at any one position.
_PERIOD_RE = re.compile(
    rf"\b(?:(?:in|during|for|over|throughout|through)\s+(?:the\s+)?)?"
    rf"(?:fiscal\s+year|FY)\s?{_YEAR}(?:[-/]\d\d)?\b"
    rf"|\bbetween\s+(?:{_MONTH}\s+)?(?:{_YEAR}|{_MONTH})\s+and\s+(?:{_MONTH}\s+)?(?:{_YEAR}|{_MONTH})"
    rf"|\bfrom\s+(?:{_MONTH}\s+)?{_YEAR}\s+(?:to|through|until)\s+(?:{_MONTH}\s+)?{_YEAR}\b"
    rf"|\b(?:in|during|for|since|through|throughout)\s+(?:(?:early|late|mid-?)\s*)?"
    rf"(?:{_MONTH}\s+)?{_YEAR}\b"
    rf"|\b(?:in|during|since)\s+{_MONTH}"
    rf"|\b(?:in|over|during|for|within|throughout)\s+the\s+(?:past|last|previous|first|preceding)"
    rf"\s+(?:{_HOW_MANY}\s+)?{_SPAN_UNITS}(?:\s+of\s+(?:the\s+year|{_YEAR}))?\b"
    rf"|\bover\s+{_HOW_MANY}\s+{_SPAN_UNITS}\b"
    r"|\b(?:last|this|that|the previous|the same|the following)\s+(?:year|month|quarter|week)"
    r"(?:\s+(?:earlier|before))?\b"
    r"|\b(?:a|one|the)\s+(?:year|month|quarter|week)\s+(?:earlier|before|ago)\b"
    r"|\bin\s+the\s+(?:quarter|year|month)\b",
    re.I,
)
_CUE_FORMS = "|".join(sorted(map(re.escape, gz.CUE_LEMMAS), key=len, reverse=True))  # longest first
#: where a sentence splits into clauses that can each state their own figure and period.
_CLAUSE_BREAK = re.compile(
    r";|\s[—–]\s|,\s+(?=(?:and|but|while|whereas|although|though|according to)\b)"
    rf"|,\s+(?=(?:[\w.’'-]+\s+){{0,4}}?(?:{_CUE_FORMS})\b[^,;]{{0,80}}$)",
    re.I,
)
_REPORTING = re.compile(
    rf"(?:according to\b|(?:[\w.’'-]+\s+){{0,4}}?(?:{_CUE_FORMS})\b[^,;]{{0,80}}$)", re.I
)
_LEADING_FILLER = re.compile(r"[\s,\"“”]*(?:(?:and|but|so|then|meanwhile|yet)\b[\s,]*)*", re.I)
_DETERMINERS = re.compile(
    r"^(?:(?:the|a|an|its|their|his|her|our|this|that|these|those)\s+)+", re.I
)
_AUXILIARY = r"(?:\s+(?:has|have|had|has been|have been|had been|would|will|could|may))?"


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so "rose to" beats "rose")."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


#: a verb stating the level just before a figure ("the total was", "arrests had topped").
_LEVEL_RE = re.compile(rf"{_AUXILIARY}\s+(?:{_alternatives(gz.LEVEL_VERBS)})\s*$", re.I)
#: a verb of change just before a figure ("have jumped by").
_CHANGE_RE = re.compile(
    rf"{_AUXILIARY}\s+(?P<verb>{_alternatives(gz.CHANGE_VERBS)})(?:\s+by)?\s*$", re.I
)
#: where a noun phrase before a verb begins: after a complementizer, a cue or a comma that
#: opens a lower-case clause.
_NP_START = re.compile(
    rf"\b(?:that|which|who|whether|if|because|when|after|while|as|(?:{_CUE_FORMS}))\s+"
    r"|[,:;\"“”(]\s*(?=[a-z])|[:;\"“”(]\s*",
)
_COUNT_OF = re.compile(
    r"^(?:[a-z]+\s+)?(?:" + "|".join(gz.COUNT_NOUNS) + r")\s+of\s+(?:the\s+)?(?P<what>.+)$", re.I
)
_PARTICIPLE_BEFORE = re.compile(r"\b(?P<verb>[a-z]{3,}ed)\s+$")
_CHANGE_NOUNS = frozenset(
    {"increase", "rise", "jump", "growth", "decrease", "decline", "drop", "fall", "cut"}
)
_UNIT_WORDS = re.compile(r"^\s+((?:[A-Z][a-z]+\s+)?(?:[a-zA-Z][a-z\-]+)(?:\s+[a-z][a-z\-]+)?)")
_OF_WORDS = re.compile(
    r"^\s+of\s+(?:the\s+|these\s+|those\s+|all\s+)?(?P<what>[A-Za-z][\w\s'’-]{0,60})"
)
_UNIT_STOP = {
    "in",
    "of",
    "to",
    "at",
    "on",
    "by",
    "and",
    "or",
    "the",
    "a",
    "from",
    "with",
    "since",
    "for",
    "than",
    "last",
    "this",
    "were",
    "was",
    "are",
    "is",
    "had",
    "have",
    "has",
    "who",
    "that",
    "which",
    "more",
    "down",
    "up",
    "per",
    "between",
    "during",
    "along",
    "across",
    "against",
    "among",
    "near",
    "into",
    "through",
    "over",
    "under",
    "within",
    "would",
    "will",
    "could",
    "an",
}
#: the longest noun phrase taken as a measure; longer subjects are not trusted.
_MAX_MEASURE_WORDS = 10


@dataclass
class _Clause:
    start: int
    end: int
    reporting: bool


def _clauses(text: str, s0: int, s1: int) -> list[_Clause]:
    """Split a sentence into clauses; a clause of attribution ("according to X") is marked."""
    cuts = [s0]
    sentence = text[s0:s1]
    for m in _CLAUSE_BREAK.finditer(sentence):
        cuts.append(s0 + m.start())
    lead = re.match(r"[\s\"“]*according to\b[^,;]{0,120},", sentence, re.I)
    if lead is not None and s0 + lead.end() - 1 not in cuts:
        cuts.append(s0 + lead.end() - 1)
    cuts = sorted(set(cuts)) + [s1]
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        body = text[a:b].lstrip(";—–, \t\n")
        out.append(_Clause(a, b, bool(_REPORTING.match(body))))
    return out


def _words_until_stop(phrase: str, limit: int = 3) -> str | None:
    words: list[str] = []
    for w in phrase.split():
        w = w.strip(".,;:!?\"“”()")
        if (not w or w.lower() in _UNIT_STOP or w.lower() in gz.CUE_LEMMAS
                or re.fullmatch(r"[a-z]+ed", w) or w[0].isdigit()):
            break
        words.append(w)
        if len(words) == limit:
            break
    return " ".join(words) or None


def _sentence_case(phrase: str, at_start: bool) -> str:
    """Lower the first letter of a phrase that was capitalized only by opening a sentence."""
    first = phrase.split(" ", 1)[0]
    proper = first in gz.DEMONYMS or first.rstrip("s") in gz.DEMONYMS or first in gz.COUNTRIES
    if at_start and first[:1].isupper() and first[1:].islower() and not proper:
        return phrase[0].lower() + phrase[1:]
    return phrase


def _noun_phrase_before(text: str, c0: int, pos: int) -> tuple[str, bool] | None:
    """The noun phrase that ends at ``pos`` in the clause starting at ``c0``, and whether it
    opens the clause. Leading periods ("In 2016,") and possessors ("Mexico's") are dropped."""
    chunk = text[c0:pos]
    lead = 0
    filler = _LEADING_FILLER.match(chunk)
    mp = _PERIOD_RE.match(chunk, filler.end() if filler else 0)
    if mp is not None:
        lead = mp.end()
    start = lead
    for m in _NP_START.finditer(chunk, lead):
        start = m.end()
    filler = _LEADING_FILLER.match(chunk, start)
    if filler is not None:
        start = filler.end()
    phrase = chunk[start:].strip(" ,")
    phrase = _DETERMINERS.sub("", phrase)
    phrase = re.sub(r"^[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*['’]s\s+", "", phrase)
    words = phrase.split()
    if len(words) > _MAX_MEASURE_WORDS:
        # keep the head and its "of" complement: "arrests of families [at the border of ...]"
        cut = next((i for i, w in enumerate(words) if i > 0 and w.lower() in _UNIT_STOP
                    and w.lower() not in {"of", "and"}), len(words))
        phrase = " ".join(words[:cut])
    if not phrase or len(phrase.split()) > _MAX_MEASURE_WORDS or not re.match(r"[A-Za-z]", phrase):
        return None
    opens = not text[c0 : c0 + start].strip(" ,\t\n\"“") or c0 + start == c0 + lead
    return phrase, opens


@dataclass
class _Quantity:
    unit: str | None
    measure: str | None


def _count_quantity(text: str, c0: int, qstart: int, end: int, c1: int) -> _Quantity:
    """What a count quantifies: the noun after it, the "of" noun, or the subject it is."""
    after = text[end:c1]
    unit = None
    mo = _OF_WORDS.match(after)
    if mo is not None:
        unit = _words_until_stop(mo.group("what"))
    else:
        mu = _UNIT_WORDS.match(after)
        if mu is not None:
            unit = _words_until_stop(mu.group(1))
    if unit is not None:
        measure = unit
        verb = _PARTICIPLE_BEFORE.search(text, max(c0, qstart - 30), qstart)
        if verb is not None and verb.group("verb") not in gz.LEVEL_VERBS:
            measure = f"{unit} {verb.group('verb')}"
        return _Quantity(unit, measure)
    level = _LEVEL_RE.search(text, c0, qstart)
    if level is not None and level.end() == qstart:
        found = _noun_phrase_before(text, c0, level.start())
        if found is not None:
            phrase, opens = found
            phrase = _sentence_case(phrase, opens)
            mc = _COUNT_OF.match(phrase)
            head = _words_until_stop(mc.group("what") if mc else phrase)
            return _Quantity(head, phrase)
    return _Quantity(None, None)


def _percent_measure(text: str, c0: int, qstart: int, end: int, c1: int) -> str | None:
    """What a percentage is of: "a 5 percent tariff", "38 percent of X", "X rose 38 percent"."""
    after = text[end:c1]
    mo = _OF_WORDS.match(after)
    if mo is not None:
        what = _words_until_stop(mo.group("what"), 4)
        return f"share of {what}" if what else None
    if re.search(r"\b(?:a|an)\s+$", text[max(c0, qstart - 4) : qstart], re.I):
        mu = re.match(r"\s+([a-z][\w-]*)(?:\s+(?:in|of)\s+(?P<what>[\w\s'’-]{1,60}))?", after)
        if mu is not None and mu.group(1).lower() not in _UNIT_STOP:
            noun = mu.group(1)
            what = _words_until_stop(mu.group("what") or "", 4)
            return f"{noun} in {what}" if noun in _CHANGE_NOUNS and what else noun
    change = _CHANGE_RE.search(text, c0, qstart)
    level = _LEVEL_RE.search(text, c0, qstart)
    if change is not None and change.end() == qstart:
        found = _noun_phrase_before(text, c0, change.start())
        if found is not None:
            phrase = _sentence_case(*found)
            return f"{gz.CHANGE_VERBS[change.group('verb').lower()]} in {phrase}"
    elif level is not None and level.end() == qstart:
        found = _noun_phrase_before(text, c0, level.start())
        if found is not None:
            return _sentence_case(*found)
    return None


def _period_near(text: str, clause: _Clause, start: int, end: int) -> re.Match[str] | None:
    """The period phrase of the clause nearest to the figure, before or after it."""
    best: re.Match[str] | None = None
    best_gap = None
    for m in _PERIOD_RE.finditer(text, clause.start, clause.end):
        if m.start() < end and m.end() > start:
            continue  # the figure itself ("2016" in "fiscal year 2016")
        gap = start - m.end() if m.end() <= start else m.start() - end
        if best_gap is None or gap < best_gap:
            best, best_gap = m, gap
    return best


def _period_value(phrase: str, doc_year: int | None) -> str | None:
    """An ISO year or year-month for a period naming one calendar year (or month of one)."""
    p = phrase.lower()
    years: list[str] = re.findall(_YEAR, phrase)
    # only a whole calendar year or month: not fiscal years, spans, or "the first half of"
    if re.fullmatch(rf"(?:(?:in|during|for|throughout)\s+)?(?:{_MONTH}\s+)?{_YEAR}", phrase,
                    re.I):
        month = re.search(_MONTH, phrase)
        if month is not None:
            names = [m.lower() for m in gz.MONTHS]
            key = month.group(0).rstrip(".").lower()
            index = next((i for i, n in enumerate(names, 1) if n.startswith(key)), None)
            if index is not None:
                return f"{years[0]}-{index:02d}"
        return years[0]
    if doc_year is not None and not years:
        if re.fullmatch(r"(?:in\s+)?(?:last|the previous) year", p):
            return str(doc_year - 1)
        if re.fullmatch(r"(?:in\s+)?this year", p):
            return str(doc_year)
    return None


def _find_statistics(
    text: str,
    ent: _Entities,
    sentences: list[Span],
    amounts: list[Amount],
    doc_date: str | None = None,
) -> list[Statistic]:
    out: list[Statistic] = []
    money = sorted((a.start, a.end) for a in amounts)
    money_starts = [a for a, _b in money]
    # reach[k]: the furthest end among the first k + 1 spans (amounts may overlap)
    money_reach = list(itertools.accumulate((b for _a, b in money), max))

    def in_money(pos: int) -> bool:
        k = bisect.bisect_right(money_starts, pos) - 1
        return k >= 0 and pos < money_reach[k]

    sent_starts = [s for s, _e in sentences]
    year = re.match(r"(\d{4})", doc_date or "")
    doc_year = int(year.group(1)) if year else None
    clauses_of: dict[int, list[_Clause]] = {}
    #: the last figure's quantity in each clause, for parallel figures ("21,000, down from 30,000").
    last_quantity: dict[int, _Quantity] = {}
    for m in _STAT_RE.finditer(text):
        ns, ne = m.start("num"), m.end("num")
        if in_money(ns):
            continue
        numtxt = m.group("num")
        pct = m.group("pct")
        try:
            value = _num(numtxt)
        except ValueError:
            continue
        if value != value or value in (float("inf"), float("-inf")):
            continue
        if not pct:
            if re.fullmatch(r"(?:1[89]|20)\d\d", numtxt):
                continue
            if re.search(rf"(?:{_MONTHS})\s*$", text[max(0, ns - 12) : ns]):
                continue
            if re.match(rf"\s*(?:{_MONTHS})\b", text[ne : ne + 12]):
                continue
            if re.match(
                r"\s*(?:years?|months?|days?|weeks?|hours?|minutes?|a\.m\.|p\.m\.|"
                r"st|nd|rd|th)\b|[-/:]",
                text[ne : ne + 10],
            ):
                continue
            if text[ns - 1 : ns] in "-/:#" or value < 10:
                continue
            if "." in numtxt and "," not in numtxt:
                continue
        if m.group("scale"):
            value *= _SCALES[m.group("scale").lower()]
        start = m.start() if m.group("qual") else ns
        end = m.end()
        k = bisect.bisect_right(sent_starts, ns) - 1
        s0, s1 = sentences[k] if k >= 0 else (0, len(text))
        clauses = clauses_of.setdefault(k, _clauses(text, s0, s1))
        ci = next((i for i, c in enumerate(clauses) if c.start <= ns < c.end), 0)
        clause = clauses[ci]
        key = s0 * 1000 + ci
        # a figure opening an elliptical clause ("and 187,000 in 2016") continues the
        # sentence's previous figure
        if key not in last_quantity and _opens_clause(text, clause.start, start):
            key = s0 * 1000 - 1
        if pct:
            quantity = _Quantity("percent", _percent_measure(text, clause.start, start, end,
                                                            clause.end))
            if quantity.measure is None and key in last_quantity:
                quantity = _Quantity("percent", last_quantity[key].measure)
        else:
            quantity = _count_quantity(text, clause.start, start, end, clause.end)
            if quantity.unit is None and key in last_quantity:
                quantity = last_quantity[key]
        if quantity.unit is not None:
            last_quantity[key] = quantity
            last_quantity[s0 * 1000 - 1] = quantity
        mp = _period_near(text, clause, start, end)
        if mp is None and not clause.reporting:
            # a period opening the sentence frames all its clauses ("In 2016, ...")
            lead = _LEADING_FILLER.match(text, s0, s1)
            head = _PERIOD_RE.match(text, lead.end() if lead else s0, s1)
            if head is not None and text[head.end() : head.end() + 1] == ",":
                mp = head
        period = mp.group(0) if mp else None
        subj = _statistic_subject(ent, text, clauses, ci, ns)
        qual = m.group("qual")
        out.append(
            Statistic(
                text[start:end],
                value,
                quantity.unit,
                period,
                subj,
                start,
                end,
                0.75 if quantity.unit else 0.5,
                qualifier=qual.lower() if qual else None,
                measure=quantity.measure,
                period_value=_period_value(period, doc_year) if period else None,
            )
        )
    return out


def _opens_clause(text: str, c0: int, pos: int) -> bool:
    """Whether only fillers and a period phrase come before ``pos`` in its clause."""
    chunk = text[c0:pos]
    filler = _LEADING_FILLER.match(chunk)
    rest = chunk[filler.end() if filler else 0 :]
    period = _PERIOD_RE.match(rest)
    if period is not None:
        rest = rest[period.end() :]
    return not rest.strip(" ,;:—–\t\n")


def _statistic_subject(
    ent: _Entities, text: str, clauses: list[_Clause], ci: int, pos: int
) -> str | None:
    """The actor a figure is about: the first one named in its clause before it, else in an
    earlier clause of the sentence; speaker labels and attributions ("according to") skipped."""
    own = clauses[ci]
    for clause in [own] + [c for c in clauses[:ci] if not c.reporting]:
        stop = pos if clause is own else clause.end
        for x in _mentions_in(ent, clause.start, stop):
            if text[x.end : x.end + 1] == ":":
                continue
            return x.key
    return None


# ---------------------------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------------------------

_THREAT_RE = re.compile(r"\bthreat(?:en|ens|ened|ening)\b")
_CANCEL_RE = re.compile(
    r"\b(?:cancel(?:l?ed|s|led)?|called off|calls off|call off|scrapped|"
    r"scraps)\b(?P<mid>[^.;]{0,60}?)\b(?:meeting|visit|summit|trip|talks)\b"
    r"[^.;]{0,40}?\bwith\s+(?:the\s+)?"
)
_CRIT_RE = re.compile(r"\b(?:criticiz|criticis|condemn|denounc|rebuk|blast)(?:e|es|ed|ing|s)?\b")
_COOP_RE = re.compile(
    r"\b(?:cooperat(?:e|es|ed|ing)|work(?:s|ed)? closely|partner(?:s|ed)?)"
    r"\s+with\s+(?:the\s+)?"
)
_SIGN_RE = re.compile(
    r"\bsign(?:s|ed)?\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:memorandum|agreement|accord|deal|pact)\b"
)


def _extract_relations(
    text: str, ent: _Entities, sentences: list[Span], amounts: list[Amount]
) -> list[Relation]:
    spk = _Speakers(ent, text)
    rels: list[Relation] = []

    def add(s: str | None, p: str, o: str | None, a: int, b: int, conf: float) -> None:
        if s and o and s != o:
            rels.append(Relation(s, p, o, a, b, conf))

    def subject(s0: int, pos: int) -> str | None:
        x = spk.before(s0, pos)
        if x is None:
            return None
        return spk.resolve(x)

    for s0, s1 in sentences:
        for m in _THREAT_RE.finditer(text, s0, s1):
            if text[m.start() : m.end()] == "threat":
                continue
            subj = subject(s0, m.start())
            xs = _mentions_in(ent, m.end(), s1)
            if (
                xs
                and len(text[m.end() : xs[0].start].split()) <= 8
                and not _QUOTE_CHARS_RE.search(text[m.end() : xs[0].start])
            ):
                for o in _coordinated(ent, xs[0], s1):
                    add(subj, "threatens", o.key, s0, s1, 0.7)
        for m in _CANCEL_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = _mentions_in(ent, m.end(), s1)
            if xs and xs[0].start == m.end():
                add(subj, "cancelled_meeting_with", xs[0].key, s0, s1, 0.8)
        for m in _CRIT_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = _mentions_in(ent, m.end(), s1)
            if xs and re.fullmatch(r"\s*(?:the\s+)?", text[m.end() : xs[0].start]):
                add(subj, "criticizes", xs[0].key, s0, s1, 0.75)
        for m in _COOP_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = _mentions_in(ent, m.end(), s1)
            if xs and xs[0].start == m.end():
                add(subj, "cooperates_with", xs[0].key, s0, s1, 0.7)
        for m in _SIGN_RE.finditer(text, s0, s1):
            xs = _mentions_in(ent, s0, m.start())
            for i in range(len(xs) - 1):
                gap = text[xs[i].end : xs[i + 1].start]
                if re.fullmatch(r"\)?\s*(?:\([^)]*\)\s*)?and\s+(?:the\s+)?", gap):
                    tail = text[xs[i + 1].end : m.start()]
                    if re.fullmatch(rf"\s*(?:\([^)]*\)\s*)?(?:{_AUX}\s+)*", tail):
                        add(xs[i].key, "cooperates_with", xs[i + 1].key, s0, s1, 0.75)
    for amt in amounts:
        for rec in amt.recipients:
            add(amt.funder, "funds", rec, amt.start, amt.end, 0.7)
    for per in ent.persons.values():
        if (
            per.affiliation
            and per.affiliation in ent.orgs
            and ent.orgs[per.affiliation].type != "Country"
        ):
            role = (per.role or "").lower()
            head = role.split()[-1] if role else ""
            sub = any(
                w in role.split()
                for w in ("assistant", "deputy", "under", "vice", "former", "acting")
            )
            pred = (
                "heads"
                if (head in gz.HEAD_ROLE_WORDS or "secretary of" in role) and not sub
                else "member_of"
            )
            a, b = per.spans[0]
            add(per.name, pred, per.affiliation, a, b, 0.7)
    seen: set[tuple[str, str, str]] = set()
    out: list[Relation] = []
    for r in rels:
        key = (r.subject, r.predicate, r.object)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


#: texts longer than this are processed in paragraph-aligned chunks (keeps time linear).
CHUNK_CHARS = 60_000


def _chunks(text: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n\n", start + CHUNK_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind("\n", start + CHUNK_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + CHUNK_CHARS // 2, end)
            end = cut + 1 if cut != -1 else end
        spans.append((start, end))
        start = end
    return spans


def _merge(doc: Document, parts: list[tuple[int, Extraction]]) -> Extraction:
    """Merge chunk extractions, shifting every offset by the chunk start."""
    persons: dict[str, PersonMention] = {}
    orgs: dict[str, OrganizationMention] = {}
    out = Extraction(document=doc)
    seen_rel: set[tuple[str, str, str]] = set()
    for off, ex in parts:
        for p in ex.persons:
            tgt = persons.setdefault(p.name, PersonMention(name=p.name, confidence=p.confidence))
            tgt.mentions += [m for m in p.mentions if m not in tgt.mentions]
            tgt.spans += [(a + off, b + off) for a, b in p.spans]
            tgt.role = tgt.role or p.role
            tgt.affiliation = tgt.affiliation or p.affiliation
            tgt.gender = tgt.gender or p.gender
        for o in ex.organizations:
            org = orgs.setdefault(
                o.name, OrganizationMention(o.name, o.type, confidence=o.confidence)
            )
            org.mentions += [m for m in o.mentions if m not in org.mentions]
            org.spans += [(a + off, b + off) for a, b in o.spans]
        for a in ex.amounts:
            a.start += off
            a.end += off
            out.amounts.append(a)
        for st in ex.statistics:
            st.start += off
            st.end += off
            out.statistics.append(st)
        for sm in ex.statements:
            sm.start += off
            sm.end += off
            out.statements.append(sm)
        for r in ex.relations:
            key = (r.subject, r.predicate, r.object)
            if key not in seen_rel:
                seen_rel.add(key)
                r.start += off
                r.end += off
                out.relations.append(r)
    out.persons = list(persons.values())
    out.organizations = list(orgs.values())
    return out


def extract(doc: Document) -> Extraction:
    """Extract persons, organizations, amounts, statistics, statements and relations.

    Args:
        doc: The document (see :func:`read_document`).

    Returns:
        The extraction. It never raises on odd input; unusable text gives empty lists.
        Long texts are processed in paragraph-aligned chunks of about
        :data:`CHUNK_CHARS` characters (pronouns are not resolved across chunks).
    """
    if len(doc.text) > CHUNK_CHARS:
        parts = []
        for a, b in _chunks(doc.text):
            sub = Document(text=doc.text[a:b], publisher=doc.publisher)
            parts.append((a, _extract_one(sub)))
        return _merge(doc, parts)
    return _extract_one(doc)


def _extract_one(doc: Document) -> Extraction:
    text = doc.text
    paragraphs = _paragraphs(text)
    turns = _find_turns(text)
    labels = [(t.label_start, t.label_end) for t in turns]
    quotes = _find_quotes(text, paragraphs)
    sentences = _sentences(text, paragraphs, quotes)
    ent = _Entities(text)
    _find_orgs(ent, doc.publisher, labels)
    _find_persons(ent)
    _find_short_mentions(ent)
    statements = _extract_statements(text, ent, sentences, quotes, turns, paragraphs)
    amounts = _find_amounts(text, ent, sentences)
    statistics = _find_statistics(text, ent, sentences, amounts, doc.date)
    relations = _extract_relations(text, ent, sentences, amounts)
    persons = sorted(ent.persons.values(), key=lambda p: min(s for s, _e in p.spans))
    orgs = sorted(ent.orgs.values(), key=lambda o: min(s for s, _e in o.spans))
    for p in persons:
        order = sorted(range(len(p.spans)), key=lambda i: p.spans[i])
        p.spans = [p.spans[i] for i in order]
    for o in orgs:
        o.spans.sort()
    return Extraction(
        document=doc,
        persons=persons,
        organizations=orgs,
        amounts=amounts,
        statistics=statistics,
        statements=statements,
        relations=relations,
    )
