"""Curated records: YAML, JSON or CSV that a researcher writes by hand.

The format is documented in ``docs/records.md``. A file holds sections (``entities``,
``memberships``, ``funding``, ``statements``, ``relations``, ``events``, ``observations``,
``policies``) of records; a CSV file holds one section, named by its file name
(``memberships.csv`` or ``anything.memberships.csv``). Records refer to each other by ``id``.

Every error names the file, the line (YAML, CSV) or record (JSON) and the field. With
``--lenient``, a bad record is skipped with a warning instead of failing the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, SDO, XSD

from policykg.exceptions import CuratedRecordError, LoaderError
from policykg.facts import FundingFlow, Membership, Observation, Relationship, Statement
from policykg.graph.terms import Triple
from policykg.identity import IDENTIFIER_SCHEMES, entity_iri, family_iri, slugify
from policykg.loaders.base import Limits, LoadContext, Loader, parse_json
from policykg.loaders.records import (
    ALL_ENTITY_TYPES,
    KINDS,
    STAGES,
    STANCES,
    VERIFICATION,
    date_literal,
    decimal_literal,
    entity_triples,
    relation_term,
)
from policykg.ontology.external import WIKIDATA
from policykg.ontology.model import default_model, local_name
from policykg.ontology.namespace import PKG

__all__ = ["CuratedLoader", "SECTIONS", "MAX_BYTES", "read_text"]

EXTRACTOR = "policykg.curated"
#: Hand-written files beyond this size are refused: bulk data belongs in a bulk format.
MAX_BYTES = 20 * 1024 * 1024


_MODEL = default_model()
#: The sections a record file may have, in the order an error names them (``pkg:recordSection``).
SECTIONS = _MODEL.record_sections
#: The sections of entity records, mapped before any fact so facts may refer to them.
ENTITY_SECTIONS = frozenset(_MODEL.entity_sections)
#: The types a record of each entity section may have (the section's class and those below it),
#: and the type a record without one gets (the section's class, when it is an entity type).
SECTION_TYPES: dict[str, frozenset[str]] = {
    section: frozenset(local_name(c) for c in _MODEL.subclasses(_MODEL.section_class(section))
                       if local_name(c) in ALL_ENTITY_TYPES)
    for section in ENTITY_SECTIONS}
DEFAULT_TYPES: dict[str, str] = {
    section: name for section in ENTITY_SECTIONS
    if (name := local_name(_MODEL.section_class(section))) in ALL_ENTITY_TYPES}

#: Fields each section accepts, and which are required; anything else is an error (typos).
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "entities": (
        {"id", "type", "name", "aliases", "identifiers", "description", "country", "parent",
         "url", "country_code", "wikidata", "evidence"},
        {"type", "name"},
    ),
    "policies": (
        {"id", "type", "name", "aliases", "issued_by", "date", "start", "end", "description",
         "url", "wikidata", "identifiers", "evidence"},
        {"name"},
    ),
    "events": (
        {"id", "name", "date", "status", "location", "participants", "description", "evidence"},
        {"name"},
    ),
    "memberships": (
        {"id", "member", "organization", "role", "start", "end", "on_behalf_of", "evidence"},
        {"member", "organization"},
    ),
    "funding": (
        {"id", "funder", "recipient", "program", "amount", "currency", "date", "start", "end",
         "stage", "status", "qualifier", "description", "evidence"},
        {"amount"},
    ),
    "statements": (
        {"id", "speaker", "text", "date", "cue", "kind", "about", "role", "stance", "evidence"},
        {"speaker", "text"},
    ),
    "relations": (
        {"id", "subject", "type", "object", "date", "start", "end", "description", "evidence"},
        {"subject", "type", "object"},
    ),
    "observations": (
        {"id", "subject", "measure", "value", "unit", "period", "qualifier", "program",
         "evidence"},
        {"measure", "value"},
    ),
}
LIST_FIELDS = {"aliases", "participants", "about"}
SOURCE_FIELDS = {"id", "title", "url", "publisher", "date", "description"}


@dataclass
class Record:
    """One record with where it came from."""

    section: str
    data: dict[str, Any]
    line: int | None
    index: int

    @property
    def label(self) -> str:
        rid = self.data.get("id")
        return f"{self.section}[{self.index}]" + (f" (id {rid})" if rid else "")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps mapping line numbers and leaves dates as text for our own check.

    It refuses anchors and aliases (an alias bomb expands a 1 KB file without bound, and an
    alias is never needed in a record), duplicate keys, and nesting deeper than ``max_depth``.
    """

    max_depth = Limits().max_depth
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            kind = "aliases (*name)" if isinstance(event, yaml.AliasEvent) else "anchors (&name)"
            raise yaml.composer.ComposerError(
                None, None, f"{kind} are not allowed in records; write the value out",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {self.max_depth} levels (raise the limit "
                    "with --max-depth)", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            continue  # construct_mapping reports an unhashable key
        if key in first:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {first[key]})",
                key_node.start_mark)
        first[key] = line
    mapping: dict[str, Any] = {str(k): v for k, v in
                               loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _parse_yaml(text: str, max_depth: int) -> Any:
    loader = _LineLoader(text)
    loader.max_depth = max_depth
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings, so an impossible date is reported by our parser with its line.
_LineLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a hand-written file as UTF-8, with errors that name the file and line."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoaderError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    if size > max_bytes:
        raise LoaderError(
            f"file is {size / 1e6:.1f} MB; hand-written records are limited to "
            f"{max_bytes / 1e6:.0f} MB (load bulk data as CSV of open data, N-Triples or FtM)",
            path=str(path),
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise LoaderError("empty file", path=str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoaderError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
            path=str(path),
            line=line,
        ) from exc
    return text.removeprefix("\ufeff")


class CuratedLoader(Loader):
    """Hand-written records in YAML, JSON or CSV."""

    name = "curated"
    version = "0.1"
    extensions = (".yaml", ".yml", ".json", ".csv")
    description = "curated records (YAML/JSON/CSV, see docs/records.md)"

    def sniff(self, path: Path, head: bytes) -> bool:
        name = path.name.lower()
        if name.endswith((".yaml", ".yml", ".csv")):
            return True
        if name.endswith(".json"):
            text = head.decode("utf-8", "replace").lstrip()
            return text.startswith("{") and any(f'"{s}"' in head.decode("utf-8", "replace")
                                                 for s in SECTIONS[1:])
        return False

    # ------------------------------------------------------------------ reading

    def read_records(self, path: Path,
                     limits: Limits | None = None) -> tuple[dict[str, Any], list[Record]]:
        """Parse the file into its source block and records, or raise LoaderError."""
        limits = limits or Limits()
        text = read_text(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return {}, self._read_csv(path, text)
        if suffix == ".json":
            try:
                document = parse_json(text, path, limits)
            except json.JSONDecodeError as exc:
                raise LoaderError(f"malformed JSON: {exc.msg}", path=str(path),
                                  line=exc.lineno) from exc
        else:
            try:
                document = _parse_yaml(text, limits.max_depth)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                line = mark.line + 1 if mark is not None else None
                problem = exc.problem or exc.context or "syntax error"
                raise LoaderError(f"malformed YAML: {problem}", path=str(path),
                                  line=line) from exc
            except yaml.YAMLError as exc:
                raise LoaderError(f"malformed YAML: {exc}", path=str(path)) from exc
        return self._split(path, document)

    def _split(self, path: Path, document: Any) -> tuple[dict[str, Any], list[Record]]:
        if not isinstance(document, dict):
            raise LoaderError(
                "expected a mapping of sections (entities, memberships, funding, ...)",
                path=str(path),
            )
        source: dict[str, Any] = {}
        records: list[Record] = []
        for key, value in document.items():
            if key == "__line__":
                continue
            if key not in SECTIONS:
                raise LoaderError(
                    f"unknown section {key!r} (expected one of: {', '.join(SECTIONS)})",
                    path=str(path), line=document.get("__line__"),
                )
            if key == "source":
                if not isinstance(value, dict):
                    raise LoaderError("'source' must be a mapping", path=str(path))
                source = value
                continue
            if value is None:
                continue
            if not isinstance(value, list):
                raise LoaderError(f"section {key!r} must be a list of records", path=str(path))
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    raise LoaderError("a record must be a mapping of fields", path=str(path),
                                      record=f"{key}[{index}]")
                line = item.pop("__line__", None)
                records.append(Record(key, item, line, index))
        return source, records

    def _read_csv(self, path: Path, text: str) -> list[Record]:
        stem = path.name.lower().removesuffix(".csv")
        section = stem.rsplit(".", 1)[-1]
        if section not in FIELDS:
            raise LoaderError(
                "cannot tell which records this CSV holds: name it SECTION.csv or "
                f"NAME.SECTION.csv with SECTION one of {', '.join(FIELDS)}",
                path=str(path),
            )
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        allowed, required = FIELDS[section]
        missing = sorted(required - set(header))
        if missing:
            raise LoaderError(f"missing column(s): {', '.join(missing)}", path=str(path), line=1)
        identifier_columns = {"wikidata", "ftm", "iati", "popolo"}
        unknown = [h for h in header if h not in allowed and h not in identifier_columns]
        if unknown:
            raise LoaderError(f"unknown column(s): {', '.join(unknown)}", path=str(path), line=1)
        records = []
        try:
            for index, row in enumerate(reader):
                if None in row:
                    raise LoaderError("more values than columns", path=str(path),
                                      line=reader.line_num)
                data: dict[str, Any] = {}
                for column, value in row.items():
                    if value is None or value == "":
                        continue
                    if column in LIST_FIELDS:
                        data[column] = [v.strip() for v in value.split("|") if v.strip()]
                    else:
                        data[column] = value
                records.append(Record(section, data, reader.line_num, index))
        except csv.Error as exc:
            raise LoaderError(f"malformed CSV: {exc}", path=str(path),
                              line=reader.line_num) from exc
        return records

    # ------------------------------------------------------------------ mapping

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        source, records = self.read_records(path, context.limits)
        mapper = _Mapper(path, context, self.version)
        yield from mapper.source_triples(source)
        # Entities first, so facts may refer to entities defined further down the file.
        ordered = sorted(records, key=lambda r: 0 if r.section in ENTITY_SECTIONS else 1)
        for record in ordered:
            if record.section in ENTITY_SECTIONS:
                mapper.declare(record)
        for record in ordered:
            try:
                triples = list(mapper.map(record))
            except CuratedRecordError as exc:
                err = LoaderError(exc.message, path=str(path), line=record.line,
                                  record=None if record.line else record.label, field=exc.field)
                if context.lenient and exc.recoverable:
                    context.warn(str(err).split(": ", 1)[0], exc.message, reason=exc.message)
                    continue
                raise err from None
            yield from triples


def _text(value: Any) -> str | None:
    """A record's optional text field: None when absent or empty."""
    return str(value) if value else None


class _Mapper:
    """Maps records of one file to triples."""

    def __init__(self, path: Path, context: LoadContext, version: str) -> None:
        self.path = path
        self.context = context
        self.version = version
        self.local: dict[str, URIRef] = {}

    # -- helpers

    def fail(self, message: str, field: str | None = None) -> CuratedRecordError:
        return CuratedRecordError(message, field)

    def evidence(self, fact: URIRef, record: Record) -> Iterator[Triple]:
        extra = record.data.get("evidence")
        confidence = 1.0
        quote = None
        if isinstance(extra, dict):
            try:
                confidence = float(extra.get("confidence", 1.0))
            except (TypeError, ValueError):
                raise self.fail("confidence must be a number", "evidence") from None
            if not 0.0 <= confidence <= 1.0:
                raise self.fail("confidence must be between 0 and 1", "evidence")
            quote = extra.get("quote")
        name = self.path.name
        where = f"{name}:{record.line}" if record.line else f"{name}#{record.label}"
        yield from self.context.evidence(
            fact, extractor=EXTRACTOR, version=self.version, record=where,
            confidence=confidence, quote=str(quote) if quote else None,
        )
        if isinstance(extra, dict) and extra.get("url"):
            yield fact, SDO.citation, URIRef(str(extra["url"]))

    def ref(self, value: Any, field: str) -> URIRef:
        """Resolve a reference: an id in this file or this load, an IRI, or ``wd:QID``."""
        text = str(value).strip()
        if not text:
            raise self.fail("empty reference", field)
        if text in self.local:
            return self.local[text]
        if text.startswith(("http://", "https://", "urn:")):
            iri = URIRef(text)
            if iri in self.context.defined or self.context.exists(iri):
                return iri
            raise self.fail(f"reference {text!r} names no known entity", field)
        slug = slugify(text)
        if text.startswith("wd:"):
            slug = "wd-" + text[3:]
        for family in default_model().resolution_families:
            iri = family_iri(family, slug)
            if iri in self.context.defined or self.context.exists(iri):
                return iri
        raise self.fail(
            f"reference {text!r} is not defined in this file, earlier in this load or in "
            "the store (dangling reference)",
            field,
        )

    def date(self, record: Record, field: str) -> Literal | None:
        try:
            return date_literal(record.data.get(field))
        except ValueError as exc:
            raise self.fail(str(exc), field) from None

    def check_fields(self, record: Record) -> None:
        allowed, required = FIELDS[record.section]
        identifier_columns = {"wikidata", "ftm", "iati", "popolo"}
        for key in record.data:
            if key not in allowed and key not in identifier_columns:
                raise self.fail(f"unknown field (allowed: {', '.join(sorted(allowed))})", key)
        for key in sorted(required):
            value = record.data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise self.fail("required field is missing", key)

    def as_list(self, value: Any, field: str) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, str | int | float):
            return [value]
        raise self.fail("expected a list", field)

    # -- source and entities

    def source_triples(self, source: dict[str, Any]) -> Iterator[Triple]:
        unknown = set(source) - SOURCE_FIELDS - {"__line__"}
        if unknown:
            raise LoaderError(f"unknown field(s) in source: {', '.join(sorted(unknown))}",
                              path=str(self.path), line=source.get("__line__"))
        iri = self.context.source
        for key, predicate in (("title", DCTERMS.title), ("publisher", PKG.publisherName),
                               ("description", SDO.description)):
            if source.get(key):
                yield iri, predicate, Literal(str(source[key]))
        if source.get("url"):
            yield iri, SDO.url, Literal(str(source["url"]), datatype=XSD.anyURI)
        if source.get("date"):
            try:
                literal = date_literal(source["date"])
            except ValueError as exc:
                raise LoaderError(str(exc), path=str(self.path), line=source.get("__line__"),
                                  field="source.date") from None
            if literal is not None:
                yield iri, PKG.date, literal

    def declare(self, record: Record) -> None:
        """Reserve the IRI of an entity record so facts above it may refer to it."""
        data = record.data
        type_name = str(data.get("type") or DEFAULT_TYPES.get(record.section, ""))
        if type_name not in ALL_ENTITY_TYPES:
            return  # reported when the record is mapped
        key = data.get("id")
        wikidata = data.get("wikidata") or (data.get("identifiers") or {}).get("wikidata") \
            if isinstance(data.get("identifiers") or {}, dict) else None
        name = data.get("name")
        try:
            iri = entity_iri(type_name, key=str(key) if key else None,
                             wikidata=str(wikidata) if wikidata else None,
                             name=str(name) if name else None)
        except ValueError:
            return
        for handle in filter(None, (key, name)):
            self.local.setdefault(str(handle), iri)
        if wikidata:
            self.local.setdefault(f"wd:{wikidata}", iri)
        self.context.defined.add(iri)

    def map(self, record: Record) -> Iterator[Triple]:
        self.check_fields(record)
        handler: Callable[[Record], Iterator[Triple]] = getattr(self, f"map_{record.section}")
        return handler(record)

    def _entity(self, record: Record, type_name: str) -> tuple[URIRef, list[Triple]]:
        data = record.data
        if type_name not in ALL_ENTITY_TYPES:
            raise self.fail(
                f"unknown type {type_name!r} (known: {', '.join(sorted(ALL_ENTITY_TYPES))})",
                "type",
            )
        identifiers = data.get("identifiers") or {}
        if not isinstance(identifiers, dict):
            raise self.fail("identifiers must be a mapping like {wikidata: Q123}", "identifiers")
        identifiers = {str(k): v for k, v in identifiers.items() if k != "__line__"}
        for scheme in IDENTIFIER_SCHEMES:
            if data.get(scheme):
                identifiers[scheme] = data[scheme]
        unknown_ids = set(identifiers) - set(IDENTIFIER_SCHEMES)
        if unknown_ids:
            raise self.fail(f"unknown identifier scheme(s): {', '.join(sorted(unknown_ids))} "
                            f"(known: {', '.join(IDENTIFIER_SCHEMES)})", "identifiers")
        for scheme, value in identifiers.items():
            if value is None or isinstance(value, dict | list) or not str(value).strip():
                raise self.fail(f"identifier {scheme!r} must be one non-empty value",
                                f"identifiers.{scheme}")
        wikidata = identifiers.get("wikidata")
        if wikidata and not str(wikidata).startswith("Q"):
            raise self.fail(f"{wikidata!r} is not a Wikidata QID", "identifiers.wikidata")
        name = str(data["name"]).strip()
        key = data.get("id")
        iri = entity_iri(type_name, key=str(key) if key else None,
                         wikidata=str(wikidata) if wikidata else None, name=name)
        aliases = [str(a).strip() for a in self.as_list(data.get("aliases"), "aliases")]
        triples: list[Triple] = list(
            entity_triples(iri, ALL_ENTITY_TYPES[type_name], name, aliases=aliases)
        )
        for scheme, (local, _) in IDENTIFIER_SCHEMES.items():
            if identifiers.get(scheme):
                triples.append((iri, PKG[local], Literal(str(identifiers[scheme]).strip())))
        if wikidata:
            triples.append((iri, OWL.sameAs,
                            WIKIDATA[wikidata]))
        if data.get("description"):
            triples.append((iri, SDO.description,
                            Literal(str(data["description"]))))
        if data.get("url"):
            triples.append((iri, SDO.url,
                            Literal(str(data["url"]), datatype=XSD.anyURI)))
        triples.extend(self.evidence(iri, record))
        self.context.defined.add(iri)
        return iri, triples

    def map_entities(self, record: Record) -> Iterator[Triple]:
        data = record.data
        iri, triples = self._entity(record, str(data["type"]))
        yield from triples
        if data.get("country"):
            yield iri, PKG.jurisdiction, self.ref(data["country"], "country")
        if data.get("parent"):
            yield iri, ORG.subOrganizationOf, self.ref(data["parent"], "parent")
        if data.get("country_code"):
            yield iri, PKG.countryCode, Literal(str(data["country_code"]).upper())

    def map_policies(self, record: Record) -> Iterator[Triple]:
        data = record.data
        type_name = str(data.get("type") or DEFAULT_TYPES[record.section])
        iri, triples = self._entity(record, type_name)
        if type_name not in SECTION_TYPES[record.section]:
            raise self.fail(f"{type_name!r} is not a policy type", "type")
        yield from triples
        if data.get("issued_by"):
            yield iri, PKG.issuedBy, self.ref(data["issued_by"], "issued_by")
        for field, predicate in (("date", PKG.date), ("start", SDO.startDate),
                                 ("end", SDO.endDate)):
            literal = self.date(record, field)
            if literal is not None:
                yield iri, predicate, literal

    def map_events(self, record: Record) -> Iterator[Triple]:
        data = record.data
        data.setdefault("type", DEFAULT_TYPES[record.section])
        iri, triples = self._entity(record, DEFAULT_TYPES[record.section])
        yield from triples
        literal = self.date(record, "date")
        if literal is not None:
            yield iri, PKG.date, literal
        if data.get("status"):
            status = str(data["status"]).lower()
            if status not in {"planned", "held", "cancelled", "postponed"}:
                raise self.fail("status must be planned, held, cancelled or postponed", "status")
            yield iri, PKG.eventStatus, Literal(status)
        if data.get("location"):
            yield iri, PKG.location, Literal(str(data["location"]))
        for participant in self.as_list(data.get("participants"), "participants"):
            yield iri, PKG.participant, self.ref(participant, "participants")

    # -- n-ary facts

    def map_memberships(self, record: Record) -> Iterator[Triple]:
        data = record.data
        member = self.ref(data["member"], "member")
        organization = self.ref(data["organization"], "organization")
        start, end = self.date(record, "start"), self.date(record, "end")
        if start is not None and end is not None and str(end) < str(start):
            raise self.fail("end date is before start date", "end")
        role = str(data["role"]).strip() if data.get("role") else None
        on_behalf_of = (self.ref(data["on_behalf_of"], "on_behalf_of")
                        if data.get("on_behalf_of") else None)
        fact = Membership(member, organization, role=role, start=start, end=end,
                          on_behalf_of=on_behalf_of)
        iri = fact.record_iri(data.get("id") or "")
        yield from fact.triples(iri)
        yield from self.evidence(iri, record)

    def map_funding(self, record: Record) -> Iterator[Triple]:
        data = record.data
        if not data.get("funder") and not data.get("recipient"):
            raise self.fail("a funding flow needs a funder or a recipient", "funder")
        funder = self.ref(data["funder"], "funder") if data.get("funder") else None
        recipient = self.ref(data["recipient"], "recipient") if data.get("recipient") else None
        program = self.ref(data["program"], "program") if data.get("program") else None
        try:
            amount = decimal_literal(data["amount"])
        except ValueError as exc:
            raise self.fail(str(exc), "amount") from None
        if amount.toPython() < 0:
            raise self.fail("amount must not be negative", "amount")
        currency = str(data.get("currency") or "USD").upper()
        if len(currency) != 3 or not currency.isalpha():
            raise self.fail(f"{currency!r} is not an ISO 4217 currency code", "currency")
        stage_name = str(data.get("stage") or "announced").lower()
        if stage_name not in STAGES:
            raise self.fail(f"stage must be one of {', '.join(STAGES)}", "stage")
        status = str(data.get("status") or "reported").lower()
        if status not in VERIFICATION:
            raise self.fail("status must be reported or verified", "status")
        when = self.date(record, "date")
        start, end = self.date(record, "start"), self.date(record, "end")
        fact = FundingFlow(
            funder, (recipient,) if recipient is not None else (), amount, currency,
            stage=STAGES[stage_name], verification=VERIFICATION[status], program=program,
            date=when, start=start, end=end, qualifier=_text(data.get("qualifier")),
            description=_text(data.get("description")))
        iri = fact.record_iri(data.get("id") or "")
        yield from fact.triples(iri)
        yield from self.evidence(iri, record)

    def map_statements(self, record: Record) -> Iterator[Triple]:
        data = record.data
        speaker = self.ref(data["speaker"], "speaker")
        text = str(data["text"]).strip()
        kind = str(data.get("kind") or "direct").lower()
        if kind not in KINDS:
            raise self.fail(f"kind must be one of {', '.join(KINDS)}", "kind")
        when = self.date(record, "date")
        stance = None
        if data.get("stance"):
            stance_name = str(data["stance"]).lower()
            if stance_name not in STANCES:
                raise self.fail(f"stance must be one of {', '.join(STANCES)}", "stance")
            stance = STANCES[stance_name]
        about = tuple(self.ref(target, "about")
                      for target in self.as_list(data.get("about"), "about"))
        fact = Statement(speaker, text, KINDS[kind], date=when, cue=_text(data.get("cue")),
                         speaker_role=_text(data.get("role")), stance=stance, about=about)
        iri = fact.record_iri(data.get("id") or "")
        yield from fact.triples(iri)
        yield from self.evidence(iri, record)

    def map_relations(self, record: Record) -> Iterator[Triple]:
        data = record.data
        subject = self.ref(data["subject"], "subject")
        obj = self.ref(data["object"], "object")
        try:
            relation = relation_term(str(data["type"]))
        except ValueError as exc:
            raise self.fail(str(exc), "type") from None
        when = self.date(record, "date")
        start, end = self.date(record, "start"), self.date(record, "end")
        fact = Relationship(subject, obj, relation, date=when, start=start, end=end,
                            description=_text(data.get("description")))
        iri = fact.record_iri(data.get("id") or "")
        yield from fact.triples(iri)
        yield from self.evidence(iri, record)

    def map_observations(self, record: Record) -> Iterator[Triple]:
        data = record.data
        subject = self.ref(data["subject"], "subject") if data.get("subject") else None
        try:
            value = decimal_literal(data["value"])
        except ValueError as exc:
            raise self.fail(str(exc), "value") from None
        period = self.date(record, "period")
        measure = str(data["measure"]).strip()
        program = self.ref(data["program"], "program") if data.get("program") else None
        fact = Observation(measure, value, subject=subject, period=period,
                           unit=_text(data.get("unit")), qualifier=_text(data.get("qualifier")),
                           program=program)
        iri = fact.record_iri(data.get("id") or "")
        yield from fact.triples(iri)
        yield from self.evidence(iri, record)


