"""The ``article`` loader: a news article → extracted facts → policykg triples, with evidence.

The rule-based extractor (:mod:`policykg.loaders.article.extract`) finds persons,
organizations, amounts, statistics, statements and relations, each with a character span in
the article's body text. This module maps them to the ontology the way the curated loader maps
hand-written records:

* persons and organizations become entities. An entity already in the store with the same name
  or alias (and a compatible class) is reused, so "Jorge Bustamante" in an article is the
  curated ``person/jorge-bustamante``; otherwise an IRI is minted from the type and full name,
  with the full name as ``skos:prefLabel`` and the other mentions (not titles, honorifics or
  generic words) as ``skos:altLabel``;
* a person's role and affiliation become a ``pkg:Membership`` (a country affiliation, which is
  not an organization, becomes a ``member_of`` ``pkg:Relationship``);
* an amount with a known funder or recipient becomes a ``pkg:FundingFlow`` (stage
  ``pkg:Announced``, verification ``pkg:Reported``); other amounts and the statistics become
  ``pkg:Observation`` nodes;
* statements become ``pkg:Statement`` nodes whose ``pkg:text`` is exactly the span of the text;
* relations become ``pkg:Relationship`` nodes.

Every fact (and every entity mention) carries evidence: this source, the extractor's name and
version, the character span, the confidence and the supporting text. Fact IRIs are derived from
the source and the fact's values, so loading the same article again gives the same graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SDO, XSD

from policykg.exceptions import LoaderError
from policykg.facts import (
    FundingFlow,
    Membership,
    Observation,
    Relationship,
    Statement,
    entity_marker,
)
from policykg.graph.store import Store
from policykg.graph.terms import Triple
from policykg.identity import entity_iri, normalize_name
from policykg.loaders.article import gazetteer as gz
from policykg.loaders.article.extract import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    Amount,
    ArticleError,
    Document,
    Extraction,
    Statistic,
    extract,
    read_document,
)
from policykg.loaders.article.resources import use_names, use_packs, use_resources
from policykg.loaders.article.stored_packs import stored_packs
from policykg.loaders.article.text import split_front_matter
from policykg.loaders.base import LoadContext, Loader
from policykg.loaders.records import (
    ALL_ENTITY_TYPES,
    KINDS,
    RELATION_TYPES,
    STAGES,
    VERIFICATION,
    date_literal,
    decimal_literal,
    entity_triples,
)
from policykg.lookup import local_name
from policykg.ontology.model import default_model
from policykg.ontology.namespace import PKG

__all__ = [
    "ArticleLoader",
    "EntityRef",
    "Matcher",
    "read_article",
    "extract_file",
    "resolve_entities",
    "store_name_rows",
    "article_resources",
    "PERSON_TYPES",
    "ORGANIZATION_TYPES",
    "PLACE_TYPES",
    "PROGRAM_TYPES",
]


#: Finds an existing entity by name and class local names (see ``LoadContext.match_entity``).
Matcher = Callable[[str, frozenset[str] | None], URIRef | None]
Span = tuple[int, int]

_MODEL = default_model()
#: Class local names an extracted entity may be matched against, by its extracted type: the
#: classes of its IRI family (an entity of any of them has the IRI the extracted one would get).
PERSON_TYPES = _MODEL.family_members(_MODEL.family_of(PKG.Person))
ORGANIZATION_TYPES = _MODEL.organization_types
PLACE_TYPES = _MODEL.family_members(_MODEL.family_of(PKG.Jurisdiction))
PROGRAM_TYPES = _MODEL.family_members(_MODEL.family_of(PKG.Program))

_EXTENSIONS = (".txt", ".text", ".md", ".html", ".htm")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_URL = re.compile(r"^https?://\S+$")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s|\n")
#: Words that make a mention a description rather than a name of the entity.
_GENERIC_WORDS = frozenset(
    {"government", "administration", "authorities", "officials", "official", "ministry",
     "spokesman", "spokeswoman", "spokesperson", "he", "she", "they", "it", "we", "i"}
)
_PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them", "it", "his", "hers", "its"})
_HONORIFICS = frozenset(h.rstrip(".") for h in gz.HONORIFICS)
_TITLE_WORDS = frozenset(w.casefold() for w in gz.TITLE_WORDS)
_MAX_QUOTE = 500


# ---------------------------------------------------------------------------------- reading


def read_article(path: Path) -> Document:
    """Read an article file, turning the extractor's errors into a :class:`LoaderError`.

    Raises:
        LoaderError: naming the file, when it is missing, empty, binary, not UTF-8, too large
            or has no article text.
    """
    try:
        return read_document(path)
    except ArticleError as exc:
        message = exc.message
        for prefix in (f"{path}: ", f"{path.name}: "):
            message = message.removeprefix(prefix)
        raise LoaderError(message, path=str(path)) from None


def extract_file(path: Path) -> Extraction:
    """Read and extract one article; any failure is a :class:`LoaderError` naming the file."""
    document = read_article(path)
    try:
        return extract(document)
    except RecursionError as exc:
        raise LoaderError(f"extraction failed: {exc}", path=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - a rule bug on odd text must not be a traceback
        raise LoaderError(
            f"extraction failed ({type(exc).__name__}: {exc}); please report this file",
            path=str(path),
        ) from None


# ------------------------------------------------------------------ the store as gazetteer

#: Names read per query when the store's entities are indexed (memory per page, not store).
NAME_PAGE = 50_000
_STORE_NAMES = """
SELECT ?s ?label ?name ?type WHERE {
  { ?s skos:prefLabel ?label . BIND(?label AS ?name) }
  UNION { ?s skos:prefLabel ?label ; skos:altLabel ?name }
  ?s a ?type . FILTER(STRSTARTS(STR(?type), STR(pkg:)))
} ORDER BY ?s ?name
"""
_NAMED_TYPES = PERSON_TYPES | ORGANIZATION_TYPES | PLACE_TYPES | PROGRAM_TYPES


def store_name_rows(store: Store) -> Iterator[tuple[str, str, str]]:
    """``(name or alias, canonical name, type)`` of every person, organization, country and
    program in the store (curated records, Wikidata, FtM, Popolo, IATI alike), read page by
    page through the :class:`~policykg.graph.store.Store` interface."""
    offset = 0
    while True:
        rows = store.select_plain(f"{_STORE_NAMES} LIMIT {NAME_PAGE} OFFSET {offset}")
        for row in rows:
            type_name = local_name(str(row["type"]))
            if type_name in _NAMED_TYPES and type_name != "Jurisdiction":
                yield str(row["name"]), str(row["label"]), type_name
        if len(rows) < NAME_PAGE:
            return
        offset += NAME_PAGE


@contextmanager
def article_resources(store: Store | None, folders: Iterable[Path | str] = ()) -> Iterator[None]:
    """Inside the block, articles are read with the packs in ``folders`` added and, when a
    store is given, with the packs kept in it (``policykg packs add``) and every entity
    already in it as a known name."""
    if store is None:
        with use_resources(folders):
            yield
        return
    kept = [p.pack(store.location) for p in stored_packs(store)]
    with use_packs(kept), use_resources(folders), use_names(lambda: store_name_rows(store)):
        yield


# ---------------------------------------------------------------------------------- entities


@dataclass
class EntityRef:
    """An extracted person, organization or program and the IRI it maps to."""

    name: str
    category: str  # "person", "organization" or "program"
    type_name: str
    iri: URIRef
    minted: URIRef
    matched: bool
    mentions: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    confidence: float = 0.9
    role: str | None = None
    affiliation: str | None = None



def _match_types(category: str, type_name: str) -> frozenset[str]:
    if category == "person":
        return PERSON_TYPES
    if category == "program":
        return PROGRAM_TYPES
    if type_name in PLACE_TYPES:
        return PLACE_TYPES
    return ORGANIZATION_TYPES


def _match(match: Matcher, category: str, type_name: str, name: str,
           mentions: list[str]) -> URIRef | None:
    """The existing entity for a full name, else for a multi-word or acronym mention."""
    types = _match_types(category, type_name)
    iri = match(name, types)
    if iri is not None:
        return iri
    for mention in mentions:
        if mention == name or not _usable_alias(mention, name, category):
            continue
        if category == "person" and len(mention.split()) < 2:
            continue  # a bare surname is too weak to merge on
        iri = match(mention, types)
        if iri is not None:
            return iri
    return None


@lru_cache(maxsize=4096)
def _usable_alias(mention: str, name: str, category: str) -> bool:
    """Whether a mention is another name of the entity (not a title, pronoun or description)."""
    text = mention.strip()
    if not text or normalize_name(text) == normalize_name(name):
        return False
    words = text.split()
    folded = [w.strip(".,'’").casefold() for w in words]
    if folded[0] in _PRONOUNS or any(w in _GENERIC_WORDS for w in folded):
        return False
    if words[0].rstrip(".") in _HONORIFICS:
        return False
    if any(w in _TITLE_WORDS for w in folded):
        return False
    if not any(ch.isupper() for ch in text):
        return False
    is_acronym = text.replace(".", "").isupper() and len(text.replace(".", "")) >= 2
    if category == "person":
        # An all-capitals surname is a transcript label, not a spelling of the name.
        return not (text.isupper() and len(words) == 1)
    # A single ordinary word ("Post", "Monitor") is too generic for an organization.
    return len(words) >= 2 or is_acronym


def resolve_entities(extraction: Extraction, match: Matcher) -> dict[str, EntityRef]:
    """Map every extracted person, organization and program name to an :class:`EntityRef`.

    Persons come first, so a name that is both a person and an organization is the person.
    """
    refs: dict[str, EntityRef] = {}
    for person in extraction.persons:
        if person.name in refs or not person.name.strip():
            continue
        minted = entity_iri("Person", name=person.name)
        found = _match(match, "person", "Person", person.name, person.mentions)
        refs[person.name] = EntityRef(
            person.name, "person", "Person", found or minted, minted, found is not None,
            list(person.mentions), list(person.spans), person.confidence, person.role,
            person.affiliation,
        )
    for org in extraction.organizations:
        if org.name in refs or not org.name.strip():
            continue
        type_name = org.type if org.type in ALL_ENTITY_TYPES else "Organization"
        minted = entity_iri(type_name, name=org.name)
        found = _match(match, "organization", type_name, org.name, org.mentions)
        refs[org.name] = EntityRef(
            org.name, "organization", type_name, found or minted, minted, found is not None,
            list(org.mentions), list(org.spans), org.confidence,
        )
    text = extraction.document.text
    for amount in extraction.amounts:
        name = (amount.program or "").strip()
        if not name or name in refs:
            continue
        minted = entity_iri("Program", name=name)
        found = _match(match, "program", "Program", name, [])
        position = text.find(name)
        spans = [(position, position + len(name))] if position >= 0 else []
        refs[name] = EntityRef(name, "program", "Program", found or minted, minted,
                               found is not None, [name], spans, amount.confidence)
    return refs


# ---------------------------------------------------------------------------------- loader


class ArticleLoader(Loader):
    """News articles (plain text, text with a front matter, Markdown or HTML)."""

    name = "article"
    version = EXTRACTOR_VERSION
    extensions = _EXTENSIONS
    description = "news articles (.txt/.md/.html): rule-based extraction with evidence spans"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Claim article extensions, and any text that opens with a ``---`` front matter."""
        if path.name.lower().endswith(_EXTENSIONS):
            return True
        if b"\x00" in head:
            return False
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            return False
        meta, body = split_front_matter(text)
        return bool(meta) and bool(body.strip()) and bool({"title", "date"} & set(meta))

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        """Yield the triples of one article; raise :class:`LoaderError` naming the file."""
        extraction = extract_file(path)
        mapper = _Mapper(path, context, extraction, self.version)
        return mapper.triples()


class _Mapper:
    """Maps one extraction to triples."""

    def __init__(self, path: Path, context: LoadContext, extraction: Extraction,
                 version: str) -> None:
        self.path = path
        self.context = context
        self.extraction = extraction
        self.text = extraction.document.text
        self.version = version
        self.refs = resolve_entities(extraction, context.match_entity)
        self.labelled: dict[URIRef, str] = {}
        #: (funder, recipient) pairs of the funding flows, which already stand for "funds".
        self.flows: set[tuple[URIRef, URIRef]] = set()
        self.date = self._date(extraction.document.date)

    # -- helpers

    @staticmethod
    def _date(value: str | None) -> Literal | None:
        try:
            return date_literal(value)
        except ValueError:
            return None

    def where(self, start: int) -> str:
        line = self.text.count("\n", 0, max(0, start)) + 1
        return f"{self.path.name}: line {line} of the text"

    def sentence(self, start: int, end: int) -> Span:
        """The sentence around a span (at most about 500 characters): supporting text."""
        text = self.text
        lo = max(0, start - _MAX_QUOTE // 2)
        left = lo
        for boundary in _SENTENCE_END.finditer(text, lo, start):
            left = boundary.end()
        hi = min(len(text), end + _MAX_QUOTE // 2)
        m = _SENTENCE_END.search(text, end, hi)
        right = hi if m is None else m.start() + (0 if text[m.start()] == "\n" else 1)
        while left < start and text[left].isspace():
            left += 1
        return left, max(right, end)

    def evidence(self, fact: URIRef, start: int, end: int, confidence: float,
                 quote: str | None = None) -> Iterator[Triple]:
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if quote is None:
            quote = self.text[start:end]
        yield from self.context.evidence(
            fact, extractor=EXTRACTOR_NAME, version=self.version, start=start, end=end,
            confidence=max(0.0, min(1.0, confidence)), quote=quote or None,
        )

    def actor(self, name: str | None) -> EntityRef | None:
        if not name:
            return None
        ref = self.refs.get(name)
        if ref is not None and ref.category != "program":
            return ref
        return None

    # -- triples

    def triples(self) -> Iterator[Triple]:
        yield from self.source_triples()
        for ref in self.refs.values():
            yield from self.entity(ref)
        for ref in self.refs.values():
            if ref.category == "person":
                yield from self.membership(ref)
        for amount in self.extraction.amounts:
            yield from self.amount(amount)
        for statistic in self.extraction.statistics:
            yield from self.statistic(statistic)
        for index, _statement in enumerate(self.extraction.statements):
            yield from self.statement(index)
        for index, _relation in enumerate(self.extraction.relations):
            yield from self.relation(index)

    def source_triples(self) -> Iterator[Triple]:
        doc = self.extraction.document
        iri = self.context.source
        if doc.title:
            yield iri, DCTERMS.title, Literal(doc.title)
        if doc.publisher:
            yield iri, PKG.publisherName, Literal(doc.publisher)
        if doc.url and _URL.match(doc.url):
            yield iri, SDO.url, Literal(doc.url, datatype=XSD.anyURI)
        if self.date is not None:
            yield iri, PKG.date, self.date

    def marker(self, ref: EntityRef) -> URIRef:
        """The evidence node of an entity this source describes: it depends only on the
        source and the entity, so a reload can tell its own entities from other sources'."""
        return entity_marker(ref.iri, self.context.source)

    def describes(self, ref: EntityRef, marker: URIRef) -> bool:
        """Whether this source gives the entity its type and names, or only mentions it.

        It does for a new entity, and for one it described in its previous load (a reload
        gives the same graph). An entity of another source (matched by name, or minted under
        the same IRI by an earlier file) is only referred to: a second preferred name would
        contradict the first.
        """
        if self.context.exists(marker):
            return True
        return not ref.matched and not self.context.exists(ref.minted)

    def entity(self, ref: EntityRef) -> Iterator[Triple]:
        marker = self.marker(ref)
        own = self.describes(ref, marker)
        if own:
            aliases = [m for m in dict.fromkeys(ref.mentions)
                       if _usable_alias(m, ref.name, ref.category)]
            label: str | None = ref.name
            if ref.iri in self.labelled:  # two extracted names minted the same IRI
                aliases.append(ref.name)
                label = None
            else:
                self.labelled[ref.iri] = ref.name
            yield from entity_triples(ref.iri, ALL_ENTITY_TYPES[ref.type_name], label,
                                      aliases=aliases)
        start, end = ref.spans[0] if ref.spans else (0, 0)
        evidence = self.evidence(ref.iri, start, end, ref.confidence)
        if own:
            first = next(evidence)
            node = first[2]
            yield ref.iri, PKG.evidence, marker
            for s, p, o in evidence:
                yield marker if s == node else s, p, o
            self.context.defined.add(ref.iri)
        elif ref.spans:
            yield from evidence

    def _affiliation_span(self, person: EntityRef, org: EntityRef) -> Span:
        """From a mention of the person to the nearest following mention of the organization."""
        best: Span | None = None
        for p_start, _p_end in person.spans:
            for o_start, o_end in org.spans:
                if p_start <= o_start <= p_start + 300 and (
                        best is None or o_end - p_start < best[1] - best[0]):
                    best = (p_start, o_end)
        if best is not None:
            return best
        return person.spans[0] if person.spans else (0, 0)

    def membership(self, person: EntityRef) -> Iterator[Triple]:
        org = self.actor(person.affiliation)
        role = (person.role or "").strip() or None
        if org is None:
            return
        start, end = self._affiliation_span(person, org)
        confidence = min(person.confidence, 0.8)
        if org.type_name in PLACE_TYPES:
            yield from self._relationship(person.iri, "member_of", org.iri, start, end,
                                          confidence, description=role)
            return
        fact = Membership(person.iri, org.iri, role=role)
        iri = fact.record_iri()  # the curated recipe: the same membership in a record agrees
        yield from fact.triples(iri)
        yield from self.evidence(iri, start, end, confidence)

    def amount(self, amount: Amount) -> Iterator[Triple]:
        if amount.value is None or amount.value < 0 or not _CURRENCY.match(amount.currency or ""):
            return  # a vague amount ("millions of dollars") has no value to record
        try:
            value = decimal_literal(repr(amount.value))
        except ValueError:
            return
        funder = self.actor(amount.funder)
        recipients = [r for r in (self.actor(n) for n in
                                  dict.fromkeys([*(amount.recipients or []), amount.recipient]))
                      if r is not None]
        program = self.refs.get(amount.program or "")
        s_start, s_end = self.sentence(amount.start, amount.end)
        program_iri = program.iri if program is not None else None
        fact: Observation | FundingFlow
        if funder is None and not recipients:
            fact = Observation("amount", value, unit=amount.currency, unit_in_key=True,
                               qualifier=amount.qualifier, program=program_iri)
        else:
            fact = FundingFlow(funder.iri if funder else None,
                               tuple(r.iri for r in recipients), value, str(amount.currency),
                               stage=STAGES["announced"],
                               verification=VERIFICATION["reported"],
                               program=program_iri, qualifier=amount.qualifier)
            if funder is not None:
                self.flows.update((funder.iri, recipient.iri) for recipient in recipients)
        iri = fact.mention_iri(self.context.source, amount.start, amount.end)
        yield from fact.triples(iri)
        yield from self.evidence(iri, s_start, s_end, amount.confidence)

    def statistic(self, statistic: Statistic) -> Iterator[Triple]:
        """An observation: the measure and unit the sentence states, the qualifier, and the
        period of the figure's clause (a year literal when it names one calendar year, else
        the phrase as stated: "in the past four years", "in fiscal year 2016")."""
        try:
            value = decimal_literal(repr(statistic.value))
        except ValueError:
            return
        subject = self.actor(statistic.subject)
        unit = (statistic.unit or "").strip()
        percent = unit.casefold() in {"percent", "%", "per cent"}
        unit = "percent" if percent else (unit or "count")
        measure = (statistic.measure or "").strip() or ("percentage" if percent else unit)
        period: Literal | None = None
        if statistic.period_value:
            try:
                period = date_literal(statistic.period_value)
            except ValueError:
                period = None
        if period is None and statistic.period:
            period = Literal(statistic.period)
        fact = Observation(measure, value, subject=subject.iri if subject else None, period=period,
                           unit=unit, qualifier=statistic.qualifier)
        iri = fact.mention_iri(self.context.source, statistic.start, statistic.end)
        yield from fact.triples(iri)
        s_start, s_end = self.sentence(statistic.start, statistic.end)
        yield from self.evidence(iri, s_start, s_end, statistic.confidence)

    def statement(self, index: int) -> Iterator[Triple]:
        statement = self.extraction.statements[index]
        speaker = self.actor(statement.speaker)
        text = self.text[statement.start:statement.end]
        if not text.strip():
            return
        if speaker is None:
            self.context.warn(
                self.where(statement.start),
                f"statement by {statement.speaker!r} skipped: the speaker is not an "
                "identified person or organization",
                reason="statement without an identified speaker",
            )
            return
        kind = KINDS.get(statement.kind, KINDS["direct"])
        role = ", ".join(filter(None, (speaker.role, speaker.affiliation)))
        fact = Statement(speaker.iri, text, kind, date=self.date, cue=statement.cue,
                         speaker_role=role)
        iri = fact.mention_iri(self.context.source, statement.start, statement.end)
        yield from fact.triples(iri)
        yield from self.evidence(iri, statement.start, statement.end, statement.confidence,
                                 quote=text)

    def relation(self, index: int) -> Iterator[Triple]:
        relation = self.extraction.relations[index]
        subject, obj = self.actor(relation.subject), self.actor(relation.object)
        if subject is None or obj is None or relation.predicate not in RELATION_TYPES:
            return
        if relation.predicate == "funds" and (subject.iri, obj.iri) in self.flows:
            return  # the funding flow says it, with the amount
        if relation.predicate == "member_of" and subject.category == "person":
            if subject.affiliation == relation.object:
                return  # already a membership with its role
            if obj.type_name not in PLACE_TYPES:
                fact = Membership(subject.iri, obj.iri)
                iri = fact.record_iri()
                yield from fact.triples(iri)
                yield from self.evidence(iri, relation.start, relation.end,
                                         relation.confidence)
                return
        start, end = self.sentence(relation.start, relation.end)
        yield from self._relationship(subject.iri, relation.predicate, obj.iri, start, end,
                                      relation.confidence)

    def _relationship(self, subject: URIRef, predicate: str, obj: URIRef, start: int, end: int,
                      confidence: float, *, description: str | None = None) -> Iterator[Triple]:
        fact = Relationship(subject, obj, RELATION_TYPES[predicate], description=description)
        iri = fact.record_iri()  # the curated recipe: the same relation in a record agrees
        yield from fact.triples(iri)
        yield from self.evidence(iri, start, end, confidence)
