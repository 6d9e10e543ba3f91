"""GDELT event exports, version 1.0 (57/58 columns) and 2.0 (61 columns): TSV without header.

Each row with two actors becomes a :class:`pkg:Relationship` between them, typed from the CAMEO
event code (finer types for a few root codes, else by QuadClass: cooperation or conflict); a row
with one actor becomes a :class:`pkg:Event` with that actor as participant; a row with none is
passed over. An actor is what :func:`classify_actor` makes of its CAMEO code, name and type codes:
a country (a bare country code such as ``MEX``), a person (``USAGOV`` "BARACK OBAMA", marked
``pkg:nameOnly`` so that it becomes its one namesake after the load), a named organization typed
from the CAMEO type code, or a :class:`pkg:RoleActor` bound to one country ("PRESIDENT" seen in
Nigeria is "President (Nigeria)"; ``USAGOV`` "UNITED STATES" is "Government (United States)").
GDELT is machine-coded from news, so its evidence carries confidence 0.5 and its facts are not
Verified.

A row whose number of fields is not 57, 58 or 61 is a bad record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SDO, SKOS

from policykg.facts import Relationship, source_fact_iri
from policykg.graph.terms import Triple, sparql_term
from policykg.identity import entity_iri, normalize_name, slugify
from policykg.loaders.base import Limits, LoadContext, Loader, read_lines
from policykg.loaders.opendata import (
    Country,
    Evidence,
    LiteralCache,
    Seen,
    bad_record,
    country,
    country_by_name,
    country_triples,
    open_text,
)
from policykg.loaders.records import entity_triples, parse_date
from policykg.ontology.namespace import PKG

__all__ = ["Actor", "GDELTLoader", "GDELT1_COLUMNS", "GDELT2_COLUMNS", "classify_actor",
           "relation_for"]

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


#: CAMEO actor type codes whose named actors are organizations, never persons.
_ORG_TYPE_CODES = frozenset({"BUS", "MNC", "NGO", "IGO", "MED", "EDU", "HLH", "PTY", "NGM"})
#: CAMEO actor type codes as the sector they stand for, for actors named by a place only
#: ("USAGOV" named "UNITED STATES" is the United States' government).
_SECTORS = {
    "GOV": "Government", "MIL": "Military", "JUD": "Judiciary", "COP": "Police",
    "SPY": "Intelligence", "ELI": "Elites", "LEG": "Legislature", "PTY": "Political parties",
    "BUS": "Business", "MNC": "Multinational business", "NGO": "NGOs", "NGM": "NGOs",
    "IGO": "International organizations", "MED": "Media", "EDU": "Education",
    "CVL": "Civilians", "LAB": "Labour", "HLH": "Health", "REF": "Refugees",
    "OPP": "Opposition", "REB": "Rebels", "CRM": "Criminals", "AGR": "Agriculture",
    "ENV": "Environment", "HRI": "Human rights", "INS": "Insurgents", "RAD": "Radicals",
    "SEP": "Separatists", "UAF": "Armed groups", "MOD": "Moderates", "SET": "Settlers",
    "DEV": "Development", "AMN": "Amnesty", "IRC": "Red Cross",
}
#: CAMEO region codes used where a country code would be.
_REGIONS = {
    "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans", "CRB": "Caribbean", "CAU": "Caucasus",
    "CFR": "Central Africa", "CAS": "Central Asia", "CEU": "Central Europe",
    "EIN": "East Indies", "EAF": "Eastern Africa", "EEU": "Eastern Europe", "EUR": "Europe",
    "LAM": "Latin America", "MEA": "Middle East", "MDT": "Mediterranean",
    "NAF": "North Africa", "NMR": "North America", "PGS": "Persian Gulf",
    "SCN": "Scandinavia", "SAM": "South America", "SAS": "South Asia",
    "SEA": "Southeast Asia", "SAF": "Southern Africa", "WAF": "West Africa", "WST": "The West",
}
#: Words that make a name an organization's ("THE WHITE HOUSE", "OVAL OFFICE").
_ORG_WORDS = frozenset({
    "office", "house", "council", "foundation", "press", "journal", "league", "union", "co",
    "inc", "corp", "company", "party", "committee", "ministry", "department", "agency", "bank",
    "court", "university", "college", "school", "news", "association", "organization",
    "organisation", "group", "front", "forces", "army", "times", "institute", "bureau",
    "commission", "service", "services", "network", "fund", "church", "airlines", "resources",
    "nations", "administration", "government", "police",
})
#: Words of place names ("NEW YORK CITY", "SOUTH CAROLINA", "LOS ANGELES").
_PLACE_WORDS = frozenset({"new", "city", "south", "north", "east", "west", "san", "santa", "los",
                          "las", "saint", "st", "county", "state", "province", "island",
                          "islands", "port", "fort", "lake", "mount", "valley", "bay"})
#: Endings of one-word names that are demonyms ("CHINESE", "AMERICAN", "BRITISH", "FRENCH").
_DEMONYM_ENDINGS = ("ese", "ish", "ian", "ean", "can", "nch", "tch", "zech")
_TRUE = Literal(True)


@dataclass(frozen=True)
class Actor:
    """What one GDELT actor is: a country, a person, a named organization or a role.

    ``kind`` is ``country``, ``person``, ``org`` or ``role``; a role has the role's name and the
    scope (ISO alpha-3 or CAMEO region code) it is bound to.
    """

    kind: str
    label: str
    code: str = ""
    country_code: str = ""
    type_code: str = ""
    key: str = ""
    role: str = ""
    scope: str = ""


def _place_parts(places: tuple[str, ...]) -> set[str]:
    parts = set()
    for place in places:
        for part in place.split(","):
            part = normalize_name(re.sub(r"\(.*?\)", " ", part))
            if part:
                parts.add(part)
    return parts


def _geo_scope(places: tuple[str, ...]) -> tuple[str, str] | None:
    """(alpha-3, name) of the country a GDELT geo name ends with ("Arewa, Oyo, Nigeria")."""
    parts = [p.strip() for p in places[0].split(",") if p.strip()]
    for part in reversed(parts[-2:]):
        item = country_by_name(part)
        if item is not None:
            return item.alpha3, item.name
    return None


def _scope(country_code: str) -> tuple[str, str] | None:
    home = country(country_code) if len(country_code) == 3 else None
    if home is not None:
        return home.alpha3, home.name
    region = _REGIONS.get(country_code)
    return (country_code, region) if region else None


def _is_place(name: str, scope_name: str | None, country_code: str,
              places: tuple[str, ...], known_places: frozenset[str]) -> bool:
    """Whether an actor's name is a place or a people rather than a person or an organization."""
    folded = normalize_name(name).removeprefix("the ")
    if country_by_name(folded) is not None or folded.upper() in (country_code, country_code[:2]):
        return True
    if scope_name is not None:
        scope = normalize_name(scope_name)
        if folded == scope or (len(folded) >= 5 and folded[:4] == scope[:4]):
            return True
    if folded in {normalize_name(r) for r in _REGIONS.values()}:
        return True
    if " " not in folded and folded.endswith(_DEMONYM_ENDINGS):
        return True
    if " " in folded and set(folded.split()) & _PLACE_WORDS:
        return True
    return folded in known_places or folded in _place_parts(places)


def classify_actor(code: str, name: str, country_code: str, group: str,
                   types: tuple[str, str, str],
                   places: tuple[str, str] = ("", ""),
                   known_places: frozenset[str] = frozenset()) -> Actor | None:
    """What a GDELT actor is, from its CAMEO code, name, country, known group and type codes.

    ``places`` are the actor's and the action's geo full names: a role with no country of its
    own is scoped to the country its actor geo names; a role with no country at all is no node
    (None), since one node would gather the presidents of every country. ``known_places`` are
    the place names of the whole file's geo columns: an actor named like one is a place.

    >>> classify_actor("USAGOV", "BARACK OBAMA", "USA", "", ("GOV", "", "")).kind
    'person'
    >>> classify_actor("GOV", "PRESIDENT", "", "", ("GOV", "", ""),
    ...                ("Arewa, Oyo, Nigeria", "")).label
    'President (Nigeria)'
    """
    if not (code or name):
        return None
    type_code = next((t for t in types if t), "")
    label = name.title() if name else code
    if code and code == country_code and not any(types):
        return Actor("country", label, code, country_code)
    if group:
        return Actor("org", label, code, country_code, type_code, key=f"group-{group}")
    scope = _scope(country_code) if country_code else _geo_scope(places)
    if not country_code:
        # A generic agent ("PRESIDENT", "POLICE", "CATHOLIC"): a role, bound to one country.
        if scope is None or not name:
            return None
        role = name.title()
        return Actor("role", f"{role} ({scope[1]})", code, scope[0] if len(scope[0]) == 3
                     and country(scope[0]) else "", type_code, role=slugify(role),
                     scope=scope[0])
    if not name or _is_place(name, scope[1] if scope else None, country_code, places,
                             known_places):
        if not type_code:
            return Actor("country", label, country_code, country_code) \
                if country(country_code) else None
        if scope is None:
            return None
        role = _SECTORS.get(type_code, type_code.title())
        return Actor("role", f"{role} ({scope[1]})", code, country_code, type_code,
                     role=slugify(role), scope=scope[0])
    words = set(normalize_name(name).split())
    if type_code in _ORG_TYPE_CODES or words & _ORG_WORDS:
        return Actor("org", label, code, country_code, type_code, key=f"{code}-{name}")
    return Actor("person", label, code, country_code, type_code)


def relation_for(event_code: str, root_code: str, quad_class: str) -> URIRef | None:
    """The relation-type property for a CAMEO event code, root code and QuadClass."""
    name = (_CODE_RELATIONS.get(event_code) or _ROOT_RELATIONS.get(root_code)
            or _QUAD_RELATIONS.get(quad_class))
    return PKG[name] if name else None


def _citation(url: str) -> URIRef:
    """SOURCEURL as an IRI; ValueError (a bad record) when even escaped it is not one."""
    escaped = quote(url, safe=_URL_SAFE)
    try:
        sparql_term(URIRef(escaped))  # the store's own check: a bad URL fails here, with its row
    except ValueError as exc:
        raise ValueError(f"SOURCEURL is not a valid IRI ({exc})") from None
    return URIRef(escaped)


def _has_actor(fields: list[str], index: dict[str, int]) -> bool:
    return any(fields[index[f"{who}Code"]].strip() or fields[index[f"{who}Name"]].strip()
               for who in ("Actor1", "Actor2"))


def _file_places(path: Path, limits: Limits | None = None,
                 limit: int = 200_000) -> frozenset[str]:
    """Every place name in a file's geo columns (first pass), to tell "FLORIDA" from a person."""
    found: set[str] = set()
    with open_text(path, limits) as fh:
        for line in read_lines(fh, path, limits):
            fields = line.rstrip("\r\n").split("\t")
            columns = _LAYOUTS.get(len(fields))
            if columns is None:
                continue
            index = _INDEX[columns is GDELT2_COLUMNS]
            found |= _place_parts(tuple(fields[index[f"{who}Geo_FullName"]]
                                        for who in ("Actor1", "Actor2", "Action")))
            if len(found) >= limit:
                break
    return frozenset(found)


class GDELTLoader(Loader):
    """GDELT 1.0/2.0 event exports (tab-separated, no header)."""

    name = "gdelt"
    version = "0.2"
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
        row_mapper = _Rows(path.name, context, self.version,
                           _file_places(path, context.limits))
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
_EVENT_CLASS = PKG.Event
_PARTICIPANT, _LOCATION, _DATE = PKG.participant, PKG.location, PKG.date
_CLASSIFICATION, _GDELT_CODE = PKG.classification, PKG.gdeltCode
_COUNTRY_CODE, _JURISDICTION = PKG.countryCode, PKG.jurisdiction
_DESCRIPTION, _CITATION = SDO.description, SDO.citation


class _Rows:
    """Maps rows of one file; remembers actors and repeated literals (bounded)."""

    def __init__(self, file_name: str, context: LoadContext, version: str,
                 places: frozenset[str] = frozenset()) -> None:
        self.file_name = file_name
        self.places = places
        self.seen = Seen()
        self.actors: dict[Actor, URIRef] = {}
        self.dates: dict[str, Literal] = {}
        self.literal = LiteralCache()
        self.evidence = Evidence(context, EXTRACTOR, version, CONFIDENCE)

    def actor(self, fields: list[str], index: dict[str, int],
              who: str) -> tuple[URIRef | None, list[Triple]]:
        i = index[f"{who}Code"]
        code, name, country_code = fields[i].strip(), fields[i + 1].strip(), fields[i + 2].strip()
        group = fields[i + 3].strip()
        types = (fields[i + 7].strip(), fields[i + 8].strip(), fields[i + 9].strip())
        if not code and not name:
            return None, []
        places = (fields[index[f"{who}Geo_FullName"]].strip(),
                  fields[index["ActionGeo_FullName"]].strip())
        actor = classify_actor(code, name, country_code, group, types, places, self.places)
        if actor is None:
            return None, []
        iri = self.actors.get(actor)
        if iri is not None:
            return iri, []
        if len(self.actors) >= 100_000:
            self.actors.clear()
        iri, triples = self._new_actor(actor)
        self.actors[actor] = iri
        return iri, triples

    def _country(self, home: Country, triples: list[Triple]) -> URIRef:
        if self.seen.add(home.iri):
            triples.extend(country_triples(home))
        return home.iri

    def _new_actor(self, actor: Actor) -> tuple[URIRef, list[Triple]]:
        triples: list[Triple] = []
        home = country(actor.country_code) if len(actor.country_code) == 3 else None
        if actor.kind == "country":
            if home is not None:
                return self._country(home, triples), triples
            iri = entity_iri("Jurisdiction", key="cameo-" + actor.code)
            if self.seen.add(iri):
                triples.extend(entity_triples(iri, PKG.Jurisdiction, actor.label))
                triples.append((iri, _GDELT_CODE, Literal(actor.code)))
            return iri, triples
        if actor.kind == "person":
            iri = entity_iri("Person", name=actor.label)
            type_iri = PKG.Person
        elif actor.kind == "role":
            iri = entity_iri("RoleActor", key=f"gdelt-{actor.role}-{actor.scope}")
            type_iri = PKG.RoleActor
        else:
            iri = entity_iri("Organization", key=f"gdelt-{actor.key}")
            type_iri = _TYPE_CLASSES.get(actor.type_code, PKG.Organization)
        if not self.seen.add(iri):
            return iri, triples
        triples.extend(entity_triples(iri, type_iri, actor.label))
        if actor.code:
            triples.append((iri, _GDELT_CODE, Literal(actor.code)))
        if actor.kind == "person":
            # Known by name only: after the load it becomes its one namesake (Wikidata's, a
            # curated record's), if there is exactly one (policykg.resolution.identifiers).
            triples.append((iri, PKG.nameOnly, _TRUE))
            return iri, triples
        if actor.country_code:
            triples.append((iri, _COUNTRY_CODE, Literal(actor.country_code)))
        if home is not None:
            triples.append((iri, _JURISDICTION, self._country(home, triples)))
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
        if actor1 is None and actor2 is None and not _has_actor(fields, index):
            return []  # an event with unscoped roles only stays an event, without participants
        triples.extend(triples2)
        e = index["EventCode"]
        event_code, root_code = fields[e].strip(), fields[e + 2].strip()
        quad, goldstein, mentions = fields[e + 3].strip(), fields[e + 4].strip(), \
            fields[e + 5].strip()
        url = fields[index["SOURCEURL"]].strip() if len(fields) > index["SOURCEURL"] else ""
        relation = relation_for(event_code, root_code, quad)
        add = triples.append
        if actor1 is not None and actor2 is not None and relation is not None:
            iri = source_fact_iri(Relationship.kind, "gdelt", event_id)
            triples.extend(Relationship(actor1, actor2, relation).triples(iri))
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
