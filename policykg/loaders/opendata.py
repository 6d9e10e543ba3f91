"""Helpers shared by the open-data loaders (FtM, Popolo, IATI, GDELT, Wikidata).

* reading plain or gzip text files line by line;
* reporting a bad record: a warning (the record is skipped) or, with ``--strict``, an error;
* countries: one IRI per country whatever code a source uses (ISO alpha-2, alpha-3 or a few
  Wikidata QIDs), minted from the country's English short name so that it is the IRI a curated
  record ``{id: mexico, type: Country, name: Mexico}`` gets: ``.../id/place/mexico``;
* a bounded memory of entities already emitted, so repeated actors are not re-emitted per row.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from policykg.exceptions import LoaderError, RecordError
from policykg.facts import evidence_node
from policykg.graph.terms import Triple
from policykg.identity import entity_iri, normalize_name
from policykg.loaders.base import Limits, LoadContext, open_input
from policykg.loaders.records import entity_triples
from policykg.ontology.namespace import PKG

__all__ = [
    "open_text",
    "open_binary",
    "bad_record",
    "RecordError",
    "Country",
    "country",
    "country_by_qid",
    "country_by_name",
    "country_triples",
    "Seen",
    "Evidence",
    "LiteralCache",
]



def open_binary(path: Path, limits: Limits | None = None) -> IO[bytes]:
    """Open a file for reading bytes, decompressing gzip (by magic bytes) under the byte cap of
    ``limits``; a leading BOM is dropped (see :func:`~policykg.loaders.base.open_input`)."""
    return open_input(path, limits)


def open_text(path: Path, limits: Limits | None = None) -> IO[str]:
    """Open a plain or gzip file as UTF-8 text (a leading BOM is dropped)."""
    return io.TextIOWrapper(open_input(path, limits), encoding="utf-8-sig", newline="")


def bad_record(
    context: LoadContext,
    path: Path,
    message: str,
    *,
    reason: str,
    line: int | None = None,
    record: str | None = None,
    field: str | None = None,
) -> None:
    """Report a bad record: raise :class:`LoaderError` when strict, else warn and count it.

    ``reason`` is the short, countable cause ("malformed JSON"); ``message`` the specific one.
    """
    error = LoaderError(message, path=str(path), line=line, record=record, field=field)
    if context.strict:
        raise error
    location = str(error).removesuffix(f": {message}")
    context.warn(location, message, reason=reason)


class Country:
    """A country with its ISO 3166 codes and English short name."""

    __slots__ = ("alpha2", "alpha3", "name", "iri")

    def __init__(self, alpha2: str, alpha3: str, name: str) -> None:
        self.alpha2 = alpha2
        self.alpha3 = alpha3
        self.name = name
        self.iri = entity_iri("Country", name=name)


# ISO 3166-1: alpha-2, alpha-3, English short name (common form, as a curated record names it).
_ISO = """\
AD AND Andorra|AE ARE United Arab Emirates|AF AFG Afghanistan|AG ATG Antigua and Barbuda|
AI AIA Anguilla|AL ALB Albania|AM ARM Armenia|AO AGO Angola|AQ ATA Antarctica|AR ARG Argentina|
AS ASM American Samoa|AT AUT Austria|AU AUS Australia|AW ABW Aruba|AX ALA Aland Islands|
AZ AZE Azerbaijan|BA BIH Bosnia and Herzegovina|BB BRB Barbados|BD BGD Bangladesh|BE BEL Belgium|
BF BFA Burkina Faso|BG BGR Bulgaria|BH BHR Bahrain|BI BDI Burundi|BJ BEN Benin|
BL BLM Saint Barthelemy|BM BMU Bermuda|BN BRN Brunei|BO BOL Bolivia|BQ BES Caribbean Netherlands|
BR BRA Brazil|BS BHS Bahamas|BT BTN Bhutan|BV BVT Bouvet Island|BW BWA Botswana|BY BLR Belarus|
BZ BLZ Belize|CA CAN Canada|CC CCK Cocos (Keeling) Islands|CD COD Democratic Republic of the Congo|
CF CAF Central African Republic|CG COG Republic of the Congo|CH CHE Switzerland|
CI CIV Ivory Coast|CK COK Cook Islands|CL CHL Chile|CM CMR Cameroon|CN CHN China|CO COL Colombia|
CR CRI Costa Rica|CU CUB Cuba|CV CPV Cape Verde|CW CUW Curacao|CX CXR Christmas Island|
CY CYP Cyprus|CZ CZE Czech Republic|DE DEU Germany|DJ DJI Djibouti|DK DNK Denmark|
DM DMA Dominica|DO DOM Dominican Republic|DZ DZA Algeria|EC ECU Ecuador|EE EST Estonia|
EG EGY Egypt|EH ESH Western Sahara|ER ERI Eritrea|ES ESP Spain|ET ETH Ethiopia|FI FIN Finland|
FJ FJI Fiji|FK FLK Falkland Islands|FM FSM Micronesia|FO FRO Faroe Islands|FR FRA France|
GA GAB Gabon|GB GBR United Kingdom|GD GRD Grenada|GE GEO Georgia|GF GUF French Guiana|
GG GGY Guernsey|GH GHA Ghana|GI GIB Gibraltar|GL GRL Greenland|GM GMB Gambia|GN GIN Guinea|
GP GLP Guadeloupe|GQ GNQ Equatorial Guinea|GR GRC Greece|
GS SGS South Georgia and the South Sandwich Islands|GT GTM Guatemala|GU GUM Guam|
GW GNB Guinea-Bissau|GY GUY Guyana|HK HKG Hong Kong|HM HMD Heard Island and McDonald Islands|
HN HND Honduras|HR HRV Croatia|HT HTI Haiti|HU HUN Hungary|ID IDN Indonesia|IE IRL Ireland|
IL ISR Israel|IM IMN Isle of Man|IN IND India|IO IOT British Indian Ocean Territory|IQ IRQ Iraq|
IR IRN Iran|IS ISL Iceland|IT ITA Italy|JE JEY Jersey|JM JAM Jamaica|JO JOR Jordan|JP JPN Japan|
KE KEN Kenya|KG KGZ Kyrgyzstan|KH KHM Cambodia|KI KIR Kiribati|KM COM Comoros|
KN KNA Saint Kitts and Nevis|KP PRK North Korea|KR KOR South Korea|KW KWT Kuwait|
KY CYM Cayman Islands|KZ KAZ Kazakhstan|LA LAO Laos|LB LBN Lebanon|LC LCA Saint Lucia|
LI LIE Liechtenstein|LK LKA Sri Lanka|LR LBR Liberia|LS LSO Lesotho|LT LTU Lithuania|
LU LUX Luxembourg|LV LVA Latvia|LY LBY Libya|MA MAR Morocco|MC MCO Monaco|MD MDA Moldova|
ME MNE Montenegro|MF MAF Saint Martin|MG MDG Madagascar|MH MHL Marshall Islands|
MK MKD North Macedonia|ML MLI Mali|MM MMR Myanmar|MN MNG Mongolia|MO MAC Macau|
MP MNP Northern Mariana Islands|MQ MTQ Martinique|MR MRT Mauritania|MS MSR Montserrat|MT MLT Malta|
MU MUS Mauritius|MV MDV Maldives|MW MWI Malawi|MX MEX Mexico|MY MYS Malaysia|MZ MOZ Mozambique|
NA NAM Namibia|NC NCL New Caledonia|NE NER Niger|NF NFK Norfolk Island|NG NGA Nigeria|
NI NIC Nicaragua|NL NLD Netherlands|NO NOR Norway|NP NPL Nepal|NR NRU Nauru|NU NIU Niue|
NZ NZL New Zealand|OM OMN Oman|PA PAN Panama|PE PER Peru|PF PYF French Polynesia|
PG PNG Papua New Guinea|PH PHL Philippines|PK PAK Pakistan|PL POL Poland|
PM SPM Saint Pierre and Miquelon|PN PCN Pitcairn Islands|PR PRI Puerto Rico|PS PSE Palestine|
PT PRT Portugal|PW PLW Palau|PY PRY Paraguay|QA QAT Qatar|RE REU Reunion|RO ROU Romania|
RS SRB Serbia|RU RUS Russia|RW RWA Rwanda|SA SAU Saudi Arabia|SB SLB Solomon Islands|
SC SYC Seychelles|SD SDN Sudan|SE SWE Sweden|SG SGP Singapore|SH SHN Saint Helena|SI SVN Slovenia|
SJ SJM Svalbard and Jan Mayen|SK SVK Slovakia|SL SLE Sierra Leone|SM SMR San Marino|SN SEN Senegal|
SO SOM Somalia|SR SUR Suriname|SS SSD South Sudan|ST STP Sao Tome and Principe|SV SLV El Salvador|
SX SXM Sint Maarten|SY SYR Syria|SZ SWZ Eswatini|TC TCA Turks and Caicos Islands|TD TCD Chad|
TF ATF French Southern Territories|TG TGO Togo|TH THA Thailand|TJ TJK Tajikistan|TK TKL Tokelau|
TL TLS East Timor|TM TKM Turkmenistan|TN TUN Tunisia|TO TON Tonga|TR TUR Turkey|
TT TTO Trinidad and Tobago|TV TUV Tuvalu|TW TWN Taiwan|TZ TZA Tanzania|UA UKR Ukraine|UG UGA Uganda|
UM UMI United States Minor Outlying Islands|US USA United States|UY URY Uruguay|UZ UZB Uzbekistan|
VA VAT Vatican City|VC VCT Saint Vincent and the Grenadines|VE VEN Venezuela|
VG VGB British Virgin Islands|VI VIR United States Virgin Islands|VN VNM Vietnam|VU VUT Vanuatu|
WF WLF Wallis and Futuna|WS WSM Samoa|XK XKX Kosovo|YE YEM Yemen|YT MYT Mayotte|
ZA ZAF South Africa|ZM ZMB Zambia|ZW ZWE Zimbabwe"""

_BY_CODE: dict[str, Country] = {}
for _entry in _ISO.replace("\n", "").split("|"):
    _a2, _a3, _name = _entry.split(" ", 2)
    _country = Country(_a2, _a3, _name)
    _BY_CODE[_a2] = _country
    _BY_CODE[_a3] = _country
# Codes some sources use besides ISO: FtM/OpenSanctions lowercase and "uk"; CAMEO's Romania.
_BY_CODE["UK"] = _BY_CODE["GB"]
_BY_CODE["ROM"] = _BY_CODE["RO"]

# Wikidata QIDs of the countries policykg sources mention most (the Americas, the largest
# states, and the ones in the shared samples). Other QIDs stay entity_iri(..., wikidata=QID).
_QIDS = {
    "Q30": "US", "Q96": "MX", "Q774": "GT", "Q783": "HN", "Q792": "SV", "Q242": "BZ",
    "Q811": "NI", "Q800": "CR", "Q804": "PA", "Q241": "CU", "Q790": "HT", "Q786": "DO",
    "Q739": "CO", "Q717": "VE", "Q736": "EC", "Q419": "PE", "Q750": "BO", "Q298": "CL",
    "Q414": "AR", "Q155": "BR", "Q733": "PY", "Q77": "UY", "Q16": "CA", "Q766": "JM",
    "Q159": "RU", "Q212": "UA", "Q184": "BY", "Q148": "CN", "Q668": "IN", "Q17": "JP",
    "Q183": "DE", "Q142": "FR", "Q145": "GB", "Q38": "IT", "Q29": "ES", "Q45": "PT",
    "Q1037": "RW", "Q967": "BI", "Q954": "ZW", "Q258": "ZA", "Q1033": "NG", "Q115": "ET",
    "Q79": "EG", "Q43": "TR", "Q794": "IR", "Q796": "IQ", "Q858": "SY", "Q801": "IL",
    "Q851": "SA", "Q408": "AU", "Q664": "NZ", "Q252": "ID", "Q928": "PH", "Q843": "PK",
}


def country(code: str | None) -> Country | None:
    """The country with ISO alpha-2 or alpha-3 ``code`` (any case), or None."""
    if not code:
        return None
    return _BY_CODE.get(code.strip().upper())


def country_by_qid(qid: str) -> Country | None:
    """The country whose Wikidata QID is ``qid``, for the countries in the table."""
    alpha2 = _QIDS.get(qid)
    return _BY_CODE[alpha2] if alpha2 else None


_BY_NAME: dict[str, Country] = {}


def country_by_name(name: str) -> Country | None:
    """The country whose English short name is ``name`` (case, accents and a trailing or
    leading "The" forgiven: "Bahamas, The"), or None."""
    if not _BY_NAME:
        for item in _BY_CODE.values():
            _BY_NAME.setdefault(normalize_name(item.name), item)
    folded = normalize_name(name).removeprefix("the ").removesuffix(" the")
    return _BY_NAME.get(folded)


def country_triples(item: Country) -> Iterator[Triple]:
    """Type, name and ISO codes of a country."""
    yield from entity_triples(item.iri, PKG.Country, item.name)
    yield item.iri, PKG.countryCode, Literal(item.alpha2)
    yield item.iri, PKG.countryCode, Literal(item.alpha3)


class Seen:
    """A bounded set of IRIs already emitted; cleared when full so memory stays flat.

    Re-emitting an entity after a clear only repeats triples the store de-duplicates.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._items: set[URIRef] = set()

    def add(self, iri: URIRef) -> bool:
        """Remember ``iri``; True when it was not remembered yet (emit it now)."""
        if iri in self._items:
            return False
        if len(self._items) >= self.limit:
            self._items.clear()
        self._items.add(iri)
        return True


class Evidence:
    """Evidence triples as :meth:`LoadContext.evidence` makes them, with the constant literals
    built once (bulk loaders call it for every record; a test checks the two agree)."""

    def __init__(self, context: LoadContext, extractor: str, version: str,
                 confidence: float = 1.0) -> None:
        sample = list(context.evidence(URIRef("urn:x"), extractor=extractor, version=version,
                                       confidence=confidence))
        by_predicate = {p: o for _, p, o in sample}
        self.source = context.source
        self._constant = [(p, by_predicate[p]) for p in (
            RDF.type, PKG.source, PKG.extractor, PKG.extractorVersion, PKG.confidence)]
        self._evidence = PKG.evidence
        self._record = PKG.record

    def __call__(self, fact: URIRef, record: str) -> Iterator[Triple]:
        node = evidence_node(fact, self.source, record)
        yield fact, self._evidence, node
        for predicate, value in self._constant:
            yield node, predicate, value
        yield node, self._record, Literal(record)


class LiteralCache:
    """Plain or typed literals for values that repeat (codes, dates, currencies), bounded."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._items: dict[tuple[str, URIRef | None], Literal] = {}

    def __call__(self, text: str, datatype: URIRef | None = None) -> Literal:
        key = (text, datatype)
        literal = self._items.get(key)
        if literal is None:
            if len(self._items) >= self.limit:
                self._items.clear()
            literal = Literal(text, datatype=datatype)
            self._items[key] = literal
        return literal
