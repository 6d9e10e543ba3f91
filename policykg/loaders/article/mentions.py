"""Mentions: organizations, countries, programs and persons, with their context."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.document import (
    OrganizationMention,
    PersonMention,
    Span,
)
from policykg.loaders.article.resources import Lexicon, alias_regex
from policykg.loaders.article.segmentation import (
    _NAME_TOKEN,
    fold,
)
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG

# ---------------------------------------------------------------------------------------------
# Mentions
# ---------------------------------------------------------------------------------------------

_MODEL = default_model()
#: Classes of the person and program families, as the store-name index types them.
_PERSON_TYPES = _MODEL.family_members(_MODEL.family_of(PKG.Person))
_PROGRAM_TYPES = _MODEL.family_members(_MODEL.family_of(PKG.Program))


@dataclass
class Mention:
    start: int
    end: int
    surface: str
    key: str  # canonical name (for pronouns: "" until resolved)
    kind: str  # "person", "possessor" (a person owning a phrase), "org", "country", "pronoun"



_CONNECT = {"of", "for", "on", "the", "and", "de", "del", "la", "las", "los", "y", "&"}
_CAP_RUN = re.compile(
    rf"(?:{_NAME_TOKEN}|U\.S\.)(?:\s(?:(?:of|for|on|the|and|de|del|la|y|&)\s)*(?:{_NAME_TOKEN}))*"
)
_ACRONYM_DEF = re.compile(r"\(([A-Z][A-Za-z&\.]{1,9})\)")


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


def _coordinated_parts(words: list[str], start: int) -> list[tuple[int, list[str]]]:
    """A run naming two organizations joined by "and" ("Ministry of Water and the National
    Irrigation Agency") split in two, each with its start; any other run as it is."""
    for i, word in enumerate(words):
        if word != "and" or i == 0:
            continue
        j = i + 1 + (i + 1 < len(words) and words[i + 1] == "the")
        left, right = words[:i], words[j:]
        if len(left) < 2 or not _org_type_from_words(left):
            continue
        if len(right) == 1 and right[0].isupper():  # "... and USAID": an acronym of its own
            return [(start, left)]
        if len(right) >= 2 and _org_type_from_words(right):
            return [(start, left), (start + len(" ".join(words[:j])) + 1, right)]
    return [(start, words)]


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


class Entities:
    """Collects organization and person mentions of one document."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.orgs: dict[str, OrganizationMention] = {}
        self.persons: dict[str, PersonMention] = {}
        self.mentions: list[Mention] = []
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
        kind = "country" if typ == "Country" else "org"
        self.mentions.append(Mention(start, end, surf, name, kind))
        self.blocked.append((start, end))

    def add_person(self, name: str, start: int, end: int, conf: float, gender: str = "",
                   kind: str = "person") -> None:
        """Add a mention of a person; ``kind="possessor"`` for one that owns a noun phrase
        ("President Putin's war"): never the antecedent of a later "he said"."""
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
        self.mentions.append(Mention(start, end, surf, name, kind))
        self.blocked.append((start, end))


def _find_known_names(ent: Entities, transcript_labels: list[Span], taken: list[Span]) -> None:
    """Entities already in the store (persons, organizations, countries, programs) by their
    names and aliases, where no pack name was found."""
    if ent.lex.names is None:
        return
    for start, end, name, type_name in ent.lex.names.find(ent.text):
        if ent.covered(start, end) or any(a <= start < b for a, b in transcript_labels):
            continue
        if type_name in _PERSON_TYPES:
            continue  # with the other persons, once the organizations are known
        if type_name in _PROGRAM_TYPES:
            ent.programs.append((start, end, name))
            ent.blocked.append((start, end))
        else:
            ent.add_org(name, type_name, start, end, 0.9)
        taken.append((start, end))


def find_orgs(ent: Entities, publisher: str | None, transcript_labels: list[Span]) -> None:
    text = ent.text
    taken: list[Span] = []
    for m in ent.lex.alias_re.finditer(text):
        s = m.group(0)
        if any(a <= m.start() < b for a, b in transcript_labels):
            continue
        if s in ent.lex.program_set:
            ent.programs.append((m.start(), m.end(), s))
            ent.blocked.append((m.start(), m.end()))
        elif s in ent.lex.places_not_countries or (
            s in ent.lex.places and s not in ent.lex.country_alias
        ):
            ent.blocked.append((m.start(), m.end()))
        elif s in ent.lex.org_alias:
            name = ent.lex.org_alias[s]
            ent.add_org(name, ent.lex.org_type[name], m.start(), m.end(), 0.95)
        else:
            name = ent.lex.country_alias[s]
            ent.add_org(name, "Country", m.start(), m.end(), 0.95)
        taken.append((m.start(), m.end()))
    _find_known_names(ent, transcript_labels, taken)
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
        for part_start, part in _coordinated_parts(words, w_start):
            w_start, words = part_start, part
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
            if words[-1] in gz.PROGRAM_HEADS or phrase in ent.lex.program_set:
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
    for name in ent.lex.organizations:
        if ent.lex.organizations[name][0] == "MediaOutlet" and name not in media:
            media.append(name)
    heads: dict[str, list[str]] = {}
    for name in media:
        head = name.split()[-1]
        if head in gz.MEDIA_HEADS or name in ent.lex.organizations:
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
    for m in ent.lex.title_org_re.finditer(text):
        name = ent.lex.titles_implying_organizations[m.group(0)]
        if any(x.start == m.start() for x in ent.mentions):
            continue
        ent.add_org(name, ent.lex.org_type.get(name, "GovernmentAgency"), m.start(), m.end(), 0.7)
        ent.blocked.pop()  # the title span must stay open for person detection


def gender_of(first: str, honor: str, role: str) -> str:
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


#: "Mexico's", "Harris'" (a plural or name ending in s takes the bare apostrophe)
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")


def _title_has_head(before: list[tuple[int, int, str]]) -> bool:
    """Whether the title words right before a name hold one that names a person's office
    ("Secretary of State", "Foreign Minister", "Mr."), not only words that qualify one
    ("Health", "Foreign", "Deputy")."""
    for _a, _b, word in before:
        if word in gz.HONORIFICS or word in gz.TITLES_BEFORE_SURNAME or (
                word.lower() in gz.HEAD_ROLE_WORDS):
            return True
        if word not in gz.TITLE_WORDS:
            return False
    return False


def find_persons(ent: Entities) -> None:
    """Find full person names, their titles and appositives."""
    text = ent.text
    for start, end, name, type_name in ent.lex.names.find(text) if ent.lex.names else ():
        if type_name in _PERSON_TYPES and not ent.covered(start, end):
            ent.add_person(name, start, end, 0.9)
            _person_context(ent, ent.persons[name], start, end)
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
        # a title is capitalized: "the" and "of" belong to titles but do not make one
        titled = bool(before) and before[0][2][:1].isupper() and (
            before[0][2] in gz.TITLE_WORDS or before[0][2] in gz.HONORIFICS
        )
        if titled and not known_first and not _title_has_head(before):
            titled = False  # "Health Emergency Reserve Fund": "Health" only qualifies a title
        if first in gz.NAME_STOPWORDS or first in gz.TITLE_WORDS and not known_first:
            continue
        if before and before[0][2][:1].isupper() and not titled and not known_first:
            continue  # inside a capitalized run ("Health Emergency Reserve Fund")
        if _POSSESSIVE.search(first) and not known_first:
            continue  # "Biden's Executive Order": the owner, then a thing
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
            title_after = re.match(r",\s+([A-Z][\w\-]*)(?:\s+([A-Z][\w\-]*))?", after)
            role_before = re.search(r"\b([a-z]+)\s+$", text[max(0, m.start() - 30) : m.start()])
            if (
                not re.match(
                    r",\s+(?:a|an|the|who)\b|\s+(?:said|says|told|tells|wrote|writes)\b", after
                )
                # "Hakainde Hichilema, President of Zambia", "Paloma Adams-Allen, Deputy USAID
                # Administrator": an apposition that is a title
                and not (title_after is not None
                         and any(w in gz.TITLE_WORDS for w in title_after.groups() if w))
                # "our colleague Paloma Adams-Allen"
                and not (role_before is not None and role_before.group(1) in gz.ROLE_NOUNS)
                and not re.search(
                    r"\b(?:said|says|by|By)\s+$", text[max(0, m.start() - 8) : m.start()]
                )
                and not (appos_before is not None and appos_before.end() == m.start())
            ):
                continue
            if any(t in gz.TITLE_WORDS or t.isupper() for t in tokens):
                continue
        if any(t in ent.lex.places for t in tokens) or " ".join(tokens) in ent.lex.places:
            continue
        # "Military Financing" is a phrase, not a name; in "Ambassador Katherine Tai
        # Commemorating World Trade Week" (a headline) the name stops before the participle
        cut = next((i for i, t in enumerate(tokens) if i and t.endswith(gz.NON_NAME_SUFFIXES)),
                   None)
        if cut is not None and not known_first:
            if cut < 2 or not titled:
                continue
            tokens = tokens[:cut]
            end = m.start() + len(" ".join(tokens))
            if text[m.start() : end] != " ".join(tokens):
                continue
        candidates.append((m.start(), end, tokens, before[0][2] if titled else ""))
    for start, end, tokens, honor in candidates:
        name = " ".join(tokens)
        gender = gender_of(tokens[0], honor, "")
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


def first_mention_in(
    ent: Entities, start: int, end: int, kinds: tuple[str, ...] = ("org", "country")
) -> Mention | None:
    best: Mention | None = None
    for x in ent.mentions:
        if (
            x.kind in kinds
            and start <= x.start
            and x.end <= end
            and (best is None or x.start < best.start)
        ):
            best = x
    return best


def _person_context(ent: Entities, per: PersonMention, start: int, end: int) -> None:
    """Fill role and affiliation from titles and appositives around a full-name mention."""
    text = ent.text
    # title before the name
    words = _words_before(text, start)
    title_words: list[tuple[int, int, str]] = []
    for w in words:
        word = w[2]
        if (
            word in gz.TITLE_WORDS
            or word in ent.lex.org_alias
            or word in ent.lex.demonyms
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
            if w[2] not in ent.lex.demonyms
            and w[2] not in ent.lex.org_alias
            and w[2] not in {"Mr.", "Mrs.", "Ms.", "Dr.", "Father"}
        ]
        while role_words and role_words[0] in {"of", "for", "the"}:
            role_words = role_words[1:]
        role = " ".join(role_words) or None
        for w in reversed(title_words):
            if w[2] in ent.lex.demonyms:
                affiliation = ent.lex.demonyms[w[2]]
            elif w[2] in ent.lex.org_alias:
                affiliation = ent.lex.org_alias[w[2]]
        implied = ent.lex.title_org_re.search(text, t0, t1 + 1)
        if implied is not None:
            affiliation = ent.lex.titles_implying_organizations[implied.group(0)]
    if role is None:
        mb = _APPOS_BEFORE.search(text, max(0, start - 120), start)
        if mb is not None and mb.end() == start:
            role = mb.group("role")
            if mb.group("owner"):
                owner = first_mention_in(ent, mb.start("owner"), mb.end("owner"))
                if owner is not None:
                    affiliation = owner.key
    ma = _APPOS_AFTER.match(text[end : end + 300])
    if ma is not None:
        if role is None:
            role = ma.group("role")
        if affiliation is None:
            org = first_mention_in(ent, end + ma.start("rest"), end + ma.end("rest"))
            if org is not None:
                affiliation = org.key
    mw = _WHO_AFTER.match(text[end : end + 200])
    if mw is not None and affiliation is None:
        org = first_mention_in(ent, end + mw.start("rest"), end + mw.end("rest"))
        if org is not None:
            affiliation = org.key
    if role and not per.role:
        per.role = role
        if not per.gender:
            per.gender = gender_of("", "", role)
    if affiliation and not per.affiliation:
        per.affiliation = affiliation


def surname_variants(name: str) -> list[str]:
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
    ascii_out = [fold(v).title() if v != _strip_accents(v) else v for v in out]
    for v in list(out):
        sv = _strip_accents(v)
        if sv != v:
            out.append(sv)
    del ascii_out
    return out


def _strip_accents(s: str) -> str:
    norm = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(c for c in norm if not unicodedata.combining(c)))


_TITLED_SURNAME = re.compile(
    r"(?<![\w'’])(?P<title>[A-Z][a-z]+)\s+(?P<name>[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü\-]+[a-záéíóúñü])"
    r"(?P<own>['’]s?)?(?![\w\-])(?!\s+[A-Z])"
)


def find_titled_surnames(ent: Entities) -> None:
    """A surname no full name explains, after a title: "President Putin", "Secretary Kerry's"."""
    text = ent.text
    for m in _TITLED_SURNAME.finditer(text):
        title, name = m.group("title"), m.group("name")
        if title not in gz.TITLES_BEFORE_SURNAME:
            continue
        start, end = m.start("name"), m.end("name")
        if ent.covered(start, end) or ent.covered(m.start("title"), m.end("title")):
            continue
        if (name in gz.TITLE_WORDS or name in gz.NAME_STOPWORDS or name in gz.ORG_KEYWORD_TYPES
                or name in ent.lex.places or name in ent.lex.country_alias
                or name in ent.lex.demonyms or name in ent.lex.org_alias
                or name in gz.MALE_NAMES or name in gz.FEMALE_NAMES):
            continue
        full = ent.lex.known_persons.get(name, name)
        ent.add_person(full, start, end, 0.6, kind="possessor" if m.group("own") else "person")


def find_short_mentions(ent: Entities) -> None:
    """Tie later surname mentions ("Dr. Bustamante", "Obrador") to full names."""
    text = ent.text
    variants: dict[str, list[str]] = {}
    for per in list(ent.persons.values()):
        for v in surname_variants(per.name):
            variants.setdefault(v, [])
            if per.name not in variants[v]:
                variants[v].append(per.name)
    for sur, full in ent.lex.known_persons.items():
        if sur not in variants:
            variants[sur] = [full]
    if not variants:
        return
    rx = alias_regex(variants)
    for m in rx.finditer(text):
        if ent.covered(m.start(), m.end()):
            continue
        sur = m.group(0)
        names = variants[sur]
        known_only = all(n not in ent.persons for n in names)
        words = _words_before(text, m.start(), 3)
        titled = bool(words) and (words[0][2] in gz.TITLE_WORDS or words[0][2] in gz.HONORIFICS)
        if known_only and not titled and sur not in ent.lex.named_alone:
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
