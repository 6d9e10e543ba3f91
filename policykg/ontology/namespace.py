"""The closed policykg namespace. GENERATED from policykg.ttl: do not edit.

Regenerate with ``python -m policykg.ontology.generate``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = ["PKG"]


class PKG(DefinedNamespace):
    """policykg ontology terms; an unknown attribute raises AttributeError."""

    _fail = True

    Actor: URIRef  # Anything that can act in policy: a person, an organization or a country.
    Agreement: URIRef  # A treaty, memorandum or other agreement between actors.
    Announced: URIRef  # Funding promised or announced, not yet appropriated.
    Appropriated: URIRef  # Funding appropriated by a legislature.
    Committed: URIRef  # Funding committed to a recipient (IATI commitment).
    Company: URIRef  # A company or other for-profit legal entity.
    Country: URIRef  # A sovereign state, acting as a whole (for example as deporting or funding party).
    DirectQuote: URIRef  # A full quotation in quotation marks.
    Disbursed: URIRef  # Funding paid out to the recipient.
    Event: URIRef  # Something that happened or was planned: a meeting, a visit, a raid, a vote.
    Evidence: URIRef  # Where and how a fact was found: source, character span or record, extractor, confidence.
    ExecutiveOrder: URIRef  # An order issued by a head of government or state.
    Expended: URIRef  # Funding spent by the recipient (IATI expenditure).
    FundingFlow: URIRef  # Money moving, or promised to move, from a funder to a recipient, possibly for a program.
    FundingStage: URIRef  # How far a funding flow has progressed.
    GovernmentAgency: URIRef  # A government department, ministry, agency or other public body.
    IndirectSpeech: URIRef  # Reported speech without quotation marks.
    InternationalOrganization: URIRef  # An intergovernmental organization such as a UN agency.
    Jurisdiction: URIRef  # A territory with its own authority: a country, state or municipality.
    Law: URIRef  # A statute or act passed by a legislature.
    Legislature: URIRef  # A legislative body or one of its chambers or committees.
    MediaOutlet: URIRef  # A newspaper, broadcaster, news agency or other media organization.
    Membership: URIRef  # A dated fact that an actor belonged to or held a role in an organization; holding an office is a membership with a role and optionally a post.
    NGO: URIRef  # A non-governmental, non-profit organization.
    NaryFact: URIRef  # A fact that is a node of its own (with dates, amounts and evidence) and also stands for a direct relationship between two actors.
    Neutral: URIRef  # The statement takes no side.
    Obligated: URIRef  # Funding legally obligated.
    Observation: URIRef  # A statistic: a measured value of something for a subject and a period (118,000 deportations by Mexico in 2015).
    Opposes: URIRef  # The statement is against.
    Organization: URIRef  # Any organization; use a subclass where one fits.
    PartialQuote: URIRef  # A fragment in quotation marks inside reported speech.
    Person: URIRef  # A natural person: an official, analyst, journalist or other individual.
    Policy: URIRef  # A policy instrument: a law, executive order, agreement or program.
    PoliticalParty: URIRef  # A political party.
    Post: URIRef  # An office in an organization that a person can hold, such as Secretary of Homeland Security.
    Program: URIRef  # A funded program or initiative, such as the Merida Initiative.
    RelationType: URIRef  # A property usable as the type of a pkg:Relationship.
    Relationship: URIRef  # A typed relation between two actors (cooperates with, funds, heads, opposes...) with dates and evidence.
    Reported: URIRef  # As a source states it, unchecked: a news article, a publisher's own dataset (IATI, a disclosure in FtM).
    ResearchInstitute: URIRef  # A university, think tank or research centre.
    RoleActor: URIRef  # Whoever holds a role or makes up a sector in one country, when a source names only the role: a machine coder's 'President' or 'Police' seen in Nigeria is 'President (Nigeria)'. Not a person and not an organization; one node per role and country, never across countries. The central and path queries leave these nodes out unless asked to include them. It has no pkg:resolutionOrder: its IRI is its identity (role and country), so resolution never merges it with a person, an organization or another country's role.
    Source: URIRef  # A document or dataset facts were taken from; its named graph holds exactly those facts.
    Stance: URIRef  # The speaker's position towards what the statement is about.
    Statement: URIRef  # Something an actor said or wrote, with its verbatim text where quoted.
    StatementKind: URIRef  # How a statement is reported.
    Supports: URIRef  # The statement is in favour.
    TranscriptTurn: URIRef  # A speaker's turn in a transcript.
    Verification: URIRef  # Whether a fact is only as its source states it, or was checked by a researcher.
    Verified: URIRef  # Checked by a researcher, who says so in a curated record.
    WrittenStatement: URIRef  # A written statement, letter or post.
    about: URIRef  # An actor, policy or program the statement is about.
    amount: URIRef  # An amount of money in full units of its currency; negative when the source reports a correction or de-obligation.
    cancelledMeetingWith: URIRef  # Called off a planned meeting with another actor.
    charEnd: URIRef  # Offset just past the last character of the supporting text.
    charStart: URIRef  # Offset of the first character of the supporting text in the source's text.
    classification: URIRef  # A classification label as given by the source (Popolo classification, CAMEO code).
    confidence: URIRef  # Confidence in the fact, from 0 to 1.
    conflictWith: URIRef  # Is in a material or verbal conflict with another actor (GDELT conflict events).
    contentHash: URIRef  # SHA-256 of the source's bytes, as 'sha256:<hex>'.
    cooperatesWith: URIRef  # Works together with another actor.
    countryCode: URIRef  # An ISO 3166 alpha-2 or alpha-3 country code.
    criticizes: URIRef  # Publicly criticizes another actor or policy.
    cue: URIRef  # The verb or phrase that introduces the statement (say, tell, according to).
    currency: URIRef  # ISO 4217 currency code of an amount.
    dataset: URIRef  # The name of the dataset an entity came from (FtM datasets).
    date: URIRef  # The date of a fact, event or document (xsd:date, xsd:gYearMonth or xsd:gYear).
    deportsTo: URIRef  # Returns migrants to another country.
    edgeSource: URIRef  # On an n-ary fact class: the property whose value is the start node of the direct relationship the fact also stands for.
    edgeTarget: URIRef  # On an n-ary fact class: the property whose value is the end node of the direct relationship.
    edgeType: URIRef  # On an n-ary fact class: the UPPER_SNAKE relationship type of its direct relationship.
    edgeTypeFrom: URIRef  # On an n-ary fact class: the property whose value (a relation-type property) names the direct relationship type.
    employs: URIRef  # Employs a person.
    eventStatus: URIRef  # Status of an event: planned, held, cancelled or postponed.
    evidence: URIRef  # Links any fact or entity to the evidence for it.
    extractor: URIRef  # The name of the loader or extractor that produced the fact.
    extractorVersion: URIRef  # The version of that loader or extractor.
    format: URIRef  # The loader format a source was read with.
    ftmId: URIRef  # A FollowTheMoney entity id.
    funder: URIRef  # The actor that provides the money.
    funds: URIRef  # Provides money to another actor or program.
    gdeltCode: URIRef  # A GDELT/CAMEO actor code.
    heads: URIRef  # Leads an organization.
    iatiRef: URIRef  # An IATI organisation or activity identifier.
    implements: URIRef  # Carries out a program or policy.
    iriFamily: URIRef  # On an entity class: the family its entities' IRIs are minted in (id/<family>/<key>); subclasses share their nearest ancestor's, so a record typing a body GovernmentAgency and an article typing it Organization mint the same IRI.
    issuedBy: URIRef  # The actor that issued, enacted or runs a policy.
    jurisdiction: URIRef  # The jurisdiction an organization belongs to.
    location: URIRef  # Where an event took place, as named.
    measure: URIRef  # What is measured, such as 'deportations of Central Americans'.
    meetsWith: URIRef  # Meets another actor.
    memberOf: URIRef  # Belongs to an organization (undated; prefer pkg:Membership).
    nameOnly: URIRef  # True on an entity a source knows only by its name, with no identifier (a person in GDELT's actor columns, an IATI organisation without a ref). After each load such an entity becomes the one other entity of its family with the same preferred name, else the one with that alias, when there is exactly one; the rewrite is recorded with owl:sameAs.
    negotiatesWith: URIRef  # Negotiates with another actor.
    onBehalfOf: URIRef  # The organization (usually a party) on whose behalf a member sits, as Popolo's on_behalf_of.
    opposes: URIRef  # Is against another actor or a policy.
    participant: URIRef  # An actor taking part in an event.
    period: URIRef  # The period an observation covers (a year, month or date).
    popoloId: URIRef  # An identifier from a Popolo file.
    post: URIRef  # The post a membership fills, where the post is modelled as a node.
    pressures: URIRef  # Puts pressure on another actor.
    program: URIRef  # The program or policy a funding flow or statistic belongs to.
    publisherName: URIRef  # The publisher of a source, as named.
    qualifier: URIRef  # A qualifier on a number as stated, such as 'more than' or 'about'.
    quote: URIRef  # The supporting text itself, as it appears in the source.
    recipient: URIRef  # The actor that receives the money.
    recipientCountry: URIRef  # The country a funding flow is for, as its source states it (IATI recipient-country of the transaction, else of the activity).
    record: URIRef  # A locator of the supporting record in a structured source, such as 'file.yaml:12' or an FtM id.
    recordSection: URIRef  # On a class: the section of a curated record file (docs/records.md) whose records become resources of this class; the entities section (on pkg:Actor) also takes posts, policies and events by their type field.
    recordSectionOrder: URIRef  # With pkg:recordSection: the section's place in the list of sections a record file may have (the order an error names them in).
    relObject: URIRef  # The actor or policy a relationship points to.
    relSubject: URIRef  # The actor a relationship starts from.
    relatedTo: URIRef  # Any other stated relation; see its label.
    relationType: URIRef  # The relation-type property that names what the relationship is.
    resolutionOrder: URIRef  # On a class with pkg:iriFamily: its family takes part in entity resolution (candidates, identity across sources), and a curated reference by bare id tries the families in this order. A family without it is never resolved.
    role: URIRef  # The role or title held within a membership, as a label (for example 'acting secretary').
    source: URIRef  # The source an evidence record points to.
    speaker: URIRef  # Who made the statement.
    speakerRole: URIRef  # The speaker's role at the time of the statement, as the source gives it.
    stage: URIRef  # The stage of a funding flow.
    stance: URIRef  # The stance of the statement, where known.
    statementKind: URIRef  # The kind of statement.
    subject: URIRef  # The actor or program an observation is about.
    supports: URIRef  # Is in favour of another actor or a policy.
    text: URIRef  # The verbatim text of a statement.
    threatens: URIRef  # Threatens another actor with a measure.
    unit: URIRef  # The unit of an observation's value (persons, USD, percent).
    unnamedFunder: URIRef  # How the source describes a funder it does not name (a withheld or grouped party such as 'Information Redacted'); no actor stands for it.
    unnamedRecipient: URIRef  # How the source describes a recipient it does not name (a withheld or grouped party such as IATI's 'Enterprise - Non United States Other'); no actor stands for it.
    value: URIRef  # The numeric value of an observation.
    verification: URIRef  # Whether the fact is reported or verified.
    wikidataId: URIRef  # A Wikidata QID such as Q7747.

    _NS = Namespace("https://w3id.org/policykg/ns#")
