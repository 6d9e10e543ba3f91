"""IATI 2.x activity files (``<iati-activities>``), plain or gzip, read as a stream.

Each ``iati-activity`` becomes a :class:`pkg:Program` (its ``iati-identifier`` as ``pkg:iatiRef``);
participating organisations become organizations linked to it by a :class:`pkg:Relationship`
(funding → ``funds``, implementing → ``implements``, accountable/extending → ``related_to``
described by the role); transactions become :class:`pkg:FundingFlow` facts with the stage of
their transaction type, ``pkg:Reported`` (IATI is what the publisher reports; only a researcher's
curated record says verified). Recipient countries are :class:`pkg:Country` entities with the
IRI every policykg loader mints from ISO codes (``.../id/place/mexico``); the transaction's
recipient-country, else the activity's only one, is also the flow's ``pkg:recipientCountry``.

A transaction keeps its sign and its direction: a negative commitment or disbursement (a
de-obligation, a correction) is a negative amount from the same provider to the same receiver.
An organisation that stands for a withheld or grouped party (a name such as "Information
Redacted" or "Enterprise - Non United States Other", or a DAC channel category code such as
``XM-DAC-63000``) is not an actor: the flow gets no funder or recipient on that side and keeps
the source's words as ``pkg:unnamedFunder`` / ``pkg:unnamedRecipient``. An organisation given
by a name without an identifier is ``pkg:nameOnly`` (see :meth:`_Mapper.organisation`).

The file is parsed with :func:`xml.etree.ElementTree.iterparse`; each activity element is cleared
once mapped, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import SDO, SKOS

from policykg.exceptions import LoaderError
from policykg.facts import FundingFlow, Relationship, source_fact_iri
from policykg.graph.terms import Triple
from policykg.identity import entity_iri
from policykg.loaders.base import LoadContext, Loader, refuse_dtd
from policykg.loaders.opendata import (
    RecordError,
    Seen,
    bad_record,
    country,
    country_triples,
    open_binary,
)
from policykg.loaders.records import date_literal, decimal_literal, entity_triples
from policykg.ontology.namespace import PKG

__all__ = ["IATILoader", "TRANSACTION_STAGES", "ORG_ROLES", "ORG_TYPES", "unnamed_party"]

EXTRACTOR = "policykg.iati"
_TRUE = Literal(True)
_NAMES_KEPT = 200_000
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: IATI TransactionType code → funding stage (None: not a funding flow we record).
TRANSACTION_STAGES: dict[str, URIRef | None] = {
    "1": PKG.Disbursed,   # incoming funds: money received by the reporting organisation
    "2": PKG.Committed,   # outgoing commitment
    "3": PKG.Disbursed,   # disbursement
    "4": PKG.Expended,    # expenditure
    "5": None,            # interest payment
    "6": None,            # loan repayment
    "7": None,            # reimbursement
    "8": PKG.Disbursed,   # purchase of equity
    "9": None,            # sale of equity
    "10": PKG.Disbursed,  # credit guarantee
    "11": PKG.Committed,  # incoming commitment
    "12": PKG.Disbursed,  # outgoing pledge: IATI treats it as money moving on
    "13": PKG.Announced,  # incoming pledge
}
_TRANSACTION_NAMES = {"1": "incoming funds", "2": "outgoing commitment", "3": "disbursement",
                      "4": "expenditure", "5": "interest payment", "6": "loan repayment",
                      "7": "reimbursement", "8": "purchase of equity", "9": "sale of equity",
                      "10": "credit guarantee", "11": "incoming commitment",
                      "12": "outgoing pledge", "13": "incoming pledge"}
_TRANSACTION_NAME_CODES = {name.replace(" ", "-"): code
                           for code, name in _TRANSACTION_NAMES.items()}
# IATI 1.x letter codes still found in old files.
_TRANSACTION_NAME_CODES.update({"IF": "1", "C": "2", "D": "3", "E": "4", "IR": "5", "LR": "6",
                                "R": "7", "QP": "8", "QS": "9", "CG": "10"})

#: OrganisationRole code → (relation type, role name).
ORG_ROLES: dict[str, tuple[URIRef, str]] = {
    "1": (PKG.funds, "funding"),
    "2": (PKG.relatedTo, "accountable"),
    "3": (PKG.relatedTo, "extending"),
    "4": (PKG.implements, "implementing"),
}
#: OrganisationType code → our class.
ORG_TYPES: dict[str, URIRef] = {
    "10": PKG.GovernmentAgency, "11": PKG.GovernmentAgency, "15": PKG.GovernmentAgency,
    "21": PKG.NGO, "22": PKG.NGO, "23": PKG.NGO, "24": PKG.NGO, "30": PKG.Organization,
    "40": PKG.InternationalOrganization, "60": PKG.NGO, "70": PKG.Company, "71": PKG.Company,
    "72": PKG.Company, "73": PKG.Company, "80": PKG.ResearchInstitute, "90": PKG.Organization,
}
#: An organisation identifier (XM-DAC-41114, US-GOV-19, GB-CHC-202918): prefix, hyphen, rest.
_ORG_REF = re.compile(r"^[A-Za-z0-9]{2,}-[A-Za-z0-9][A-Za-z0-9._\-/]*$")
#: Organisation names that stand for withheld or grouped parties, not for one organisation
#: ("Information Redacted", "Enterprise - Non United States Other", "NGO - United States Other").
_PLACEHOLDER = re.compile(
    r"redacted|withheld|^[^-]+ - .*\bother$|^not applicable$|^n/?a$|^unknown$|^various$", re.I)
#: DAC channel category codes (XM-DAC-63000 "private sector in a third country"): a kind of
#: party, not one organisation; codes of single organisations do not end in 000 (XM-DAC-47066).
_CATEGORY_REF = re.compile(r"^XM-DAC-\d{2}000$", re.I)


def unnamed_party(element: ET.Element) -> str | None:
    """The source's words for a withheld or grouped party, or None for a named organisation.

    A placeholder name ("Information Redacted") or a DAC channel category code without a name
    of its own (``XM-DAC-63000`` "Enterprise - Non United States Other") stands for many
    unnamed parties, so no actor is minted for it.

    Example:
        >>> unnamed_party(ET.fromstring('<receiver-org ref="XM-DAC-63000"><narrative>'
        ...                             'Enterprise - Non United States Other</narrative>'
        ...                             '</receiver-org>'))
        'Enterprise - Non United States Other (XM-DAC-63000)'
        >>> unnamed_party(ET.fromstring('<receiver-org ref="XM-DAC-47066"><narrative>'
        ...                             'International Organisation for Migration</narrative>'
        ...                             '</receiver-org>')) is None
        True
    """
    ref = (element.get("ref") or "").strip()
    name = _narrative(element)
    category = bool(_CATEGORY_REF.match(ref))
    if name and not _PLACEHOLDER.search(name):
        return None  # a real name, even under a category code: that organisation
    if not name and not category:
        return None
    words = name or ref
    return f"{words} ({ref})" if name and ref else words


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _narrative(element: ET.Element | None) -> str | None:
    """The English (or first) narrative of an element, or its own text (IATI 1.x)."""
    if element is None:
        return None
    narratives = [n for n in element if _local(n.tag) == "narrative" and (n.text or "").strip()]
    for narrative in narratives:
        if narrative.get(_XML_LANG, "en").lower().startswith("en"):
            return (narrative.text or "").strip()
    if narratives:
        return (narratives[0].text or "").strip()
    text = (element.text or "").strip()
    return text or None


class IATILoader(Loader):
    """IATI 2.x activity XML (plain or .gz)."""

    name = "iati"
    version = "0.3"
    extensions = (".iati.xml", ".iati.xml.gz")
    description = "IATI 2.x activity XML (plain or .gz)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return b"<iati-activities" in head

    def load(self, path: Path, context: LoadContext) -> Iterator[Triple]:
        mapper = _Mapper(path, context, self.version)
        refuse_dtd(path, context.limits)  # no DTD, so no entity to expand
        with open_binary(path, context.limits) as fh:
            events = ET.iterparse(fh, events=("start", "end"))
            root: ET.Element | None = None
            try:
                for event, element in events:
                    if event == "start":
                        if root is None:
                            root = element
                        continue
                    if _local(element.tag) != "iati-activity":
                        continue
                    yield from mapper.activity(element)
                    element.clear()
                    if root is not None:
                        root.clear()  # drop the cleared activities from the root too
            except ET.ParseError as exc:
                line = exc.position[0] if exc.position else None
                raise LoaderError(f"malformed XML: {exc}", path=str(path), line=line) from None


class _Mapper:
    """Maps IATI activities of one file to triples."""

    def __init__(self, path: Path, context: LoadContext, version: str) -> None:
        self.path = path
        self.context = context
        self.version = version
        self.seen = Seen()
        self.first_name: dict[URIRef, str | None] = {}
        self.other_names: set[tuple[URIRef, str]] = set()

    def evidence(self, fact: URIRef, record: str) -> Iterator[Triple]:
        return self.context.evidence(fact, extractor=EXTRACTOR, version=self.version,
                                     record=record)

    def organisation(self, element: ET.Element | None) -> tuple[URIRef | None, list[Triple]]:
        """An organisation from a ``*-org`` element: by its identifier, else by its name.

        None for a missing element and for a placeholder (see :func:`unnamed_party`). One known
        only by its name is marked ``pkg:nameOnly``: after the load it becomes its one namesake
        (:mod:`policykg.resolution.identifiers`), such as the curated record of that organisation.
        """
        if element is None or unnamed_party(element) is not None:
            return None, []
        ref = (element.get("ref") or "").strip()
        name = _narrative(element)
        valid_ref = bool(_ORG_REF.match(ref)) and not _CATEGORY_REF.match(ref)
        if not valid_ref and not name:
            return None, []
        type_iri = ORG_TYPES.get((element.get("type") or "").strip(), PKG.Organization)
        iri = (entity_iri("Organization", key="iati-" + ref) if valid_ref
               else entity_iri("Organization", name=name))
        triples: list[Triple] = []
        if self.seen.add(iri):
            triples.extend(entity_triples(iri, type_iri, name or ref))
            if valid_ref:
                triples.append((iri, PKG.iatiRef, Literal(ref)))
            else:
                triples.append((iri, PKG.nameOnly, _TRUE))
            self.first_name[iri] = name
        elif (valid_ref and name and name != self.first_name.get(iri, name)
              and (iri, name) not in self.other_names):
            # Another name the file gives this identifier ("U.S. Government - Department of
            # State" for US-GOV-11): an alias, so a name-only mention of it finds this entity.
            self.other_names.add((iri, name))
            triples.append((iri, SKOS.altLabel, Literal(name)))
        if len(self.first_name) > _NAMES_KEPT:
            self.first_name.clear()  # bounded memory; an alias may then be repeated (deduped)
            self.other_names.clear()
        return iri, triples

    def country(self, code: str) -> tuple[URIRef | None, list[Triple]]:
        item = country(code)
        if item is None:
            return None, []
        return item.iri, list(country_triples(item)) if self.seen.add(item.iri) else []

    def activity(self, activity: ET.Element) -> Iterator[Triple]:
        identifier_element = activity.find("iati-identifier")
        identifier = (identifier_element.text or "").strip() if identifier_element is not None \
            else ""
        if not identifier:
            bad_record(self.context, self.path, "activity without iati-identifier",
                       reason="activity without iati-identifier", field="iati-identifier")
            return
        title = _narrative(activity.find("title")) or identifier
        program = entity_iri("Program", key="iati-" + identifier)
        yield from entity_triples(program, PKG.Program, title)
        yield program, PKG.iatiRef, Literal(identifier)
        description = _narrative(activity.find("description"))
        if description:
            yield program, SDO.description, Literal(description)
        for date in activity.findall("activity-date"):
            kind = date.get("type", "")
            predicate = {"1": SDO.startDate, "2": SDO.startDate,
                         "3": SDO.endDate, "4": SDO.endDate}.get(kind)
            # Actual dates (2, 4) win over planned ones (1, 3) when both are present.
            if predicate is None or (kind in "13" and activity.find(
                    f"activity-date[@type='{int(kind) + 1}']") is not None):
                continue
            literal = self._date(date.get("iso-date"))
            if literal is not None:
                yield program, predicate, literal
        for sector in activity.findall("sector"):
            code = sector.get("code")
            if code:
                vocabulary = sector.get("vocabulary", "1")
                label = _narrative(sector)
                text = f"sector:{vocabulary}:{code}" + (f" {label}" if label else "")
                yield program, PKG.classification, Literal(text)
        reporting, triples = self.organisation(activity.find("reporting-org"))
        yield from triples
        if reporting is not None:
            yield program, PKG.issuedBy, reporting
        yield from self.evidence(program, identifier)

        # Recipient countries of the activity, or (IATI 2.x allows either) of its transactions.
        recipients: list[URIRef] = []
        for element in activity.iter("recipient-country"):
            iri, triples = self.country(element.get("code", ""))
            yield from triples
            if iri is not None and iri not in recipients:
                recipients.append(iri)
                yield program, PKG.jurisdiction, iri
        # The activity's own country, when it names exactly one: what its transactions are for.
        own = {c for c in (country(e.get("code", "")) for e in activity.findall(
            "recipient-country")) if c is not None}
        activity_country = next(iter(own)).iri if len(own) == 1 else None

        for position, element in enumerate(activity.findall("participating-org"), start=1):
            role = (element.get("role") or "").strip()
            org, triples = self.organisation(element)
            if org is None:
                continue
            yield from triples
            relation, role_name = ORG_ROLES.get(role, (PKG.relatedTo, f"role {role or '?'}"))
            iri = source_fact_iri(Relationship.kind, "iati", identifier, "participating-org",
                                  position)
            yield from Relationship(org, program, relation,
                                    description=f"IATI {role_name} organisation").triples(iri)
            yield from self.evidence(iri, f"{identifier}/participating-org[{position}]")

        currency = (activity.get("default-currency") or "").strip().upper() or None
        for position, element in enumerate(activity.findall("transaction"), start=1):
            record = f"{identifier}/transaction[{position}]"
            try:
                triples = list(self.transaction(element, program, record, currency, reporting,
                                                recipients, activity_country))
            except RecordError as exc:
                bad_record(self.context, self.path, exc.message, reason=exc.reason,
                           record=record, field=exc.field)
                continue
            yield from triples

    def _date(self, value: str | None) -> Literal | None:
        try:
            return date_literal(value)
        except ValueError:
            return None

    def transaction(self, element: ET.Element, program: URIRef, record: str,
                    default_currency: str | None, reporting: URIRef | None,
                    recipients: list[URIRef],
                    activity_country: URIRef | None = None) -> Iterator[Triple]:
        type_element = element.find("transaction-type")
        code = (type_element.get("code") or "").strip() if type_element is not None else ""
        code = _TRANSACTION_NAME_CODES.get(code, code)
        if code not in TRANSACTION_STAGES:
            raise RecordError(f"unknown transaction type {code!r}", "unknown transaction type",
                               "transaction-type")
        stage = TRANSACTION_STAGES[code]
        if stage is None:
            return  # repayments, interest, reimbursements: not funding flows
        value = element.find("value")
        if value is None or not (value.text or "").strip():
            raise RecordError("transaction without value", "transaction without value", "value")
        try:
            amount = decimal_literal(value.text)
        except ValueError as exc:
            raise RecordError(str(exc), "invalid value", "value") from None
        # A negative value (de-obligation, correction) keeps its sign and its direction.
        currency = ((value.get("currency") or "").strip().upper() or default_currency)
        if not currency or len(currency) != 3 or not currency.isalpha():
            raise RecordError("transaction without currency (and no default-currency)",
                               "transaction without currency", "value/@currency")
        date_element = element.find("transaction-date")
        when = self._date(value.get("value-date")) or self._date(
            date_element.get("iso-date") if date_element is not None else None)
        provider, receiver = element.find("provider-org"), element.find("receiver-org")
        unnamed_funder = unnamed_party(provider) if provider is not None else None
        unnamed_recipient = unnamed_party(receiver) if receiver is not None else None
        funder, triples = self.organisation(provider)
        yield from triples
        recipient, triples = self.organisation(receiver)
        yield from triples
        incoming = code in ("1", "11", "13")
        if funder is None and unnamed_funder is None and not incoming:
            funder = reporting  # outgoing money comes from the reporting organisation
        country_element = element.find("recipient-country")
        flow_country, triples = (self.country(country_element.get("code", ""))
                                 if country_element is not None else (None, []))
        yield from triples
        flow_country = flow_country or activity_country
        if recipient is None and unnamed_recipient is None:
            if incoming:
                recipient = reporting
            elif flow_country is not None:
                recipient = flow_country  # no receiver named: the country the money is for
            elif len(recipients) == 1:
                recipient = recipients[0]
        iri = source_fact_iri(FundingFlow.kind, "iati", record, (element.get("ref") or ""))
        yield from FundingFlow(
            funder, (recipient,) if recipient is not None else (), amount, currency,
            stage=stage, verification=PKG.Reported, program=program, date=when,
            description=_narrative(element.find("description")) or None,
        ).triples(iri)
        if unnamed_funder is not None:
            yield iri, PKG.unnamedFunder, Literal(unnamed_funder)
        if unnamed_recipient is not None:
            yield iri, PKG.unnamedRecipient, Literal(unnamed_recipient)
        if flow_country is not None:
            yield iri, PKG.recipientCountry, flow_country
        yield iri, PKG.classification, Literal(
            f"IATI transaction type {code} ({_TRANSACTION_NAMES[code]})")
        yield from self.evidence(iri, record)
