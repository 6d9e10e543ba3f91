"""Names, blocking and scores: the pairs the issue names, and its hard negatives."""

from __future__ import annotations

import pytest

from policykg.resolution.candidates import (
    EntityRecord,
    acronyms,
    blocking_keys,
    candidate_pairs,
    fold,
)
from policykg.resolution.scoring import DEFAULT_THRESHOLD, score_pair


def person(name: str, *aliases: str, **kw: object) -> EntityRecord:
    return EntityRecord(f"urn:p:{fold(name)}", "person", (name, *aliases),
                        frozenset({"Person"}), **kw)  # type: ignore[arg-type]


def org(name: str, *aliases: str, family: str = "org", kind: str = "Organization",
        **kw: object) -> EntityRecord:
    return EntityRecord(f"urn:o:{fold(name)}", family, (name, *aliases),
                        frozenset({kind}), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("a", "b"), [
    (person("Enrique Peña Nieto"), person("Pena Nieto")),
    (person("Enrique Peña Nieto"), person("Enrique Pena Nieto")),
    (person("Jorge Castañeda"), person("Jorge G. Castañeda")),
    (person("Bustamante, Jorge"), person("Jorge Bustamante")),
    (person("Luis Videgaray Caso"), person("Luis Videgaray")),
    (person("Владимир Путин"), person("Vladimir Putin")),
    (org("Instituto Nacional de Migración", kind="GovernmentAgency"),
     org("INM", kind="GovernmentAgency")),
    (org("Department of Homeland Security"), org("DHS")),
    (org("United States Department of Homeland Security"),
     org("Department of Homeland Security")),
])
def test_same_entities_are_candidates_above_threshold(a: EntityRecord, b: EntityRecord) -> None:
    assert list(candidate_pairs([a, b])) == [(0, 1)]
    match = score_pair(a, b)
    if b.names[0] in ("INM", "DHS"):  # an acronym alone is not enough: context must agree
        assert 0.8 <= match.score < DEFAULT_THRESHOLD
    else:
        assert match.score >= DEFAULT_THRESHOLD, match.reasons


@pytest.mark.parametrize(("a", "b"), [
    (person("Jorge Bustamante"), person("Roberto Bustamante")),
    (person("Donald Trump", "Trump"), person("Ivanka Trump")),
    (org("Mexico Institute", kind="ResearchInstitute"), org("Mexico", family="place",
                                                            kind="Country")),
    (org("Mexico Institute", kind="ResearchInstitute"), org("Mexico", kind="Organization")),
    (org("Executive Order 13767", family="policy"), org("Executive Order 13768",
                                                        family="policy")),
    (org("Secretariat of Foreign Affairs", kind="GovernmentAgency"),
     person("Luis Videgaray")),
    (org("Mexican Red Cross", kind="NGO"), org("Red Cross", kind="NGO")),
])
def test_hard_negatives_stay_below_threshold(a: EntityRecord, b: EntityRecord) -> None:
    assert score_pair(a, b).score < DEFAULT_THRESHOLD


def test_initials_need_context() -> None:
    plain = score_pair(person("J. Bustamante"), person("Jorge Bustamante"))
    assert plain.score < DEFAULT_THRESHOLD
    colef = frozenset({"urn:o:colef"})
    with_context = score_pair(person("J. Bustamante", affiliations=colef),
                              person("Jorge Bustamante", affiliations=colef))
    assert with_context.score >= DEFAULT_THRESHOLD
    assert any("shared affiliation" in r for r in with_context.reasons)


def test_identifiers_decide() -> None:
    q1 = {"wikidata": frozenset({"Q1"})}
    q2 = {"wikidata": frozenset({"Q2"})}
    same = score_pair(person("Donald Trump", identifiers=q1), person("D. J. Trump",
                                                                    identifiers=q1))
    assert same.score >= 0.99 and same.strong == ["wikidata:Q1"]
    different = score_pair(person("Donald Trump", identifiers=q1),
                           person("Donald Trump", identifiers=q2))
    assert different.score == 0 and different.never


def test_blocking_never_crosses_families_and_never_pairs_everything() -> None:
    records = [person("Mexico"), org("Mexico", family="place"), org("Mexico")]
    keys = [blocking_keys(r) for r in records]
    assert not keys[0] & keys[1] and not keys[1] & keys[2]
    people = [person(f"{first} Smith") for first in ("Ann", "Bob", "Cy", "Dee", "Eve")]
    assert list(candidate_pairs(people)) == []  # sharing a surname is no key


def test_acronyms() -> None:
    assert "inm" in acronyms("Instituto Nacional de Migración")
    assert "dhs" in acronyms("Department of Homeland Security")
    assert "ice" in acronyms("U.S. Immigration and Customs Enforcement")
    assert acronyms("INM") == {"inm"}
