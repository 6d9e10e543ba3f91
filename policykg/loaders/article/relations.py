"""Relations between actors, found with the cue patterns of the active packs
(:class:`~policykg.loaders.article.resources.RelationPattern`), plus the ones the extraction
implies: funders of amounts, and persons' affiliations (head of, member of)."""

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
from policykg.loaders.article.resources import RelationPattern
from policykg.loaders.article.segmentation import (
    _AUX,
)
from policykg.loaders.article.statements import (
    _QUOTE_CHARS_RE,
    Speakers,
)

# Grammar of "A and B signed ...": what may stand between the two actors and after them.
_PAIR_GAP_RE = re.compile(r"\)?\s*(?:\([^)]*\)\s*)?and\s+(?:the\s+)?")
_PAIR_TAIL_RE = re.compile(rf"\s*(?:\([^)]*\)\s*)?(?:{_AUX}\s+)*")


class _Found:
    """The relations of one text, each (subject, predicate, object) once, in order found."""

    def __init__(self) -> None:
        self.relations: list[Relation] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, s: str | None, p: str, o: str | None, a: int, b: int, conf: float) -> None:
        if s and o and s != o and (s, p, o) not in self._seen:
            self._seen.add((s, p, o))
            self.relations.append(Relation(s, p, o, a, b, conf))


def extract_relations(
    text: str, ent: Entities, sentences: list[Span], amounts: list[Amount]
) -> list[Relation]:
    spk = Speakers(ent, text)
    found = _Found()
    patterns = ent.lex.relations
    for s0, s1 in sentences:
        for pattern in patterns:
            for m in pattern.cue.finditer(text, s0, s1):
                _match(pattern, m, text, ent, spk, found, s0, s1)
    for amt in amounts:
        for rec in amt.recipients:
            found.add(amt.funder, "funds", rec, amt.start, amt.end, 0.7)
    for per in ent.persons.values():
        if (
            per.affiliation
            and per.affiliation in ent.orgs
            and ent.orgs[per.affiliation].type != "Country"
        ):
            words = (per.role or "").lower().split()
            head = words[-1] if words else ""
            sub = any(w in gz.SUBORDINATE_ROLE_WORDS for w in words)
            leads = head in gz.HEAD_ROLE_WORDS or "secretary of" in " ".join(words)
            a, b = per.spans[0]
            found.add(per.name, "heads" if leads and not sub else "member_of",
                      per.affiliation, a, b, 0.7)
    return found.relations


def _match(pattern: RelationPattern, m: re.Match[str], text: str, ent: Entities,
           spk: Speakers, found: _Found, s0: int, s1: int) -> None:
    """Add what one cue match of ``pattern`` states, if its actors are where it says."""
    if pattern.shape == "pair_before":
        xs = mentions_in(ent, s0, m.start())
        for left, right in zip(xs, xs[1:], strict=False):
            if (_PAIR_GAP_RE.fullmatch(text, left.end, right.start)
                    and _PAIR_TAIL_RE.fullmatch(text, right.end, m.start())):
                found.add(left.key, pattern.predicate, right.key, s0, s1, pattern.confidence)
        return
    before = spk.before(s0, m.start())
    subject = spk.resolve(before) if before is not None else None
    xs = mentions_in(ent, m.end(), s1)
    if not xs:
        return
    first = xs[0]
    between = text[m.end() : first.start]
    if pattern.shape == "following":
        if len(between.split()) <= pattern.max_words and not _QUOTE_CHARS_RE.search(between):
            for obj in coordinated(ent, first, s1):
                found.add(subject, pattern.predicate, obj.key, s0, s1, pattern.confidence)
    elif pattern.gap.fullmatch(between):
        found.add(subject, pattern.predicate, first.key, s0, s1, pattern.confidence)
