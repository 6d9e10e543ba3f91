"""Candidate pairs by blocking: only entities sharing a blocking key are ever compared.

Every entity gets a handful of keys, each prefixed by its type family (person, org, place,
policy, event), so a person is never paired with an organization, a country never with an
agency of its government, a ministry never with its minister. Keys:

* ``full``: the name's words, transliterated, folded (case, accents) and sorted: word order and
  spelling variants ("Peña Nieto, Enrique" / "Enrique Pena Nieto");
* people: ``fi`` first initial + a later word ("J. Bustamante", "Jorge A. Bustamante",
  "Luis Videgaray Caso"), ``l2`` the last two words (compound surnames: "Pena Nieto"), and
  ``sur`` for one-word names, compared with the surnames of longer names;
* organizations and others: ``ac`` acronyms ("INM" ↔ "Instituto Nacional de Migración",
  "DHS" ↔ "(United States) Department of Homeland Security"; capitalized words, skipping
  English and Spanish stop words), ``tok``/``bi`` distinctive words and word pairs;
* ``id``: shared identifiers (Wikidata QID, FtM id, IATI ref, Popolo id, GDELT code, country
  code).

Blocks larger than ``max_block`` are skipped (a word shared by thousands of names says nothing),
except identifier blocks. :func:`candidate_pairs` works on plain :class:`EntityRecord` lists, so
it runs the same on a store's entities and on a million synthetic records.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import URIRef

from policykg.graph.store import Store
from policykg.identity import family_of
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG

__all__ = [
    "EntityRecord",
    "STOP_WORDS",
    "acronyms",
    "blocking_keys",
    "candidate_pairs",
    "fold",
    "is_acronym",
    "person_tokens",
    "org_tokens",
    "records_from_store",
    "transliterate",
    "BlockingStats",
    "FAMILIES",
    "PERSON_FAMILY",
    "PLACE_FAMILY",
]

#: Families resolution works on (``pkg:resolutionOrder``); facts, evidence, sources and
#: role nodes never are.
FAMILIES = default_model().resolution_families
#: The families compared by their own rules: people by given name and surname, places by
#: country code (the rest as organizations).
PERSON_FAMILY = default_model().family_of(PKG.Person)
PLACE_FAMILY = default_model().family_of(PKG.Jurisdiction)



def _words(text: str) -> list[str]:
    return text.split()


STOP_WORDS = frozenset(_words(
    # English
    "a an and at by for from in of on or the to with"
    # Spanish (and the Portuguese/French/Italian forms that appear in agency names)
    " al con de del e el en la las lo los para por su un una y da das do dos des du le les et"
    " di della degli für und der die das von zu"
))
#: Words that qualify an organization name without changing what it names.
QUALIFIERS = frozenset(_words("the us usa u s united states america inc ltd llc gmbh corp co"
                              " sa cv ag plc se kg kgaa mbh ev bv aktiengesellschaft no nr"))
_HONORIFICS = frozenset(_words("mr mrs ms miss dr prof sen senator rep president gen general"
                               " sir don dona doña lic ing sr sra jr ii iii hon herr frau mme"))

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye"
           " g"), strict=True,
))
_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώ",
    _words("a v g d e z i th i k l m n x o p r s s t y f ch ps o a e i i o y o"), strict=True,
))
_TRANSLIT = {**_CYRILLIC, **_GREEK}
_TRANSLIT_TABLE = str.maketrans({k: ("" if v == "_" else v) for k, v in _TRANSLIT.items()}
                                | {k.upper(): ("" if v == "_" else v.capitalize())
                                   for k, v in _TRANSLIT.items()})
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,8}$|^(?:[A-Z]\.){1,}[A-Z]?\.?$")
_WORD = re.compile(r"[\w'’.]+")


def transliterate(text: str) -> str:
    """Latin letters for Cyrillic and Greek; other scripts pass through (accents are folded)."""
    return text.translate(_TRANSLIT_TABLE)


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_APOSTROPHES = re.compile("['’`´]")
_NON_WORD_RUN = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Transliterate, drop accents, fold case and punctuation: 'Peña-Nieto' -> 'pena nieto'."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", transliterate(text)))
    folded = _APOSTROPHES.sub("", text.casefold().replace("&", " and "))
    return _NON_WORD_RUN.sub(" ", folded).strip()


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    return fold(word)


def person_tokens(name: str) -> list[str]:
    """The words of a person's name, in given-name-first order, without honorifics.

    "Bustamante, Jorge A." -> ["jorge", "a", "bustamante"].
    """
    if name.count(",") == 1:
        last, first = name.split(",")
        if first.strip() and last.strip():
            name = f"{first} {last}"
    tokens = fold(name).split()
    return [t for t in tokens if t not in _HONORIFICS] or tokens


def _collapse_letters(tokens: list[str]) -> list[str]:
    """Join runs of single letters: ['u', 's', 'army'] -> ['us', 'army']."""
    out: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    return out


def org_tokens(name: str) -> list[str]:
    """The folded words of an organization, place, policy or event name ('U.S.' -> 'us')."""
    return _collapse_letters(fold(name).split())


@lru_cache(maxsize=1 << 16)
def is_acronym(name: str) -> bool:
    """'INM', 'U.S.', 'DHS' are acronyms; 'Pew' and 'NASA Ames' are not."""
    text = name.strip().replace(" ", "")
    return bool(_ACRONYM.match(text)) and sum(ch.isalpha() for ch in text) >= 2


def acronyms(name: str) -> set[str]:
    """Acronyms a name may be abbreviated to, folded: the capitals of its content words.

    Stop words are skipped ("Instituto Nacional de Migración" -> "inm"), an acronym inside the
    name counts all its letters, and a leading "United States"/"U.S." is optional:
    "U.S. Immigration and Customs Enforcement" gives "usice" and "ice".
    """
    if is_acronym(name):
        return {fold(name).replace(" ", "")}
    capitals = []
    letters = []
    for raw in _WORD.findall(transliterate(name) if not name.isascii() else name):
        word = raw if is_acronym(raw) else raw.strip(".'’")
        if not word or not word[0].isupper():
            continue
        folded = _fold_word(word).replace(" ", "")
        if folded in STOP_WORDS or not folded:
            continue
        capitals.append(folded)
        letters.append(folded if is_acronym(word) else folded[0])
    if len(capitals) < 2:
        return set()
    found = {"".join(letters)}
    skip = 2 if capitals[:2] == ["united", "states"] else 1 if capitals[0] in ("us", "usa") else 0
    if skip and len(capitals) - skip >= 2:
        found.add("".join(letters[skip:]))
    return {a for a in found if len(a) >= 2}


@dataclass(slots=True)
class EntityRecord:
    """What resolution knows of one entity."""

    iri: str
    family: str
    names: tuple[str, ...]
    types: frozenset[str] = frozenset()
    identifiers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Organizations the entity belongs to (memberships), its jurisdiction and parent.
    affiliations: frozenset[str] = frozenset()
    #: Parent organizations (org:subOrganizationOf): a parent and its child are never the same.
    parents: frozenset[str] = frozenset()
    #: Jurisdictions (pkg:jurisdiction).
    jurisdictions: frozenset[str] = frozenset()
    #: (organization, first year, last year) of memberships with dates.
    periods: tuple[tuple[str, int, int], ...] = ()
    #: Source graphs that name the entity.
    sources: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """The preferred name."""
        return self.names[0] if self.names else self.iri.rsplit("/", 1)[-1]


# ------------------------------------------------------------------------------ keys


def _person_keys(name: str) -> Iterator[tuple[str, bool]]:
    tokens = person_tokens(name)
    if not tokens:
        return
    yield "full:" + " ".join(sorted(tokens)), True
    if len(tokens) == 1:
        if len(tokens[0]) > 1:
            yield "sur:" + tokens[0], True
        return
    first = tokens[0]
    initial = len(first) == 1
    later = [t for t in tokens[1:] if len(t) > 1]
    for word in later:
        # "J. Bustamante" probes the full names with that initial (passive for full names).
        yield f"fi:{first[0]}|{word}", initial
    if not initial and later:
        # Full names meet by first name and the first letters of the last or the first later
        # word: "Luis Videgaray" / "Luis Videgaray Caso", and typos: "Tilerson".
        yield f"fx:{first}|{later[-1][:3]}", True
        if len(later) > 1 and len(later[0]) >= 3:
            yield f"fx:{first}|{later[0][:3]}", True
    if len(tokens[-2]) > 1 and len(tokens[-1]) > 1:
        yield "l2:" + " ".join(tokens[-2:]), True
    # Longer names are looked up by one-word mentions of their surname(s), not paired by them.
    for surname in {tokens[-1], tokens[-2]} if len(tokens) > 2 else {tokens[-1]}:
        if len(surname) > 1:
            yield "sur:" + surname, False


def _org_keys(name: str) -> Iterator[tuple[str, bool]]:
    tokens = org_tokens(name)
    if not tokens:
        return
    content = [t for t in tokens if t not in STOP_WORDS] or tokens
    yield "full:" + " ".join(sorted(content)), True
    core = [t for t in content if t not in QUALIFIERS]
    if core and core != content:  # "RAG AG" / "RAG Aktiengesellschaft"
        yield "core:" + " ".join(sorted(core)), True
    # An acronym meets the names it abbreviates; two long names never meet by their acronyms.
    name_is_acronym = is_acronym(name)
    for acronym in acronyms(name):
        yield "ac:" + acronym, name_is_acronym
    distinctive = [t for t in content if len(t) >= 4 and t not in QUALIFIERS]
    for token in set(distinctive):
        yield "tok:" + token, True
    for left, right in zip(distinctive, distinctive[1:], strict=False):
        yield f"bi:{left} {right}", True


_NORMAL, _BROAD_KEY, _ID_KEY = 0, 1, 2
_BROAD_PREFIXES = ("tok:", "bi:", "sur:", "fi:", "ac:")


def _record_keys(record: EntityRecord, max_names: int) -> dict[str, bool]:
    keys: dict[str, bool] = {}
    make = _person_keys if record.family == PERSON_FAMILY else _org_keys
    for name in record.names[:max_names]:
        for key, active in make(name):
            keys[key] = keys.get(key, False) or active
    for scheme, values in record.identifiers.items():
        for value in values:
            keys[f"id:{scheme}:{value.strip().casefold()}"] = True
    return keys


def blocking_keys(record: EntityRecord, max_names: int = 12) -> set[tuple[str, bool]]:
    """The blocking keys of an entity: (key, active); passive keys only meet active ones."""
    return {(f"{record.family}|{key}", active)
            for key, active in _record_keys(record, max_names).items()}


@dataclass
class BlockingStats:
    """What blocking did: keys, blocks, skipped oversized blocks, pairs."""

    records: int = 0
    keys: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    pairs: int = 0


_HASH_BITS = 40
_INDEX_BITS = 22  # index << 1 | active: up to 2M records per call


def candidate_pairs(
    records: Sequence[EntityRecord],
    *,
    max_block: int = 50,
    max_broad_block: int = 20,
    stats: BlockingStats | None = None,
) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)`` (``i < j``) of records sharing a blocking key; each pair once.

    Blocks above ``max_block`` members (``max_broad_block`` for keys made of one word, a
    surname, an initial or an acronym; ten times ``max_block`` for identifiers) are skipped.

    Keys are hashed to 40 bits and packed with the record index into one integer, so blocking a
    million records needs a sorted list of integers rather than a dictionary of strings.
    """
    stats = stats if stats is not None else BlockingStats()
    stats.records = len(records)
    if len(records) >= 1 << (_INDEX_BITS - 1):
        msg = f"at most {1 << (_INDEX_BITS - 1)} records per call"
        raise ValueError(msg)
    packed = array("q")
    id_hashes: set[int] = set()
    mask = (1 << (_HASH_BITS - 1)) - 1
    broad_bit = 1 << (_HASH_BITS - 1)
    append = packed.append
    for index, record in enumerate(records):
        family = record.family
        base = index << 1
        for key, active in _record_keys(record, 12).items():
            h = hash((family, key)) & mask
            if key.startswith(_BROAD_PREFIXES):
                h |= broad_bit
            elif key.startswith("id:"):
                id_hashes.add(h)
            append((h << _INDEX_BITS) | base | active)
    stats.keys = len(packed)
    ordered = sorted(packed)
    del packed
    seen: set[int] = set()
    n = len(records)
    total = len(ordered)
    hashes = [v >> _INDEX_BITS for v in ordered]
    starts = [i for i in range(1, total) if hashes[i] != hashes[i - 1]]
    index_mask = (1 << (_INDEX_BITS - 1)) - 1
    for start, end in zip([0, *starts], [*starts, total], strict=True):
        size = end - start
        if size < 2:
            continue
        stats.blocks += 1
        h = hashes[start]
        limit = (max_broad_block if h & broad_bit else
                 max_block * 10 if h in id_hashes else max_block)
        if size > limit:
            stats.skipped_blocks += 1
            continue
        block = ordered[start:end]
        members = [(v >> 1) & index_mask for v in block]
        flags = [v & 1 for v in block]
        for x in range(size):
            if not flags[x]:
                continue
            i = members[x]
            for y in range(size):
                j = members[y]
                if i == j or (flags[y] and y < x):
                    continue
                pair = i * n + j if i < j else j * n + i
                if pair not in seen:
                    seen.add(pair)
                    yield (i, j) if i < j else (j, i)
    stats.pairs = len(seen)


# ------------------------------------------------------------------------------ from a store

_PKG = str(PKG)
_ID_PROPERTIES = {
    "wikidataId": "wikidata",
    "ftmId": "ftm",
    "iatiRef": "iati",
    "popoloId": "popolo",
    "gdeltCode": "gdelt",
    "countryCode": "country",
}


def _year(value: object) -> int | None:
    text = str(value)
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def records_from_store(store: Store, *, types: Iterable[str] | None = None) -> list[EntityRecord]:
    """Every entity of the store (people, organizations, places, policies, events, posts).

    ``types`` keeps only entities of these classes (local names, e.g. ``Person``).
    """
    wanted = set(types) if types else None
    type_rows = store.select(
        "SELECT ?s ?type WHERE { ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(pkg:))) }")
    entity_types: dict[str, set[str]] = {}
    for row in type_rows:
        local = str(row["type"])[len(_PKG):]
        if family_of(local) in FAMILIES and isinstance(row["s"], URIRef):
            entity_types.setdefault(str(row["s"]), set()).add(local)
    if wanted is not None:
        entity_types = {k: v for k, v in entity_types.items() if v & wanted}
    pref: dict[str, list[str]] = {}
    alt: dict[str, list[str]] = {}
    sources: dict[str, set[str]] = {}
    for row in store.select(
        "SELECT ?s ?name ?kind ?g WHERE { GRAPH ?g {"
        " { ?s skos:prefLabel ?name BIND(1 AS ?kind) }"
        " UNION { ?s skos:altLabel ?name BIND(2 AS ?kind) } } }"
    ):
        s = str(row["s"])
        if s not in entity_types:
            continue
        target = pref if int(str(row["kind"])) == 1 else alt
        name = str(row["name"])
        if name not in target.setdefault(s, []):
            target[s].append(name)
        sources.setdefault(s, set()).add(str(row["g"]))
    identifiers: dict[str, dict[str, set[str]]] = {}
    for row in store.select(
        "SELECT ?s ?p ?v WHERE { ?s ?p ?v VALUES ?p { pkg:wikidataId pkg:ftmId pkg:iatiRef"
        " pkg:popoloId pkg:gdeltCode pkg:countryCode } }"
    ):
        scheme = _ID_PROPERTIES[str(row["p"])[len(_PKG):]]
        identifiers.setdefault(str(row["s"]), {}).setdefault(scheme, set()).add(str(row["v"]))
    affiliations: dict[str, set[str]] = {}
    periods: dict[str, list[tuple[str, int, int]]] = {}
    for row in store.select(
        "SELECT ?m ?o ?start ?end WHERE { ?x org:member ?m ; org:organization ?o ."
        " OPTIONAL { ?x schema:startDate ?start } OPTIONAL { ?x schema:endDate ?end } }"
    ):
        member, org = str(row["m"]), str(row["o"])
        affiliations.setdefault(member, set()).add(org)
        start, end = _year(row.get("start", "")), _year(row.get("end", ""))
        if start or end:
            periods.setdefault(member, []).append((org, start or end or 0, end or 9999))
    parents: dict[str, set[str]] = {}
    for row in store.select("SELECT ?s ?o WHERE { ?s org:subOrganizationOf ?o }"):
        parents.setdefault(str(row["s"]), set()).add(str(row["o"]))
    jurisdictions: dict[str, set[str]] = {}
    for row in store.select("SELECT ?s ?o WHERE { ?s pkg:jurisdiction ?o }"):
        jurisdictions.setdefault(str(row["s"]), set()).add(str(row["o"]))
    records = []
    for iri, kinds in sorted(entity_types.items()):
        names = tuple(dict.fromkeys(sorted(pref.get(iri, [])) + sorted(alt.get(iri, []))))
        if not names:
            continue
        families = sorted({family_of(k) for k in kinds})
        records.append(EntityRecord(
            iri=iri,
            family=families[0],
            names=names,
            types=frozenset(kinds),
            identifiers={k: frozenset(v) for k, v in identifiers.get(iri, {}).items()},
            affiliations=frozenset(affiliations.get(iri, set()) | parents.get(iri, set())
                                   | jurisdictions.get(iri, set())),
            parents=frozenset(parents.get(iri, set())),
            jurisdictions=frozenset(jurisdictions.get(iri, set())),
            periods=tuple(sorted(periods.get(iri, []))),
            sources=frozenset(sources.get(iri, set())),
        ))
    return records
