"""Scoring a candidate pair, with the reasons for the score.

The score starts from name similarity (rapidfuzz on folded names, plus rules for the shapes of
names: initials, missing middle names or second surnames, surname-only mentions, acronyms) and is
then moved by evidence:

* identical strong identifiers (Wikidata QID, FtM id, IATI ref) lift it to at least 0.99;
* conflicting identifiers stop it: two different QIDs or two different country codes score 0;
  two different IATI refs cost 0.3;
* people sharing a surname with different first names ("Jorge Bustamante" / "Roberto
  Bustamante") score at most 0.2; so do names differing in a number ("Executive Order 13767" /
  "13768") and an organization and its parent or child ("Mexico Institute" / "Wilson Center");
* shared affiliations (both members of one organization, same jurisdiction or parent) and
  overlapping membership dates add a little; different jurisdictions of organizations cost 0.2;
  different kinds of organization (a media outlet and an agency) cost 0.1.

Type families never mix: blocking already keeps a person away from an organization and a country
away from its government's agencies; :func:`score_pair` also refuses them.

:data:`DEFAULT_THRESHOLD` is tuned on ``bench/resolution_pairs.yaml`` for precision ≥ 0.98.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from policykg.ontology.model import default_model
from policykg.resolution.candidates import (
    PERSON_FAMILY,
    PLACE_FAMILY,
    QUALIFIERS,
    STOP_WORDS,
    EntityRecord,
    acronyms,
    fold,
    is_acronym,
    org_tokens,
    person_tokens,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "STRONG_SCHEMES",
    "Match",
    "name_score",
    "score_pair",
    "shared_strong_ids",
]

#: Pairs at or above this score are proposed by ``policykg dedupe`` (precision ≥ 0.98 on the
#: labelled pairs, see bench/RESULTS-resolution.md).
DEFAULT_THRESHOLD = 0.88
#: Identifiers that are enough, alone, to merge (``dedupe --auto``).
STRONG_SCHEMES = ("wikidata", "ftm", "iati")
#: Kinds too broad to tell two entities apart: classes other classes are below.
_GENERIC_TYPES = default_model().generic_types
_VETO = 0.2


@dataclass
class Match:
    """A scored pair: ``a`` and ``b`` are the records, ``reasons`` explain the score."""

    a: EntityRecord
    b: EntityRecord
    score: float
    reasons: list[str] = field(default_factory=list)
    #: Identical strong identifiers ("wikidata:Q30"), the only ground for automatic merges.
    strong: list[str] = field(default_factory=list)
    #: True when a rule forbids the merge whatever the names say.
    never: bool = False


# ---------------------------------------------------------------------------------- names


def _tokens_match(x: str, y: str) -> str | None:
    """How two words match: 'same', 'initial', 'fuzzy', or None."""
    if x == y:
        return "same"
    if (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
        return "initial"
    if min(len(x), len(y)) >= 6 and fuzz.ratio(x, y) >= 88:
        return "fuzzy"
    return None


def _align(short: Sequence[str], long: Sequence[str]) -> list[tuple[int, str]] | None:
    """Match each word of ``short``, in order, to a word of ``long``; None if one is left."""
    out = []
    position = 0
    for token in short:
        for j in range(position, len(long)):
            how = _tokens_match(token, long[j])
            if how is not None:
                out.append((j, how))
                position = j + 1
                break
        else:
            return None
    return out


def _person_score(x: str, y: str) -> tuple[float, str, bool]:
    """(score, reason, conflict) for two names of people."""
    tx, ty = person_tokens(x), person_tokens(y)
    if not tx or not ty:
        return 0.0, "", False
    if tx == ty:
        return 1.0, f"same name {x!r} ~ {y!r}", False
    if sorted(tx) == sorted(ty):
        return 0.96, f"same words in another order {x!r} ~ {y!r}", False
    short, long = (tx, ty) if len(tx) <= len(ty) else (ty, tx)
    alignment = _align(short, long)
    if alignment is None and len(short) == len(long):
        alignment = _align(long, short)
        short, long = long, short
    if alignment is not None:
        hows = {how for _, how in alignment}
        fuzzy = 0.03 if "fuzzy" in hows else 0.0
        if alignment[0][0] == 0 and len(short) >= 2:
            if short[0] != long[0] and "initial" in {alignment[0][1]}:
                return 0.85 - fuzzy, f"initial matches first name {x!r} ~ {y!r}", False
            if len(short) == len(long):
                return 0.97 - fuzzy, f"same name up to spelling {x!r} ~ {y!r}", False
            return (0.93 - fuzzy,
                    f"same first and last names, a middle name or second surname missing "
                    f"{x!r} ~ {y!r}", False)
        if len(short) >= 2 and all(len(t) > 1 for t in short):
            return 0.9 - fuzzy, f"compound surname without first name {x!r} ~ {y!r}", False
        return 0.6, f"surname only {x!r} ~ {y!r}", False
    # Words left over: is it two people of one family?
    full = len(tx) >= 2 and len(ty) >= 2 and len(tx[0]) > 1 and len(ty[0]) > 1
    if full and _tokens_match(tx[-1], ty[-1]) and not _tokens_match(tx[0], ty[0]):
        return 0.1, f"different first names {x!r} / {y!r}", True
    ratio = fuzz.token_sort_ratio(" ".join(tx), " ".join(ty)) / 100
    return round(0.8 * ratio, 3), f"similar names ({ratio:.2f}) {x!r} ~ {y!r}", False


def _numbers(tokens: Sequence[str]) -> set[str]:
    return {t for t in tokens if any(ch.isdigit() for ch in t)}


def _org_score(x: str, y: str, keep_articles: bool = False) -> tuple[float, str, bool]:
    """(score, reason, conflict) for two names of organizations, places, policies, events.

    ``keep_articles``: for places, where "El Salvador" is not "Salvador".
    """
    fx, fy = fold(x), fold(y)
    if not fx or not fy:
        return 0.0, "", False
    if fx == fy:
        return 1.0, f"same name {x!r} ~ {y!r}", False
    tx, ty = org_tokens(x), org_tokens(y)
    if _numbers(tx) != _numbers(ty):
        return 0.1, f"different numbers {x!r} / {y!r}", True
    stop = frozenset() if keep_articles else STOP_WORDS
    cx = [t for t in tx if t not in stop] or tx
    cy = [t for t in ty if t not in stop] or ty
    if cx == cy:
        return 0.98, f"same words {x!r} ~ {y!r}", False
    if sorted(cx) == sorted(cy):
        return 0.95, f"same words in another order {x!r} ~ {y!r}", False
    if (is_acronym(x) and fold(x).replace(" ", "") in acronyms(y)) or (
            is_acronym(y) and fold(y).replace(" ", "") in acronyms(x)):
        return 0.85, f"acronym {x!r} ~ {y!r}", False
    left_x = [t for t in cx if not any(_tokens_match(t, u) for u in cy)]
    left_y = [t for t in cy if not any(_tokens_match(t, u) for u in cx)]
    # A word that is the other name's acronym qualifies it: "Bayerische Motorenwerke (BMW)".
    extra_x = [t for t in left_x if t not in QUALIFIERS and t not in acronyms(y)]
    extra_y = [t for t in left_y if t not in QUALIFIERS and t not in acronyms(x)]
    ratio = fuzz.token_sort_ratio(" ".join(cx), " ".join(cy)) / 100
    if not extra_x and not extra_y:
        qualifier = left_x + left_y
        why = (f"same words but {' '.join(qualifier)!r}" if qualifier
               else "same words up to spelling")
        return round(0.9 + 0.06 * ratio, 3), f"{why} {x!r} ~ {y!r}", False
    if not extra_x or not extra_y:
        extra = extra_x or extra_y
        return 0.65, f"one name adds {' '.join(extra)!r} {x!r} / {y!r}", False
    return round(0.8 * ratio, 3), f"similar names ({ratio:.2f}) {x!r} ~ {y!r}", False


def _place_score(x: str, y: str) -> tuple[float, str, bool]:
    return _org_score(x, y, keep_articles=True)


def name_score(a: EntityRecord, b: EntityRecord, max_names: int = 8) -> tuple[float, str, bool]:
    """Best name agreement between two records: (score, reason, veto).

    For people the veto is raised when two full names (first name and surname) disagree on the
    first name and no full name agrees: "Donald Trump" (alias "Trump") is not "Ivanka Trump".
    """
    compare = (_person_score if a.family == PERSON_FAMILY
               else _place_score if a.family == PLACE_FAMILY else _org_score)
    best = (0.0, "no similar names", False)
    agreement = False
    conflict = ""
    for x in a.names[:max_names]:
        for y in b.names[:max_names]:
            score, reason, clash = compare(x, y)
            if clash:
                conflict = conflict or reason
            elif score >= 0.85 and (a.family != PERSON_FAMILY or _is_full(x) and _is_full(y)):
                agreement = True
            if score > best[0]:
                best = (score, reason, False)
    if conflict and not agreement:
        return min(best[0], _VETO), conflict, True
    return best


def _is_full(name: str) -> bool:
    tokens = person_tokens(name)
    return len(tokens) >= 2 and len(tokens[0]) > 1


# ---------------------------------------------------------------------------------- evidence


def shared_strong_ids(a: EntityRecord, b: EntityRecord) -> list[str]:
    """Identical strong identifiers of two records, as 'scheme:value'."""
    shared = []
    for scheme in STRONG_SCHEMES:
        common = a.identifiers.get(scheme, frozenset()) & b.identifiers.get(scheme, frozenset())
        shared += [f"{scheme}:{value}" for value in sorted(common)]
    return shared


def _overlap(a: EntityRecord, b: EntityRecord) -> list[str]:
    """Organizations where both had memberships at overlapping dates."""
    found = []
    for org_a, start_a, end_a in a.periods:
        for org_b, start_b, end_b in b.periods:
            if org_a == org_b and start_a <= end_b and start_b <= end_a:
                found.append(org_a)
    return sorted(set(found))


def score_pair(
    a: EntityRecord,
    b: EntityRecord,
    labels: Mapping[str, str] | None = None,
) -> Match:
    """Score one pair; ``labels`` names affiliated organizations in the reasons."""
    labels = labels or {}

    def name_of(iri: str) -> str:
        return labels.get(iri) or iri.rsplit("/", 1)[-1]

    if a.family != b.family:
        return Match(a, b, 0.0, [f"never: a {a.family} and a {b.family}"], never=True)
    if a.iri in b.parents or b.iri in a.parents:
        return Match(a, b, 0.0, ["never: an organization and its parent"], never=True)
    qids_a, qids_b = a.identifiers.get("wikidata"), b.identifiers.get("wikidata")
    if qids_a and qids_b and not qids_a & qids_b:
        return Match(a, b, 0.0, [f"never: different Wikidata ids {sorted(qids_a)[0]} / "
                                 f"{sorted(qids_b)[0]}"], never=True)
    codes_a, codes_b = a.identifiers.get("country"), b.identifiers.get("country")
    if a.family == PLACE_FAMILY and codes_a and codes_b and not codes_a & codes_b:
        return Match(a, b, 0.0, [f"never: different country codes {sorted(codes_a)[0]} / "
                                 f"{sorted(codes_b)[0]}"], never=True)
    score, reason, veto = name_score(a, b)
    reasons = [f"name {score:.2f}: {reason}"]
    strong = shared_strong_ids(a, b)
    if strong:
        score = max(score, 0.99)
        reasons.append("same " + ", ".join(strong))
    elif veto:
        return Match(a, b, round(score, 3), reasons, never=False)
    for scheme in ("popolo", "gdelt", "country"):
        common = a.identifiers.get(scheme, frozenset()) & b.identifiers.get(scheme, frozenset())
        if common:
            score += 0.05
            reasons.append(f"same {scheme} id {sorted(common)[0]}")
    iati_a, iati_b = a.identifiers.get("iati"), b.identifiers.get("iati")
    if iati_a and iati_b and not iati_a & iati_b:
        score -= 0.3
        reasons.append(f"different IATI refs {sorted(iati_a)[0]} / {sorted(iati_b)[0]}")
    specific_a, specific_b = a.types - _GENERIC_TYPES, b.types - _GENERIC_TYPES
    if specific_a and specific_b and not specific_a & specific_b:
        score -= 0.1
        reasons.append(f"different kinds {'/'.join(sorted(specific_a))} vs "
                       f"{'/'.join(sorted(specific_b))}")
    if a.jurisdictions and b.jurisdictions and not a.jurisdictions & b.jurisdictions:
        score -= 0.2
        reasons.append("different jurisdictions")
    shared = sorted(a.affiliations & b.affiliations)
    if shared:
        score += min(0.08, 0.04 * len(shared))
        reasons.append("shared affiliation: " + ", ".join(name_of(i) for i in shared[:3]))
    overlap = _overlap(a, b)
    if overlap:
        score += 0.03
        reasons.append("overlapping dates in " + ", ".join(name_of(i) for i in overlap[:3]))
    return Match(a, b, round(max(0.0, min(1.0, score)), 3), reasons, strong)
