"""The extractor's knowledge as data: language resources and domain packs (YAML files).

Two kinds of files ship in ``resources/``:

* ``language/*.yaml``: how English (news, releases, transcripts) is written: cue verbs,
  honorifics, titles, role nouns, given names, stopwords, month names, qualifiers, page
  furniture. Read once by :mod:`policykg.loaders.article.gazetteer`.
* ``packs/<name>/*.yaml``: what a policy domain is about: organizations (with type and
  aliases), countries, demonyms, places, programs, known persons, titles that imply an
  organization, currencies. ``world`` and ``migration`` are the default packs.

A researcher adds a pack (a folder of YAML files with the keys of :data:`PACK_KEYS`) with
``policykg load --resources DIR`` or ``policykg extract --resources DIR``, or in Python with
:func:`use_resources`; the entities already in a store join as one more pack
(:class:`NameIndex`, :func:`use_names`). A :class:`Lexicon` is the merge of packs, compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from policykg.exceptions import LoaderError
from policykg.ontology.model import default_model, local_name
from policykg.ontology.namespace import PKG

__all__ = [
    "RESOURCES",
    "DEFAULT_PACKS",
    "PACK_KEYS",
    "Currency",
    "RelationPattern",
    "Pack",
    "Lexicon",
    "read_pack",
    "pack_files",
    "pack_from_texts",
    "alias_regex",
    "read_language",
    "NameIndex",
    "names_from_rows",
    "MAX_STORE_NAMES",
    "default_lexicon",
    "active_lexicon",
    "use_resources",
    "use_packs",
    "use_names",
]

RESOURCES = Path(__file__).parent / "resources"
DEFAULT_PACKS = ("world", "migration")
#: The keys a pack file may have.
PACK_KEYS = frozenset(
    {
        "organizations",
        "countries",
        "demonyms",
        "currencies",
        "places",
        "places_not_countries",
        "programs",
        "known_persons",
        "titles_implying_organizations",
        "relations",
    }
)
#: How a relation pattern finds its actors (see :class:`RelationPattern`).
RELATION_SHAPES = ("adjacent", "following", "pair_before")
#: The types an organization of a pack may have: the ontology's subclasses of
#: pkg:Organization, and Country (countries act as parties to funding and threats).
_ORGANIZATION = local_name(PKG.Organization)
ORG_TYPES = (default_model().organization_types - {_ORGANIZATION}) | {local_name(PKG.Country)}


@dataclass(frozen=True)
class Currency:
    """A currency: ISO code, symbols written before a number, unit words after it."""

    code: str
    symbols: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    #: words that may stand between the number and the unit ("U.S. dollars").
    adjectives: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationPattern:
    """A relation the text states with a cue phrase ("X threatened Y").

    ``shape`` says where the actors are: ``adjacent``, the object is the first actor after the
    cue with only ``gap`` between them and the subject is the sentence's actor before the cue;
    ``following``, the object is the first actor at most ``max_words`` words after the cue (no
    quotation mark between), each actor coordinated with it too ("Mexico and Canada");
    ``pair_before``, two coordinated actors before the cue are subject and object ("A and B
    signed an agreement").
    """

    predicate: str
    cue: re.Pattern[str]
    shape: str = "adjacent"
    gap: re.Pattern[str] = re.compile(r"\s*(?:the\s+)?")
    max_words: int = 8
    confidence: float = 0.7


@dataclass
class Pack:
    """One domain pack, as read from its files."""

    name: str
    #: canonical name -> (type, aliases)
    organizations: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    #: canonical country name -> aliases
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: demonym or adjective -> country
    demonyms: dict[str, str] = field(default_factory=dict)
    currencies: list[Currency] = field(default_factory=list)
    places: set[str] = field(default_factory=set)
    places_not_countries: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    #: surname (or other short form) -> full name
    known_persons: dict[str, str] = field(default_factory=dict)
    #: short forms that name the person even without a title before them
    named_alone: set[str] = field(default_factory=set)
    #: title phrase -> organization it implies
    titles_implying_organizations: dict[str, str] = field(default_factory=dict)
    relations: list[RelationPattern] = field(default_factory=list)


def _yaml_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LoaderError(f"cannot read the resource file: {exc}", path=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LoaderError("a resource file must be a mapping of keys", path=str(path))
    return data


def _strings(value: Any, path: Path, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LoaderError("expected a list of strings", path=str(path), field=key)
    return list(value)


def _mapping(value: Any, path: Path, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise LoaderError("expected a mapping of strings to strings", path=str(path), field=key)
    return dict(value)


def _records(value: Any, path: Path, key: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and isinstance(v.get("name", v.get("code")), str) for v in value
    ):
        raise LoaderError("expected a list of records, each with a name", path=str(path),
                          field=key)
    return list(value)


def _add_file(pack: Pack, path: Path) -> None:
    _add_data(pack, _yaml_file(path), path)


def pack_from_texts(name: str, texts: Mapping[str, str], where: str) -> Pack:
    """A pack from the texts of its YAML files (``{file name: text}``), as kept in a store;
    errors name ``where/FILE``.

    Raises:
        LoaderError: a malformed file.
    """
    pack = Pack(name)
    for file_name in sorted(texts):
        path = Path(where) / file_name
        try:
            data = yaml.safe_load(texts[file_name])
        except yaml.YAMLError as exc:
            raise LoaderError(f"cannot read the resource file: {exc}", path=str(path)) from None
        if data is not None and not isinstance(data, dict):
            raise LoaderError("a resource file must be a mapping of keys", path=str(path))
        _add_data(pack, data or {}, path)
    return pack


def _add_data(pack: Pack, data: dict[str, Any], path: Path) -> None:
    unknown = sorted(set(data) - PACK_KEYS)
    if unknown:
        raise LoaderError(f"unknown key {unknown[0]!r} (a pack may have: "
                          f"{', '.join(sorted(PACK_KEYS))})", path=str(path))
    for rec in _records(data.get("organizations"), path, "organizations"):
        typ = rec.get("type", _ORGANIZATION)
        if typ not in ORG_TYPES and typ != _ORGANIZATION:
            raise LoaderError(f"unknown organization type {typ!r}", path=str(path),
                              record=rec["name"], field="type")
        aliases = tuple(_strings(rec.get("aliases"), path, "aliases"))
        pack.organizations[rec["name"]] = (typ, aliases)
    for rec in _records(data.get("countries"), path, "countries"):
        pack.countries[rec["name"]] = tuple(_strings(rec.get("aliases"), path, "aliases"))
    pack.demonyms.update(_mapping(data.get("demonyms"), path, "demonyms"))
    for rec in _records(data.get("currencies"), path, "currencies"):
        pack.currencies.append(Currency(
            rec["code"],
            tuple(_strings(rec.get("symbols"), path, "symbols")),
            tuple(_strings(rec.get("units"), path, "units")),
            tuple(_strings(rec.get("adjectives"), path, "adjectives")),
        ))
    pack.places.update(_strings(data.get("places"), path, "places"))
    pack.places_not_countries += _strings(data.get("places_not_countries"), path,
                                          "places_not_countries")
    pack.programs += _strings(data.get("programs"), path, "programs")
    for rec in _records(data.get("known_persons"), path, "known_persons"):
        for short in _strings(rec.get("surnames"), path, "surnames"):
            pack.known_persons[short] = rec["name"]
        pack.named_alone.update(_strings(rec.get("named_alone"), path, "named_alone"))
    pack.titles_implying_organizations.update(
        _mapping(data.get("titles_implying_organizations"), path,
                 "titles_implying_organizations"))
    pack.relations += [_relation_pattern(rec, path)
                       for rec in _records(data.get("relations"), path, "relations")]


def _regex(value: Any, path: Path, record: str, key: str, flags: int = 0) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise LoaderError("expected a regular expression", path=str(path), record=record,
                          field=key)
    try:
        return re.compile(value, flags)
    except re.error as exc:
        raise LoaderError(f"not a regular expression: {exc}", path=str(path), record=record,
                          field=key) from None


_RELATION_FIELDS = frozenset({"name", "predicate", "cue", "shape", "gap", "max_words",
                              "confidence", "ignore_case"})


def _relation_pattern(rec: dict[str, Any], path: Path) -> RelationPattern:
    # Imported here: records is the loader that owns the relation names, and it is heavier.
    from policykg.loaders.records import RELATION_TYPES

    name = rec["name"]
    unknown = sorted(set(rec) - _RELATION_FIELDS)
    if unknown:
        raise LoaderError(f"unknown field {unknown[0]!r} (a relation may have: "
                          f"{', '.join(sorted(_RELATION_FIELDS))})", path=str(path), record=name)
    predicate = rec.get("predicate")
    if predicate not in RELATION_TYPES:
        raise LoaderError(f"unknown relation {predicate!r} (one of: "
                          f"{', '.join(sorted(RELATION_TYPES))})", path=str(path), record=name,
                          field="predicate")
    shape = rec.get("shape", "adjacent")
    if shape not in RELATION_SHAPES:
        raise LoaderError(f"unknown shape {shape!r} (one of: {', '.join(RELATION_SHAPES)})",
                          path=str(path), record=name, field="shape")
    flags = re.I if rec.get("ignore_case", False) is True else 0
    numbers = {key: rec.get(key, default) for key, default in
               (("max_words", 8), ("confidence", 0.7))}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                key == "confidence" and value > 1):
            raise LoaderError("expected a number (a confidence lies in 0..1)", path=str(path),
                              record=name, field=key)
    return RelationPattern(
        predicate=predicate,
        cue=_regex(rec.get("cue"), path, name, "cue", flags),
        shape=shape,
        gap=_regex(rec.get("gap", r"\s*(?:the\s+)?"), path, name, "gap", flags),
        max_words=int(numbers["max_words"]),
        confidence=float(numbers["confidence"]),
    )


def pack_files(folder: Path) -> list[Path]:
    """The YAML files of a pack: every ``*.yaml``/``*.yml`` under ``folder``, or the file itself.

    Raises:
        LoaderError: ``folder`` does not exist.
    """
    if folder.is_file():
        return [folder]
    if folder.is_dir():
        return sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    raise LoaderError("no such resource folder", path=str(folder))


def read_pack(folder: Path) -> Pack:
    """Read a pack: every ``*.yaml`` file under ``folder`` (or ``folder`` itself, a file).

    Raises:
        LoaderError: naming the file (and record or key) of a malformed resource.
    """
    pack = Pack(folder.stem if folder.is_file() else folder.name)
    for path in pack_files(folder):
        _add_file(pack, path)
    return pack


@lru_cache(maxsize=1)
def read_language() -> dict[str, Any]:
    """The language resources shipped with the package, merged (one key, one file)."""
    merged: dict[str, Any] = {}
    for path in sorted((RESOURCES / "language").glob("*.yaml")):
        merged.update(_yaml_file(path))
    return merged


#: Most names an index from a store holds (names and aliases); beyond it the rest are left
#: out, so memory stays bounded (about 200 bytes a name).
MAX_STORE_NAMES = 500_000
_FIRST_WORD = re.compile(r"[A-Z0-9][\w&\-]*")
_NAME_END = re.compile(r"(?![\w\-])")


class NameIndex:
    """Names and aliases of known entities, found in a text by their first word.

    Unlike the packs' patterns (one regular expression), lookups cost one dictionary probe per
    capitalized word of the text however many names there are: the index built from a store
    (curated records, Wikidata, FtM, Popolo, IATI) may hold hundreds of thousands.
    """

    def __init__(self) -> None:
        self.by_first: dict[str, list[tuple[str, str, str]]] = {}
        self.size = 0

    def add(self, surface: str, canonical: str, type_name: str) -> bool:
        """Index one name; False when it is unusable or the index is full."""
        surface = " ".join(surface.split())
        first = _FIRST_WORD.match(surface)
        if first is None or len(surface) < 3 or self.size >= MAX_STORE_NAMES:
            return False
        if type_name == "Person" and len(surface.split()) < 2:
            return False  # a single given name or surname alone is too ambiguous
        entries = self.by_first.setdefault(first.group(0), [])
        if any(e[0] == surface for e in entries):
            return False
        entries.append((surface, canonical, type_name))
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        self.size += 1
        return True

    def find(self, text: str) -> Iterator[tuple[int, int, str, str]]:
        """``(start, end, canonical name, type)`` of every name found, longest first at a
        position, left to right, never overlapping."""
        pos = 0
        for m in _FIRST_WORD.finditer(text):
            if m.start() < pos or (m.start() and (text[m.start() - 1].isalnum()
                                                 or text[m.start() - 1] in "-_")):
                continue
            for surface, canonical, type_name in self.by_first.get(m.group(0), ()):
                end = m.start() + len(surface)
                if text.startswith(surface, m.start()) and _NAME_END.match(text, end):
                    yield m.start(), end, canonical, type_name
                    pos = end
                    break


def names_from_rows(rows: Iterable[tuple[str, str, str]]) -> NameIndex:
    """A :class:`NameIndex` of ``(name or alias, canonical name, type)`` rows."""
    index = NameIndex()
    for surface, canonical, type_name in rows:
        index.add(surface, canonical, type_name)
    return index


def _trie(words: Iterable[str]) -> str:
    """One pattern matching any of ``words``, as a character trie: Python's ``re`` tries the
    alternatives of a flat list one by one at every position, the trie one character at a
    time. Longer words are still tried first (every continuation is greedy)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(root)


def alias_regex(aliases: Iterable[str]) -> re.Pattern[str]:
    """A pattern for any of ``aliases`` between word boundaries (hyphens bind), longest first."""
    alts = set(aliases)
    if not alts:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<![\w\-])(?:{_trie(alts)})(?![\w\-])")


def _symbol_pattern(symbol: str) -> str:
    # A space inside a symbol may be left out ("U.S. $", "U.S.$"); a letter code may be
    # followed by one ("USD 5").
    pattern = r"\s?".join(re.escape(part) for part in symbol.split(" "))
    return pattern + r"\s?" if symbol.isalpha() else pattern


class Lexicon:
    """Packs merged, with the lookup tables and patterns the extractor uses."""

    def __init__(self, packs: Sequence[Pack], names: Callable[[], NameIndex] | None = None) -> None:
        self.packs = tuple(packs)
        self._names = names
        self.organizations: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.countries: dict[str, tuple[str, ...]] = {}
        self.demonyms: dict[str, str] = {}
        self.places: set[str] = set()
        self.places_not_countries: list[str] = []
        self.programs: list[str] = []
        self.known_persons: dict[str, str] = {}
        self.named_alone: set[str] = set()
        self.titles_implying_organizations: dict[str, str] = {}
        self.relations: list[RelationPattern] = []
        currencies: dict[str, Currency] = {}
        for pack in packs:
            for name, (typ, aliases) in pack.organizations.items():
                old_type, old = self.organizations.get(name, (typ, ()))
                self.organizations[name] = (old_type, old + tuple(a for a in aliases
                                                                  if a not in old))
            for name, aliases in pack.countries.items():
                old = self.countries.get(name, ())
                self.countries[name] = old + tuple(a for a in aliases if a not in old)
            self.demonyms.update(pack.demonyms)
            self.places |= pack.places
            self.places_not_countries += [p for p in pack.places_not_countries
                                          if p not in self.places_not_countries]
            self.programs += [p for p in pack.programs if p not in self.programs]
            for short, full in pack.known_persons.items():
                self.known_persons.setdefault(short, full)
            self.named_alone |= pack.named_alone
            self.titles_implying_organizations.update(pack.titles_implying_organizations)
            self.relations += pack.relations
            for cur in pack.currencies:
                currencies.setdefault(cur.code, cur)
        self.currencies = tuple(currencies.values())
        self.org_alias: dict[str, str] = {}
        for name, (_typ, aliases) in self.organizations.items():
            self.org_alias[name] = name
            for alias in aliases:
                self.org_alias.setdefault(alias, name)
        self.country_alias: dict[str, str] = {}
        for name, aliases in self.countries.items():
            self.country_alias[name] = name
            for alias in aliases:
                self.country_alias.setdefault(alias, name)
        # An entity loaded from a store may also be a country by an alias ("U.S."): the
        # country wins, as it did before the store was consulted.
        for alias in self.country_alias:
            if alias in self.org_alias and self.org_alias[alias] not in self.countries:
                del self.org_alias[alias]
        self.program_set = set(self.programs)
        self.org_type: dict[str, str] = {n: t for n, (t, _a) in self.organizations.items()}
        for country in self.countries:
            self.org_type[country] = "Country"

    @cached_property
    def names(self) -> NameIndex | None:
        """Names of the entities already in the store being loaded into (read when first
        needed), or None."""
        return self._names() if self._names is not None else None

    @cached_property
    def alias_re(self) -> re.Pattern[str]:
        """Every organization, country, place and program name, longest first."""
        return alias_regex([*self.org_alias, *self.country_alias, *self.places_not_countries,
                             *self.places, *self.programs])

    @cached_property
    def title_org_re(self) -> re.Pattern[str]:
        """Titles that imply an organization ("Secretary of State")."""
        return alias_regex(self.titles_implying_organizations)

    @cached_property
    def symbol_currency(self) -> dict[str, str]:
        """Currency symbol, spaces removed and lower-cased -> ISO code."""
        return {s.replace(" ", "").lower(): c.code for c in self.currencies for s in c.symbols}

    @cached_property
    def unit_currency(self) -> dict[str, str]:
        """Unit word, lower-cased -> ISO code."""
        return {u.lower(): c.code for c in self.currencies for u in c.units}

    def money_pattern(self, number: str, qualifiers: str) -> re.Pattern[str]:
        """The amount pattern: a symbol before a number, or a unit word after it."""
        return _money_pattern(self, number, qualifiers)


_MONEY_CACHE: dict[tuple[int, str, str], re.Pattern[str]] = {}


def _money_pattern(lex: Lexicon, number: str, qualifiers: str) -> re.Pattern[str]:
    key = (id(lex), number, qualifiers)
    found = _MONEY_CACHE.get(key)
    if found is not None:
        return found
    symbols = sorted({s for c in lex.currencies for s in c.symbols}, key=len, reverse=True)
    units = sorted({u for c in lex.currencies for u in c.units}, key=len, reverse=True)
    adjectives = sorted({a for c in lex.currencies for a in c.adjectives}, key=len,
                        reverse=True)
    sym = "|".join(_symbol_pattern(s) for s in symbols) or r"(?!x)x"
    unit = "|".join(re.escape(u) for u in units) or r"(?!x)x"
    adj = "|".join(re.escape(a) for a in adjectives) or r"(?!x)x"
    scales = "thousand|million|billion|trillion"
    pattern = re.compile(
        rf"(?:(?P<qual>{qualifiers})\s+)?(?:"
        rf"(?P<cur>{sym})\s?(?P<num>{number})"
        rf"(?:\s?(?P<scale>{scales})\b|(?P<abbr>bn|mn|m|k|b)\b)?"
        rf"|(?P<num2>{number})\s?(?P<scale2>{scales})?\s+"
        rf"(?:(?:{adj})\s+)?(?P<unit2>{unit})\b"
        rf"|(?P<vague>billions|millions|hundreds of millions|tens of millions|thousands|"
        rf"hundreds of thousands) of (?:(?:{adj})\s+)?(?P<vunit>{unit})\b"
        rf")",
        re.I,
    )
    if len(_MONEY_CACHE) > 16:
        _MONEY_CACHE.clear()
    _MONEY_CACHE[key] = pattern
    return pattern


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon of the packs shipped with the package (:data:`DEFAULT_PACKS`)."""
    return Lexicon([read_pack(RESOURCES / "packs" / name) for name in DEFAULT_PACKS])


_ACTIVE: ContextVar[Lexicon | None] = ContextVar("policykg_article_lexicon", default=None)


def active_lexicon() -> Lexicon:
    """The lexicon extraction uses when none is passed: set by :func:`use_resources`."""
    return _ACTIVE.get() or default_lexicon()


@contextmanager
def use_packs(packs: Sequence[Pack]) -> Iterator[Lexicon]:
    """Extract with the current packs plus ``packs`` inside the ``with`` block."""
    current = active_lexicon()
    lexicon = Lexicon([*current.packs, *packs], current._names) if packs else current
    token = _ACTIVE.set(lexicon)
    try:
        yield lexicon
    finally:
        _ACTIVE.reset(token)


@contextmanager
def use_resources(folders: Iterable[Path | str]) -> Iterator[Lexicon]:
    """Extract with the packs read from ``folders`` added, inside the ``with`` block.

    Raises:
        LoaderError: a folder is missing or holds a malformed file.
    """
    with use_packs([read_pack(Path(f)) for f in folders]) as lexicon:
        yield lexicon


@contextmanager
def use_names(read: Callable[[], Iterable[tuple[str, str, str]]]) -> Iterator[Lexicon]:
    """Also find the names ``read()`` returns (``(name or alias, canonical name, type)``),
    inside the ``with`` block; ``read`` is called once, when the first article is extracted."""
    current = active_lexicon()
    lexicon = Lexicon(current.packs, lambda: names_from_rows(read()))
    token = _ACTIVE.set(lexicon)
    try:
        yield lexicon
    finally:
        _ACTIVE.reset(token)
