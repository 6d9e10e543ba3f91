"""Language resources of the article extractor, read from ``resources/language/*.yaml``.

How English news, releases and transcripts are written: titles, honorifics, role nouns, given
names, cue verbs, month names, qualifiers, page furniture. Nothing here is about a policy
domain: organizations, countries, places, programs and known persons are domain packs
(:mod:`policykg.loaders.article.resources`). Nothing is learned.
"""

from __future__ import annotations

from typing import Final

from policykg.loaders.article.resources import ORG_TYPES, read_language

__all__ = [
    "MONTHS",
    "MONTH_ABBREVIATIONS",
    "ORG_TYPES",
    "PROGRAM_HEADS",
    "ORG_KEYWORD_TYPES",
    "MEDIA_HEADS",
    "TITLE_WORDS",
    "HONORIFICS",
    "HEAD_ROLE_WORDS",
    "SUBORDINATE_ROLE_WORDS",
    "ROLE_NOUNS",
    "MALE_NAMES",
    "FEMALE_NAMES",
    "CUE_LEMMAS",
    "QUOTE_ONLY_CUES",
    "NAME_STOPWORDS",
    "NON_NAME_SUFFIXES",
    "TITLES_BEFORE_SURNAME",
    "QUALIFIERS",
    "CHANGE_VERBS",
    "LEVEL_VERBS",
    "COUNT_NOUNS",
    "NUMBER_WORDS",
    "END_OF_ARTICLE_MARKERS",
    "BOILERPLATE_LINES",
    "BOILERPLATE_CLASS_WORDS",
]

_LANG = read_language()


def _words(key: str) -> frozenset[str]:
    return frozenset(_LANG.get(key) or ())


def _ordered(key: str) -> tuple[str, ...]:
    return tuple(_LANG.get(key) or ())


def _inverted(key: str) -> dict[str, str]:
    """``{head: [forms]}`` in the file -> ``{form: head}``."""
    return {form: head for head, forms in (_LANG.get(key) or {}).items() for form in forms}


#: Month names in order (January is month 1), and their abbreviations ("Sept." too).
MONTHS: Final = _ordered("months")
MONTH_ABBREVIATIONS: Final = _ordered("month_abbreviations")
#: last words that make a capitalized phrase a program, not an organization.
PROGRAM_HEADS: Final = _words("program_heads")
#: head keyword of a capitalized phrase -> organization type.
ORG_KEYWORD_TYPES: Final[dict[str, str]] = dict(_LANG.get("org_keyword_types") or {})
MEDIA_HEADS: Final = _words("media_heads")
TITLE_WORDS: Final = _words("title_words")
#: honorific -> the gender it implies ("m", "f" or "").
HONORIFICS: Final[dict[str, str]] = dict(_LANG.get("honorifics") or {})
HEAD_ROLE_WORDS: Final = _words("head_role_words")
#: words of a role that make its holder a member rather than the head ("deputy director").
SUBORDINATE_ROLE_WORDS: Final = _words("subordinate_role_words")
ROLE_NOUNS: Final = _words("role_nouns")
MALE_NAMES: Final = _words("male_names")
FEMALE_NAMES: Final = _words("female_names")
#: surface form -> lemma of the cue verb.
CUE_LEMMAS: Final = _inverted("cue_verbs")
#: cues that attribute quotes but never introduce indirect speech on their own.
QUOTE_ONLY_CUES: Final = _words("quote_only_cues")
#: capitalized words that never start or form a person's name.
NAME_STOPWORDS: Final = _words("name_stopwords")
#: endings of common nouns and participles that a name's later words do not have.
NON_NAME_SUFFIXES: Final = _ordered("non_name_suffixes")
#: titles that name a person by the surname alone after them ("President Putin").
TITLES_BEFORE_SURNAME: Final = _words("titles_before_surname")
#: amount/statistic qualifiers.
QUALIFIERS: Final = _ordered("qualifiers")
#: verb forms of a change -> direction ("crimes have risen 40 percent" is an increase).
CHANGE_VERBS: Final = _inverted("change_verbs")
#: verbs that state the level a measure reaches: "the total was 40,000".
LEVEL_VERBS: Final = _ordered("level_verbs")
#: nouns that name a count of something else: "the number of arrests" counts arrests.
COUNT_NOUNS: Final = _ordered("count_nouns")
#: spelled-out numbers used in periods ("in the past four years").
NUMBER_WORDS: Final = _ordered("number_words")
#: page furniture (regular expressions, case-insensitive, matched at a paragraph's start):
#: the trailer of a page (dropped with all after it), lines dropped alone, HTML class words.
END_OF_ARTICLE_MARKERS: Final = _ordered("end_of_article_markers")
BOILERPLATE_LINES: Final = _ordered("boilerplate_lines")
BOILERPLATE_CLASS_WORDS: Final = _words("boilerplate_class_words")
