"""GDELT event exports, version 1.0 (57/58 columns) and 2.0 (61 columns): TSV without header.

Each row with two actors becomes a :class:`pkg:Relationship` between them, typed from the CAMEO
event code (finer types for a few root codes, else by QuadClass: cooperation or conflict); a row
with one actor becomes a :class:`pkg:Event` with that actor as participant; a row with none is
passed over. Actors are countries (a bare country code such as ``MEX``) or organizations keyed by
CAMEO code and name (``USAGOV`` "UNITED STATES"), typed from the CAMEO actor type code. GDELT is
machine-coded from news, so its evidence carries confidence 0.5 and its facts are not Verified.

A row whose number of fields is not 57, 58 or 61 is a bad record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from policykg.graph.terms import Triple
from policykg.identity import entity_iri, fact_iri
from policykg.loaders.base import LoadContext, Loader, read_lines
from policykg.loaders.opendata import (
    SCHEMA,
    Evidence,
    LiteralCache,
    Seen,
    bad_record,
    country,
    country_triples,
    open_text,
)
from policykg.loaders.records import entity_triples, parse_date
from policykg.ontology.namespace import PKG

__all__ = ["GDELTLoader", "GDELT1_COLUMNS", "GDELT2_COLUMNS", "relation_for"]

EXTRACTOR = "policykg.gdelt"
CONFIDENCE = 0.5

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code"]
_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
_GEO1 = ["Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID"]
_GEO2 = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
_HEAD = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]


def _columns(geo: list[str]) -> list[str]:
    return (_HEAD + [f"Actor1{c}" for c in _ACTOR] + [f"Actor2{c}" for c in _ACTOR] + _EVENT
            + [f"{who}Geo_{c}" for who in ("Actor1", "Actor2", "Action") for c in geo]
            + ["DATEADDED", "SOURCEURL"])


#: GDELT 1.0 daily export columns (58; files before April 2013 lack SOURCEURL: 57).
GDELT1_COLUMNS: list[str] = _columns(_GEO1)
#: GDELT 2.0 export columns (61).
GDELT2_COLUMNS: list[str] = _columns(_GEO2)
_LAYOUTS = {len(GDELT1_COLUMNS): GDELT1_COLUMNS, len(GDELT1_COLUMNS) - 1: GDELT1_COLUMNS,
            len(GDELT2_COLUMNS): GDELT2_COLUMNS}
_INDEX = {cols is GDELT2_COLUMNS: {name: i for i, name in enumerate(cols)}
          for cols in (GDELT1_COLUMNS, GDELT2_COLUMNS)}

#: CAMEO root codes with a finer relation type than their QuadClass.
_ROOT_RELATIONS = {
    "04": "meetsWith",      # consult
    "05": "cooperatesWith",  # diplomatic cooperation
    "06": "cooperatesWith",  # material cooperation
    "07": "supports",        # provide aid
    "10": "pressures",       # demand
    "11": "criticizes",      # disapprove
    "12": "opposes",         # reject
    "13": "threatens",       # threaten
    "14": "opposes",         # protest
    "15": "threatens",       # exhibit force posture
    "16": "conflictWith",    # reduce relations
}
_CODE_RELATIONS = {"046": "negotiatesWith", "036": "meetsWith", "0311": "cooperatesWith"}
_QUAD_RELATIONS = {"1": "cooperatesWith", "2": "cooperatesWith", "3": "conflictWith",
                   "4": "conflictWith"}
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_QUAD_NAMES = {"1": "verbal cooperation", "2": "material cooperation", "3": "verbal conflict",
               "4": "material conflict"}

#: CAMEO actor type codes mapped to our classes; others make a plain Organization.
_TYPE_CLASSES = {
    "GOV": PKG.GovernmentAgency, "MIL": PKG.GovernmentAgency, "JUD": PKG.GovernmentAgency,
    "COP": PKG.GovernmentAgency, "SPY": PKG.GovernmentAgency, "ELI": PKG.GovernmentAgency,
    "LEG": PKG.Legislature, "PTY": PKG.PoliticalParty, "BUS": PKG.Company, "MNC": PKG.Company,
    "NGO": PKG.NGO, "IGO": PKG.InternationalOrganization, "MED": PKG.MediaOutlet,
    "EDU": PKG.ResearchInstitute,
}


def relation_for(event_code: str, root_code: str, quad_class: str) -> URIRef | None:
    """The relation-type property for a CAMEO event code, root code and QuadClass."""
    name = (_CODE_RELATIONS.get(event_code) or _ROOT_RELATIONS.get(root_code)
            or _QUAD_RELATIONS.get(quad_class))
    return PKG[name] if name else None


def _citation(url: str) -> URIRef:
    """SOURCEURL as an IRI; ValueError (a bad record) when even escaped it is not one."""
    escaped = quote(url, safe=_URL_SAFE)
    try:
        ox.NamedNode(escaped)  # the store's own check, so a bad URL fails here, with its row
    except ValueError as exc:
        raise ValueError(f"SOURCEURL is not a valid IRI ({exc})") from None
    return URIRef(escaped)


class GDELTLoader(Loader):
    """GDELT 1.0/2.0 event exports (tab-separated, no header)."""

    name = "gdelt"
    version = "0.1"
    extensions = (".export.csv", ".export.csv.gz", ".gdelt.tsv", ".gdelt.tsv.gz")
    description = "GDELT 1.0/2.0 event exports (TSV, plain or .gz)"

    def sniff(self, path: Path, head: bytes) -> bool:
        name = path.name.lower()
        if any(name.endswith(ext) for ext in self.extensions):
            return True
        first = head.split(b"\n", 1)[0].rstrip(b"\r")
        fields = first.split(b"\t")
        return (len(fields) in _LAYOUTS and fields[0].isdigit() and len(fields[1]) == 8
                and fields[1].isdigit())

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        row_mapper = _Rows(path.name, context, self.version)
        with open_text(path, context.limits) as fh:
            for number, line in enumerate(read_lines(fh, path, context.limits), start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                fields = line.split("\t")
                columns = _LAYOUTS.get(len(fields))
                if columns is None:
                    bad_record(context, path,
                               f"{len(fields)} fields; a GDELT event has 57, 58 (1.0) or 61 (2.0)",
                               reason="wrong number of fields", line=number,
                               record=fields[0] or None)
                    continue
                try:
                    triples = row_mapper.row(fields, _INDEX[columns is GDELT2_COLUMNS], number)
                except ValueError as exc:
                    bad_record(context, path, str(exc), reason="invalid value", line=number,
                               record=fields[0] or None)
                    continue
                yield from triples


_TYPE = RDF.type
_RELATIONSHIP, _EVENT_CLASS = PKG.Relationship, PKG.Event
_SUBJECT, _OBJECT, _RELATION_TYPE = PKG.relSubject, PKG.relObject, PKG.relationType
_PARTICIPANT, _LOCATION, _DATE = PKG.participant, PKG.location, PKG.date
_CLASSIFICATION, _GDELT_CODE = PKG.classification, PKG.gdeltCode
_COUNTRY_CODE, _JURISDICTION = PKG.countryCode, PKG.jurisdiction
_DESCRIPTION, _CITATION = URIRef(SCHEMA + "description"), URIRef(SCHEMA + "citation")


class _Rows:
    """Maps rows of one file; remembers actors and repeated literals (bounded)."""

    def __init__(self, file_name: str, context: LoadContext, version: str) -> None:
        self.file_name = file_name
        self.seen = Seen()
        self.actors: dict[tuple[str, ...], URIRef] = {}
        self.dates: dict[str, Literal] = {}
        self.literal = LiteralCache()
        self.evidence = Evidence(context, EXTRACTOR, version, CONFIDENCE)

    def actor(self, fields: list[str], index: dict[str, int],
              who: str) -> tuple[URIRef | None, list[Triple]]:
        i = index[f"{who}Code"]
        code, name, country_code = fields[i].strip(), fields[i + 1].strip(), fields[i + 2].strip()
        types = (fields[i + 7].strip(), fields[i + 8].strip(), fields[i + 9].strip())
        if not code and not name:
            return None, []
        key = (code, name, country_code, *types)
        iri = self.actors.get(key)
        if iri is not None:
            return iri, []
        if len(self.actors) >= 100_000:
            self.actors.clear()
        iri, triples = self._new_actor(code, name, country_code, types)
        self.actors[key] = iri
        return iri, triples

    def _new_actor(self, code: str, name: str, country_code: str,
                   types: tuple[str, str, str]) -> tuple[URIRef, list[Triple]]:
        home = country(country_code) if len(country_code) == 3 else None
        triples: list[Triple] = []
        if code and code == country_code and not any(types):
            if home is not None:
                if self.seen.add(home.iri):
                    triples.extend(country_triples(home))
                return home.iri, triples
            iri = entity_iri("Jurisdiction", key="cameo-" + code)
            if self.seen.add(iri):
                triples.extend(entity_triples(iri, PKG.Jurisdiction, name.title() or code))
                triples.append((iri, _GDELT_CODE, Literal(code)))
            return iri, triples
        type_iri = next((_TYPE_CLASSES[t] for t in types if t in _TYPE_CLASSES),
                        PKG.Organization)
        iri = entity_iri("Organization", key=f"gdelt-{code}-{name}")
        if self.seen.add(iri):
            label = name.title() if name else code
            if types[0] and name:
                label = f"{label} ({types[0]})"
            triples.extend(entity_triples(iri, type_iri, label))
            if code:
                triples.append((iri, _GDELT_CODE, Literal(code)))
            if country_code:
                triples.append((iri, _COUNTRY_CODE, Literal(country_code)))
            if home is not None:
                if self.seen.add(home.iri):
                    triples.extend(country_triples(home))
                triples.append((iri, _JURISDICTION, home.iri))
        return iri, triples

    def date(self, raw: str) -> Literal:
        literal = self.dates.get(raw)
        if literal is None:
            if len(raw) != 8 or not raw.isdigit():
                raise ValueError(f"SQLDATE {raw!r} is not YYYYMMDD")
            literal = parse_date(f"{raw[:4]}-{raw[4:6]}-{raw[6:]}")
            if len(self.dates) >= 50_000:
                self.dates.clear()
            self.dates[raw] = literal
        return literal

    def row(self, fields: list[str], index: dict[str, int], number: int) -> list[Triple]:
        """The triples of one row (a list, so a bad value leaves nothing half-yielded)."""
        event_id = fields[0].strip()
        if not event_id:
            raise ValueError("missing GLOBALEVENTID")
        when = self.date(fields[1].strip())
        actor1, triples = self.actor(fields, index, "Actor1")
        actor2, triples2 = self.actor(fields, index, "Actor2")
        if actor1 is None and actor2 is None:
            return []
        triples.extend(triples2)
        e = index["EventCode"]
        event_code, root_code = fields[e].strip(), fields[e + 2].strip()
        quad, goldstein, mentions = fields[e + 3].strip(), fields[e + 4].strip(), \
            fields[e + 5].strip()
        url = fields[index["SOURCEURL"]].strip() if len(fields) > index["SOURCEURL"] else ""
        relation = relation_for(event_code, root_code, quad)
        add = triples.append
        if actor1 is not None and actor2 is not None and relation is not None:
            iri = fact_iri("relation", ["gdelt", event_id])
            add((iri, _TYPE, _RELATIONSHIP))
            add((iri, _SUBJECT, actor1))
            add((iri, _OBJECT, actor2))
            add((iri, _RELATION_TYPE, relation))
        else:
            iri = entity_iri("Event", key=f"gdelt-{event_id}")
            add((iri, _TYPE, _EVENT_CLASS))
            add((iri, SKOS.prefLabel, Literal(f"GDELT event {event_id}")))
            for actor in (actor1, actor2):
                if actor is not None:
                    add((iri, _PARTICIPANT, actor))
            location = fields[index["ActionGeo_FullName"]].strip()
            if location:
                add((iri, _LOCATION, self.literal(location)))
        add((iri, _DATE, when))
        add((iri, _DESCRIPTION, Literal(
            f"GDELT event {event_id}: CAMEO {event_code or '?'}"
            f" ({_QUAD_NAMES.get(quad, 'unclassified')}), Goldstein {goldstein or '?'},"
            f" {mentions or '?'} mention(s)")))
        if event_code:
            add((iri, _CLASSIFICATION, self.literal(f"CAMEO:{event_code}")))
        if goldstein:
            add((iri, _CLASSIFICATION, self.literal(f"Goldstein:{goldstein}")))
        if mentions:
            add((iri, _CLASSIFICATION, self.literal(f"NumMentions:{mentions}")))
        if url.startswith(("http://", "https://")):
            add((iri, _CITATION, _citation(url)))
        triples.extend(self.evidence(iri, f"{self.file_name}:{number}#{event_id}"))
        return triples
