"""Amounts of money and statistics, with their funders, recipients and periods."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.document import (
    Amount,
    Span,
    Statistic,
)
from policykg.loaders.article.mentions import (
    Entities,
    Mention,
)
from policykg.loaders.article.resources import Lexicon
from policykg.loaders.article.segmentation import (
    _APPOS_RE,
    _AUX,
)

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
_FUND_VERBS = re.compile(
    r"\b(?:provid(?:e|es|ed|ing)|g[ai]ve|given|giv(?:es|ing)|fund(?:s|ed|ing)?|allott?(?:ed)?|"
    r"commit(?:s|ted)?|contribut(?:e|es|ed)|pledg(?:e|es|ed)|approv(?:e|es|ed)|"
    r"announc(?:e|es|ed)|allocat(?:e|es|ed)|sp(?:end|ent|ends)|appropriat(?:e|es|ed)|"
    r"grant(?:s|ed)?|donat(?:e|es|ed)|invest(?:s|ed)?|send(?:s)?|sent|offer(?:s|ed)?|"
    r"set aside)\b"
)


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def find_amounts(text: str, ent: Entities, sentences: list[Span]) -> list[Amount]:
    out: list[Amount] = []
    sent_starts = [s for s, _e in sentences]
    money = ent.lex.money_pattern(_NUM, _QUAL_RE)
    for m in money.finditer(text):
        qual = m.group("qual")
        start = m.start()
        value: float | None
        if m.group("num") is not None:
            cur_sym = m.group("cur").replace(" ", "").lower()
            currency = ent.lex.symbol_currency.get(cur_sym, "USD")
            value = _num(m.group("num"))
            scale = (m.group("scale") or m.group("abbr") or "").lower()
            value *= _SCALES.get(scale, 1.0)
            conf = 0.95
        elif m.group("num2") is not None:
            currency = ent.lex.unit_currency[m.group("unit2").lower()]
            value = _num(m.group("num2")) * _SCALES.get((m.group("scale2") or "").lower(), 1.0)
            conf = 0.9
        else:
            currency = ent.lex.unit_currency[m.group("vunit").lower()]
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


def mentions_in(ent: Entities, a: int, b: int) -> list[Mention]:
    ms = [
        x
        for x in ent.mentions
        if x.kind in {"org", "country", "person"} and a <= x.start and x.end <= b
    ]
    ms.sort(key=lambda x: (x.start, -x.end))
    out: list[Mention] = []
    for x in ms:
        if out and x.start < out[-1].end:
            continue
        out.append(x)
    return out


def coordinated(ent: Entities, first: Mention, limit: int) -> list[Mention]:
    """``first`` plus mentions joined to it by commas or "and"."""
    res = [first]
    pos = first.end
    for x in mentions_in(ent, first.end, limit):
        if re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)", ent.text[pos : x.start]):
            res.append(x)
            pos = x.end
        else:
            break
    return res


def _amount_roles(text: str, ent: Entities, amt: Amount, s0: int, s1: int) -> None:
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
        xs = mentions_in(ent, amt.end + mf.start("np"), amt.end + mf.end("np"))
        if xs:
            amt.funder = xs[0].key
    verb = None
    for v in _FUND_VERBS.finditer(text, s0, amt.start):
        verb = v
    if amt.funder is None and verb is not None:
        xs = mentions_in(ent, s0, verb.start())
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
            xs = mentions_in(ent, amt.end + mfrom.end(), s1)
            if xs and xs[0].start == amt.end + mfrom.end():
                amt.funder = xs[0].key
    # recipient: "given Mexico $X" or "to/for X" after the amount
    rec: list[Mention] = []
    if verb is not None:
        xs = mentions_in(ent, verb.end(), amt.start)
        if xs and re.fullmatch(r"\s*(?:the\s+)?", text[verb.end() : xs[0].start]):
            rec = [xs[0]]
    if not rec:
        for mt in re.finditer(
            r"(?<!according )\b(?:to|for|to help|to assist|to support)\s+"
            r"(?:the\s+)?",
            text[amt.end : s1],
        ):
            xs = mentions_in(ent, amt.end + mt.end(), s1)
            if xs and xs[0].start == amt.end + mt.end():
                first = xs[0]
                # "Guatemala's National Civil Police": take the possessed organization
                if (
                    first.kind == "country"
                    and len(xs) > 1
                    and re.fullmatch(r"['’]s\s+", text[first.end : xs[1].start])
                ):
                    first = xs[1]
                rec = coordinated(ent, first, s1)
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


def _sentence_case(phrase: str, at_start: bool, lex: Lexicon) -> str:
    """Lower the first letter of a phrase that was capitalized only by opening a sentence."""
    first = phrase.split(" ", 1)[0]
    proper = first in lex.demonyms or first.rstrip("s") in lex.demonyms or first in lex.countries
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


def _count_quantity(
    text: str, c0: int, qstart: int, end: int, c1: int, lex: Lexicon
) -> _Quantity:
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
            phrase = _sentence_case(phrase, opens, lex)
            mc = _COUNT_OF.match(phrase)
            head = _words_until_stop(mc.group("what") if mc else phrase)
            return _Quantity(head, phrase)
    return _Quantity(None, None)


def _percent_measure(
    text: str, c0: int, qstart: int, end: int, c1: int, lex: Lexicon
) -> str | None:
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
            phrase = _sentence_case(*found, lex)
            return f"{gz.CHANGE_VERBS[change.group('verb').lower()]} in {phrase}"
    elif level is not None and level.end() == qstart:
        found = _noun_phrase_before(text, c0, level.start())
        if found is not None:
            return _sentence_case(*found, lex)
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


def find_statistics(
    text: str,
    ent: Entities,
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
            measure = _percent_measure(text, clause.start, start, end, clause.end, ent.lex)
            quantity = _Quantity("percent", measure)
            if quantity.measure is None and key in last_quantity:
                quantity = _Quantity("percent", last_quantity[key].measure)
        else:
            quantity = _count_quantity(text, clause.start, start, end, clause.end, ent.lex)
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
    ent: Entities, text: str, clauses: list[_Clause], ci: int, pos: int
) -> str | None:
    """The actor a figure is about: the first one named in its clause before it, else in an
    earlier clause of the sentence; speaker labels and attributions ("according to") skipped."""
    own = clauses[ci]
    for clause in [own] + [c for c in clauses[:ci] if not c.reporting]:
        stop = pos if clause is own else clause.end
        for x in mentions_in(ent, clause.start, stop):
            if text[x.end : x.end + 1] == ":":
                continue
            return x.key
    return None
