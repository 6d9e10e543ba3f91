"""Rule-based extraction of actors, amounts, statistics, statements and relations from news.

No statistical model is used: the extractor combines language resources and domain packs
(YAML files, :mod:`policykg.loaders.article.resources`), regular expressions and a few ordered
heuristics. The stages are modules of their own: :mod:`~policykg.loaders.article.segmentation`
(paragraphs, quotations, sentences, transcript turns), :mod:`~policykg.loaders.article.mentions`
(organizations, persons), :mod:`~policykg.loaders.article.statements`,
:mod:`~policykg.loaders.article.amounts` (and statistics) and
:mod:`~policykg.loaders.article.relations`; :func:`extract` runs them in order.

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

from policykg.exceptions import ArticleError
from policykg.loaders.article.amounts import (
    find_amounts,
    find_statistics,
)
from policykg.loaders.article.document import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    Amount,
    Document,
    Extraction,
    OrganizationMention,
    PersonMention,
    Relation,
    Span,
    Statement,
    Statistic,
    document_from_text,
    read_document,
)
from policykg.loaders.article.mentions import (
    Entities,
    find_orgs,
    find_persons,
    find_short_mentions,
    find_titled_surnames,
)
from policykg.loaders.article.relations import (
    extract_relations,
)
from policykg.loaders.article.resources import Lexicon, active_lexicon
from policykg.loaders.article.segmentation import (
    find_quotes,
    find_turns,
    split_paragraphs,
    split_sentences,
)
from policykg.loaders.article.statements import (
    extract_statements,
)

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


def extract(doc: Document, lexicon: Lexicon | None = None) -> Extraction:
    """Extract persons, organizations, amounts, statistics, statements and relations.

    Args:
        doc: The document (see :func:`read_document`).
        lexicon: The domain packs to use (default: :func:`active_lexicon`, the shipped packs
            plus any added with :func:`~policykg.loaders.article.resources.use_resources`).

    Returns:
        The extraction. It never raises on odd input; unusable text gives empty lists.
        Long texts are processed in paragraph-aligned chunks of about
        :data:`CHUNK_CHARS` characters (pronouns are not resolved across chunks).
    """
    lex = lexicon or active_lexicon()
    if len(doc.text) > CHUNK_CHARS:
        parts = []
        for a, b in _chunks(doc.text):
            sub = Document(text=doc.text[a:b], publisher=doc.publisher)
            parts.append((a, _extract_one(sub, lex)))
        return _merge(doc, parts)
    return _extract_one(doc, lex)


def _extract_one(doc: Document, lex: Lexicon) -> Extraction:
    text = doc.text
    paragraphs = split_paragraphs(text)
    turns = find_turns(text)
    labels = [(t.label_start, t.label_end) for t in turns]
    quotes = find_quotes(text, paragraphs)
    sentences = split_sentences(text, paragraphs, quotes)
    ent = Entities(text, lex)
    find_orgs(ent, doc.publisher, labels)
    find_persons(ent)
    find_short_mentions(ent)
    find_titled_surnames(ent)
    statements = extract_statements(text, ent, sentences, quotes, turns, paragraphs)
    amounts = find_amounts(text, ent, sentences)
    statistics = find_statistics(text, ent, sentences, amounts, doc.date)
    relations = extract_relations(text, ent, sentences, amounts)
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
