"""Statements: direct and indirect speech, transcript turns, their speakers."""

from __future__ import annotations

import bisect
import re

from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.document import (
    Span,
    Statement,
)
from policykg.loaders.article.mentions import (
    Entities,
    Mention,
    first_mention_in,
    gender_of,
    surname_variants,
)
from policykg.loaders.article.segmentation import (
    _APPOS_AT,
    _AUX,
    _CUE_RE,
    _GAP_AT,
    _NEG_RE,
    _PRONOUN_RE,
    _QUOTE_CHARS,
    _WRITTEN_RE,
    Quote,
    Turn,
    fold,
    trim_span,
)


def _resolve_label(ent: Entities, turn: Turn) -> str:
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
    folded = fold(surname)
    for per in ent.persons.values():
        if (
            any(fold(v) == folded for v in surname_variants(per.name))
            or fold(per.name) == folded
        ):
            name = per.name
            break
    else:
        name = ent.lex.known_persons.get(surname, surname)
    role = " ".join(w.title() for w in titles if w not in {"MR.", "MS.", "MRS.", "DR."}) or None
    start = turn.label_start + label.find(rest[0])
    ent.add_person(
        name, start, turn.label_end, 0.8, gender_of("", titles[0].title() if titles else "", "")
    )
    per = ent.persons[name]
    if role and not per.role:
        per.role = role
    return name


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


class Speakers:
    """Finds and resolves speakers near cue verbs."""

    def __init__(self, ent: Entities, text: str) -> None:
        self.ent = ent
        self.text = text
        pron = [
            Mention(m.start(), m.end(), m.group(0), "", "pronoun")
            for m in _PRONOUN_RE.finditer(text)
        ]
        self.cands = sorted(
            [x for x in ent.mentions if x.kind in {"person", "org", "country"}] + pron,
            key=lambda x: (x.start, -x.end),
        )
        self.person_mentions = sorted(
            [x for x in ent.mentions if x.kind == "person"], key=lambda x: x.start
        )
        self.starts = [x.start for x in self.cands]

    def resolve(self, m: Mention) -> str | None:
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

    def before(self, s0: int, cue_start: int) -> Mention | None:
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

    def after(self, pos: int, limit: int) -> Mention | None:
        """A mention directly at ``pos`` (after a cue), allowing title words in between.

        A person named after a title that implies an organization ("said Secretary of
        Homeland Security Alejandro Mayorkas") wins over that organization.
        """
        k = bisect.bisect_left(self.starts, pos)
        found: Mention | None = None
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


def _inverted_cue(spk: Speakers, text: str, pos: int, s1: int) -> tuple[str, str] | None:
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


#: The end of a host's turn that gives the floor to a reporter: "Go ahead, Said.", "Yes,
#: Matt.", "With that, Matt.", "Said, go ahead.", "Michel, please." (a first name or two).
_FLOOR_GIVEN = re.compile(
    r"(?:\b(?:[Gg]o ahead|[Yy]es|[Oo]kay|[Pp]lease|[Ww]ith that|[Ss]ure)\s*,\s+"
    r"(?P<a>[A-Z][\w'’\-]+(?: [A-Z][\w'’\-]+)?)"
    r"|(?<![\w’'])(?P<b>[A-Z][\w'’\-]+(?: [A-Z][\w'’\-]+)?),\s+(?:go ahead|please))"
    r"\s*[.!]?\s*$"
)


def _reporter_named(turn_text: str) -> str | None:
    """The reporter a host's turn ends by naming, if it does."""
    m = _FLOOR_GIVEN.search(turn_text[-80:])
    if m is None:
        return None
    name = m.group("a") or m.group("b")
    return None if name in gz.NAME_STOPWORDS or name in gz.TITLE_WORDS else name


#: "... released the following statement:" before a written statement.
_FOLLOWING = re.compile(
    r"\b(?:released|issued|made|gave|delivered|published)\s+the\s+following\s+"
    r"(?:statement|remarks|message)\b[^.\n]{0,80}?:\s*$"
)
_OPENING_QUOTE = "“\"«„"


def _announced_statement(
    text: str, ent: Entities, paragraphs: list[Span], taken: list[Span]
) -> list[Statement]:
    """A written statement announced by the paragraph before it: each following paragraph
    that opens with a quotation mark (closed or not: a quotation running over paragraphs
    reopens each one) is one statement of the announcer."""
    out: list[Statement] = []
    for i, (p0, p1) in enumerate(paragraphs[:-1]):
        announce = _FOLLOWING.search(text, p0, p1)
        if announce is None:
            continue
        who = first_mention_in(ent, p0, announce.start(), ("person",))
        if who is None:
            continue
        for q0, q1 in paragraphs[i + 1 :]:
            if text[q0 : q0 + 1] not in _OPENING_QUOTE:
                break
            a, b = trim_span(text, q0 + 1, q1, " \t\n”\"»")
            if b - a < 10 or any(x < b and a < y for x, y in taken):
                continue
            out.append(Statement(who.key, text[a:b], "release", "written", a, b, 0.8))
    return out


def extract_statements(
    text: str,
    ent: Entities,
    sentences: list[Span],
    quotes: list[Quote],
    turns: list[Turn],
    paragraphs: list[Span],
) -> list[Statement]:
    spk = Speakers(ent, text)
    out: list[Statement] = []
    turn_spans = [(t.label_start, t.end) for t in turns]

    turn_starts = [a for a, _b in turn_spans]

    def in_turn(pos: int) -> bool:
        return _in_sorted_spans(turn_spans, turn_starts, pos)

    host_named: str | None = None
    for t in turns:
        label_speaker = _resolve_label(ent, t)
        out.append(
            Statement(
                label_speaker, text[t.start : t.end], "say", "transcript", t.start, t.end, 0.9,
                questioner=host_named if label_speaker == "Questioner" else None,
            )
        )
        is_host = label_speaker != "Questioner"
        host_named = _reporter_named(text[t.start : t.end]) if is_host else None
    spk = Speakers(ent, text)  # labels may have added person mentions

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
        qs, qe = trim_span(text, q.start, q.end)
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
                x2 = first_mention_in(
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
            src = first_mention_in(
                ent, s0 + ma2.start("src"), s0 + ma2.end("src"), ("person", "org")
            )
            if src is None:
                src = first_mention_in(
                    ent, s0 + ma2.start("src"), s0 + ma2.end("src"), ("country",)
                )
                if src is not None and not re.search(r"\bgovernment\b", ma2.group("src"), re.I):
                    src = None
            if src is None:
                pr = _PRONOUN_RE.search(ma2.group("src"))
                if pr is not None and ma2.group("src").strip().lower() in {"him", "her"}:
                    pass
            if src is not None:
                a, b = trim_span(text, s0, s0 + ma2.start())
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
                pm = Mention(s0, s0, "she" if srct.lower() == "her" else "he", "", "pronoun")
                who = spk.resolve(pm)
            else:
                x = first_mention_in(
                    ent, s0 + ms.start("src"), s0 + ms.end("src"), ("person", "org")
                )
                who = x.key if x is not None else None
            if who is not None:
                a, b = trim_span(text, s0 + ms.start("clause"), s1, " \t\n.,;:")
                if b > a:
                    out.append(Statement(who, text[a:b], "according to", "indirect", a, b, 0.75))
            continue
        # "CLAUSE, says X, a researcher."
        inverted_at = _INVERTED_CUE.search(sent)
        if inverted_at is not None:
            inverted = _inverted_cue(spk, text, s0 + inverted_at.start(), s1)
            if inverted is not None:
                a, b = trim_span(text, s0, s0 + inverted_at.start())
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
            pm = Mention(s0 + mp.start("who"), s0 + mp.end("who"), mp.group("who"), "", "pronoun")
            who = spk.resolve(pm)
            if who is not None:
                a, b = trim_span(text, s0, s1, " \t\n.,;:")
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
                    a, b = trim_span(text, s0, s0 + len(text[s0 : x.start].rstrip()) - 1)
                    if b - a > 10:
                        out.append(Statement(who, text[a:b], lemma, kind, a, b, 0.7))
                        break
                continue
            a, b = trim_span(text, c.end() + clause_off, s1, " \t\n.,;:")
            if len(text[a:b].split()) < 3:
                continue
            if text[a : a + 1] in "$€£":
                continue
            out.append(Statement(who, text[a:b], lemma, kind, a, b, 0.75))
            break
    out += _announced_statement(text, ent, paragraphs, [(s.start, s.end) for s in out])
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
