"""Segmentation: paragraphs, quotations, sentences and transcript turns."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.document import (
    Span,
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


def fold(s: str) -> str:
    """Lower-case and strip accents (for matching only)."""
    norm = unicodedata.normalize("NFKD", s)
    return "".join(c for c in norm if not unicodedata.combining(c)).lower()


def split_paragraphs(text: str) -> list[Span]:
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
class Quote:
    start: int  # first character inside the marks
    end: int  # end of the content (exclusive)
    open_pos: int
    close_pos: int


def find_quotes(text: str, paragraphs: list[Span]) -> list[Quote]:
    """Find double-quoted spans, paragraph by paragraph, tolerating unbalanced marks."""
    quotes: list[Quote] = []
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
                    quotes.append(Quote(pending + 1, i, pending, i))
                pending = None
    return quotes


def trim_span(text: str, start: int, end: int, chars: str = " \t\n,;:—–-") -> Span:
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def split_sentences(text: str, paragraphs: list[Span], quotes: list[Quote]) -> list[Span]:
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
    trimmed = [(a, b) for a, b in (trim_span(text, a, b, " \t\n") for a, b in out) if b > a]
    return [piece for a, b in trimmed for piece in _cap_sentence(text, a, b)]


#: sentences longer than this are cut into pieces (news sentences are a few hundred characters).
#: The statement and relation rules look at every mention and cue of a sentence for each cue
#: or quotation in it, so their work grows with the square of a sentence's length; the cap keeps
#: it linear in the text on input without sentence ends (one long line, a run of quotation
#: marks). It is no shorter than the longest quotation :func:`find_quotes` accepts.
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
        a, b = trim_span(text, start, cut, " \t\n")
        if b > a:
            pieces.append((a, b))
        start = cut
        while start < end and text[start] in " \t\n":
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


# ---------------------------------------------------------------------------------------------
# Transcript turns
# ---------------------------------------------------------------------------------------------

_TURN_RE = re.compile(
    r"^(?P<label>(?:(?:MR|MS|MRS|DR|SEN|REP|GOV)\.\s+)?[A-Z][A-Z'’\-]*(?:\s+[A-Z][A-Z'’\-.]*){0,5}"
    r"|Q|A)\s*:[ \t]+(?=\S)",
    re.M,
)


@dataclass
class Turn:
    label: str
    label_start: int
    label_end: int
    start: int
    end: int


def find_turns(text: str) -> list[Turn]:
    heads = [
        m
        for m in _TURN_RE.finditer(text)
        if not re.fullmatch(
            r"(?:NOTE|NOTES|UPDATE|EDITOR'S NOTE|PHOTO|SOURCE|BY)", m.group("label")
        )
    ]
    if len(heads) < 2:
        return []
    turns: list[Turn] = []
    for i, m in enumerate(heads):
        nxt = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        s, e = trim_span(text, m.end(), nxt, " \t\n")
        if e > s:
            turns.append(Turn(m.group("label"), m.start("label"), m.end("label"), s, e))
    return turns
