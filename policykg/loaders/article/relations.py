"""Relations between actors: threats, cancellations, criticism, cooperation, agreements."""

from __future__ import annotations

import re

from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.amounts import (
    coordinated,
    mentions_in,
)
from policykg.loaders.article.document import (
    Amount,
    Relation,
    Span,
)
from policykg.loaders.article.mentions import (
    Entities,
)
from policykg.loaders.article.segmentation import (
    _AUX,
)
from policykg.loaders.article.statements import (
    _QUOTE_CHARS_RE,
    Speakers,
)

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


def extract_relations(
    text: str, ent: Entities, sentences: list[Span], amounts: list[Amount]
) -> list[Relation]:
    spk = Speakers(ent, text)
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
            xs = mentions_in(ent, m.end(), s1)
            if (
                xs
                and len(text[m.end() : xs[0].start].split()) <= 8
                and not _QUOTE_CHARS_RE.search(text[m.end() : xs[0].start])
            ):
                for o in coordinated(ent, xs[0], s1):
                    add(subj, "threatens", o.key, s0, s1, 0.7)
        for m in _CANCEL_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = mentions_in(ent, m.end(), s1)
            if xs and xs[0].start == m.end():
                add(subj, "cancelled_meeting_with", xs[0].key, s0, s1, 0.8)
        for m in _CRIT_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = mentions_in(ent, m.end(), s1)
            if xs and re.fullmatch(r"\s*(?:the\s+)?", text[m.end() : xs[0].start]):
                add(subj, "criticizes", xs[0].key, s0, s1, 0.75)
        for m in _COOP_RE.finditer(text, s0, s1):
            subj = subject(s0, m.start())
            xs = mentions_in(ent, m.end(), s1)
            if xs and xs[0].start == m.end():
                add(subj, "cooperates_with", xs[0].key, s0, s1, 0.7)
        for m in _SIGN_RE.finditer(text, s0, s1):
            xs = mentions_in(ent, s0, m.start())
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
