"""News-article loader: rule-based extraction of actors, amounts and statements."""

from __future__ import annotations

from policykg.loaders.article.extract import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    Amount,
    ArticleError,
    Document,
    Extraction,
    OrganizationMention,
    PersonMention,
    Relation,
    Statement,
    Statistic,
    document_from_text,
    extract,
    read_document,
)

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "Amount",
    "ArticleError",
    "Document",
    "Extraction",
    "OrganizationMention",
    "PersonMention",
    "Relation",
    "Statement",
    "Statistic",
    "document_from_text",
    "extract",
    "read_document",
]
